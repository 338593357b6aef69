"""Writing files safely: CSV and xlsx writers, formula safety, names, figures, print layout."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["csvfile", "figures", "names", "print_layout", "safety", "xlsxfile"]
