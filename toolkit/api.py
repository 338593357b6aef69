"""The stages for Python callers: the same work and the same output files as the commands, no printing.

Each function takes a :class:`~toolkit.campaign.folder.Campaign` (from :func:`open_campaign` or
:func:`create_campaign`) and returns the stage's own result object; ``lang`` picks the language
of what the stage writes for people (issue messages, workbooks, the report), as ``--lang`` does.
Errors are the toolkit's own exceptions (:class:`toolkit.errors.ToolkitError` and its kinds),
which carry the message the command line would print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, NamedTuple

from .campaign.folder import Campaign, load_campaign
from .campaign.folder import create_campaign as _create
from .campaign.lock import campaign_lock

__all__ = ["open_campaign", "create_campaign", "run_generate", "run_collect", "run_validate", "run_status",
           "run_merge", "run_score", "run_report", "run_pipeline", "demo_samples", "DemoSamples"]


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


def run_generate(campaign: Campaign, *, lang: str = "zh") -> list[dict[str, str]]:
    """One prefilled workbook per unit in outbox/ and outbox/manifest.csv; the manifest rows."""
    from .generate.outbox import generate_outbox
    return generate_outbox(campaign, lang=lang)


def run_collect(campaign: Campaign, sources: Iterable[str | Path], *, lang: str = "zh", progress=None):
    """Take files, folders and archives into the ledger; writes out/ledger.csv. A ``CollectResult``.

    *progress*, when given, is called with the number of files done since its last call.
    """
    from .read.collect import collect as do_collect
    from .read.collect import export_ledger
    result = do_collect(campaign, [str(s) for s in sources], progress=progress)
    export_ledger(campaign, lang)
    return result


def run_validate(campaign: Campaign, *, lang: str = "zh", progress=None):
    """Check every accepted return; writes out/issues.csv and feedback/. A ``ValidationResult``.

    *progress*, when given, is called with the number of returns checked since its last call.
    """
    from .feedback.workbooks import write_feedback
    from .validate.stage import validate_campaign
    result = validate_campaign(campaign, lang, progress=progress)
    write_feedback(campaign, result, lang)
    return result


def run_status(campaign: Campaign, *, lang: str = "zh") -> list:
    """Every roster unit's state; writes out/status.csv and out/chase-list.xlsx. ``UnitStatus`` rows."""
    from .campaign.status import unit_statuses, write_status
    statuses = unit_statuses(campaign, lang)
    write_status(campaign, statuses, lang)
    return statuses


def run_merge(campaign: Campaign, *, lang: str = "zh", merged=None) -> dict:
    """out/values.csv, out/totals.csv and out/consolidated.xlsx; a summary (units, returned)."""
    from .merge.stage import merge_campaign
    return merge_campaign(campaign, lang, merged)


def run_score(campaign: Campaign, *, lang: str = "zh", merged=None):
    """out/scores.csv, out/score_trace.csv and out/scoring-sheet.xlsx. A ``ScoreResult``."""
    from .score.stage import score_campaign
    return score_campaign(campaign, lang, merged)


def run_report(campaign: Campaign, *, lang: str = "zh") -> Path:
    """out/report.html; its path."""
    from .report.stage import report_campaign
    return report_campaign(campaign, lang)


def run_pipeline(campaign: Campaign, sources: Iterable[str | Path] = (), *, lang: str = "zh") -> dict:
    """``toolkit run``: collect *sources* (none: work on what is collected), validate, status, merge,
    score (when the campaign has a scoring scheme) and report, holding the campaign's lock throughout.

    Returns each stage's result under its name (``score`` only when scored).
    """
    from .merge.stage import load_merged
    with campaign_lock(campaign.dir):
        results: dict = {"collect": run_collect(campaign, list(sources), lang=lang),
                         "validate": run_validate(campaign, lang=lang), "status": run_status(campaign, lang=lang)}
        merged = load_merged(campaign)  # read and normalised once for both merge and score
        results["merge"] = run_merge(campaign, lang=lang, merged=merged)
        if campaign.scoring:
            results["score"] = run_score(campaign, lang=lang, merged=merged)
        results["report"] = run_report(campaign, lang=lang)
    return results


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
    from .cli.demo import DEMO_NAME, SAMPLES_DIR
    return DemoSamples(SAMPLES_DIR / "roster.csv", SAMPLES_DIR / "returns", "annual-assessment", DEMO_NAME,
                       2026, "2026-12-20")
