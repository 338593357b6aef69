"""The stages in order — generate, collect, validate, status, merge, score, report — and ``run_all``.

Each takes a :class:`~toolkit.campaign.folder.Campaign`, writes what its command writes and returns
a summary from :mod:`toolkit.pipeline.results`. ``lang`` is the language of what the stage writes
for people. *progress*, when given, is called as ``progress(stage, n)`` with the items done since
its last call (status, merge, score and report count 1 when done). Nothing here prints or exits; mistakes
are the toolkit's exceptions. The stage modules are imported on first use, so a command loads only
the stages it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from ..campaign.lock import campaign_lock
from ..model import FileStatus
from .results import (
    Attention,
    CollectSummary,
    GenerateSummary,
    MergeSummary,
    ReportSummary,
    ResolveSummary,
    RunSummary,
    ScoreSummary,
    StatusSummary,
    ValidateSummary,
)

if TYPE_CHECKING:
    from ..campaign.folder import Campaign

__all__ = ["Progress", "OnStage", "generate", "collect", "validate", "status", "merge", "score", "report",
           "collect_validate_status", "merge_score_report", "validated", "run_all", "resolve", "attention", "export_ledger"]

Progress = Callable[[str, int], None]
OnStage = Callable[[object], None]  # called with each stage's summary as the stage finishes

# a person settles these (review) or looks at them (unidentified, rejected)
_ATTENTION = (FileStatus.REVIEW, FileStatus.UNIDENTIFIED, FileStatus.REJECTED)


def _counter(progress: Progress | None, stage: str) -> Callable[[int], None] | None:
    return (lambda n=1: progress(stage, n)) if progress else None


def generate(campaign: Campaign, *, lang: str = "zh", progress: Progress | None = None) -> GenerateSummary:
    """One prefilled workbook per unit in outbox/ and outbox/manifest.csv, with what a later round
    carries over from the round before (worked out here, above both, and handed to generate)."""
    from ..campaign.folder import unfilled_contact
    from ..generate.outbox import generate_outbox
    from ..rounds.carry import carry_over, previous_campaign
    previous = previous_campaign(campaign)
    if previous is not None:  # the carry reads what last round's validate stored
        validated(previous)
    rows = generate_outbox(campaign, carry=carry_over(campaign), lang=lang, progress=_counter(progress, "generate"))
    return GenerateSummary(len(rows), campaign.outbox, campaign.outbox / "manifest.csv",
                           tuple(unfilled_contact(campaign)))


def collect(campaign: Campaign, sources: Iterable[str | Path] = (), *, lang: str = "zh",
            progress: Progress | None = None, runner=None) -> CollectSummary:
    """Take files, folders and archives into the ledger and write out/ledger.csv.

    No sources: nothing new is taken in, but files held back (a unit then missing from the roster)
    are identified again. *runner* replaces the local reading pool (``toolkit collect --dask``).
    """
    from ..read.collect import collect as collect_files
    sources = [str(s) for s in sources]
    result = collect_files(campaign, sources, progress=_counter(progress, "collect"), runner=runner)
    ledger_csv = export_ledger(campaign, lang)
    return CollectSummary(result.offered, result.new, result.counts, len(sources), ledger_csv,
                          tuple(attention(campaign, lang)))


def attention(campaign: Campaign, lang: str = "zh") -> list[Attention]:
    """The files under review, unidentified or rejected, each with the reason in *lang*."""
    from ..campaign.ledger import Ledger
    from ..codes import reason_message
    message = reason_message(lang)
    with Ledger(campaign.db_path) as ledger:
        rows = [f for f in ledger.each_file() if f.status in _ATTENTION]
    return [Attention(f.sha256, f.status, f.source, message(f.reason_code, f.detail)) for f in rows]


def validated(campaign: Campaign) -> int:
    """Complete what validate stored before a later stage reads it: the normalised values of returns
    accepted since the last validate (or stored under an edited template) and the failed closings a
    ledger validated by an earlier version lacks. Error counts, issues.csv and the unit states stay
    as the last validate left them. Merge, score, report and rounds read only the stored output and
    never call validate's code: the pipeline runs it for them. How many returns it completed."""
    from ..validate.stored import store_missing
    return store_missing(campaign)


def export_ledger(campaign: Campaign, lang: str = "zh") -> Path:
    """out/ledger.csv as the ledger stands; its path."""
    from ..read.collect import export_ledger as write_ledger_csv
    return write_ledger_csv(campaign, lang)


def validate(campaign: Campaign, *, lang: str = "zh", progress: Progress | None = None) -> ValidateSummary:
    """Check every accepted return; out/issues.csv and a feedback workbook for each faulty unit."""
    from ..feedback.workbooks import FeedbackWriter
    from ..validate.stage import validate_campaign
    writer = FeedbackWriter(campaign, lang)  # each faulty return's workbook made as it is checked, none kept
    result = validate_campaign(campaign, lang, progress=_counter(progress, "validate"), feedback=writer.add)
    index = writer.finish()
    counts = result.per_file.values()
    return ValidateSummary(returns=len(result.per_file), faulty=sum(1 for e, _ in counts if e),
                           errors=sum(e for e, _ in counts), warnings=sum(w for _, w in counts),
                           codes=result.counts_by_code(), feedback=len(index),
                           issues_csv=campaign.out / "issues.csv", feedback_dir=campaign.feedback)


def status(campaign: Campaign, *, lang: str = "zh", progress: Progress | None = None) -> StatusSummary:
    """Every roster unit's state: out/status.csv and out/chase-list.xlsx, and what makes them doubtful."""
    from ..campaign.ledger import Ledger
    from ..campaign.status import unit_statuses, write_status
    statuses = unit_statuses(campaign, lang)
    files = write_status(campaign, statuses, lang)
    if progress:
        progress("status", 1)
    with Ledger(campaign.db_path) as ledger:
        checked, accepted = ledger.validation_counts(), ledger.accepted()
    units = campaign.roster().by_code()
    return StatusSummary(tuple(statuses), tuple(files),
                         unchecked=sum(1 for f in accepted if f.sha256 not in checked),
                         outside=tuple(sorted({f.unit_code for f in accepted if f.unit_code not in units})))


def merge(campaign: Campaign, *, lang: str = "zh", progress: Progress | None = None, merged=None) -> MergeSummary:
    """out/values.csv, out/totals.csv and out/consolidated.xlsx. *merged*: the returns already loaded."""
    from ..merge.stage import merge_campaign
    if merged is None:
        validated(campaign)
    done = merge_campaign(campaign, lang, merged)
    if progress:
        progress("merge", 1)
    return MergeSummary(done["units"], done["returned"], done["values"], done.get("rectification_items"),
                        tuple(campaign.out / name for name in ("values.csv", "totals.csv", "consolidated.xlsx")))


def score(campaign: Campaign, *, lang: str = "zh", progress: Progress | None = None, merged=None) -> ScoreSummary:
    """out/scores.csv, out/score_trace.csv and out/scoring-sheet.xlsx (a ConfigError without a scheme)."""
    from ..score.stage import score_campaign
    if merged is None:
        validated(campaign)
    result = score_campaign(campaign, lang, merged)
    if progress:
        progress("score", 1)
    grades: dict[str, int] = {}
    for row in result.scores:
        if row["grade"]:
            grades[row["grade"]] = grades.get(row["grade"], 0) + 1
    return ScoreSummary(scored=sum(1 for r in result.scores if r["total"] not in ("", None)), grades=grades,
                        vetoed=[r["unit_code"] for r in result.scores if r["vetoed"] in (True, "true")],
                        warnings=[str(w) for w in result.warnings],
                        files=tuple(campaign.out / name for name in ("scores.csv", "score_trace.csv",
                                                                     "scoring-sheet.xlsx")))


def report(campaign: Campaign, *, lang: str = "zh", progress: Progress | None = None) -> ReportSummary:
    """out/report.html."""
    from ..report.stage import report_campaign
    validated(campaign)
    path = report_campaign(campaign, lang)
    if progress:
        progress("report", 1)
    return ReportSummary(Path(path))


def merge_score_report(campaign: Campaign, *, lang: str = "zh", progress: Progress | None = None,
                       on_stage: OnStage | None = None) -> tuple[MergeSummary, ScoreSummary | None, ReportSummary]:
    """merge, score (only with a scoring scheme) and report, the returns read and normalised once for both
    merge and score."""
    from ..merge.stage import load_merged
    tell = on_stage or (lambda summary: None)
    validated(campaign)
    merged = load_merged(campaign)
    merged_summary = merge(campaign, lang=lang, progress=progress, merged=merged)
    tell(merged_summary)
    scored = None
    if campaign.scoring:
        scored = score(campaign, lang=lang, progress=progress, merged=merged)
        tell(scored)
    del merged  # the report reads what merge and score wrote
    reported = report(campaign, lang=lang, progress=progress)
    tell(reported)
    return merged_summary, scored, reported


def collect_validate_status(campaign: Campaign, sources: Iterable[str | Path] = (), *, lang: str = "zh",
                            progress: Progress | None = None, on_stage: OnStage | None = None,
                            ) -> tuple[CollectSummary, ValidateSummary, StatusSummary]:
    """collect, validate and status: what a run does first, and what the desk does with an upload."""
    tell = on_stage or (lambda summary: None)
    with campaign_lock(campaign.dir):
        collected = collect(campaign, sources, lang=lang, progress=progress)
        tell(collected)
        validated = validate(campaign, lang=lang, progress=progress)
        tell(validated)
        states = status(campaign, lang=lang, progress=progress)
        tell(states)
    return collected, validated, states


def run_all(campaign: Campaign, sources: Iterable[str | Path] = (), *, lang: str = "zh",
            progress: Progress | None = None, on_stage: OnStage | None = None) -> RunSummary:
    """``toolkit run``: collect *sources* (none: work on what is collected), validate, status, merge,
    score (with a scoring scheme) and report, holding the campaign's lock throughout.

    *on_stage* is called with each stage's summary as soon as the stage is done.
    """
    with campaign_lock(campaign.dir):
        taken = collect_validate_status(campaign, sources, lang=lang, progress=progress, on_stage=on_stage)
        finished = merge_score_report(campaign, lang=lang, progress=progress, on_stage=on_stage)
    return RunSummary(*taken, *finished)


def resolve(campaign: Campaign, sha256: str, *, unit: str | None, reason: str = "", force: bool = False,
            lang: str = "zh") -> ResolveSummary:
    """Credit a file under review to *unit*, or reject it (unit None) with *reason*; out/ledger.csv again.

    A *sha256* prefix will do when it names one file; crediting a file whose carriers name another
    unit or campaign is refused (a ConfigError) unless *force*.
    """
    from ..read.resolve import resolve_file
    sha, earlier = resolve_file(campaign, sha256, unit=unit, reason=reason, force=force)
    return ResolveSummary(sha, unit or "", earlier, export_ledger(campaign, lang))
