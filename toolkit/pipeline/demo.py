"""`toolkit demo`: a complete campaign on the bundled samples, from the roster to the report."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..errors import CampaignError
from ..i18n import Msg, define, locale_of
from .results import DemoCampaign, DemoSummary
from .stages import OnStage, Progress, generate, run_all

if TYPE_CHECKING:
    from ..campaign.folder import Campaign

__all__ = ["SAMPLES_DIR", "DEMO_NAME", "DemoSamples", "demo_samples", "open_demo", "demo"]

# package data (toolkit/samples/), found wherever the package is installed
SAMPLES_DIR = Path(str(resources.files("toolkit") / "samples"))
DEMO_NAME = "2026年度基层党组织建设考核（演示）"

define("pipeline", {"not_demo": ("{path}：{dir} 中是考核任务 {name}，不是演示任务；请为 `toolkit demo` 指定一个新文件夹",
                                "{path}: {dir} holds the campaign {name}, not the demo; give `toolkit demo` a new folder")})


class DemoSamples(NamedTuple):
    """What ``toolkit demo`` builds its campaign from; the sample returns belong to that campaign
    (its name and year), so a campaign made with other ones rejects them as another campaign's."""

    roster: Path
    returns: Path
    template: str
    name: str
    year: int
    deadline: str


def demo_samples() -> DemoSamples:
    """The bundled demo's roster, its folder of sample returns and the campaign they were made for."""
    return DemoSamples(SAMPLES_DIR / "roster.csv", SAMPLES_DIR / "returns", "annual-assessment", DEMO_NAME,
                       2026, "2026-12-20")


def open_demo(directory: str | Path, *, lang: str = "zh") -> tuple[Campaign, DemoCampaign]:
    """The demo campaign in *directory*: made new, or the one an earlier demo made there (never another)."""
    from ..campaign.folder import create_campaign, load_campaign
    directory = Path(directory)
    samples = demo_samples()
    if (directory / "campaign.yaml").exists():
        campaign = load_campaign(directory)
        if campaign.name != DEMO_NAME or campaign.template_ref != samples.template:
            # never pour the sample returns into somebody's real campaign
            raise CampaignError(Msg("pipeline.not_demo", {"path": directory / "campaign.yaml", "dir": directory,
                                                          "name": repr(campaign.name)}))
        return campaign, DemoCampaign(directory, True, len(campaign.roster().units))
    campaign = create_campaign(directory, samples.template, samples.roster, year=samples.year, name=DEMO_NAME,
                               deadline=samples.deadline, locale=locale_of(lang),
                               extra={"contact": "组织部 王老师", "phone": "0571-88000000",
                                      "return_to": "电子邮件发送至 zzb@example.org"})
    return campaign, DemoCampaign(directory, False, len(campaign.roster().units))


def demo(directory: str | Path, *, lang: str = "zh", progress: Progress | None = None,
         on_stage: OnStage | None = None) -> DemoSummary:
    """Open the demo campaign, generate its workbooks, then collect the sample returns through to the report."""
    tell = on_stage or (lambda summary: None)
    campaign, opened = open_demo(directory, lang=lang)
    tell(opened)
    generated = generate(campaign, lang=lang, progress=progress)
    tell(generated)
    run = run_all(campaign, [demo_samples().returns], lang=lang, progress=progress, on_stage=on_stage)
    return DemoSummary(opened, generated, run)
