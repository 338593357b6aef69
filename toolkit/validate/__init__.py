"""Validate: the checks and rectification checks run on every accepted return."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["checklist", "checks", "rectification", "stage"]
