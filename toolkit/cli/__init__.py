"""The command line: the Typer app, help texts, printing only."""

from .commands import app, main

__all__ = ["app", "main"]
