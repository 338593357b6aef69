"""Template specs: the model, parsing, loading, authoring errors, workbook layout and describe."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["describe", "errors", "layout", "load", "model", "parse"]
