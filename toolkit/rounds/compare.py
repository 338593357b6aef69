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
is in :mod:`toolkit.rounds.compare_read`, matching and summarising in :mod:`toolkit.rounds.comparison`,
both re-exported here; the workbook is written by :mod:`toolkit.rounds.compare_xlsx`.
"""

from __future__ import annotations

from pathlib import Path

from ..campaign.folder import Campaign
from ..errors import ConfigError
from ..i18n import Msg
from .compare_read import UnitYear, YearResults, grade_order, read_year, scheme_titles
from .compare_xlsx import write_compare_xlsx
from .comparison import Comparison, IndicatorChange, UnitChange, compare_years

__all__ = ["UnitYear", "YearResults", "UnitChange", "IndicatorChange", "Comparison", "read_year",
           "compare_years", "compare_campaigns", "write_compare_csv", "write_compare_xlsx", "comparison_summary", "grade_order", "COMPARE_COLUMNS"]

COMPARE_COLUMNS = ("unit_code", "unit_name", "group", "old_total", "new_total", "delta", "old_rank",
                   "new_rank", "rank_change", "old_grade", "new_grade", "grade_move",
                   "old_unit_name", "old_vetoed", "new_vetoed", "presence", "old_state", "new_state")


# --- emitting --------------------------------------------------------------------------------

def write_compare_csv(path: Path, comparison: Comparison) -> Path:
    """compare.csv: one row per unit of either year (COMPARE_COLUMNS)."""
    from ..output.csvfile import write_csv

    write_csv(path, COMPARE_COLUMNS, (u.row() for u in comparison.units))
    return path


def _check_folders(old: Campaign, new: Campaign) -> None:
    if Path(old.dir).resolve() == Path(new.dir).resolve():
        raise ConfigError(Msg("rounds.same_folder", {"dir": new.dir}))


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
             "xlsx": write_compare_xlsx(new.out / "compare.xlsx", comparison, lang)}
    return comparison_summary(comparison, paths)
