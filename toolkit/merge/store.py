"""Returns rebuilt from what validate stored in the ledger: normalised values and failed closings.

Validate normalises each accepted return once and stores its entries (toolkit.campaign.values);
merge, score, report and rounds rebuild a :class:`Return` from them with the spec's field index
only, never with validate's code. A return validate has not stored (not run since the return was
accepted, or run under a template edited since, or by a version that stored no failed closings)
is an error here: :func:`toolkit.pipeline.stages.merge` and the other stages complete the store
first (:func:`toolkit.validate.stored.store_missing`), so the commands keep working in any order.
"""

from __future__ import annotations

from ..campaign.folder import Campaign
from ..campaign.ledger import FileRow
from ..campaign.values import decode_entries
from ..errors import CampaignError
from ..i18n import Msg, define
from ..model import Entry, Return
from ..returned import field_index
from ..spec.model import TemplateSpec

__all__ = ["stored_return", "not_stored"]

define("merge.store", {
    "values": ("{unit}：已接收的报送 {source} 还没有校验后的数值（校验后才收到，或模板已改动）；请先运行 toolkit validate",
               "{unit}: the accepted return {source} has no validated values (received after the last validate, or "
               "the template changed since); run toolkit validate first"),
    "closings": ("{unit}：台账由旧版本校验，未记下报送 {source} 中未通过校验的销号；请重新运行 toolkit validate",
                 "{unit}: the ledger was validated by an earlier version, which did not store the failed closings "
                 "of the return {source}; run toolkit validate again"),
})


def not_stored(what: str, f: FileRow, campaign: Campaign | None = None) -> CampaignError:
    """The error for a return validate has not stored *what* (values or closings) for."""
    where = f"{campaign.dir}: " if campaign is not None else ""
    return CampaignError(Msg(f"merge.store.{what}", {"unit": f"{where}{f.unit_code}", "source": f.source}))


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
