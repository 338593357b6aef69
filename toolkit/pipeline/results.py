"""What each stage of the pipeline answers: small frozen records of counts, files written and what
needs a person, with ``as_json()`` giving the command's ``--json`` summary of that stage.

Each record names its stage in ``stage``, so one callback can follow a whole run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Iterator

from ..model import UnitState

if TYPE_CHECKING:  # a summary is made only after its stage ran; importing it loads no stage
    from ..campaign.status import UnitStatus

__all__ = ["GenerateSummary", "Attention", "CollectSummary", "ValidateSummary", "StatusSummary", "MergeSummary",
           "ScoreSummary", "ReportSummary", "RunSummary", "ResolveSummary", "DemoCampaign", "DemoSummary"]


@dataclass(frozen=True)
class GenerateSummary:
    """outbox/: one prefilled workbook per unit and manifest.csv."""

    stage: ClassVar[str] = "generate"
    workbooks: int
    outbox: Path
    manifest: Path
    unfilled: tuple[str, ...] = ()  # contact keys the instructions print but campaign.yaml leaves empty


@dataclass(frozen=True)
class Attention:
    """A file a person must settle (under review) or look at (unidentified, rejected), and why."""

    sha256: str
    status: str
    source: str
    why: str  # the ledger's reason in the language asked for: what happened and what to do


@dataclass(frozen=True)
class CollectSummary:
    """The ledger after a collect, and out/ledger.csv."""

    stage: ClassVar[str] = "collect"
    offered: int                 # files offered (archive members counted, archives not)
    new: int                     # of them, new to the ledger
    counts: dict[str, int]       # every ledger row by status
    sources: int                 # sources given (none: the run works on what is collected)
    ledger_csv: Path
    attention: tuple[Attention, ...] = ()

    def as_json(self) -> dict:
        return {"offered": self.offered, "new": self.new, "collected": self.counts}


@dataclass(frozen=True)
class ValidateSummary:
    """out/issues.csv and the feedback workbooks of the faulty units."""

    stage: ClassVar[str] = "validate"
    returns: int                 # accepted returns checked
    faulty: int                  # of them, with errors
    errors: int
    warnings: int
    codes: dict[str, int]        # issues by code
    feedback: int                # units given a 退回修改 workbook
    issues_csv: Path
    feedback_dir: Path

    def as_json(self) -> dict:
        return {"returns": self.returns, "faulty": self.faulty, "errors": self.errors, "warnings": self.warnings,
                "codes": self.codes}


@dataclass(frozen=True)
class StatusSummary:
    """Every roster unit's state; out/status.csv and out/chase-list.xlsx. Iterates over the units."""

    stage: ClassVar[str] = "status"
    units: tuple[UnitStatus, ...]
    files: tuple[Path, ...]
    unchecked: int = 0                     # accepted returns not validated yet: the states may be stale
    outside: tuple[str, ...] = ()          # accepted returns of units no longer in the roster

    def __iter__(self) -> Iterator[UnitStatus]:
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    @property
    def counts(self) -> dict[str, int]:
        """Units by state, in the order the states first occur (as ``toolkit status --json`` has them)."""
        counts: dict[str, int] = {}
        for s in self.units:
            counts[s.state] = counts.get(s.state, 0) + 1
        return counts

    def codes(self, state: UnitState) -> list[str]:
        return [s.unit_code for s in self.units if s.state == state]

    @property
    def late(self) -> list[str]:
        return [s.unit_code for s in self.units if s.late]

    def as_json(self) -> dict:
        return {"units": len(self.units), "state": self.counts,
                **{str(state): self.codes(state) for state in
                   (UnitState.MISSING, UnitState.UNUSABLE, UnitState.REVIEW, UnitState.FAULTY)},
                "late": self.late}


@dataclass(frozen=True)
class MergeSummary:
    """out/values.csv, out/totals.csv and out/consolidated.xlsx (and the rectification items)."""

    stage: ClassVar[str] = "merge"
    units: int
    returned: int
    values: int                            # rows of values.csv
    rectification_items: int | None = None  # only for a template with a rectification ledger
    files: tuple[Path, ...] = ()

    def as_json(self) -> dict:
        answer = {"units": self.units, "returned": self.returned, "values": self.values}
        if self.rectification_items is not None:
            answer["rectification_items"] = self.rectification_items
        return answer


@dataclass(frozen=True)
class ScoreSummary:
    """out/scores.csv, out/score_trace.csv and out/scoring-sheet.xlsx."""

    stage: ClassVar[str] = "score"
    scored: int                  # units with a total
    grades: dict[str, int]       # graded units by grade
    vetoed: list[str]
    warnings: list[str]          # what in the scheme or the adjustments could not be applied
    files: tuple[Path, ...] = ()

    def as_json(self) -> dict:
        return {"scored": self.scored, "grades": self.grades, "vetoed": self.vetoed, "warnings": self.warnings}


@dataclass(frozen=True)
class ReportSummary:
    """out/report.html."""

    stage: ClassVar[str] = "report"
    path: Path

    def __fspath__(self) -> str:
        return str(self.path)

    def as_json(self) -> dict:
        return {"report": str(self.path)}


@dataclass(frozen=True)
class RunSummary:
    """``toolkit run``: each stage's summary (``score`` None without a scoring scheme)."""

    collect: CollectSummary
    validate: ValidateSummary
    status: StatusSummary
    merge: MergeSummary
    score: ScoreSummary | None
    report: ReportSummary

    def by_stage(self) -> dict:
        """Each stage's summary under its name, ``score`` only when scored."""
        stages = {"collect": self.collect, "validate": self.validate, "status": self.status,
                  "merge": self.merge, "score": self.score, "report": self.report}
        return {name: s for name, s in stages.items() if s is not None}

    def as_json(self) -> dict:
        answer = {"collected": self.collect.counts, "faulty": self.validate.faulty,
                  "state": self.status.counts, "merge": self.merge.as_json()}
        if self.score is not None:
            answer["scored"] = self.score.scored
        answer["report"] = str(self.report.path)
        return answer


@dataclass(frozen=True)
class ResolveSummary:
    """The office's decision on a file, recorded; out/ledger.csv written again."""

    stage: ClassVar[str] = "resolve"
    sha256: str
    unit_code: str                         # empty for a rejection
    earlier: tuple[str, str, str, str, str] | None  # the decision it replaced: action, unit, reason, who, at
    ledger_csv: Path

    @property
    def action(self) -> str:
        return "assign" if self.unit_code else "reject"


@dataclass(frozen=True)
class DemoCampaign:
    """The demo's campaign folder, made new or found from an earlier demo."""

    stage: ClassVar[str] = "demo"
    directory: Path
    reused: bool
    units: int  # in its roster: the workbooks generate will write


@dataclass(frozen=True)
class DemoSummary:
    campaign: DemoCampaign
    generate: GenerateSummary
    run: RunSummary = field(repr=False)

    def as_json(self) -> dict:
        return {"campaign": str(self.campaign.directory), "generated": self.generate.workbooks, **self.run.as_json()}
