"""Merge: accepted returns into out/values.csv and out/consolidated.xlsx."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["consolidated", "stage"]
