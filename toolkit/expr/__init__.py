"""The expression language of specs, rules and schemes, computed as the office suites compute."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["excel_math", "functions", "language"]
