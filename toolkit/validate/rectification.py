"""Rectification items across rounds: the checks on carried items (out/rectification.csv is merge's).

An item is open, in progress, closed (销号: 已完成 with a closing date and evidence),
overdue (its deadline passed and it is not closed) or reopened (closed in an earlier
round, open again). Items carry a stable id in the workbook's hidden key column.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from ..catalogue.rectification import CODES
from ..model import Issue, Return
from ..normalise.values import display
from ..returned import item_ids, item_state, lifecycle_sheet
from ..spec.model import Sheet
from .checks import new_issue

__all__ = ["CODES", "check_items_kept", "check_deadlines", "check_closing_dates", "check_reopened"]


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
