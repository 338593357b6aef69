"""Rounds and years: the next round, carry-over, year-on-year comparison."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["carry", "compare", "compare_read", "compare_xlsx", "comparison", "next_round"]
