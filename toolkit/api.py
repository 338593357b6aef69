"""The stages for Python callers: the public face of :mod:`toolkit.pipeline`, which the commands run too.

Each function takes a :class:`~toolkit.campaign.folder.Campaign` (from :func:`open_campaign` or
:func:`create_campaign`), writes the same files as its command, prints nothing and returns the
stage's summary (counts, files written, what needs a person; see :mod:`toolkit.pipeline.results`);
``lang`` picks the language of what the stage writes for people (issue messages, workbooks, the
report), as ``--lang`` does.
Errors are the toolkit's own exceptions (:class:`toolkit.errors.ToolkitError` and its kinds),
which carry the message the command line would print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from . import pipeline
from .campaign.folder import Campaign, load_campaign
from .campaign.folder import create_campaign as _create

__all__ = ["open_campaign", "create_campaign", "run_generate", "run_collect", "run_validate", "run_status",
           "run_merge", "run_score", "run_report", "run_pipeline", "run_resolve", "demo_samples", "DemoSamples"]


def open_campaign(directory: str | Path) -> Campaign:
    """The campaign in DIR (its campaign.yaml); a folder that is not one raises CampaignError."""
    return load_campaign(directory)


def create_campaign(directory: str | Path, template: str, roster: str | Path, *, year: int | None = None,
                    name: str | None = None, deadline: str | None = None, locale: str = "zh-CN",
                    contact: str | None = None, phone: str | None = None,
                    return_to: str | None = None) -> Campaign:
    """A new campaign folder, as ``toolkit init`` makes it (refuses to overwrite another campaign)."""
    extra = {k: v for k, v in (("contact", contact), ("phone", phone), ("return_to", return_to)) if v}
    return _create(directory, template, roster, year=year, name=name, deadline=deadline, locale=locale,
                   extra=extra or None)


def run_generate(campaign: Campaign, *, lang: str = "zh") -> pipeline.GenerateSummary:
    """One prefilled workbook per unit in outbox/ and outbox/manifest.csv."""
    return pipeline.generate(campaign, lang=lang)


def _counted(progress: Callable[[int], None] | None):
    """The pipeline's ``progress(stage, n)`` for a caller who follows one stage: ``progress(n)``."""
    return (lambda stage, n: progress(n)) if progress else None


def run_collect(campaign: Campaign, sources: Iterable[str | Path], *, lang: str = "zh",
                progress: Callable[[int], None] | None = None) -> pipeline.CollectSummary:
    """Take files, folders and archives into the ledger; writes out/ledger.csv.

    *progress*, when given, is called with the number of files done since its last call.
    """
    return pipeline.collect(campaign, sources, lang=lang, progress=_counted(progress))


def run_validate(campaign: Campaign, *, lang: str = "zh",
                 progress: Callable[[int], None] | None = None) -> pipeline.ValidateSummary:
    """Check every accepted return; writes out/issues.csv and feedback/.

    *progress*, when given, is called with the number of returns checked since its last call.
    """
    return pipeline.validate(campaign, lang=lang, progress=_counted(progress))


def run_status(campaign: Campaign, *, lang: str = "zh") -> pipeline.StatusSummary:
    """Every roster unit's state (iterate it for the ``UnitStatus`` rows); writes out/status.csv and
    out/chase-list.xlsx."""
    return pipeline.status(campaign, lang=lang)


def run_merge(campaign: Campaign, *, lang: str = "zh") -> pipeline.MergeSummary:
    """out/values.csv, out/totals.csv and out/consolidated.xlsx."""
    return pipeline.merge(campaign, lang=lang)


def run_score(campaign: Campaign, *, lang: str = "zh") -> pipeline.ScoreSummary:
    """out/scores.csv, out/score_trace.csv and out/scoring-sheet.xlsx."""
    return pipeline.score(campaign, lang=lang)


def run_report(campaign: Campaign, *, lang: str = "zh") -> pipeline.ReportSummary:
    """out/report.html (its ``path``)."""
    return pipeline.report(campaign, lang=lang)


def run_pipeline(campaign: Campaign, sources: Iterable[str | Path] = (), *, lang: str = "zh") -> dict:
    """``toolkit run``: collect *sources* (none: work on what is collected), validate, status, merge,
    score (when the campaign has a scoring scheme) and report, holding the campaign's lock throughout.

    Returns each stage's summary under its name (``score`` only when scored).
    """
    return pipeline.run_all(campaign, sources, lang=lang).by_stage()


def run_resolve(campaign: Campaign, sha256: str, *, unit: str | None = None, reason: str = "",
                force: bool = False, lang: str = "zh") -> pipeline.ResolveSummary:
    """``toolkit resolve``: credit a file under review to *unit*, or reject it (no unit) with *reason*;
    writes out/ledger.csv. Run validate and status after it for the unit's state to follow."""
    return pipeline.resolve(campaign, sha256, unit=unit, reason=reason, force=force, lang=lang)


demo_samples = pipeline.demo_samples
DemoSamples = pipeline.DemoSamples
