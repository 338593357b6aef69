"""Completing validate's stored output for returns it has not covered yet, without checking anew.

A return accepted after the last ``toolkit validate`` (or stored under a template edited since) has
no normalised values, and a ledger written before failed closings were stored has none for its
faulty returns. Merge, score, report and rounds read only what validate stored, so the pipeline
calls :func:`store_missing` before them: it normalises those returns and works out their failed
closings here, in validate, leaving out/issues.csv and the error counts (the unit states) as the
last validate left them.
"""

from __future__ import annotations

from ..campaign.carried import read_carry
from ..campaign.deadline import received_day
from ..campaign.folder import Campaign
from ..campaign.ledger import Ledger
from ..campaign.values import spec_key
from ..returned import lifecycle_sheet
from .checklist import failed_closings
from .stage import build_return, entries_of

__all__ = ["store_missing"]


def store_missing(campaign: Campaign) -> int:
    """Store the normalised values and failed closings validate has not stored; how many returns it took."""
    spec = campaign.template()
    key, sheet = spec_key(spec), lifecycle_sheet(spec)
    with Ledger(campaign.db_path) as ledger:
        counts = ledger.validation_counts()
        closings = ledger.failed_closings() if sheet is not None else {}
        todo = [f for f in ledger.accepted() if ledger.values_text(f.sha256, key) is None
                or (f.sha256 in closings and closings[f.sha256] is None)]
        if not todo:
            return 0
        carry, values, found = read_carry(campaign), [], {}
        for f in todo:
            sub = ledger.payload(f.sha256)
            if sub is None:
                continue
            ret = build_return(spec, sub, campaign.period, {"carry": carry.get(f.unit_code), "received_on": received_day(f.received_at)})
            if ledger.values_text(f.sha256, key) is None:
                values.append((f.sha256, entries_of(ret)))
            if f.sha256 in closings and closings[f.sha256] is None:  # only a return with errors can hold one
                found[f.sha256] = failed_closings(ret, sheet) if counts[f.sha256][0] else set()
        ledger.add_values(key, values)
        ledger.set_closings(found)
    return len(todo)
