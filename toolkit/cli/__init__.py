"""The command line: the Typer app, help texts, printing only."""

from .app import main

__all__ = ["main"]
