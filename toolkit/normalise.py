"""Normalise what units really type into typed values, once, at the edge.

Every reader hands over raw cell values (``None``, ``str``, ``int``, ``float``,
``bool``, ``datetime.date``/``datetime``/``time`` or an error string such as
``"#DIV/0!"``). :func:`normalise` turns one of them into a :class:`Parsed`
value for a spec :class:`~toolkit.spec.Field`: the typed value, or an issue
code when it cannot be understood, or the value plus a warning code when it
was understood with a doubt (a Chinese numeral, an ambiguous percentage).

Pure functions, no I/O. Requiredness and bounds are checked elsewhere: an
empty cell is ``Parsed()``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .catalogue import Code, register
from .spec import Field

__all__ = [
    "Parsed", "normalise", "parse_number", "parse_int", "parse_percent", "parse_bool",
    "parse_date", "parse_choice", "parse_text", "display", "CODES", "ERROR_CELLS",
]

CODES = register(
    Code("value.not_a_number", "error", "不是有效数字", "Not a number",
         "请填写阿拉伯数字，如 12", "Type a number such as 12"),
    Code("value.not_an_integer", "error", "应为整数", "Not a whole number",
         "请填写整数，如 12（不要带小数）", "Type a whole number such as 12"),
    Code("value.not_a_date", "error", "不是有效日期", "Not a date",
         "请按 2026-03-05 的格式填写日期", "Type a date such as 2026-03-05"),
    Code("value.not_a_bool", "error", "应填“是”或“否”", "Not yes or no",
         "请填写“是”或“否”", "Type 是 (yes) or 否 (no)"),
    Code("value.not_a_choice", "error", "不是可选项之一", "Not one of the choices",
         "请从下拉列表中选择，不要自行输入", "Pick a value from the drop-down list"),
    Code("value.error_cell", "error", "单元格为公式错误值", "The cell holds a formula error",
         "请检查公式（如 #DIV/0!、#REF!），改为正确的数值", "Fix the formula (#DIV/0!, #REF! …) or type the value"),
    Code("value.chinese_numeral", "warning", "数字用汉字填写，已自动识别", "Number written in Chinese",
         "请核对自动识别的数值，今后请填写阿拉伯数字", "Check the value read; type digits such as 12"),
    Code("value.percent_ambiguous", "warning", "百分比写法不明确，已自动换算", "Ambiguous percentage",
         "请核对换算后的百分比，今后请按模板要求填写（如 85 或 85%）", "Check the converted rate; type it as the template asks"),
)

NOT_A_NUMBER, NOT_AN_INTEGER = "value.not_a_number", "value.not_an_integer"
NOT_A_DATE, NOT_A_BOOL, NOT_A_CHOICE = "value.not_a_date", "value.not_a_bool", "value.not_a_choice"
ERROR_CELL, CHINESE_NUMERAL, PERCENT_AMBIGUOUS = "value.error_cell", "value.chinese_numeral", "value.percent_ambiguous"

ERROR_CELLS = frozenset({
    "#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})
# Unit words typed after a count, points or money; none of them scales the number (no 万).
UNIT_SUFFIXES = tuple(sorted((
    "人次", "个人", "人", "个", "名", "位", "分", "元", "次", "项", "条", "件", "篇", "场",
    "天", "户", "家", "所", "份", "本", "期", "岁", "小时", "学时", "课时", "分钟",
), key=len, reverse=True))
FULL_MARKS = ("满分", "满")
SERIAL_RANGE = (1, 80000)  # Excel serials read as dates: 1900-01-01 .. 2119-01-10

_TRUE = frozenset({"是", "有", "√", "✓", "✔", "y", "yes", "对", "true", "1"})
_FALSE = frozenset({"否", "无", "没有", "不是", "×", "✗", "✘", "n", "no", "错", "false", "0"})
_CN_DIGITS = {c: n for n, cs in enumerate(("零〇", "一壹", "二两贰", "三叁", "四肆", "五伍", "六陆",
                                          "七柒", "八捌", "九玖")) for c in cs}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}

# Full-width ASCII → ASCII, odd spaces → space, minus sign → "-", zero-width marks dropped.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update({c: " " for c in (0x3000, 0xA0, 0x202F, 0x205F, *range(0x2000, 0x200B))})
_FOLD.update({0x2212: "-", 0xFE63: "-", 0x200B: None, 0x200C: None, 0x200D: None,
              0xFEFF: None, 0xFE0F: None})
_EDGE_BLANKS = re.compile(r"^[\s\u200b-\u200d\ufeff]+|[\s\u200b-\u200d\ufeff]+$")
_NUMBER = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_TIME = r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::\d{2}(?:\.\d+)?)?)?"
_DATES = (
    re.compile(r"(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})" + _TIME),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?" + _TIME),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)


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


# --------------------------------------------------------------------------- numbers


def parse_number(raw: Any, *, unit: str | None = None) -> Parsed:
    """Parse a number: "12人", "１２", "1,234", "-3.5", "十二" (warned), a numeric cell.

    Integral values come back as ``int`` (12.0 → 12), others as ``float``; numeric cells are
    rounded to Excel's 15 significant digits (0.1+0.2 → 0.3).

    Args:
        raw: The raw cell value.
        unit: An extra suffix to accept besides :data:`UNIT_SUFFIXES` (the field's unit).

    Returns:
        The value, or ``value.not_a_number``; a Chinese numeral warns ``value.chinese_numeral``.
    """
    settled = _settled(raw)
    if settled is not None:
        return settled
    if isinstance(raw, str):
        return _number_text(_fold(raw), unit)
    value = _cell_number(raw) if _is_number(raw) else None
    return Parsed(value) if value is not None else Parsed(error=NOT_A_NUMBER)


def parse_int(raw: Any, *, unit: str | None = None) -> Parsed:
    """Parse a whole number like :func:`parse_number`; 12.0 is fine, 12.5 is ``value.not_an_integer``."""
    parsed = parse_number(raw, unit=unit)
    if parsed.value is not None and not isinstance(parsed.value, int):
        return Parsed(error=NOT_AN_INTEGER)
    return parsed


def parse_percent(raw: Any, scale: int) -> Parsed:
    """Parse a percentage and return it on the field's scale.

    "85%" is 85 on scale 100 and 0.85 on scale 1. Without a % sign the number is taken on the
    field's scale, except where it looks typed on the other one: 0 < n ≤ 1 on scale 100 (0.85,
    or a percent-formatted cell) becomes n×100, and 1 < n ≤ 100 on scale 1 becomes n/100,
    both with the warning ``value.percent_ambiguous``.

    Args:
        raw: The raw cell value.
        scale: 100 ("85" means 85%) or 1 ("0.85" means 85%).

    Returns:
        The value on ``scale``, or ``value.not_a_number``.
    """
    if isinstance(raw, str) and _fold(raw).strip().endswith("%"):
        parsed = _number_text(_fold(raw).strip()[:-1].rstrip(), None)
        if parsed.value is None:
            return parsed
        return Parsed(_rescale(parsed.value, 100, scale), warning=parsed.warning)
    parsed = parse_number(raw)
    if (value := parsed.value) is None:
        return parsed
    warning = parsed.warning or PERCENT_AMBIGUOUS  # a Chinese numeral's warning is the one to keep
    if scale == 100 and 0 < value <= 1:
        return Parsed(_rescale(value, 1, 100), warning=warning)
    if scale == 1 and 1 < value <= 100:
        return Parsed(_rescale(value, 100, 1), warning=warning)
    return parsed


def _parse_score(raw: Any, max_points: float | None) -> Parsed:
    """A score is a number; "满分" means ``max_points`` when it is known. No bounds check."""
    if isinstance(raw, str) and max_points is not None and _fold(raw).strip() in FULL_MARKS:
        return Parsed(_tidy(float(max_points)))
    return parse_number(raw)


def _number_text(text: str, unit: str | None) -> Parsed:
    """Arabic digits (with a unit word after them) or, warned, a strict Chinese numeral."""
    text = _strip_unit(text.strip(), unit)
    value = _arabic(text)
    if value is not None:
        return Parsed(value)
    value = _chinese(text)
    return Parsed(value, warning=CHINESE_NUMERAL) if value is not None else Parsed(error=NOT_A_NUMBER)


def _strip_unit(text: str, unit: str | None) -> str:
    text = text.removeprefix("¥").lstrip()
    for suffix in ((unit,) if unit else ()) + UNIT_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].rstrip()
    return text


def _arabic(text: str) -> int | float | None:
    if not _NUMBER.fullmatch(text):
        return None
    digits = text.replace(",", "")
    try:
        if any(c in digits for c in ".eE"):
            return _tidy(float(digits))
        return int(digits)
    except (ValueError, OverflowError):  # more digits than int() accepts
        return None


def _chinese(text: str) -> int | None:
    """A strict Chinese numeral below 10000 ("十二", "一百零五", "两"); None if absent or ambiguous.

    Colloquial forms that drop a trailing unit ("一百五" for 150) and vague ones ("十几") are refused.
    """
    if not text or any(c not in _CN_DIGITS and c not in _CN_UNITS for c in text):
        return None
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    total, digit, last_unit, zero = 0, None, 10000, False
    for ch in text:
        if ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if digit is None and (unit != 10 or total or zero):
                return None  # a unit with no digit before it: only a leading 十 may do that
            if unit >= last_unit or (total and unit * 10 < last_unit and not zero):
                return None
            total, digit, last_unit, zero = total + (digit or 1) * unit, None, unit, False
        elif _CN_DIGITS[ch] == 0:
            if zero or digit is not None or not total:
                return None
            zero = True
        elif digit is not None:
            return None
        else:
            digit = _CN_DIGITS[ch]
    if digit is None:
        return None if zero else total
    if total and last_unit > 10 and not zero:
        return None
    return total + digit


def _cell_number(value: int | float) -> int | float | None:
    """A numeric cell: rounded to Excel's 15 significant digits, integral floats as int."""
    if isinstance(value, int):
        return value
    rounded = float(f"{value:.15g}") if math.isfinite(value) else value
    return _tidy(rounded if math.isfinite(rounded) else value)


def _tidy(value: float) -> int | float | None:
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def _rescale(value: int | float, from_scale: int, to_scale: int) -> int | float:
    if from_scale == to_scale:
        return value
    exact = Decimal(repr(value) if isinstance(value, float) else value) * to_scale / from_scale
    return _tidy(float(exact))


# --------------------------------------------------------------------------- other types


def parse_bool(raw: Any) -> Parsed:
    """Parse yes/no: 是/否, 有/无, √/×, ✓/✗, ✔/✘, Y/N, yes/no, 对/错, true/false, 1/0, a bool cell."""
    settled = _settled(raw)
    if settled is not None:
        return settled
    if isinstance(raw, bool):
        return Parsed(raw)
    key = _fold(raw).strip().lower() if isinstance(raw, str) else raw if _is_number(raw) else None
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
    settled = _settled(raw)
    if settled is not None:
        return settled
    value = raw.date() if isinstance(raw, dt.datetime) else raw if isinstance(raw, dt.date) else None
    if _is_number(raw):
        value = _from_serial(raw, date1904)
    elif isinstance(raw, str):
        value = _date_text(_fold(raw).strip())
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
    settled = _settled(raw)
    if settled is not None:
        return settled
    table = {_choice_key(syn): choice for syn, choice in synonyms}
    table.update({_choice_key(c): c for c in choices})
    choice = table.get(_choice_key(parse_text(raw).value or ""))
    return Parsed(choice) if choice is not None else Parsed(error=NOT_A_CHOICE)


def _choice_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text.translate(_FOLD)).casefold()
    return "".join(folded.split())


def parse_text(raw: Any) -> Parsed:
    """Text: strings trimmed (NBSP, ideographic and zero-width spaces too), other cells as
    :func:`display` writes them (13800138000.0 → "13800138000", dates ISO)."""
    settled = _settled(raw)
    if settled is not None:
        return settled
    if isinstance(raw, str):
        return Parsed(_EDGE_BLANKS.sub("", raw))
    if _is_number(raw):
        return Parsed(display(_cell_number(raw)) if math.isfinite(raw) else str(raw))
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


# --------------------------------------------------------------------------- helpers


def _is_number(raw: Any) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool)


def _fold(text: str) -> str:
    """Fold full-width ASCII, odd spaces and minus signs to plain ASCII; drop zero-width marks."""
    return text.translate(_FOLD)


def _settled(raw: Any) -> Parsed | None:
    """``Parsed()`` for an empty cell, ``value.error_cell`` for a formula error, else None."""
    if raw is None:
        return Parsed()
    if isinstance(raw, str):
        text = _fold(raw).strip()
        if not text:
            return Parsed()
        if text.upper() in ERROR_CELLS:
            return Parsed(error=ERROR_CELL)
    return None


_PARSERS = {
    "text": lambda f, raw, d1904, top: parse_text(raw),
    "int": lambda f, raw, d1904, top: parse_int(raw, unit=f.unit),
    "number": lambda f, raw, d1904, top: parse_number(raw, unit=f.unit),
    "percent": lambda f, raw, d1904, top: parse_percent(raw, f.scale),
    "date": lambda f, raw, d1904, top: parse_date(raw, d1904),
    "bool": lambda f, raw, d1904, top: parse_bool(raw),
    "choice": lambda f, raw, d1904, top: parse_choice(raw, f.choices, f.synonyms),
    "score": lambda f, raw, d1904, top: _parse_score(raw, top),
}
