"""`toolkit demo`: a complete campaign on the bundled samples, shown stage by stage."""

from __future__ import annotations

from pathlib import Path

from .. import pipeline
from ..i18n import define
from ..pipeline import DEMO_NAME, SAMPLES_DIR
from .stages import show, stage_bars

__all__ = ["run_demo", "SAMPLES_DIR", "DEMO_NAME"]

define("cli.demo", {"done": ("演示完成。请打开 {report} 查看考核报告，{out} 中还有汇总表、评分表和台账。",
                             "Demo done. Open {report}; {out} also holds the consolidated workbook, the scoring sheet and the ledger.")})


def run_demo(ctx, directory: Path) -> dict:
    """Create (or reuse) the demo campaign, generate, then collect the samples through to the report."""
    directory = Path(directory)
    with stage_bars(ctx) as bars:
        summary = pipeline.demo(directory, lang=ctx.lang, progress=bars, on_stage=lambda done: show(ctx, done, bars))
    ctx.say("cli.demo.done", report=directory / "out" / "report.html", out=directory / "out")
    return summary.as_json()
