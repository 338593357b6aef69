"""Reading returns: readers, locating values, identification, collect, resolve."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["collect", "identify", "locate", "reader", "resolve"]
