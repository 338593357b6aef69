"""How figures read in the report and in the workbooks the results stages write.

Rates as percentages with one decimal (报送率 93.3%, not 0.9333); amounts with thousands
separators and fixed decimals (12,345 and 95.83, not 95.8333). Rounding is half away from
zero, as Excel and LibreOffice show a cell. The Excel number formats beside them make a
workbook cell show the same text while keeping the number.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["as_number", "amount", "count", "percent", "ratio", "points", "XLSX_AMOUNT", "XLSX_COUNT",
           "XLSX_PERCENT", "XLSX_POINTS"]

XLSX_COUNT = "#,##0"
XLSX_AMOUNT = "#,##0.##"
XLSX_POINTS = "#,##0.00"
XLSX_PERCENT = "0.0%"


def as_number(value) -> float | None:
    """A finite number from a CSV cell or a value, or None."""
    if isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _rounded(x: float, digits: int) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def points(value, digits: int = 2) -> str:
    """A score or mean with fixed decimals and thousands separators: 95.83, 90.00, 1,234.50."""
    x = as_number(value)
    return "" if x is None else f"{_rounded(x, digits):,.{digits}f}"


def amount(value, digits: int = 2) -> str:
    """A sum: whole numbers as 12,345; others with *digits* fixed decimals (1,234.50)."""
    x = as_number(value)
    if x is None:
        return ""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{_rounded(x, digits):,.{digits}f}"


def count(value) -> str:
    """A whole count with thousands separators."""
    x = as_number(value)
    return "" if x is None else f"{int(_rounded(x, 0)):,}"


def percent(fraction, digits: int = 1) -> str:
    """A fraction 0–1 as a percentage: 0.9333 → 93.3%."""
    x = as_number(fraction)
    return "—" if x is None else f"{_rounded(100 * x, digits):,.{digits}f}%"


def ratio(numerator: float, denominator: float, digits: int = 1) -> str:
    """numerator / denominator as a percentage; — when the denominator is 0."""
    return percent(numerator / denominator, digits) if denominator else "—"
