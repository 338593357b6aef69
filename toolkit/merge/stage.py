"""Merge: every accepted return into out/values.csv and out/consolidated.xlsx.

Only valid returns count in the figures: totals.csv sums and rates are over
accepted units only, never a faulty unit's values (status.py's ``faulty``: its
accepted return has errors). A faulty unit appears flagged in values.csv and
consolidated.xlsx, a missing unit appears as missing (empty cells), never as zeros. Values are the normalised
ones (numbers plain, dates ISO, booleans true/false) with the raw text kept
beside them in values.csv.
"""

from __future__ import annotations

from ..campaign.deadline import deadline_date, received_day
from ..campaign.folder import Campaign
from ..i18n import Words, define, pick, t
from ..model import UnitState
from ..normalise.values import display
from .consolidated import ConsolidatedBook
from .merged import VALUES_COLUMNS, GroupTotals, Merged, MergedUnit, group_totals, load_merged, raw_text, unit_values_rows, values_rows
from .store import not_stored

__all__ = ["MergedUnit", "Merged", "merge_campaign", "load_merged", "stored_closings", "VALUES_COLUMNS", "TOTALS_COLUMNS",
           "group_totals", "raw_text", "values_rows"]

# value is plain (a rate as a fraction, for machines); display is what a person reads (93.3%, 12,345);
# key names the metric for programs (units, accepted, …, return_rate, a field id, rate:<id>)
TOTALS_COLUMNS = ("group", "metric", "value", "display", "key")
_COUNTS = ("units", "accepted", "faulty", "missing", "returned", *(UnitState.REVIEW, UnitState.UNUSABLE))


def merge_campaign(campaign: Campaign, lang: str = "zh", merged: Merged | None = None) -> dict:
    """Write out/values.csv, out/totals.csv and out/consolidated.xlsx; return a summary.

    One pass over the units, each loaded from the ledger once: its values.csv rows, its rows of
    consolidated.xlsx and its part of the totals are written before the next unit is read."""
    from ..output.csvfile import write_csv, write_csv_rows

    merged = merged or load_merged(campaign)
    book, totals = ConsolidatedBook(campaign, merged.spec, lang), GroupTotals(merged)
    unit_rows, returned = unit_values_rows(merged.spec), [0]

    def each_unit():
        for mu in merged.loaded():
            book.add(mu)
            totals.add(mu)
            if mu.ret is not None:
                returned[0] += 1
                yield from unit_rows(mu)

    rows = write_csv_rows(campaign.out / "values.csv", VALUES_COLUMNS, each_unit())
    table = totals.table()
    write_csv(campaign.out / "totals.csv", TOTALS_COLUMNS, _long_totals(merged, table, lang))
    book.close(table)
    summary = {"units": len(merged.units), "returned": returned[0], "values": rows}
    items = write_rectification(campaign, merged)
    if items is not None:
        summary["rectification_items"] = items
    return summary


def write_rectification(campaign: Campaign, merged: Merged) -> int | None:
    """out/rectification.csv for a template with a lifecycle table (整改台账); None otherwise."""
    import datetime as dt

    from ..campaign.carried import read_carry, round_tag
    from ..campaign.ledger import Ledger
    from ..output.csvfile import write_csv
    from ..returned import lifecycle_sheet
    from .rectification import RECTIFICATION_COLUMNS, rectification_rows

    sheet = lifecycle_sheet(merged.spec)
    if sheet is None:
        return None
    carry, tag = read_carry(campaign), round_tag(campaign)
    with Ledger(campaign.db_path) as ledger:
        closings = ledger.failed_closings()  # validate's: merge never checks a return again
    deadline = deadline_date(campaign.deadline) or dt.date(campaign.year, 12, 31)
    rows = []
    for mu in merged.loaded():
        today = (received_day(mu.file.received_at) if mu.file else None) or deadline
        failed = set()
        if mu.ret is not None and mu.status.state == UnitState.FAULTY:  # only a return with errors can hold one
            failed = stored_closings(closings, mu.file, campaign)
        rows.extend(rectification_rows(sheet, mu.unit.code, mu.ret, carry.get(mu.unit.code), tag, today, failed))
    write_csv(campaign.out / "rectification.csv", RECTIFICATION_COLUMNS, rows)
    return len(rows)


def stored_closings(closings: dict, f, campaign: Campaign | None = None) -> set[int]:
    """The failed closings validate stored for file *f* (an error when it stored none for it)."""
    rows = closings.get(f.sha256, set())  # not validated at all: not faulty either, so nothing failed
    if rows is None:
        raise not_stored("closings", f, campaign)
    return rows


# the counts of totals.csv as the long table names them (in English the column names themselves)
_COUNT_KEYS = ("units", "accepted", "faulty", "missing", "returned", "return_rate", "review", "unusable")
define("merge.totals", {
    "units": ("单位数", "units"), "accepted": ("合格", "accepted"), "faulty": ("需退回修改", "faulty"), "missing": ("未报送", "missing"),
    "returned": ("已报送", "returned"), "return_rate": ("报送率", "return_rate"), "review": ("待确认", "review"),
    "unusable": ("无法使用", "unusable"), "all": ("全部", "all"),
})


def _long_totals(merged: Merged, totals: list[dict], lang: str) -> list[dict]:
    labels = {f.id: pick(Words(f.label, f.label_en), lang) for f in merged.spec.form_fields.values()}
    labels.update({f"rate:{r.id}": pick(Words(r.label, r.label_en), lang) for r in merged.spec.summary})
    labels.update({key: t(f"merge.totals.{key}", lang) for key in _COUNT_KEYS})
    labels = _unique_labels({key: labels.get(key, key) for row in totals for key in row if key != "group"})
    overall = t("merge.totals.all", lang)
    out = []
    for row in totals:
        for key, value in row.items():
            if key == "group" or value is None:
                continue
            out.append({"group": row["group"] or overall, "metric": labels.get(key, key),
                        "value": display(round(value, 4) if isinstance(value, float) else value),
                        "display": _shown(key, value), "key": key})
    return out


def _shown(key: str, value) -> str:
    """A total as a person reads it: rates as percentages, counts and sums with separators."""
    from ..output.figures import amount, count, percent

    if key == "return_rate" or key.startswith("rate:"):
        return percent(value)
    return count(value) if key in _COUNTS else amount(value)


def _unique_labels(labels: dict[str, str]) -> dict[str, str]:
    """Metric labels made unique: a label shared by several metrics (a field and a summary rate both
    called 问题整改率) gets the metric's id appended, so no two rows of totals.csv read the same."""
    seen: dict[str, int] = {}
    for text in labels.values():
        seen[text] = seen.get(text, 0) + 1
    return {key: f"{text} [{key.removeprefix('rate:')}]" if seen[text] > 1 else text for key, text in labels.items()}
