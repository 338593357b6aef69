"""The merged campaign: every roster unit with its accepted returns, read one unit at a time.

:func:`load_merged` reads the roster, the statuses and the ledger's accepted files, nothing more;
:meth:`Merged.loaded` then yields each unit with its returns rebuilt from the values validate
stored (:mod:`toolkit.merge.store`), one unit at a time, so merge and score hold one return at
once whatever the campaign's size. values.csv rows and the group totals are made from that stream.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from ..campaign.folder import Campaign, Unit
from ..campaign.ledger import FileRow, Ledger
from ..campaign.status import NOT_RETURNED, UnitStatus, unit_statuses
from ..campaign.values import spec_key
from ..model import Return, UnitState
from ..normalise.values import display
from ..spec.model import TemplateSpec
from .store import not_stored, stored_return

__all__ = ["MergedUnit", "Merged", "load_merged", "raw_text", "values_rows", "unit_values_rows", "GroupTotals",
           "group_totals", "VALUES_COLUMNS"]


@dataclass
class MergedUnit:
    """A roster unit, its status and its accepted files; ``ret`` (the newest return) and ``returns``
    (every accepted one: several per unit only with a return_key) are set on the units that
    :meth:`Merged.loaded` yields."""

    unit: Unit
    status: UnitStatus
    file: FileRow | None = None
    ret: Return | None = None
    returns: list[tuple[FileRow, Return]] = field(default_factory=list)
    files: list[FileRow] = field(default_factory=list)

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
    """Every roster unit in roster order (``units``: without their returns), and how to load them."""

    spec: TemplateSpec
    units: list[MergedUnit]
    groups: list[str] = field(default_factory=list)
    campaign: Campaign | None = None

    def loaded(self) -> Iterator[MergedUnit]:
        """Each unit with its returns, in roster order, one at a time (read from the ledger as it goes)."""
        if self.campaign is None or not any(mu.files for mu in self.units):
            yield from self.units
            return
        key = spec_key(self.spec)
        with Ledger(self.campaign.db_path) as ledger:
            for mu in self.units:
                returns = []
                for f in mu.files:
                    ret = _stored(ledger, self.spec, key, f, self.campaign)
                    if ret is not None:
                        returns.append((f, ret))
                newest = returns[-1] if returns else (None, None)
                yield dataclasses.replace(mu, file=newest[0], ret=newest[1], returns=returns)

    def returned(self) -> Iterator[MergedUnit]:
        """The loaded units that have a return."""
        return (mu for mu in self.loaded() if mu.ret is not None)


def raw_text(raw: Any) -> str:
    """The raw cell as text for values.csv (dates ISO, numbers without a trailing .0)."""
    if raw is None:
        return ""
    if isinstance(raw, (dt.date, dt.datetime, dt.time, bool, int, float)):
        return display(raw)
    return str(raw)


def load_merged(campaign: Campaign) -> Merged:
    """Every roster unit with its accepted files, in roster order; returns are read by :meth:`Merged.loaded`."""
    spec = campaign.template()
    statuses = {s.unit_code: s for s in unit_statuses(campaign)}
    with Ledger(campaign.db_path) as ledger:
        files: dict[str, list[FileRow]] = {}
        for f in ledger.accepted():
            files.setdefault(f.unit_code, []).append(f)
    units = [MergedUnit(unit, statuses[unit.code], files=files.get(unit.code, []))
             for unit in campaign.roster().units]
    groups = list(dict.fromkeys(u.unit.group for u in units))
    return Merged(spec, units, groups, campaign)


def _stored(ledger: Ledger, spec: TemplateSpec, key: str, f: FileRow, campaign: Campaign) -> Return | None:
    """The return as validate stored it; an error when validate has not stored it (never normalised here)."""
    text = ledger.values_text(f.sha256, key)
    if text is not None:
        return stored_return(spec, text, campaign.period)
    if ledger.payload_text(f.sha256) is None:  # nothing was read from the file: no return to merge
        return None
    raise not_stored("values", f, campaign)


class _ValueRows:
    """values.csv rows of one unit's returns, fields in the template's order."""

    def __init__(self, spec: TemplateSpec):
        self.spec = spec
        self.sheet_names = {s.id: s.name for s in spec.sheets}
        self.order = {fid: n for n, fid in enumerate(_field_order(spec))}

    def rows(self, mu: MergedUnit) -> Iterator[tuple]:
        """The unit's rows as tuples in the order of VALUES_COLUMNS."""
        order, names, code, template = self.order, self.sheet_names, mu.unit.code, self.spec.id
        for _, ret in mu.returns:
            for e in sorted(ret.entries.values(), key=lambda e: (order.get(e.field_id, 1e9), e.row or 0)):
                yield (code, template, names[e.sheet_id], e.field_id, "" if e.row is None else e.row,
                       display(e.value), raw_text(e.raw))


VALUES_COLUMNS = ("unit_code", "template_id", "sheet", "field", "row", "value", "raw")


def unit_values_rows(spec: TemplateSpec) -> Any:
    """A function from a loaded unit to its rows of values.csv (tuples in the order of VALUES_COLUMNS)."""
    return _ValueRows(spec).rows


def values_rows(merged: Merged) -> Iterator[dict]:
    """The rows of values.csv as dicts, made as they are read (a generator: never the whole file in memory)."""
    rows = unit_values_rows(merged.spec)
    for mu in merged.returned():
        for row in rows(mu):
            yield dict(zip(VALUES_COLUMNS, row))


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


_SET_ASIDE = (UnitState.REVIEW, UnitState.UNUSABLE)  # not returned, yet not plain missing: counted apart too


class GroupTotals:
    """Per group and overall: units per state, return rate, numeric sums and summary rates.

    Built from the roster units (their states), then fed each loaded unit with :meth:`add`; sums
    and rates are over accepted units only: a faulty unit's values do not count until its
    corrected return arrives. 未报送 counts every unit without a return (status.py's
    NOT_RETURNED); of those, a file waiting in review or an unusable file is also counted apart
    (when any unit is in that state). Sums are added in roster order, as one sum over the units.
    """

    def __init__(self, merged: Merged):
        self.spec, self.groups = merged.spec, merged.groups
        self.numeric = [f.id for f in merged.spec.form_fields.values() if f.type in ("int", "number")]
        self.rates = [(r.id, r.numerator, r.denominator) for r in merged.spec.summary]
        aside = [s for s in _SET_ASIDE if any(u.status.state == s for u in merged.units)]
        self.rows = {g: self._counts([u for u in merged.units if g is None or u.unit.group == g], aside)
                     for g in [*merged.groups, None]}
        self.sums = {g: {f: [0, 0] for f in self.numeric} for g in self.rows}           # sum, how many
        self.pairs = {g: {r[0]: [0, 0] for r in self.rates} for g in self.rows}          # numerator, denominator

    @staticmethod
    def _counts(members: list[MergedUnit], aside: list[str]) -> dict:
        states = [u.status.state for u in members]
        row = {"group": "", "units": len(members), "accepted": states.count("accepted"),
               "faulty": states.count("faulty"), "missing": sum(s in NOT_RETURNED for s in states)}
        row.update({s: states.count(s) for s in aside})
        row["returned"] = row["accepted"] + row["faulty"]
        row["return_rate"] = row["returned"] / row["units"] if row["units"] else None
        return row

    def add(self, mu: MergedUnit) -> None:
        if mu.status.state != UnitState.ACCEPTED or mu.ret is None:
            return
        for group in (mu.unit.group, None):
            sums, pairs = self.sums[group], self.pairs[group]
            for fid in self.numeric:
                v = mu.value(fid)
                if _is_number(v):
                    sums[fid][0] += v
                    sums[fid][1] += 1
            for rid, num, den in self.rates:
                n, d = mu.value(num), mu.value(den)
                if _is_number(n) and _is_number(d):  # a unit that left the denominator empty adds neither
                    pairs[rid][0] += n
                    pairs[rid][1] += d

    def table(self) -> list[dict]:
        out = []
        for group, counts in self.rows.items():
            row = dict(counts, group=group if group is not None else "")
            row.update({fid: (s if k else None) for fid, (s, k) in self.sums[group].items()})
            row.update({f"rate:{rid}": (n / d if d else None) for rid, (n, d) in self.pairs[group].items()})
            out.append(row)
        return out


def group_totals(merged: Merged, units: Iterable[MergedUnit] | None = None) -> list[dict]:
    """The rows of :class:`GroupTotals` over *units* (default: every unit of *merged*, loaded)."""
    totals = GroupTotals(merged)
    for mu in merged.loaded() if units is None else units:
        totals.add(mu)
    return totals.table()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
