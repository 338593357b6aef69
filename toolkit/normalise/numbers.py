"""Numbers as units type them: digits with unit words, Chinese numerals, percentages, scores.

:func:`parse_number` reads "12人", "１２", "1,234" or "十二" (warned) and rounds numeric cells to
Excel's 15 significant digits; :func:`parse_int` wants a whole number; :func:`parse_percent`
puts a rate on the field's scale, warning where the scale it was typed on is a guess. Called
through :func:`toolkit.normalise.values.normalise`, which also exports these parsers.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from .parsed import (
    CHINESE_NUMERAL,
    NOT_A_NUMBER,
    NOT_AN_INTEGER,
    PERCENT_AMBIGUOUS,
    Parsed,
    fold,
    is_number,
    settled_parse,
)

__all__ = ["parse_number", "parse_int", "parse_percent", "UNIT_SUFFIXES", "FULL_MARKS"]

# Unit words typed after a count, points or money; none of them scales the number (no 万).
UNIT_SUFFIXES = tuple(sorted((
    "人次", "个人", "人", "个", "名", "位", "分", "元", "次", "项", "条", "件", "篇", "场",
    "天", "户", "家", "所", "份", "本", "期", "岁", "小时", "学时", "课时", "分钟",
), key=len, reverse=True))
FULL_MARKS = ("满分", "满")

_CN_DIGITS = {c: n for n, cs in enumerate(("零〇", "一壹", "二两贰", "三叁", "四肆", "五伍", "六陆",
                                          "七柒", "八捌", "九玖")) for c in cs}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_NUMBER = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


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
    settled = settled_parse(raw)
    if settled is not None:
        return settled
    if isinstance(raw, str):
        return _number_text(fold(raw), unit)
    value = cell_number(raw) if is_number(raw) else None
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
    if isinstance(raw, str) and fold(raw).strip().endswith("%"):
        parsed = _number_text(fold(raw).strip()[:-1].rstrip(), None)
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


def parse_score(raw: Any, max_points: float | None) -> Parsed:
    """A score is a number; "满分" means ``max_points`` when it is known. No bounds check."""
    if isinstance(raw, str) and max_points is not None and fold(raw).strip() in FULL_MARKS:
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


def cell_number(value: int | float) -> int | float | None:
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

