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
from ..i18n import Msg, define
from ..normalise.values import parse_number
from ..spec.errors import did_you_mean

__all__ = ["Adjustment", "load_adjustments"]

define("score.adjust", {
    "empty": ("{path}：文件是空的；第一行应为表头：unit_code, indicator, points, reason",
              "{path}: empty; expected a header row: unit_code, indicator, points, reason"),
    "unreadable": ("无法读取调整文件 {path}（{reason}）", "cannot read adjustments file {path}: {reason}"),
    "encoding": ("{path}：不是 UTF-8 或 GBK 编码的文本，请另存为“CSV UTF-8”", "{path}: not UTF-8 or GBK text; save it as CSV UTF-8"),
    "column": ("{path} 第 1 行：缺少列 {key}{hint}；应有这些列：unit_code, indicator, points, reason",
               "{path} row 1: missing column {key}{hint}; expected the columns unit_code, indicator, points, reason"),
    "no_unit": ("{path} 第 {row} 行：unit_code 为空，请填写单位代码", "{path} row {row}: unit_code is empty; give the unit's code"),
    "points": ("{path} 第 {row} 行：points {got} 不是数字，请写成 -2 或 1.5 这样的数",
               "{path} row {row}: points {got} is not a number; write e.g. -2 or 1.5"),
    "no_reason": ("{path} 第 {row} 行：reason 为空，每项调整都要写明调整原因",
                  "{path} row {row}: reason is empty; every adjustment needs its reason (调整原因)"),
    "wrong_scheme": ("评分细则 {scheme}（{path}）适用于模板 {template}，而不是 {spec}；请在 campaign.yaml 的 `scoring:` 中设为 {spec_id} 的评分细则",
                     "scoring scheme {scheme} ({path}) applies to template {template}, not to {spec}; set `scoring:` in campaign.yaml "
                     "to a scheme for {spec_id}"),
    "unit_twice": ("单位 {unit} 在待评分单位中出现了两次", "unit {unit} appears twice in the units to score"),
    "unknown_unit": ("{where}：未知的单位代码 {unit}{hint}", "{where}: unknown unit_code {unit}{hint}"),
    "unknown_indicator": ("{where}：未知的指标 {indicator}{hint}；请使用 {scheme} 中的指标或指标区 id，或留空",
                          "{where}: unknown indicator {indicator}{hint}; use an indicator or area id of {scheme}, or leave it empty"),
})


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
        raise ConfigError(Msg("score.adjust.empty", {"path": path}))
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
        raise ConfigError(Msg("score.adjust.unreadable", {"path": path, "reason": exc.strerror})) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(io.StringIO(data.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise ConfigError(Msg("score.adjust.encoding", {"path": path}))


def _adjustment_columns(path: Path, header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    cols = {}
    for key, aliases in _ADJ_HEADERS.items():
        found = next((names.index(a) for a in aliases if a in names), None)
        if found is None:
            raise ConfigError(Msg("score.adjust.column", {"path": path, "key": repr(key), "hint": did_you_mean(key, names)}))
        cols[key] = found
    return cols


def _adjustment(path: Path, n: int, cells: dict[str, str]) -> Adjustment:
    where = f"{path.name} row {n}"
    if not cells["unit_code"]:
        raise ConfigError(Msg("score.adjust.no_unit", {"path": path, "row": n}))
    points = parse_number(cells["points"]).value
    if points is None or isinstance(points, bool):
        raise ConfigError(Msg("score.adjust.points", {"path": path, "row": n, "got": repr(cells["points"])}))
    if not cells["reason"]:
        raise ConfigError(Msg("score.adjust.no_reason", {"path": path, "row": n}))
    return Adjustment(cells["unit_code"], cells["indicator"], float(points), cells["reason"], where)
