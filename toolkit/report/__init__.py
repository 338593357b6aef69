"""The report: out/report.html rendered from the out/*.csv files."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["charts", "compare", "page", "sections", "stage"]
