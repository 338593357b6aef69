"""out/rectification.csv: every unit's rectification items this round, from the stored returns.

A closing that failed validation (validate stored which rows, :meth:`Ledger.failed_closings`) leaves
its item open: state ``not_closed``.
"""

from __future__ import annotations

import datetime as dt

from ..model import Return
from ..normalise.values import display
from ..returned import NOT_CLOSED, item_ids, item_state
from ..spec.model import Sheet

__all__ = ["RECTIFICATION_COLUMNS", "rectification_rows"]

# item_id is the stable id the toolkit keeps in the hidden key column; item_no is the unit's own
# number for the item (整改编号, the sheet's key column), which is what people refer to.
RECTIFICATION_COLUMNS = ("unit_code", "item_id", "first_round", "round", "problem", "deadline", "status",
                         "closed_on", "overdue", "item_no")


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

def _date(text) -> dt.date | None:
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None
