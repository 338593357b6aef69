"""Two years of results matched and summarised: the plain data behind compare.csv and compare.xlsx.

Units are matched by ``unit_code``, indicators by indicator id. :func:`compare_years` turns two
:class:`~toolkit.rounds.compare_read.YearResults` into a :class:`Comparison`. A unit without a
total in a year (no accepted return) has no total, rank, grade or change that year.
"""

from __future__ import annotations

from dataclasses import dataclass

from .compare_read import DEFAULT_GRADES, UnitYear, YearResults

__all__ = ["UnitChange", "IndicatorChange", "Comparison", "compare_years", "TOP_N"]

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
