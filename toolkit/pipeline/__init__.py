"""The pipeline: generate, then collect → validate → status → merge → score → report.

Plain functions over a :class:`~toolkit.campaign.folder.Campaign`, each returning a small summary
(counts, files written, what needs a person) from :mod:`.results`; none prints or exits. The
command line (:mod:`toolkit.cli`), the desk (:mod:`toolkit.desk`) and the Python API
(:mod:`toolkit.api`) all run the stages through here and only show what comes back.
"""

from .demo import DEMO_NAME, SAMPLES_DIR, DemoSamples, demo, demo_samples, open_demo
from .results import (
    Attention,
    CollectSummary,
    DemoCampaign,
    DemoSummary,
    GenerateSummary,
    MergeSummary,
    ReportSummary,
    ResolveSummary,
    RunSummary,
    ScoreSummary,
    StatusSummary,
    ValidateSummary,
)
from .stages import (
    OnStage,
    Progress,
    attention,
    collect,
    collect_validate_status,
    export_ledger,
    generate,
    merge,
    merge_score_report,
    report,
    resolve,
    run_all,
    score,
    status,
    validate,
)

__all__ = ["Progress", "OnStage", "generate", "collect", "validate", "status", "merge", "score", "report",
           "collect_validate_status", "merge_score_report", "run_all", "resolve", "attention",
           "export_ledger",
           "demo", "open_demo", "demo_samples", "DemoSamples", "SAMPLES_DIR", "DEMO_NAME",
           "GenerateSummary", "Attention", "CollectSummary", "ValidateSummary", "StatusSummary", "MergeSummary",
           "ScoreSummary", "ReportSummary", "RunSummary", "ResolveSummary", "DemoCampaign", "DemoSummary"]
