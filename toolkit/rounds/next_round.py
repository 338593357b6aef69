"""`toolkit next`: start the next round (or year) from a finished campaign."""

from __future__ import annotations

from pathlib import Path

from ..campaign.folder import Campaign, create_campaign, load_campaign
from ..errors import CampaignError

__all__ = ["next_campaign"]

_KEEP = ("contact", "phone", "return_to", "protect_password", "accept_versions")


def next_campaign(old_dir: Path, new_dir: Path, *, template: str | None = None, year: int | None = None,
                  name: str | None = None, deadline: str | None = None, lang: str = "zh") -> Campaign:
    """Create NEW_DIR as the round after OLD_DIR: same roster, ``previous`` pointing back."""
    old = load_campaign(old_dir)
    if Path(new_dir).resolve() == Path(old_dir).resolve():
        raise CampaignError(f"{new_dir}: the next round needs a new folder, not the previous campaign's")
    if not (old.dir / "toolkit.db").exists():
        raise CampaignError(f"{old.dir}: nothing was collected in this campaign yet; "
                            f"run `toolkit collect {old.dir} …` and `toolkit validate {old.dir}` first")
    year = year or old.year
    rnd = int(old.config.get("round", 1)) + 1
    tref = template or old.template_ref
    extra = {k: old.config[k] for k in _KEEP if k in old.config}
    extra.update({"previous": str(old.dir.resolve()), "round": rnd})
    if template is None and old.scoring:
        extra["scoring"] = old.scoring
    if name is None:
        name = f"{old.name}（第{rnd}轮）" if year == old.year and lang != "en" else (
            f"{old.name} (round {rnd})" if year == old.year else None)
    return create_campaign(new_dir, tref, old.dir / old.roster_file, year=year, name=name, deadline=deadline,
                           locale="en" if lang == "en" else "zh-CN", extra=extra)
