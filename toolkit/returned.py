"""Reading a normalised :class:`~toolkit.model.Return` by its spec, with nothing of validate's code:
which field a stored value belongs to, a table row's stable item id, a rectification item's state.

Validate builds returns with these; merge, score and rounds read the stored ones with them too.
"""

from __future__ import annotations

from typing import Any

from .model import Return
from .normalise.values import display
from .spec.model import Field, Sheet, TemplateSpec

__all__ = ["field_index", "item_field", "lifecycle_sheet", "item_ids", "item_state", "NOT_CLOSED"]

# The state of an item marked 已完成 whose row failed validation: its closing is not signed off,
# so the item is still open (carried to the next round, counted as open).
NOT_CLOSED = "not_closed"

_INDEX_CACHE: dict[int, tuple[TemplateSpec, dict]] = {}


def item_field(sheet_id: str) -> str:
    """The pseudo-field holding a table row's stable item id."""
    return f"_item_{sheet_id}"


def field_index(spec: TemplateSpec) -> dict[str, tuple[Field, str, float | None]]:
    """Value field id → (field, label, item max points) for every locatable value (cached per spec)."""
    hit = _INDEX_CACHE.get(id(spec))
    if hit is None or hit[0] is not spec:  # an id reused by a newer spec is not a hit
        hit = _INDEX_CACHE[id(spec)] = (spec, _field_index(spec))
    return hit[1]


def _field_index(spec: TemplateSpec) -> dict[str, tuple[Field, str, float | None]]:
    index = {}
    for sheet in spec.sheets:
        for f in sheet.fields:
            index[f.id] = (f, f.label, None)
        for area in sheet.areas:
            for item in area.items:
                for c in area.columns:
                    mp = item.max_points if c.type == "score" else None
                    index[f"{item.id}.{c.id}"] = (c, f"{item.id.replace('_', '.')} {item.content[:24]}—{c.label}", mp)
        if sheet.kind == "table":
            for c in sheet.columns:
                index[c.id] = (c, c.label, None)
            item = item_field(sheet.id)
            index[item] = (Field(item, "事项编号"), "事项编号", None)
    return index


def lifecycle_sheet(spec: TemplateSpec) -> Sheet | None:
    """The template's rectification table (a table with a lifecycle), if it has one."""
    return next((s for s in spec.sheets if s.lifecycle is not None), None)


def item_ids(ret: Return, sheet: Sheet) -> dict[int, str | None]:
    """Table row → stable item id carried in the hidden column (None for new rows)."""
    rows = sorted({r for (fid, r), e in ret.entries.items() if e.sheet_id == sheet.id and r is not None})
    ids = {}
    for row in rows:
        e = ret.entries.get((item_field(sheet.id), row))
        ids[row] = e.value if e is not None and e.value else None
    return ids


def item_state(sheet: Sheet, values: dict[str, Any]) -> str:
    """open, in_progress or closed, from the lifecycle's status column."""
    status = display(values.get(sheet.lifecycle.status))
    if status in sheet.lifecycle.closed:
        return "closed"
    if status in sheet.lifecycle.in_progress:
        return "in_progress"
    return "open"
