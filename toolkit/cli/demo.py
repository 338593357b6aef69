"""`toolkit demo`: a complete campaign on the bundled samples."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..campaign.folder import create_campaign, load_campaign
from ..errors import CampaignError

__all__ = ["run_demo", "SAMPLES_DIR", "DEMO_NAME"]

# package data (toolkit/samples/), found wherever the package is installed
SAMPLES_DIR = Path(str(resources.files("toolkit") / "samples"))
DEMO_NAME = "2026年度基层党组织建设考核（演示）"


def run_demo(directory: Path, ctx, generate, pipeline) -> dict:
    """Create (or reuse) the demo campaign, generate, then collect the samples through to the report."""
    directory = Path(directory)
    if (directory / "campaign.yaml").exists():
        campaign = load_campaign(directory)
        if campaign.name != DEMO_NAME or campaign.template_ref != "annual-assessment":
            # never pour the sample returns into somebody's real campaign
            raise CampaignError(f"{directory / 'campaign.yaml'}: {directory} holds the campaign {campaign.name!r}, "
                                f"not the demo; give `toolkit demo` a new folder")
        ctx.say(f"使用已有的演示任务 {directory}", f"Reusing the demo campaign in {directory}")
    else:
        campaign = create_campaign(directory, "annual-assessment", SAMPLES_DIR / "roster.csv", year=2026,
                                   name=DEMO_NAME, deadline="2026-12-20",
                                   locale="en" if ctx.lang == "en" else "zh-CN",
                                   extra={"contact": "组织部 王老师", "phone": "0571-88000000",
                                          "return_to": "电子邮件发送至 zzb@example.org"})
    summary = {"campaign": str(directory), "generated": len(generate(ctx, campaign))}
    summary.update(pipeline(ctx, campaign, [SAMPLES_DIR / "returns"]))
    ctx.say(f"演示完成。请打开 {directory / 'out' / 'report.html'} 查看考核报告，"
            f"{directory / 'out'} 中还有汇总表、评分表和台账。",
            f"Demo done. Open {directory / 'out' / 'report.html'}; {directory / 'out'} also holds the "
            f"consolidated workbook, the scoring sheet and the ledger.")
    return summary
