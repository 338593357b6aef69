"""Intake: walking what is offered, archives, and OOXML/BIFF/OLE checks before any reader parses a file."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["archive", "biff", "ole_props", "ooxml", "sheet_span", "source_paths", "walk"]
