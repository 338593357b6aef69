"""The campaign stamp: which campaign, year and round a generated workbook was issued for.

Generate writes it into every workbook (custom properties and the hidden ``_meta`` sheet, under
the names in :data:`STAMP_CARRIERS`); identification (:mod:`toolkit.read.identify`) reads it
back and refuses a workbook issued for another campaign. The format is the writer's, so it is
kept here and read from above.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..campaign.folder import Campaign
from ..codes import Detail

__all__ = ["Stamp", "STAMP_CARRIERS", "campaign_round", "campaign_stamp"]

# (stamp part, custom document property, key on the _meta sheet)
STAMP_CARRIERS = (("name", "toolkit_campaign", "campaign"), ("year", "toolkit_year", "year"),
                  ("round", "toolkit_round", "round"))


@dataclass(frozen=True)
class Stamp:
    """The campaign a workbook was issued for, as its carriers name it (a part left empty: not carried)."""

    name: str = ""
    year: str = ""
    round: str = ""

    def fits(self, campaign: "Stamp") -> bool:
        """True when every part this stamp carries is *campaign*'s."""
        return all(not mine or mine == theirs for mine, theirs in zip(self.normalised(), campaign.normalised()))

    def normalised(self) -> tuple[str, str, str]:
        """(name, year, round) as compared: width-folded name, numbers without a trailing ``.0``."""
        return (unicodedata.normalize("NFKC", self.name).strip(), _number(self.year), _number(self.round))

    def describe(self) -> Detail:
        """The detail of identify.other_campaign: the campaign, year and round the workbook names."""
        params = {"name": self.name or "?", "year": self.year or "?"}
        return Detail("round", params | {"round": self.round}) if self.round else Detail("", params)


def _number(text: str) -> str:
    """"2026", 2026.0 and " 2026 " alike (an office suite may store a property as a float)."""
    text = str(text).strip()
    return text[:-2] if re.fullmatch(r"\d+\.0", text) else text


def campaign_round(campaign: Campaign) -> int:
    """The campaign's round (1 unless `toolkit next` made it a later round of the same year)."""
    try:
        return int(campaign.config.get("round", 1) or 1)
    except (TypeError, ValueError):
        return 1


def campaign_stamp(campaign: Campaign) -> Stamp:
    """The campaign as its workbooks name it (name, year, round): what identification compares."""
    return Stamp(campaign.name, str(campaign.year), str(campaign_round(campaign)))
