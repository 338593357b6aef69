"""`toolkit demo`: a complete campaign on the bundled samples, shown stage by stage."""

from __future__ import annotations

from pathlib import Path

from .. import pipeline
from ..pipeline import DEMO_NAME, SAMPLES_DIR
from .stages import show, stage_bars

__all__ = ["run_demo", "SAMPLES_DIR", "DEMO_NAME"]


def run_demo(ctx, directory: Path) -> dict:
    """Create (or reuse) the demo campaign, generate, then collect the samples through to the report."""
    directory = Path(directory)
    with stage_bars(ctx) as bars:
        summary = pipeline.demo(directory, lang=ctx.lang, progress=bars, on_stage=lambda done: show(ctx, done, bars))
    ctx.say(f"演示完成。请打开 {directory / 'out' / 'report.html'} 查看考核报告，"
            f"{directory / 'out'} 中还有汇总表、评分表和台账。",
            f"Demo done. Open {directory / 'out' / 'report.html'}; {directory / 'out'} also holds the "
            f"consolidated workbook, the scoring sheet and the ledger.")
    return summary.as_json()
