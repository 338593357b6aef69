"""Intake: walking what is offered, archives, OOXML/BIFF/OLE checks before any reader parses a file, and the
isolated workers and guarded calamine that parse untrusted files."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["archive", "biff", "calamine", "isolated", "ole_props", "ooxml", "sheet_span", "source_paths", "walk"]
