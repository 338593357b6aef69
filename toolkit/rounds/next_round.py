"""`toolkit next`: start the next round (or year) from a finished campaign."""

from __future__ import annotations

from pathlib import Path

from ..campaign.folder import Campaign, create_campaign, load_campaign
from ..errors import CampaignError
from ..i18n import Msg, define, locale_of, t

__all__ = ["next_campaign"]

define("rounds.next", {
    "name": ("{name}（第{round}轮）", "{name} (round {round})"),
    "same_folder": ("{dir}：下一轮需要一个新文件夹，不能用上一轮的考核任务文件夹", "{dir}: the next round needs a new folder, not the previous campaign's"),
    "nothing_collected": ("{dir}：此考核任务尚未收取任何报送；请先运行 `toolkit collect {dir} …` 和 `toolkit validate {dir}`",
                          "{dir}: nothing was collected in this campaign yet; run `toolkit collect {dir} …` and `toolkit validate {dir}` first"),
})

_KEEP = ("contact", "phone", "return_to", "protect_password", "accept_versions")


def next_campaign(old_dir: Path, new_dir: Path, *, template: str | None = None, year: int | None = None,
                  name: str | None = None, deadline: str | None = None, lang: str = "zh") -> Campaign:
    """Create NEW_DIR as the round after OLD_DIR: same roster, ``previous`` pointing back."""
    old = load_campaign(old_dir)
    if Path(new_dir).resolve() == Path(old_dir).resolve():
        raise CampaignError(Msg("rounds.next.same_folder", {"dir": new_dir}))
    if not (old.dir / "toolkit.db").exists():
        raise CampaignError(Msg("rounds.next.nothing_collected", {"dir": old.dir}))
    year = year or old.year
    rnd = int(old.config.get("round", 1)) + 1
    tref = template or old.template_ref
    extra = {k: old.config[k] for k in _KEEP if k in old.config}
    extra.update({"previous": str(old.dir.resolve()), "round": rnd})
    if template is None and old.scoring:
        extra["scoring"] = old.scoring
    if name is None:
        name = t("rounds.next.name", lang, name=old.name, round=rnd) if year == old.year else None
    return create_campaign(new_dir, tref, old.dir / old.roster_file, year=year, name=name, deadline=deadline,
                           locale=locale_of(lang), extra=extra)
