"""Cells as SpreadsheetML text: what the feedback workbook's own parts are written with.

The feedback workbook is the master's package with a few parts rewritten (see
:mod:`toolkit.feedback.master`), so its cells are written here as XML rather than through a
library: text as inline strings (never a formula, whatever it starts with), legal in a
worksheet (:func:`toolkit.output.xlsxfile.cell_text`), numbers, booleans and dates as Excel
stores them.
"""

from __future__ import annotations

import datetime as dt
import re
from xml.sax.saxutils import escape

from ..output.xlsxfile import cell_text
from ..spec import layout

__all__ = ["xml_text", "xml_attr", "cell_ref", "col_number", "string_cell", "blank_cell", "value_cell",
           "date_format"]

# Excel reads "_x0041_" in stored text as the character it names: a unit's literal one is escaped
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EPOCH = dt.datetime(1899, 12, 30)
_LEAP_BUG_END = dt.datetime(1900, 3, 1)  # Excel counts a 29 February 1900: serials before it are one less


def xml_text(text) -> str:
    """*text* as a worksheet holds it, XML-escaped."""
    return escape(_ESCAPE_LIKE.sub(r"_x005F_\1", cell_text(str(text))))


def xml_attr(text) -> str:
    return escape(cell_text(str(text)), {'"': "&quot;"})


def cell_ref(row: int, col: int) -> str:
    """"F5" for row 5, column 6 (both one-based)."""
    return f"{layout.col_letter(col - 1)}{row}"


def col_number(letters: str) -> int:
    """6 for "F" (one-based)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def string_cell(ref: str, style: int, text) -> str:
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{xml_text(text)}</t></is></c>'


def blank_cell(ref: str, style: int) -> str:
    return f'<c r="{ref}" s="{style}"/>'


def value_cell(ref: str, style: int, value) -> str:
    """A value as typed: text stays text, a number a number, a date a date serial (the caller gives the
    cell a date format: :func:`date_format`)."""
    if value is None or value == "":
        return blank_cell(ref, style)
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
    serial = _serial(value)
    if serial is not None:
        return f'<c r="{ref}" s="{style}"><v>{serial!r}</v></c>'
    return string_cell(ref, style, value)


def date_format(value) -> int | None:
    """The built-in number format a cell needs to show *value* as Excel did (None: not a date or time)."""
    if isinstance(value, dt.datetime):
        return 14 if value.time() == dt.time() else 22  # m/d/yyyy, or with h:mm
    if isinstance(value, dt.date):
        return 14
    if isinstance(value, (dt.time, dt.timedelta)):
        return 21  # h:mm:ss
    return None


def _serial(value) -> float | int | None:
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if isinstance(value, dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
        moment = moment.replace(tzinfo=None)
        delta = moment - _EPOCH
        days = delta.days - (moment < _LEAP_BUG_END)
        return days + delta.seconds / 86400 if delta.seconds or delta.microseconds else days
    return None
