"""`toolkit compare OLD_DIR NEW_DIR`: year on year (年度对比) between two scored campaigns.

Read → match → summarise → emit. Each year is read from its out/scores.csv and
out/score_trace.csv (and its roster, for units added after scoring); units are matched by
``unit_code``, indicators by indicator id. :func:`compare_years` turns two
:class:`YearResults` into a :class:`Comparison` (plain data); :func:`write_compare_csv` and
:func:`write_compare_xlsx` emit NEW_DIR/out/compare.csv and NEW_DIR/out/compare.xlsx;
:func:`compare_campaigns` does all of it and returns a JSON-able summary. See docs/compare.md.

A unit without a total in a year (no accepted return) has no total, rank, grade or change that
year: it is shown as not returned (未报送), never as 0.

Reading a year (:func:`read_year`, :func:`grade_order`, :class:`UnitYear`, :class:`YearResults`)
is in :mod:`toolkit.rounds.compare_read`, which this module re-exports; the workbook is written by
:mod:`toolkit.rounds.compare_xlsx`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..campaign.folder import Campaign
from ..errors import ConfigError
from .compare_read import DEFAULT_GRADES, UnitYear, YearResults, grade_order, read_year, scheme_titles

__all__ = ["UnitYear", "YearResults", "UnitChange", "IndicatorChange", "Comparison", "read_year",
           "compare_years", "compare_campaigns", "write_compare_csv", "write_compare_xlsx", "comparison_summary", "grade_order", "COMPARE_COLUMNS"]

COMPARE_COLUMNS = ("unit_code", "unit_name", "group", "old_total", "new_total", "delta", "old_rank",
                   "new_rank", "rank_change", "old_grade", "new_grade", "grade_move",
                   "old_unit_name", "old_vetoed", "new_vetoed", "presence", "old_state", "new_state")
TOP_N = 5


@dataclass
class UnitChange:
    """One unit across the two years; ``presence`` is both, new (only NEW) or dissolved (only OLD)."""

    unit_code: str
    presence: str
    old: UnitYear | None
    new: UnitYear | None
    grade_move: str = ""  # up, down, same, changed (grades outside the known order), or empty

    @property
    def unit_name(self) -> str:
        return (self.new or self.old).name

    @property
    def group(self) -> str:
        return (self.new or self.old).group

    @property
    def renamed(self) -> bool:
        return bool(self.old and self.new and self.old.name != self.new.name)

    @property
    def delta(self) -> float | None:
        if self.old and self.new and self.old.scored and self.new.scored:
            return round(self.new.total - self.old.total, 4)
        return None

    @property
    def rank_change(self) -> int | None:
        """Places moved up (old rank − new rank): positive means a better rank."""
        if self.old and self.new and self.old.rank is not None and self.new.rank is not None:
            return self.old.rank - self.new.rank
        return None

    def row(self) -> dict:
        """The unit's row of compare.csv."""
        o, n = self.old, self.new
        return {"unit_code": self.unit_code, "unit_name": self.unit_name, "group": self.group,
                "old_total": o and o.total, "new_total": n and n.total, "delta": self.delta,
                "old_rank": o and o.rank, "new_rank": n and n.rank, "rank_change": self.rank_change,
                "old_grade": o.grade if o else "", "new_grade": n.grade if n else "",
                "grade_move": self.grade_move, "old_unit_name": o.name if o else "",
                "old_vetoed": o.vetoed if o else None, "new_vetoed": n.vetoed if n else None,
                "presence": self.presence, "old_state": o.state if o else "", "new_state": n.state if n else ""}


@dataclass
class IndicatorChange:
    """One indicator over the units scored on it in both years."""

    indicator: str
    title: str
    old_max: float | None
    new_max: float | None
    units: int
    old_mean: float | None
    new_mean: float | None
    improved: int
    worse: int
    same: int
    only: str = ""  # "old" or "new" when the indicator exists in one year only

    @property
    def delta(self) -> float | None:
        return None if self.units == 0 else round(self.new_mean - self.old_mean, 4)

    def summary(self) -> dict:
        return {"indicator": self.indicator, "title": self.title, "units": self.units,
                "old_mean": self.old_mean, "new_mean": self.new_mean, "delta": self.delta,
                "improved": self.improved, "worse": self.worse}


@dataclass
class Comparison:
    """Everything compare.csv and compare.xlsx show."""

    old: YearResults
    new: YearResults
    units: list[UnitChange]
    indicators: list[IndicatorChange]  # best change first; one-year indicators last
    unit_points: list[dict]  # unit_code, indicator, old, new, delta (units in both years)
    grades: list[str]  # axes of the transition matrix ("" = not returned)
    transitions: dict[tuple[str, str], int]
    warnings: list[str]

    @property
    def improved_most(self) -> list[IndicatorChange]:
        return [i for i in self.indicators if (i.delta or 0) > 0][:TOP_N]

    @property
    def worse_most(self) -> list[IndicatorChange]:
        worse = [i for i in self.indicators if (i.delta or 0) < 0]
        return sorted(worse, key=lambda i: (i.delta, i.indicator))[:TOP_N]

    def by_presence(self, presence: str) -> list[UnitChange]:
        return [u for u in self.units if u.presence == presence]


# --- comparing -------------------------------------------------------------------------------

def _grade_move(old: str, new: str, order: list[str]) -> str:
    if not old or not new:
        return ""
    if old == new:
        return "same"
    if old in order and new in order:
        return "up" if order.index(new) < order.index(old) else "down"
    return "changed"


def _unit_order(u: UnitChange) -> tuple:
    side = u.new if u.presence != "dissolved" else u.old
    return (u.presence == "dissolved", side.rank is None, side.rank or 0, u.unit_code)


def _unit_changes(old: YearResults, new: YearResults, order: list[str]) -> list[UnitChange]:
    codes = list(dict.fromkeys([*new.units, *old.units]))
    out = []
    for code in codes:
        o, n = old.units.get(code), new.units.get(code)
        presence = "both" if o and n else ("new" if n else "dissolved")
        out.append(UnitChange(code, presence, o, n, _grade_move(o.grade if o else "", n.grade if n else "", order)))
    return sorted(out, key=_unit_order)


def _indicator_change(ind: str, old: YearResults, new: YearResults, both: list[str], title: str) -> IndicatorChange:
    pairs = [(old.points[(c, ind)], new.points[(c, ind)]) for c in both
             if (c, ind) in old.points and (c, ind) in new.points]
    n = len(pairs)
    only = "" if ind in old.indicators and ind in new.indicators else ("old" if ind in old.indicators else "new")
    return IndicatorChange(
        ind, title, old.max_points.get(ind), new.max_points.get(ind), n,
        round(sum(p for p, _ in pairs) / n, 4) if n else None, round(sum(q for _, q in pairs) / n, 4) if n else None,
        sum(q > p for p, q in pairs), sum(q < p for p, q in pairs), sum(q == p for p, q in pairs), only)


def _unit_points(units: list[UnitChange], old: YearResults, new: YearResults) -> list[dict]:
    rows = []
    for u in units:
        if u.presence != "both" or not (u.old.scored or u.new.scored):
            continue
        inds = [i for i in dict.fromkeys([*new.indicators, *old.indicators])
                if (u.unit_code, i) in old.points or (u.unit_code, i) in new.points]
        for ind in inds:
            p, q = old.points.get((u.unit_code, ind)), new.points.get((u.unit_code, ind))
            rows.append({"unit": u, "indicator": ind, "old": p, "new": q,
                         "delta": None if p is None or q is None else round(q - p, 4)})
    return rows


def _transitions(units: list[UnitChange], order: list[str]) -> tuple[list[str], dict]:
    """Old grade × new grade over every unit of either year; "" is no grade that year (未参评:
    not in the roster, not returned, or faulty), so the matrix adds up to all units."""
    counts: dict[tuple[str, str], int] = {}
    for u in units:
        key = (u.old.grade if u.old else "", u.new.grade if u.new else "")
        counts[key] = counts.get(key, 0) + 1
    present = {g for key in counts for g in key}
    if not present - {""}:
        return [], {}
    axes = [g for g in order if g in present] + sorted(present - set(order) - {""})
    return axes + ([""] if "" in present else []), counts


def compare_years(old: YearResults, new: YearResults, order: list[str] | None = None,
                  titles: dict[str, str] | None = None) -> Comparison:
    """Match units by code and indicators by id; *order* lists grades best first."""
    order, titles = order or list(DEFAULT_GRADES), titles or {}
    units = _unit_changes(old, new, order)
    both = [u.unit_code for u in units if u.presence == "both"]
    inds = [_indicator_change(i, old, new, both, titles.get(i, ""))
            for i in dict.fromkeys([*new.indicators, *old.indicators])]
    inds.sort(key=lambda i: (i.delta is None, -(i.delta or 0), i.indicator))
    grades, counts = _transitions(units, order)
    warnings = [f"{y.dir}: no out/score_trace.csv; indicators are not compared"
                for y in (old, new) if not y.has_trace]
    if old.year >= new.year:
        warnings.append(f"{old.dir} is year {old.year}, not earlier than {new.dir} ({new.year}); "
                        f"give last year's folder first: `toolkit compare OLD_DIR NEW_DIR`")
    return Comparison(old, new, units, inds, _unit_points(units, old, new), grades, counts, warnings)


# --- emitting --------------------------------------------------------------------------------

def write_compare_csv(path: Path, comparison: Comparison) -> Path:
    """compare.csv: one row per unit of either year (COMPARE_COLUMNS)."""
    from ..output.csvfile import write_csv

    write_csv(path, COMPARE_COLUMNS, (u.row() for u in comparison.units))
    return path


def _write_xlsx(path: Path, comparison: "Comparison", lang: str) -> Path:
    from .compare_xlsx import write_compare_xlsx
    return write_compare_xlsx(path, comparison, lang)


def write_compare_xlsx(path: Path, comparison: "Comparison", lang: str = "zh") -> Path:
    """See :func:`toolkit.rounds.compare_xlsx.write_compare_xlsx`."""
    return _write_xlsx(path, comparison, lang)


def _check_folders(old: Campaign, new: Campaign) -> None:
    if Path(old.dir).resolve() == Path(new.dir).resolve():
        raise ConfigError(f"OLD_DIR and NEW_DIR are the same folder ({new.dir}); give last year's "
                          f"campaign folder first and this year's second: `toolkit compare OLD_DIR NEW_DIR`")


def comparison_summary(comparison: Comparison, paths: dict[str, Path]) -> dict:
    """The JSON-able summary compare_campaigns returns."""
    c = comparison
    both = c.by_presence("both")
    deltas = [u.delta for u in both if u.delta is not None]
    moves = [u.grade_move for u in both]

    def unit(u: UnitChange) -> dict:
        return {"unit_code": u.unit_code, "unit_name": u.unit_name, "group": u.group}

    return {
        "old": {"dir": str(c.old.dir), "name": c.old.name, "year": c.old.year},
        "new": {"dir": str(c.new.dir), "name": c.new.name, "year": c.new.year},
        "units": {"matched": len(both), "scored_both_years": len(deltas),
                  "improved": sum(d > 0 for d in deltas), "declined": sum(d < 0 for d in deltas),
                  "unchanged": sum(d == 0 for d in deltas),
                  "grade_up": moves.count("up"), "grade_down": moves.count("down"),
                  "grade_same": moves.count("same"),
                  "not_returned_old": [u.unit_code for u in both if not u.old.scored],
                  "not_returned_new": [u.unit_code for u in both if not u.new.scored],
                  "renamed": [{"unit_code": u.unit_code, "old_name": u.old.name, "new_name": u.new.name}
                              for u in both if u.renamed],
                  "new": [unit(u) for u in c.by_presence("new")],
                  "dissolved": [unit(u) for u in c.by_presence("dissolved")]},
        "indicators": {"compared": sum(i.units > 0 for i in c.indicators),
                       "improved_most": [i.summary() for i in c.improved_most],
                       "worse_most": [i.summary() for i in c.worse_most]},
        "grade_transitions": {"grades": c.grades,
                              "matrix": {o: {n: c.transitions.get((o, n), 0) for n in c.grades}
                                         for o in c.grades}},
        "outputs": {k: str(v) for k, v in paths.items()},
        "warnings": c.warnings,
    }


def compare_campaigns(old: Campaign, new: Campaign, lang: str = "zh") -> dict:
    """Compare two scored campaigns; writes NEW_DIR/out/compare.csv and compare.xlsx.

    Raises :class:`ConfigError` when both are the same folder or either lacks out/scores.csv.
    Returns a JSON-able summary (counts, renamed/new/dissolved units, the indicators that
    improved and worsened most, the grade transition matrix, output paths, warnings).
    """
    _check_folders(old, new)
    old_year, new_year = read_year(old), read_year(new)
    comparison = compare_years(old_year, new_year, grade_order(new, old), scheme_titles(old, new))
    paths = {"csv": write_compare_csv(new.out / "compare.csv", comparison),
             "xlsx": _write_xlsx(new.out / "compare.xlsx", comparison, lang)}
    return comparison_summary(comparison, paths)
