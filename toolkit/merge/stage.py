"""Merge: every accepted return into out/values.csv and out/consolidated.xlsx.

Only valid returns count in the figures: totals.csv sums and rates are over
accepted units only, never a faulty unit's values (status.py's ``faulty``: its
accepted return has errors). A faulty unit appears flagged in values.csv and
consolidated.xlsx, a missing unit appears as missing (empty cells), never as zeros. Values are the normalised
ones (numbers plain, dates ISO, booleans true/false) with the raw text kept
beside them in values.csv.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..campaign.folder import Campaign, Unit
from ..campaign.ledger import FileRow, Ledger
from ..campaign.status import NOT_RETURNED, UnitStatus, unit_statuses
from ..campaign.values import spec_key
from ..normalise.values import display
from ..spec.model import TemplateSpec
from ..validate.checks import Return
from ..validate.stage import build_return
from .store import stored_return

__all__ = ["MergedUnit", "Merged", "merge_campaign", "VALUES_COLUMNS", "TOTALS_COLUMNS", "group_totals", "raw_text"]

VALUES_COLUMNS = ("unit_code", "template_id", "sheet", "field", "row", "value", "raw")
# value is plain (a rate as a fraction, for machines); display is what a person reads (93.3%, 12,345);
# key names the metric for programs (units, accepted, …, return_rate, a field id, rate:<id>)
TOTALS_COLUMNS = ("group", "metric", "value", "display", "key")
_COUNTS = ("units", "accepted", "faulty", "missing", "returned", *("review", "unusable"))


@dataclass
class MergedUnit:
    unit: Unit
    status: UnitStatus
    file: FileRow | None = None
    ret: Return | None = None
    returns: list[tuple[FileRow, Return]] = field(default_factory=list)  # all accepted (several per unit
                                                                         # only with a return_key)

    def value(self, field_id: str, row: int | None = None) -> Any:
        if self.ret is None:
            return None
        e = self.ret.entries.get((field_id, row))
        return None if e is None else e.value

    def table_rows(self, sheet_id: str) -> list[int]:
        if self.ret is None:
            return []
        return sorted({r for (fid, r), e in self.ret.entries.items() if e.sheet_id == sheet_id and r is not None})


@dataclass
class Merged:
    spec: TemplateSpec
    units: list[MergedUnit]
    groups: list[str] = field(default_factory=list)

    def returned(self) -> list[MergedUnit]:
        return [u for u in self.units if u.ret is not None]


def raw_text(raw: Any) -> str:
    """The raw cell as text for values.csv (dates ISO, numbers without a trailing .0)."""
    if raw is None:
        return ""
    if isinstance(raw, (dt.date, dt.datetime, dt.time, bool, int, float)):
        return display(raw)
    return str(raw)


def load_merged(campaign: Campaign) -> Merged:
    """Every roster unit with its accepted return (normalised), in roster order."""
    spec = campaign.template()
    statuses = {s.unit_code: s for s in unit_statuses(campaign)}
    key = spec_key(spec)
    with Ledger(campaign.db_path) as ledger:
        files: dict[str, list[FileRow]] = {}
        for f in ledger.accepted():
            files.setdefault(f.unit_code, []).append(f)
        units = []
        for unit in campaign.roster().units:
            returns = []
            for f in files.get(unit.code, []):
                ret = _stored(ledger, spec, key, f.sha256, campaign.period)
                if ret is not None:
                    returns.append((f, ret))
            newest = returns[-1] if returns else (None, None)
            units.append(MergedUnit(unit, statuses[unit.code], newest[0], newest[1], returns))
    groups = list(dict.fromkeys(u.unit.group for u in units))
    return Merged(spec, units, groups)


def _stored(ledger: Ledger, spec: TemplateSpec, key: str, sha256: str, period: tuple) -> Return | None:
    """The return as validate stored it; normalised here only when validate has not stored it."""
    text = ledger.values_text(sha256, key)
    if text is not None:
        return stored_return(spec, text, period)
    sub = ledger.payload(sha256)
    return None if sub is None else build_return(spec, sub, period)


def values_rows(merged: Merged) -> Iterator[dict]:
    """The rows of values.csv, made as they are written (a generator: never the whole file in memory)."""
    sheet_names = {s.id: s.name for s in merged.spec.sheets}
    order = {fid: n for n, fid in enumerate(_field_order(merged.spec))}
    for mu, ret in ((mu, ret) for mu in merged.returned() for _, ret in mu.returns):
        entries = sorted(ret.entries.values(), key=lambda e: (order.get(e.field_id, 1e9), e.row or 0))
        for e in entries:
            yield {"unit_code": mu.unit.code, "template_id": merged.spec.id, "sheet": sheet_names[e.sheet_id],
                   "field": e.field_id, "row": "" if e.row is None else e.row,
                   "value": display(e.value), "raw": raw_text(e.raw)}


def _field_order(spec: TemplateSpec) -> list[str]:
    out = []
    for sheet in spec.sheets:
        out.extend(f.id for f in sheet.fields)
        for area in sheet.areas:
            for item in area.items:
                out.extend(f"{item.id}.{c.id}" for c in area.columns)
        if sheet.kind == "table":
            out.extend(c.id for c in sheet.columns)
    return out


_SET_ASIDE = ("review", "unusable")  # not returned, yet not plain missing: counted apart too


def group_totals(merged: Merged) -> list[dict]:
    """Per group and overall: units per state, return rate, numeric sums and summary rates.

    Sums and rates are over accepted units only: a faulty unit's values do not count until its
    corrected return arrives. 未报送 counts every unit without a return (status.py's
    NOT_RETURNED); of those, a file waiting in review or an unusable file is also counted apart
    (when any unit is in that state).
    """
    numeric = [f for f in merged.spec.form_fields.values() if f.type in ("int", "number")]
    aside = [s for s in _SET_ASIDE if any(u.status.state == s for u in merged.units)]
    out = []
    for group in merged.groups + [None]:
        members = [u for u in merged.units if group is None or u.unit.group == group]
        valid = [u for u in members if u.status.state == "accepted"]
        row = {"group": group if group is not None else "", "units": len(members),
               "accepted": len(valid),
               "faulty": sum(u.status.state == "faulty" for u in members),
               "missing": sum(u.status.state in NOT_RETURNED for u in members)}  # review, unusable too
        row.update({s: sum(u.status.state == s for u in members) for s in aside})
        row["returned"] = row["accepted"] + row["faulty"]
        row["return_rate"] = row["returned"] / row["units"] if row["units"] else None
        for f in numeric:
            vals = [u.value(f.id) for u in valid]
            vals = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
            row[f.id] = sum(vals) if vals else None
        for rate in merged.spec.summary:
            row[f"rate:{rate.id}"] = _summary_rate(valid, rate.numerator, rate.denominator)
        out.append(row)
    return out


def _summary_rate(members: list[MergedUnit], numerator: str, denominator: str) -> float | None:
    """sum(numerator) / sum(denominator) over the units that reported both (a unit that left the
    denominator empty must not inflate the rate with its numerator)."""
    pairs = [(u.value(numerator), u.value(denominator)) for u in members]
    pairs = [(n, d) for n, d in pairs if _is_number(n) and _is_number(d)]
    den = sum(d for _, d in pairs)
    return sum(n for n, _ in pairs) / den if den else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def merge_campaign(campaign: Campaign, lang: str = "zh", merged: Merged | None = None) -> dict:
    """Write out/values.csv, out/totals.csv and out/consolidated.xlsx; return a summary."""
    from ..output.csvfile import write_csv
    from .consolidated import write_consolidated

    merged = merged or load_merged(campaign)
    rows = write_csv(campaign.out / "values.csv", VALUES_COLUMNS, values_rows(merged))
    totals = group_totals(merged)
    write_csv(campaign.out / "totals.csv", TOTALS_COLUMNS, _long_totals(merged, totals, lang))
    write_consolidated(campaign, merged, totals, lang)
    summary = {"units": len(merged.units), "returned": len(merged.returned()), "values": rows}
    items = write_rectification(campaign, merged)
    if items is not None:
        summary["rectification_items"] = items
    return summary


def write_rectification(campaign: Campaign, merged: Merged) -> int | None:
    """out/rectification.csv for a template with a lifecycle table (整改台账); None otherwise."""
    import datetime as dt

    from ..output.csvfile import write_csv
    from ..rounds.carry import read_carry, round_tag
    from ..validate.rectification import RECTIFICATION_COLUMNS, failed_closings, lifecycle_sheet, rectification_rows

    sheet = lifecycle_sheet(merged.spec)
    if sheet is None:
        return None
    carry, tag = read_carry(campaign), round_tag(campaign)
    try:
        deadline = dt.date.fromisoformat(campaign.deadline)
    except ValueError:
        deadline = dt.date(campaign.year, 12, 31)
    rows = []
    for mu in merged.units:
        today = dt.date.fromisoformat(mu.file.received_at[:10]) if mu.file else deadline
        failed = set()
        if mu.ret is not None and mu.status.state == "faulty":  # only a return with errors can hold one
            failed = failed_closings(mu.ret, sheet, {"carry": carry.get(mu.unit.code), "received_on": today})
        rows.extend(rectification_rows(sheet, mu.unit.code, mu.ret, carry.get(mu.unit.code), tag, today, failed))
    write_csv(campaign.out / "rectification.csv", RECTIFICATION_COLUMNS, rows)
    return len(rows)


def _long_totals(merged: Merged, totals: list[dict], lang: str) -> list[dict]:
    labels = {f.id: (f.label_en or f.label) if lang == "en" else f.label for f in merged.spec.form_fields.values()}
    labels.update({f"rate:{r.id}": (r.label_en or r.label) if lang == "en" else r.label for r in merged.spec.summary})
    if lang != "en":
        labels.update({"units": "单位数", "accepted": "合格", "faulty": "需退回修改", "missing": "未报送",
                       "returned": "已报送", "return_rate": "报送率", "review": "待确认", "unusable": "无法使用"})
    labels = _unique_labels({key: labels.get(key, key) for row in totals for key in row if key != "group"})
    overall = "all" if lang == "en" else "全部"
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
