"""Keeping text from returns and rosters from ever becoming a formula."""

from __future__ import annotations

__all__ = ["FORMULA_STARTS", "looks_like_formula", "csv_safe"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    """True for text an office suite would read as a formula (or DDE) when opened."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value)


def csv_safe(value):
    """Prefix a single quote to text that would start a formula in Excel, leave the rest."""
    if looks_like_formula(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
