"""Rectification items across rounds: checks on carried items and out/rectification.csv.

An item is open, in progress, closed (销号: 已完成 with a closing date and evidence),
overdue (its deadline passed and it is not closed) or reopened (closed in an earlier
round, open again). Items carry a stable id in the workbook's hidden key column.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from ..catalogue.rectification import CODES
from ..normalise.values import display
from ..read.locate import item_field
from ..spec.model import Sheet
from .checks import Issue, Return, new_issue

__all__ = ["CODES", "RECTIFICATION_COLUMNS", "item_ids", "item_state", "rectification_rows", "NOT_CLOSED"]

# The state of an item marked 已完成 whose row failed validation: its closing is not signed off,
# so the item is still open (carried to the next round, counted as open).
NOT_CLOSED = "not_closed"

# item_id is the stable id the toolkit keeps in the hidden key column; item_no is the unit's own
# number for the item (整改编号, the sheet's key column), which is what people refer to.
RECTIFICATION_COLUMNS = ("unit_code", "item_id", "first_round", "round", "problem", "deadline", "status",
                         "closed_on", "overdue", "item_no")



def lifecycle_sheet(spec) -> Sheet | None:
    return next((s for s in spec.sheets if s.lifecycle is not None), None)


def item_ids(ret: Return, sheet: Sheet) -> dict[int, str | None]:
    """Table row → stable item id carried in the hidden column (None for new rows)."""
    rows = sorted({r for (fid, r), e in ret.entries.items() if e.sheet_id == sheet.id and r is not None})
    ids = {}
    for row in rows:
        e = ret.entries.get((item_field(sheet.id), row))
        ids[row] = e.value if e is not None and e.value else None
    return ids


def _carried(ret: Return, sheet: Sheet) -> dict[str, Any]:
    carry = ret.context.get("carry")
    return {r.item_id: r for r in carry.tables.get(sheet.id, [])} if carry else {}


def check_items_kept(ret: Return) -> Iterator[Issue]:
    sheet = lifecycle_sheet(ret.spec)
    if sheet is None:
        return
    present = set(item_ids(ret, sheet).values())
    for item_id, row in _carried(ret, sheet).items():
        if item_id not in present:
            problem = row.values.get(sheet.lifecycle.problem or "", "")
            yield Issue("rectification.item_deleted", "error", sheet.name, "", item_id, problem,
                        params={"problem": problem} if problem else {})


def check_deadlines(ret: Return) -> Iterator[Issue]:
    sheet = lifecycle_sheet(ret.spec)
    if sheet is None or not sheet.lifecycle.deadline:
        return
    life, carried = sheet.lifecycle, _carried(ret, sheet)
    for row, item_id in item_ids(ret, sheet).items():
        old = carried.get(item_id).values.get(life.deadline) if item_id in carried else None
        new = ret.entries.get((life.deadline, row))
        reason = ret.entries.get((life.reason, row)) if life.reason else None
        if old and new is not None and isinstance(new.value, dt.date) and new.value.isoformat() > old[:10] \
                and (reason is None or reason.value in (None, "")):
            yield new_issue("rectification.deadline_moved", new, old=old[:10], new=new.value.isoformat())


def check_closing_dates(ret: Return) -> Iterator[Issue]:
    sheet, received = lifecycle_sheet(ret.spec), ret.context.get("received_on")
    if sheet is None or not sheet.lifecycle.closed_on or received is None:
        return
    for (fid, row), e in ret.entries.items():
        if fid == sheet.lifecycle.closed_on and isinstance(e.value, dt.date) and e.value > received:
            yield new_issue("rectification.closed_after_received", e, received=received.isoformat())


def check_reopened(ret: Return) -> Iterator[Issue]:
    sheet, carry = lifecycle_sheet(ret.spec), ret.context.get("carry")
    if sheet is None or carry is None or not sheet.key:
        return
    for row, item_id in item_ids(ret, sheet).items():
        key = ret.entries.get((sheet.key[0], row))
        if item_id is None and key is not None and display(key.value) in carry.closed \
                and not item_state(sheet, ret.names(row, sheet.id)) == "closed":
            yield new_issue("rectification.reopened", key, item_id=carry.closed[display(key.value)][0])



def item_state(sheet: Sheet, values: dict[str, Any]) -> str:
    """open, in_progress or closed, from the lifecycle's status column."""
    status = display(values.get(sheet.lifecycle.status))
    if status in sheet.lifecycle.closed:
        return "closed"
    if status in sheet.lifecycle.in_progress:
        return "in_progress"
    return "open"


def _date(text) -> dt.date | None:
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def rectification_rows(sheet: Sheet, unit_code: str, ret: Return | None, carry, tag: str,
                       today: dt.date, failed: set[int] = frozenset()) -> list[dict]:
    """The unit's items this round; a unit that did not return keeps its last known items.

    *failed* rows (closings that failed validation) are still open: state ``not_closed``."""
    if ret is None:
        rows = []
        for item in (carry.tables.get(sheet.id, []) if carry else []):
            rows.append(_row(unit_code, item.item_id, item.first_round, item.last_round or tag, item.values,
                             item_state(sheet, item.values), sheet, today))
        return rows
    carried = {r.item_id: r for r in carry.tables.get(sheet.id, [])} if carry else {}
    closed = carry.closed if carry else {}
    out = []
    for row, item_id in item_ids(ret, sheet).items():
        values = ret.names(row, sheet.id)
        state = NOT_CLOSED if row in failed else item_state(sheet, values)
        key = display(values.get(sheet.key[0])) if sheet.key else ""
        first = carried[item_id].first_round if item_id in carried else tag
        if item_id is None and key in closed:
            item_id, first = closed[key]
            state = "reopened" if state != "closed" else state
        out.append(_row(unit_code, item_id or f"{tag}-{row}", first, tag, values, state, sheet, today))
    return out


def _row(unit, item_id, first, round_, values, state, sheet: Sheet, today) -> dict:
    life = sheet.lifecycle
    deadline = _date(values.get(life.deadline)) if life.deadline else None
    overdue = state != "closed" and deadline is not None and deadline < today
    return {"unit_code": unit, "item_id": item_id, "first_round": first, "round": round_,
            "problem": display(values.get(life.problem)) if life.problem else "",
            "deadline": deadline.isoformat() if deadline else "", "status": state,
            "closed_on": display(values.get(life.closed_on)) if life.closed_on else "", "overdue": overdue,
            "item_no": display(values.get(sheet.key[0])) if sheet.key else ""}
