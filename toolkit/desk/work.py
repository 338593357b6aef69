"""What the desk does to a campaign: the stages of :mod:`toolkit.pipeline`, as the CLI runs them.

Every name the desk takes from the rest of the toolkit is imported here, so the pages never
reach into a stage themselves. The writing functions (``take_in``, ``settle``, ``results``)
run only on the desk's job thread (see :mod:`toolkit.desk.jobs`), which holds the campaign lock.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import pipeline
from ..campaign.folder import Campaign, load_campaign
from ..campaign.ledger import Ledger
from ..campaign.lock import CampaignBusy, campaign_lock
from ..campaign.status import UnitState, state_text, unit_statuses
from ..codes import reason_message, title
from ..errors import ConfigError, ToolkitError
from ..intake.archive import Limits
from ..model import FileStatus
from ..spec.describe import describe_spec

__all__ = ["Campaign", "load_campaign", "ConfigError", "ToolkitError", "CampaignBusy", "campaign_lock", "Limits",
           "UnitState", "STATES", "overview", "unit_rows", "unit_detail", "review_items", "outcome_of",
           "take_in", "settle", "results", "refresh_status", "reason_title", "Overview"]

STATES = [UnitState.ACCEPTED, UnitState.FAULTY, UnitState.REVIEW, UnitState.UNUSABLE, UnitState.MISSING]


def reason_title(code: str, lang: str) -> str:
    try:
        return title(code, lang) if code else ""
    except KeyError:
        return code


# --------------------------------------------------------------------------- reading (any thread)


@dataclass
class Overview:
    units: int
    counts: dict[str, int]
    late: int
    days_left: int | None
    deadline: str
    groups: list[tuple[str, dict[str, int]]] = field(default_factory=list)


def overview(campaign: Campaign, lang: str, today: dt.date | None = None) -> Overview:
    """Counts of units by state, late returns, days to the deadline, and the same counts by group."""
    statuses = unit_statuses(campaign, lang)
    counts = {s: 0 for s in STATES}
    groups: dict[str, dict[str, int]] = {}
    for s in statuses:
        counts[s.state] += 1
        group = groups.setdefault(s.group, {k: 0 for k in STATES} | {"late": 0, "units": 0})
        group[s.state] += 1
        group["units"] += 1
        group["late"] += bool(s.late)
    days_left = None
    if campaign.deadline:
        try:
            days_left = (dt.date.fromisoformat(str(campaign.deadline)[:10]) - (today or dt.date.today())).days
        except ValueError:
            days_left = None
    return Overview(len(statuses), counts, sum(1 for s in statuses if s.late), days_left, str(campaign.deadline or ""),
                    sorted(groups.items()))


def unit_rows(campaign: Campaign, lang: str) -> list[dict]:
    """Every roster unit with its state, in roster order."""
    return [{"code": s.unit_code, "name": s.unit_name, "group": s.group, "contact": s.contact, "phone": s.phone,
             "state": str(s.state), "state_text": state_text(s, lang), "late": s.late, "errors": s.errors,
             "warnings": s.warnings, "reason": s.reason} for s in unit_statuses(campaign, lang)]


def unit_detail(campaign: Campaign, code: str, lang: str) -> dict | None:
    """A unit's page: its status, the files received, its issues, its feedback workbook, its values."""
    status = next((s for s in unit_statuses(campaign, lang) if s.unit_code == code), None)
    if status is None:
        return None
    message = reason_message(lang)
    with Ledger(campaign.db_path) as ledger:
        files = [f for f in ledger.files() if f.unit_code == code or (status.sha256 and f.sha256 == status.sha256)]
        accepted = next((f for f in files if f.status == FileStatus.ACCEPTED), None)
        payload = ledger.payload(accepted.sha256) if accepted else None
    rows = [{"source": f.source, "name": f.source.replace("\\", "/").rsplit("/", 1)[-1], "sha256": f.sha256,
             "status": f.status, "received_at": f.received_at[:19].replace("T", " "),
             "reason": message(f.reason_code, f.detail) if f.reason_code else ""}
            for f in files]
    labels = _labels(campaign)
    issues = [r | {"label": labels.get((r.get("sheet", ""), r.get("field", "")), r.get("field", ""))}
              for r in _csv(campaign.out / "issues.csv") if r.get("unit_code") == code]
    return {"status": status, "state_text": state_text(status, lang), "files": rows, "issues": issues,
            "feedback": feedback_file(campaign, code), "values": _values(campaign, payload, labels)}


def _labels(campaign: Campaign) -> dict:
    """A field's label (a checklist item's: its content and the column) by (sheet id or name, field id)."""
    labels: dict = {}
    for sheet in describe_spec(campaign.template())["sheets"]:
        for f in sheet["fields"]:
            labels[sheet["id"], f["id"]] = labels[sheet["name"], f["id"]] = f["label"]
    return labels


def _values(campaign: Campaign, payload, labels: dict) -> list[dict]:
    if payload is None:
        return []
    return [{"sheet": v.sheet, "cell": v.cell, "label": labels.get((v.sheet_id, v.field_id), v.field_id),
             "row": "" if v.row is None else v.row, "value": _shown(v.raw)}
            for v in payload.values if v.field_id not in ("unit_code", "unit_name")]


def _shown(raw) -> str:
    """A value as the unit typed it: 30 rather than the reader's 30.0, dates without a time."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        return raw.date().isoformat()
    return str(raw)


def feedback_file(campaign: Campaign, code: str) -> Path | None:
    """The unit's feedback workbook as feedback/index.csv names it: a plain name inside feedback/ only."""
    for row in _csv(campaign.feedback / "index.csv"):
        name = row.get("file", "")
        if row.get("unit_code") == code and name and Path(name).name == name and not name.startswith("."):
            path = campaign.feedback / name
            return path if path.is_file() else None
    return None


def _csv(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def review_items(campaign: Campaign, lang: str) -> list[dict]:
    """Each file waiting for a person (review, unidentified), with what every carrier says."""
    message, units = reason_message(lang), campaign.roster().by_code()
    items = []
    with Ledger(campaign.db_path) as ledger:
        for f in ledger.files():
            if f.status not in (FileStatus.REVIEW, FileStatus.UNIDENTIFIED):
                continue
            carriers, reason, _ = ledger.carriers(f.sha256)
            named = sorted({c for k, v in carriers.items() if k.startswith("unit.") for c in v.split(" / ") if c})
            items.append({"sha256": f.sha256, "source": f.source, "status": f.status,
                          "name": f.source.replace("\\", "/").rsplit("/", 1)[-1],
                          "received_at": f.received_at[:19].replace("T", " "),
                          "reason": message(f.reason_code, f.detail),
                          "carriers": sorted(carriers.items()), "named": named,
                          "named_units": [(c, units[c].name if c in units else "") for c in named],
                          "other_campaign": reason == "identify.other_campaign"})
    return items


def outcome_of(campaign: Campaign, sources: list[str], lang: str) -> list[dict]:
    """What each uploaded file became: its ledger rows (an archive's members too)."""
    message, wanted = reason_message(lang), set(sources)
    with Ledger(campaign.db_path) as ledger:
        rows = [f for f in ledger.files() if f.source in wanted or f.source.split("!/", 1)[0] in wanted]
    return [{"source": f.source, "name": f.source.replace("\\", "/").split("/uploads/", 1)[-1].split("/", 1)[-1],
             "status": f.status, "unit_code": f.unit_code, "sha256": f.sha256,
             "reason": message(f.reason_code, f.detail) if f.reason_code else ""} for f in rows]


# --------------------------------------------------------------------------- writing (the job thread only)


def refresh_status(campaign: Campaign, lang: str) -> None:
    """out/status.csv, out/chase-list.xlsx and out/ledger.csv as the ledger stands."""
    pipeline.status(campaign, lang=lang)
    pipeline.export_ledger(campaign, lang)


def take_in(campaign: Campaign, sources: list[str], lang: str, progress: Callable[[str, int], None]) -> dict:
    """collect, validate (with its feedback workbooks) and status: what `toolkit run` does first."""
    collected, _, _ = pipeline.collect_validate_status(campaign, sources, lang=lang, progress=progress)
    return {"offered": collected.offered, "new": collected.new, "counts": collected.counts}


def settle(campaign: Campaign, sha256: str, lang: str, *, unit: str | None, reason: str, force: bool) -> dict:
    """The same as `toolkit resolve`, then validate and status so the unit's state follows the decision."""
    done = pipeline.resolve(campaign, sha256, unit=unit, reason=reason, force=force, lang=lang)
    pipeline.validate(campaign, lang=lang)
    pipeline.status(campaign, lang=lang)
    return {"sha256": done.sha256, "unit": done.unit_code, "earlier": list(done.earlier) if done.earlier else None}


def results(campaign: Campaign, lang: str, progress: Callable[[str, int], None]) -> dict:
    """merge, score (when the campaign has a scheme) and report, as `toolkit run` ends."""
    merged, _, reported = pipeline.merge_score_report(campaign, lang=lang, progress=progress)
    return {"merge": merged.as_json(), "report": str(reported.path)}
