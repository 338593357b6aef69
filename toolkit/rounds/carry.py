"""Carry-over between rounds: what a unit's next workbook is prefilled with.

From the previous campaign (campaign.yaml ``previous:``) each unit gets:
- the rows of carrying tables that are still open (``carry_if``), or the rows of another
  table mapped into this one (``carry_from``: gap list → sprint list), each with a stable
  item id kept from round to round in the workbook's hidden key column;
- the previous values of form fields marked ``carry: true`` (shown as 上年数).
A unit that did not return last round gets its last known rows, marked stale. Only valid
returns give 上年数: a unit whose return was faulty keeps the values last known from a valid
one. An item marked closed whose row failed validation is still open, so it is carried.
Text from a return is written into the next workbook as it was typed: a unit that typed
something looking like a placeholder (``⟦r:column⟧``) sees that text, never a roster value
(:func:`toolkit.generate.master.literal` keeps it from being expanded). What was prefilled is
written to outbox/carry.json (:mod:`toolkit.campaign.carried`), so the round after can look back
again, and the stages of this round read it from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..campaign.carried import CarriedRow, UnitCarry, read_carry, round_tag
from ..campaign.folder import Campaign, load_campaign
from ..expr.language import ExpressionError, evaluate
from ..model import UnitState
from ..normalise.values import display
from ..returned import item_field
from ..spec.model import Sheet, TemplateSpec

__all__ = ["compute_carry", "carry_over", "previous_campaign"]


def previous_campaign(campaign: Campaign) -> Campaign | None:
    ref = campaign.config.get("previous")
    if not ref:
        return None
    path = Path(ref)
    return load_campaign(path if path.is_absolute() else campaign.dir / path)


def carry_over(campaign: Campaign) -> dict[str, UnitCarry] | None:
    """What :func:`toolkit.generate.outbox.generate_outbox` prefills this campaign's workbooks with:
    None in a campaign that names no previous one, else per unit code its carry-over."""
    if not campaign.config.get("previous"):
        return None
    return compute_carry(campaign, campaign.template())


def compute_carry(campaign: Campaign, spec: TemplateSpec) -> dict[str, UnitCarry]:
    """Per unit code: the rows and prior values its next workbook is prefilled with."""
    prev = previous_campaign(campaign)
    if prev is None:
        return {}
    from ..campaign.ledger import Ledger
    from ..merge.stage import load_merged

    prev_spec, merged = prev.template(), load_merged(prev)
    with Ledger(prev.db_path) as ledger:
        closings = ledger.failed_closings()  # validate's, stored: a return is never checked again here
    earlier = read_carry(prev)
    tag = round_tag(prev)
    out = {}
    for mu in merged.loaded():
        before = earlier.get(mu.unit.code, UnitCarry())
        if mu.ret is None:
            stale = UnitCarry(before.tables, before.prior, True, before.source_round, before.closed)
            out[mu.unit.code] = stale if stale else UnitCarry()
            continue
        failed = _failed_closings(prev, prev_spec, mu, closings)
        out[mu.unit.code] = _from_return(spec, prev_spec, mu.ret, before, tag, failed,
                                         valid=mu.status.state != UnitState.FAULTY)
    return out


def _failed_closings(prev: Campaign, prev_spec: TemplateSpec, mu, closings: dict) -> set[int]:
    """Rows of last round's ledger marked closed whose closing failed validation (faulty returns only),
    as last round's validate stored them."""
    from ..merge.stage import stored_closings
    from ..returned import lifecycle_sheet

    if lifecycle_sheet(prev_spec) is None or mu.status.state != UnitState.FAULTY:
        return set()
    return stored_closings(closings, mu.file, prev)


def _from_return(spec: TemplateSpec, prev_spec: TemplateSpec, ret, before: UnitCarry, tag: str,
                 failed: set[int] = frozenset(), valid: bool = True) -> UnitCarry:
    carry = UnitCarry(source_round=tag, closed=dict(before.closed))
    _record_closed(carry, prev_spec, ret, before, tag, failed)
    prev_fields = prev_spec.form_fields
    for fid, f in spec.form_fields.items():
        if f.carry and fid in prev_fields:
            value = ret.entries.get((fid, None))
            if not valid:  # a faulty return's values are not 上年数: the last valid ones are
                if fid in before.prior:
                    carry.prior[fid] = before.prior[fid]
            elif value is not None and value.value is not None:
                carry.prior[fid] = display(value.value)
    first_seen = {r.item_id: r.first_round for rows in before.tables.values() for r in rows}
    prev_sheets = {s.id: s for s in prev_spec.sheets}
    for sheet in spec.sheets:
        if not sheet.carries:
            continue
        source_id = sheet.carry_from.sheet if sheet.carry_from else sheet.id
        if source_id not in prev_sheets:
            continue
        source = prev_sheets[source_id]
        rows = _rows(sheet, source, ret, tag, first_seen, failed if source.lifecycle is not None else set())
        if not sheet.carry_from:  # an item deleted from the return is not closed: it stays carried
            present = {r.item_id for r in rows} | set(_ids_in(ret, source))
            rows += [r for r in before.tables.get(sheet.id, []) if r.item_id not in present]
        carry.tables[sheet.id] = rows
    return carry


def _ids_in(ret, sheet: Sheet) -> list[str]:
    from ..returned import item_ids
    return [i for i in item_ids(ret, sheet).values() if i]


def _record_closed(carry: UnitCarry, prev_spec: TemplateSpec, ret, before: UnitCarry, tag: str,
                   failed: set[int]) -> None:
    """Remember the items closed last round by their visible key, to notice them reopened later
    (an item whose closing failed validation was not closed)."""
    from ..returned import item_ids, item_state, lifecycle_sheet

    sheet = lifecycle_sheet(prev_spec)
    if sheet is None or not sheet.key:
        return
    first_seen = {r.item_id: r.first_round for rows in before.tables.values() for r in rows}
    for row, item_id in item_ids(ret, sheet).items():
        values = ret.names(row, sheet.id)
        if row not in failed and item_state(sheet, values) == "closed" and values.get(sheet.key[0]) is not None:
            item_id = item_id or f"{tag}-{row}"
            carry.closed[display(values[sheet.key[0]])] = [item_id, first_seen.get(item_id, tag)]


def _rows(sheet: Sheet, source: Sheet, ret, tag: str, first_seen: dict[str, str],
          failed: set[int] = frozenset()) -> list[CarriedRow]:
    mapping = dict(sheet.carry_from.columns) if sheet.carry_from else {c.id: c.id for c in sheet.columns}
    condition = sheet.carry_from.condition if sheet.carry_from else sheet.carry_if
    source_ids = {c.id for c in source.columns}
    rows = sorted({r for (fid, r), e in ret.entries.items() if e.sheet_id == source.id and r is not None})
    out = []
    for row in rows:
        names = {c: None for c in source_ids} | ret.names(row, source.id)
        if condition and not _holds(condition, names) and row not in failed:
            continue
        item = ret.entries.get((item_field(source.id), row))
        item_id = item.value if item is not None and item.value else f"{tag}-{row}"
        values = {target: display(names.get(src)) for target, src in mapping.items()
                  if src in source_ids and names.get(src) is not None}
        out.append(CarriedRow(item_id, first_seen.get(item_id, tag), values, tag))
    return out


def _holds(condition: str, names: dict[str, Any]) -> bool:
    try:
        return bool(evaluate(condition, names))
    except ExpressionError:
        return True
