"""A year's results for `toolkit compare`: what one scored campaign folder says about its units.

:func:`read_year` reads a campaign's out/scores.csv and out/score_trace.csv (and its roster,
for units added after scoring) into a :class:`YearResults` of :class:`UnitYear` rows;
:func:`grade_order` and :func:`scheme_titles` take the grades and indicator titles from the
campaigns' schemes and templates. Comparing the two years is :mod:`toolkit.rounds.compare`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..campaign.folder import Campaign
from ..errors import ConfigError, ToolkitError
from ..i18n import Msg, define
from ..model import UnitState
from ..output.safety import looks_like_formula

__all__ = ["UnitYear", "YearResults", "read_year", "grade_order", "DEFAULT_GRADES"]

DEFAULT_GRADES = ("优秀", "良好", "一般", "较差", "excellent", "good", "fair", "poor")
_TRUE = {"true", "1", "yes", "y", "是"}

define("rounds", {
    "same_folder": ("OLD_DIR 和 NEW_DIR 是同一个文件夹（{dir}）；请先给出上一年度的考核任务文件夹，再给出本年度的：`toolkit compare OLD_DIR NEW_DIR`",
                    "OLD_DIR and NEW_DIR are the same folder ({dir}); give last year's campaign folder first and this year's second: "
                    "`toolkit compare OLD_DIR NEW_DIR`"),
    "columns": ("{path}：表头缺少列 {columns}；请重新运行 `toolkit score {dir}`",
                "{path}: column(s) {columns} missing from the header; re-run `toolkit score {dir}`"),
    "not_number": ("{path} 第 {line} 行：{column} {value} 不是数字；请重新运行 `toolkit score {dir}`",
                   "{path} line {line}: {column} {value} is not a number; re-run `toolkit score {dir}`"),
    "no_scores": ("{dir}：找不到 {path}，无法对比；请先运行 `toolkit score {dir}`",
                  "{dir}: {path} not found, nothing to compare; run `toolkit score {dir}` first"),
})


@dataclass
class UnitYear:
    """One unit in one year; ``total``, ``rank`` and ``grade`` are empty when it was not scored.

    ``state`` is the unit's return state that year (accepted, faulty, missing …, or "" when the
    folder does not say). Only valid returns are compared: a faulty unit's provisional total,
    rank and grade are not read, whatever its scheme did with them.
    """

    code: str
    name: str
    group: str
    total: float | None = None
    rank: int | None = None
    grade: str = ""
    vetoed: bool = False
    state: str = ""

    @property
    def scored(self) -> bool:
        return self.total is not None


@dataclass
class YearResults:
    """One campaign's results: units by code, points by (unit code, indicator id)."""

    year: int
    name: str
    dir: Path
    units: dict[str, UnitYear]
    points: dict[tuple[str, str], float]
    max_points: dict[str, float]
    indicators: list[str]  # in trace order
    has_trace: bool = True


def _read_csv(path: Path, needs: tuple[str, ...]) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in needs if c not in (reader.fieldnames or [])]
        if missing:
            raise ConfigError(Msg("rounds.columns", {"path": path, "columns": ", ".join(missing), "dir": path.parent.parent}))
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _text(value: str) -> str:
    """Undo the quote write_csv puts before text that would start a formula."""
    return value[1:] if value.startswith("'") and looks_like_formula(value[1:]) else value


def _number(value: str, path: Path, line: int, column: str) -> float | None:
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise ConfigError(Msg("rounds.not_number", {"path": path, "line": line, "column": column, "value": repr(value),
                                                   "dir": path.parent.parent})) from None


def read_year(campaign: Campaign) -> YearResults:
    """A campaign's scores, trace and roster; a folder without out/scores.csv is a ConfigError."""
    path = campaign.out / "scores.csv"
    if not path.is_file():
        raise ConfigError(Msg("rounds.no_scores", {"dir": campaign.dir, "path": path}))
    units: dict[str, UnitYear] = {}
    rows = _read_csv(path, ("unit_code", "total", "rank", "grade"))
    states = _states(campaign) if rows and "state" not in rows[0] else {}
    for line, r in enumerate(rows, start=2):
        if r["unit_code"]:
            state = r.get("state") or states.get(r["unit_code"], "")
            total, rank = _number(r["total"], path, line, "total"), _number(r["rank"], path, line, "rank")
            if state == UnitState.FAULTY:
                total = rank = None
            units[r["unit_code"]] = UnitYear(
                r["unit_code"], _text(r.get("unit_name", "")), _text(r.get("group", "")), total,
                None if rank is None else int(rank), r["grade"] if total is not None else "",
                r.get("vetoed", "").lower() in _TRUE and total is not None, state)
    for u in campaign.roster().units:  # units added to the roster after scoring: not scored
        units.setdefault(u.code, UnitYear(u.code, u.name, u.group))
    result = YearResults(campaign.year, campaign.name, campaign.dir, units, {}, {}, [])
    trace = campaign.out / "score_trace.csv"
    if trace.is_file():
        _read_trace(trace, result)
    else:
        result.has_trace = False
    return result


def _states(campaign: Campaign) -> dict[str, str]:
    """Unit code → state from the campaign's ledger, for a scores.csv written before its state
    column (status.py's definition: a faulty unit's accepted return has errors)."""
    from ..campaign.status import unit_statuses

    if not campaign.db_path.exists():
        return {}
    try:
        return {s.unit_code: s.state for s in unit_statuses(campaign)}
    except (ToolkitError, OSError):
        return {}


def _read_trace(path: Path, year: YearResults) -> None:
    """Points per (unit, indicator), summed over rows (weights roles, adjustments to the indicator).

    Adjustments not aimed at an indicator (general or per area) count in the total only; a
    faulty unit's points are not compared.
    """
    faulty = {code for code, u in year.units.items() if u.state == UnitState.FAULTY}
    rows = _read_csv(path, ("unit_code", "indicator", "points"))
    scored = {r["indicator"] for r in rows if r.get("rule") != "adjustment" and r["indicator"]}
    unit_max: dict[tuple[str, str], float] = {}
    for line, r in enumerate(rows, start=2):
        key = (r["unit_code"], r["indicator"])
        points = _number(r["points"], path, line, "points")
        if r["indicator"] not in scored or points is None or r["unit_code"] in faulty:
            continue
        if r["indicator"] not in year.indicators:
            year.indicators.append(r["indicator"])
        year.points[key] = round(year.points.get(key, 0.0) + points, 4)
        top = _number(r.get("max_points", ""), path, line, "max_points")
        if top is not None and r.get("rule") != "adjustment":
            unit_max[key] = unit_max.get(key, 0.0) + top
    for (_, ind), top in unit_max.items():
        year.max_points[ind] = max(year.max_points.get(ind, 0.0), top)


def grade_order(*campaigns: Campaign) -> list[str]:
    """Grades best first: the campaigns' scoring schemes, then the usual 优秀/良好/一般/较差."""
    from ..score.scheme import load_scheme

    order: list[str] = []
    for c in campaigns:
        try:
            grades = [g.grade for g in load_scheme(c.scoring, c.dir).grades] if c.scoring else []
        except (ToolkitError, OSError):
            grades = []
        order += [g for g in grades if g not in order]
    return order + [g for g in DEFAULT_GRADES if g not in order]


def scheme_titles(*campaigns: Campaign) -> dict[str, str]:
    """Indicator titles from the templates and schemes; the newer campaign wins."""
    from ..report.stage import indicator_titles

    titles: dict[str, str] = {}
    for c in campaigns:
        try:
            titles.update(indicator_titles(c))
        except (ToolkitError, OSError):
            continue
    return titles
