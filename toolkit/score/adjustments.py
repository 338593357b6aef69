"""Office adjustments (考核调整): points added or taken per unit, with the reason, read from a CSV.

The CSV (UTF-8 or GBK) has the columns unit_code, indicator, points, reason, under English or
Chinese headers; :func:`toolkit.score.engine.score_units` checks the unit codes and indicators and adds
each adjustment to the unit's trace.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..normalise.values import parse_number
from .scheme import did_you_mean

__all__ = ["Adjustment", "load_adjustments"]


@dataclass
class Adjustment:
    """An office adjustment (考核调整): points added (or, negative, taken) with the reason."""

    unit_code: str
    indicator: str
    points: float
    reason: str
    source: str = ""  # where it came from, e.g. "adjustments.csv row 3"


_ADJ_HEADERS = {"unit_code": ("unit_code", "单位代码"), "indicator": ("indicator", "指标", "指标编号"),
                "points": ("points", "分值", "调整分值", "加减分"), "reason": ("reason", "原因", "理由", "调整原因")}


def load_adjustments(path: Path) -> list[Adjustment]:
    """Read office adjustments from a CSV (UTF-8 or GBK): unit_code, indicator, points, reason.

    ``indicator`` may be empty (a general adjustment). Raises :class:`ConfigError` naming the
    file and row (rows count like a spreadsheet: the header is row 1).
    """
    path = Path(path)
    rows = _csv_rows(path)
    if not rows:
        raise ConfigError(f"{path}: empty; expected a header row: unit_code, indicator, points, reason")
    cols = _adjustment_columns(path, rows[0])
    out = []
    for n, row in enumerate(rows[1:], start=2):
        cells = {k: (row[i].strip() if i < len(row) else "") for k, i in cols.items()}
        if any(cells.values()):
            out.append(_adjustment(path, n, cells))
    return out


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read adjustments file {path}: {exc.strerror}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(io.StringIO(data.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise ConfigError(f"{path}: not UTF-8 or GBK text; save it as CSV UTF-8")


def _adjustment_columns(path: Path, header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    cols = {}
    for key, aliases in _ADJ_HEADERS.items():
        found = next((names.index(a) for a in aliases if a in names), None)
        if found is None:
            raise ConfigError(f"{path} row 1: missing column {key!r}{did_you_mean(key, names)}; "
                              f"expected the columns unit_code, indicator, points, reason")
        cols[key] = found
    return cols


def _adjustment(path: Path, n: int, cells: dict[str, str]) -> Adjustment:
    where = f"{path.name} row {n}"
    if not cells["unit_code"]:
        raise ConfigError(f"{path} row {n}: unit_code is empty; give the unit's code")
    points = parse_number(cells["points"]).value
    if points is None or isinstance(points, bool):
        raise ConfigError(f"{path} row {n}: points {cells['points']!r} is not a number; write e.g. -2 or 1.5")
    if not cells["reason"]:
        raise ConfigError(f"{path} row {n}: reason is empty; every adjustment needs its reason (调整原因)")
    return Adjustment(cells["unit_code"], cells["indicator"], float(points), cells["reason"], where)
