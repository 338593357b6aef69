"""Reading returns: readers, the isolated worker pool, locating values, identification, collect, resolve."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["collect", "identify", "isolated", "locate", "reader", "rejections", "resolve"]
