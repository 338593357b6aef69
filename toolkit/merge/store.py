"""Returns rebuilt from the normalised values validate stored in the ledger.

Validate normalises each accepted return once and stores its entries (toolkit.campaign.values);
merge, score and report rebuild a :class:`Return` from them with the spec's field index only,
never normalising again. A return without stored values (validate not run since it was
accepted, or run under a template edited since) is normalised on the way: the one path that
still uses validate's builder, so merging never depends on the order the commands ran in.
"""

from __future__ import annotations

from ..campaign.values import decode_entries
from ..model import Entry, Return
from ..returned import field_index
from ..spec.model import TemplateSpec

__all__ = ["stored_return"]


_SHARED: dict = {}


def stored_return(spec: TemplateSpec, text: str, period: tuple = ()) -> Return:
    """A stored return for merging and scoring: entries and values (the findings and parse issues
    are validate's output; a caller that checks again normalises the payload itself)."""
    index = field_index(spec)
    shared = _SHARED.setdefault  # the same names and cells in every return: one string each, not per return
    entries: dict[tuple[str, int | None], Entry] = {}
    for sheet_id, fid, row, sheet, cell, raw, value in decode_entries(text):
        f, label, item_max = index[fid]
        fid = shared(fid, fid)
        if raw.__class__ is str:  # 是, 会议记录第3页, 党支部: typed alike by many units
            raw = shared(raw, raw)
        if value.__class__ is str:
            value = shared(value, value)
        key = (fid, row)
        entries[shared(key, key)] = Entry(shared(sheet_id, sheet_id), fid, row, shared(sheet, sheet), shared(cell, cell),
                                    raw, f, label, value, item_max)
    return Return(spec, entries, [], [], period, {})
