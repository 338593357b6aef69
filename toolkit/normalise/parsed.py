"""What every value parser returns (:class:`Parsed`) and the first steps they all take.

The issue codes a :class:`Parsed` can carry are named here and declared (with their titles and
hints) in :mod:`toolkit.catalogue.values`; :func:`settled_parse` handles an empty cell or a formula error
before any parser looks at a value, and :func:`fold` turns full-width characters, odd spaces and
minus signs into plain ASCII. Used by :mod:`toolkit.normalise.values` and :mod:`toolkit.normalise.numbers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "Parsed", "ERROR_CELLS", "NOT_A_NUMBER", "NOT_AN_INTEGER", "NOT_A_DATE", "NOT_A_BOOL",
    "NOT_A_CHOICE", "ERROR_CELL", "CHINESE_NUMERAL", "PERCENT_AMBIGUOUS",
]

NOT_A_NUMBER, NOT_AN_INTEGER = "value.not_a_number", "value.not_an_integer"
NOT_A_DATE, NOT_A_BOOL, NOT_A_CHOICE = "value.not_a_date", "value.not_a_bool", "value.not_a_choice"
ERROR_CELL, CHINESE_NUMERAL, PERCENT_AMBIGUOUS = "value.error_cell", "value.chinese_numeral", "value.percent_ambiguous"

ERROR_CELLS = frozenset({
    "#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})

# Full-width ASCII → ASCII, odd spaces → space, minus sign → "-", zero-width marks dropped.
FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
FOLD.update({c: " " for c in (0x3000, 0xA0, 0x202F, 0x205F, *range(0x2000, 0x200B))})
FOLD.update({0x2212: "-", 0xFE63: "-", 0x200B: None, 0x200C: None, 0x200D: None,
              0xFEFF: None, 0xFE0F: None})


@dataclass(frozen=True)
class Parsed:
    """The outcome of normalising one raw cell value.

    Attributes:
        value: The normalised value (int, float, str, bool, datetime.date), or None when the
            cell is empty or could not be understood.
        error: An issue code when the raw value could not be understood (value is then None).
        warning: An issue code when the value was understood with a doubt (value is set).
    """

    value: Any = None
    error: str | None = None
    warning: str | None = None


# --------------------------------------------------------------------------- helpers


def is_number(raw: Any) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool)


def fold(text: str) -> str:
    """Fold full-width ASCII, odd spaces and minus signs to plain ASCII; drop zero-width marks."""
    return text.translate(FOLD)


def settled_parse(raw: Any) -> Parsed | None:
    """``Parsed()`` for an empty cell, ``value.error_cell`` for a formula error, else None."""
    if raw is None:
        return Parsed()
    if isinstance(raw, str):
        text = fold(raw).strip()
        if not text:
            return Parsed()
        if text.upper() in ERROR_CELLS:
            return Parsed(error=ERROR_CELL)
    return None
