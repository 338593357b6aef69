"""`toolkit report`: build the report's input from a campaign and write out/report.html."""

from __future__ import annotations

from pathlib import Path

from ..campaign.folder import Campaign
from ..campaign.ledger import Ledger
from .page import ReportInput, write_report

__all__ = ["report_campaign", "indicator_titles"]


def indicator_titles(campaign: Campaign) -> dict[str, str]:
    """Indicator id → title: the scoring scheme's titles over the template's item contents.

    A title is words only (the report shows the id beside it where an id helps)."""
    spec = campaign.template()
    titles = {item.id: item.content for s in spec.sheets for item in s.items}
    try:
        from ..score.scheme import load_scheme
        if campaign.scoring:
            scheme = load_scheme(campaign.scoring, campaign.dir)
            titles.update({i.id: i.title for i in scheme.indicators if getattr(i, "title", "")})
    except ImportError:
        pass
    return titles


def _generated_on(campaign: Campaign) -> str:
    """The date of the newest received file: the report changes only when the data does."""
    with Ledger(campaign.db_path) as ledger:
        newest = max((f.received_at[:10] for f in ledger.each_file() if f.received_at), default=None)
    return newest if newest else f"{campaign.year}-12-31"


def _reasons(campaign: Campaign, lang: str) -> dict[str, str]:
    """Unit code → why the unit is unusable or in review (status.csv has no column for it)."""
    from ..campaign.status import unit_statuses

    if not campaign.db_path.exists():
        return {}
    return {s.unit_code: s.reason for s in unit_statuses(campaign, lang) if s.reason}


def report_campaign(campaign: Campaign, lang: str = "zh") -> Path:
    phones = {u.code: u.phone for u in campaign.roster().units if u.phone}
    inp = ReportInput(campaign_name=campaign.name, year=campaign.year, generated_on=_generated_on(campaign),
                      out_dir=campaign.out, lang=lang, indicator_titles=indicator_titles(campaign), phones=phones,
                      reasons=_reasons(campaign, lang))
    return write_report(inp)
