"""Normalise what units really type into typed values, once, at the edge.

Every reader hands over raw cell values (``None``, ``str``, ``int``, ``float``,
``bool``, ``datetime.date``/``datetime``/``time`` or an error string such as
``"#DIV/0!"``). :func:`normalise` turns one of them into a :class:`Parsed`
value for a spec :class:`~toolkit.spec.model.Field`: the typed value, or an issue
code when it cannot be understood, or the value plus a warning code when it
was understood with a doubt (a Chinese numeral, an ambiguous percentage).

Pure functions, no I/O. Requiredness and bounds are checked elsewhere: an
empty cell is ``Parsed()``.

Numbers (digits, Chinese numerals, percentages, scores) are parsed in
:mod:`toolkit.normalise.numbers`; :class:`Parsed` and the first steps every parser takes are in
:mod:`toolkit.normalise.parsed`. This module is the entry point and exports them all.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

from ..catalogue.values import CODES
from ..spec.model import Field
from .numbers import cell_number, parse_int, parse_number, parse_percent, parse_score
from .parsed import (
    ERROR_CELLS,
    FOLD,
    NOT_A_BOOL,
    NOT_A_CHOICE,
    NOT_A_DATE,
    Parsed,
    fold,
    is_number,
    settled_parse,
)

__all__ = [
    "Parsed", "normalise", "parse_number", "parse_int", "parse_percent", "parse_bool",
    "parse_date", "parse_choice", "parse_text", "display", "CODES", "ERROR_CELLS",
]


SERIAL_RANGE = (1, 80000)  # Excel serials read as dates: 1900-01-01 .. 2119-01-10

_TRUE = frozenset({"是", "有", "√", "✓", "✔", "y", "yes", "对", "true", "1"})
_FALSE = frozenset({"否", "无", "没有", "不是", "×", "✗", "✘", "n", "no", "错", "false", "0"})
_EDGE_BLANKS = re.compile(r"^[\s\u200b-\u200d\ufeff]+|[\s\u200b-\u200d\ufeff]+$")
_TIME = r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::\d{2}(?:\.\d+)?)?)?"
_DATES = (
    re.compile(r"(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})" + _TIME),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?" + _TIME),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)


def normalise(field: Field, raw: Any, *, date1904: bool = False,
              max_points: float | None = None) -> Parsed:
    """Normalise a raw cell value for a spec field.

    Args:
        field: The field; its ``type`` picks the parser, ``unit`` is an extra accepted suffix
            for numbers, ``scale`` the percent scale, ``choices``/``synonyms`` the choices.
        raw: The value as a reader returned it.
        date1904: True when the workbook uses the 1904 date system.
        max_points: For ``score`` fields, the item's maximum, so that "满分" reads as it.

    Returns:
        The :class:`Parsed` outcome.
    """
    parser = _PARSERS.get(field.type)
    if parser is None:
        raise ValueError(f"unknown field type {field.type!r}")
    return parser(field, raw, date1904, max_points)


# --------------------------------------------------------------------------- other types


def parse_bool(raw: Any) -> Parsed:
    """Parse yes/no: 是/否, 有/无, √/×, ✓/✗, ✔/✘, Y/N, yes/no, 对/错, true/false, 1/0, a bool cell."""
    settled = settled_parse(raw)
    if settled is not None:
        return settled
    if isinstance(raw, bool):
        return Parsed(raw)
    key = fold(raw).strip().lower() if isinstance(raw, str) else raw if is_number(raw) else None
    if key in _TRUE or key == 1:
        return Parsed(True)
    if key in _FALSE or key == 0:
        return Parsed(False)
    return Parsed(error=NOT_A_BOOL)


def parse_date(raw: Any, date1904: bool = False) -> Parsed:
    """Parse a date: 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, "2026-3-5 10:30", 20260305,
    an Excel serial number, or a date/datetime cell (its date part).

    Args:
        raw: The raw cell value.
        date1904: True when the workbook uses the 1904 date system (for serial numbers).

    Returns:
        A ``datetime.date``, or ``value.not_a_date`` (also for impossible dates like 2026-02-30).
    """
    settled = settled_parse(raw)
    if settled is not None:
        return settled
    value = raw.date() if isinstance(raw, dt.datetime) else raw if isinstance(raw, dt.date) else None
    if is_number(raw):
        value = _from_serial(raw, date1904)
    elif isinstance(raw, str):
        value = _date_text(fold(raw).strip())
    return Parsed(value) if value is not None else Parsed(error=NOT_A_DATE)


def _from_serial(serial: int | float, date1904: bool) -> dt.date | None:
    """An Excel serial in :data:`SERIAL_RANGE`, or an 8-digit number read as YYYYMMDD."""
    if not math.isfinite(serial):
        return None
    if float(serial).is_integer() and 10_000_000 <= serial <= 99_999_999:
        return _date_text(str(int(serial)))
    day = math.floor(serial)
    if not SERIAL_RANGE[0] <= day <= SERIAL_RANGE[1]:
        return None
    if date1904:
        return dt.date(1904, 1, 1) + dt.timedelta(days=day)
    if day == 60:  # 1900-02-29, which Excel counts but never existed
        return None
    epoch = dt.date(1899, 12, 31) if day < 60 else dt.date(1899, 12, 30)
    return epoch + dt.timedelta(days=day)


def _date_text(text: str) -> dt.date | None:
    for pattern in _DATES:
        match = pattern.fullmatch(text)
        if not match:
            continue
        parts = match.groupdict()
        if parts.get("H") and (int(parts["H"]) > 23 or int(parts["M"]) > 59):
            return None
        try:
            return dt.date(int(parts["y"]), int(parts["m"]), int(parts["d"]))
        except ValueError:
            return None
    return None


def parse_choice(raw: Any, choices: tuple[str, ...] | list[str],
                 synonyms: tuple[tuple[str, str], ...] = ()) -> Parsed:
    """Match a choice: exact, trimmed, NFKC-folded, case-insensitive, spaces ignored, or a synonym.

    Args:
        raw: The raw cell value (a number is matched by its :func:`display` text).
        choices: The allowed choices; synonyms: (synonym, choice) pairs.

    Returns:
        The canonical choice text, or ``value.not_a_choice``.
    """
    settled = settled_parse(raw)
    if settled is not None:
        return settled
    table = {_choice_key(syn): choice for syn, choice in synonyms}
    table.update({_choice_key(c): c for c in choices})
    choice = table.get(_choice_key(parse_text(raw).value or ""))
    return Parsed(choice) if choice is not None else Parsed(error=NOT_A_CHOICE)


def _choice_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text.translate(FOLD)).casefold()
    return "".join(folded.split())


def parse_text(raw: Any) -> Parsed:
    """Text: strings trimmed (NBSP, ideographic and zero-width spaces too), other cells as
    :func:`display` writes them (13800138000.0 → "13800138000", dates ISO)."""
    settled = settled_parse(raw)
    if settled is not None:
        return settled
    if isinstance(raw, str):
        return Parsed(_EDGE_BLANKS.sub("", raw))
    if is_number(raw):
        return Parsed(display(cell_number(raw)) if math.isfinite(raw) else str(raw))
    return Parsed(display(raw))


# --------------------------------------------------------------------------- display


def display(value: Any) -> str:
    """The canonical text of a value for out/values.csv: numbers plain (12, not 12.0; 0.00001,
    not 1e-05) and read back unchanged by :func:`parse_number`; dates ISO; "true"/"false"; None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


_PARSERS = {
    "text": lambda f, raw, d1904, top: parse_text(raw),
    "int": lambda f, raw, d1904, top: parse_int(raw, unit=f.unit),
    "number": lambda f, raw, d1904, top: parse_number(raw, unit=f.unit),
    "percent": lambda f, raw, d1904, top: parse_percent(raw, f.scale),
    "date": lambda f, raw, d1904, top: parse_date(raw, d1904),
    "bool": lambda f, raw, d1904, top: parse_bool(raw),
    "choice": lambda f, raw, d1904, top: parse_choice(raw, f.choices, f.synonyms),
    "score": lambda f, raw, d1904, top: parse_score(raw, top),
}
