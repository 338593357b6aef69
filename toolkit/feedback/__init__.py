"""Feedback workbooks (退回修改) for units whose return is faulty."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["notice", "workbooks"]
