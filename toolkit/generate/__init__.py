"""Generate: the master workbook of a template, its cells, and the per-unit outbox."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["cells", "master", "outbox", "stamp"]
