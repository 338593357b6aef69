"""Normalisers: what units really type, turned into typed values."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["numbers", "parsed", "values"]
