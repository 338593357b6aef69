"""Who has returned, who has not, whose return is faulty, and whose file could not be used."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..codes import reason_message
from ..i18n import define, t, texts
from ..model import FileStatus, UnitState
from .deadline import is_late
from .folder import Campaign, Roster
from .ledger import FileRow, Ledger
from .unit_names import units_named_in_path

__all__ = ["UnitState", "UnitStatus", "unit_statuses", "write_status", "STATUS_COLUMNS", "state_label",
           "NOT_RETURNED"]

STATUS_COLUMNS = ("unit_code", "unit_name", "group", "contact", "state", "errors", "warnings", "source",
                  "phone", "late")


NOT_RETURNED = frozenset({UnitState.MISSING, UnitState.UNUSABLE, UnitState.REVIEW})

define("campaign.status", {
    "state.accepted": ("已报送", "accepted"),
    "state.faulty": ("需退回修改", "faulty"),
    "state.missing": ("未报送", "missing"),
    "state.unusable": ("报送文件无法使用", "unusable"),
    "state.review": ("待人工确认", "under review"),
    "late": ("{state}（逾期）", "{state} (late)"),
    "chase.code": ("单位代码", "Unit code"),
    "chase.name": ("单位名称", "Unit"),
    "chase.group": ("分组", "Group"),
    "chase.contact": ("联系人", "Contact"),
    "chase.phone": ("联系电话", "Phone"),
    "chase.state": ("状态", "State"),
    "chase.errors": ("错误数", "Errors"),
    "chase.why": ("原因及文件", "Why / file"),
    "chase.sheet": ("催报名单", "To chase"),
    "chase.title": ("{campaign} — 催报名单（未报送、报送文件无法使用、待确认、需退回修改及逾期报送）", "{campaign} — units to chase"),
    "why": ("{reason}（文件：{file}）", "{reason} (file: {file})"),
})

_UNUSABLE_LEDGER = (FileStatus.REJECTED, FileStatus.UNIDENTIFIED)


@dataclass
class UnitStatus:
    unit_code: str
    unit_name: str
    group: str
    contact: str
    phone: str
    state: UnitState
    errors: int
    warnings: int
    source: str
    sha256: str = ""
    received_at: str = ""
    late: bool = False
    reason_code: str = ""  # review / unusable: the ledger's reason code of the file that decides the state
    reason: str = ""       # …and its message in the language asked for (what happened, what to do)


def unit_statuses(campaign: Campaign, lang: str = "zh") -> list[UnitStatus]:
    """One row per roster unit, in roster order.

    A unit without an accepted return is ``review`` when a file that may be its own waits for a
    person, ``unusable`` when everything it sent was rejected or unidentified, else ``missing``.
    Such a file is the unit's when the ledger credits it, when its identification names the unit,
    or when its path does (U003_机关党支部.docx).
    """
    roster = campaign.roster()
    with Ledger(campaign.db_path) as ledger:
        accepted: dict[str, FileRow] = {}
        unsettled: list[FileRow] = []  # one pass, keeping only the files that decide a state
        for f in ledger.each_file():
            if f.status == FileStatus.ACCEPTED:
                accepted[f.unit_code] = f  # ledger order: the newest accepted file wins
            elif f.status == FileStatus.REVIEW or f.status in _UNUSABLE_LEDGER:
                unsettled.append(f)
        counts = ledger.validation_counts()
    pending = _unsettled_by_unit(unsettled, roster)
    message = reason_message(lang)
    out = []
    for u in roster.units:
        base = (u.code, u.name, u.group, u.contact, u.phone)
        f = accepted.get(u.code)
        if f is not None:
            errors, warnings = counts.get(f.sha256, (0, 0))
            state = UnitState.FAULTY if errors else UnitState.ACCEPTED
            late = is_late(f.received_at, campaign.deadline)
            out.append(UnitStatus(*base, state, errors, warnings, f.source, f.sha256, f.received_at, late))
            continue
        f = pending.get(u.code)
        if f is None:
            out.append(UnitStatus(*base, UnitState.MISSING, 0, 0, ""))
            continue
        state = UnitState.REVIEW if f.status == FileStatus.REVIEW else UnitState.UNUSABLE
        out.append(UnitStatus(*base, state, 0, 0, f.source, f.sha256, f.received_at, False, f.reason_code,
                              message(f.reason_code, f.detail)))
    return out


def _unsettled_by_unit(files: list[FileRow], roster: Roster) -> dict[str, FileRow]:
    """Unit code → the file that decides its review/unusable state: a file in review before an
    unusable one, the newest among equals."""
    by_code = roster.by_code()
    out: dict[str, FileRow] = {}
    for f in files:  # ledger order: later rows replace earlier ones of the same rank
        if f.status != FileStatus.REVIEW and f.status not in _UNUSABLE_LEDGER:
            continue
        codes = {f.unit_code} & by_code.keys() if f.unit_code else set()
        if f.status == FileStatus.REVIEW or f.reason_code == "read.blank_template":  # their detail names the units
            codes |= {t for t in re.findall(r"[^\s/、,，;；]+", f.ident_detail or "") if t in by_code}
        if not codes:
            codes = {u.code for u in units_named_in_path(f.source, roster)}
        for code in codes:
            held = out.get(code)
            if held is None or held.status != FileStatus.REVIEW or f.status == FileStatus.REVIEW:
                out[code] = f
    return out


def _csv_row(s: UnitStatus) -> dict:
    return {**s.__dict__, "state": str(s.state), "late": "true" if s.late else "false"}


def write_status(campaign: Campaign, statuses: list[UnitStatus], lang: str = "zh") -> list[Path]:
    """out/status.csv and out/chase-list.xlsx (催报名单: every unit without a return free of errors, and
    every late one — the instructions tell units a late return counts as not done — with contacts,
    the reason for review and unusable units, 逾期 for late returns)."""
    from ..output.csvfile import write_csv
    from ..output.xlsxfile import new_workbook, write_table

    csv_path = campaign.out / "status.csv"
    write_csv(csv_path, STATUS_COLUMNS, (_csv_row(s) for s in statuses))
    xlsx_path = campaign.out / "chase-list.xlsx"
    wb = new_workbook(xlsx_path)
    w = texts("campaign.status", lang)
    headers = [w[f"chase.{key}"] for key in ("code", "name", "group", "contact", "phone", "state", "errors", "why")]
    rows = [[s.unit_code, s.unit_name, s.group, s.contact, s.phone, state_text(s, lang), s.errors,
             _why(s, lang)] for s in statuses if s.state != UnitState.ACCEPTED or s.late]
    ws = wb.add_worksheet(w["chase.sheet"])
    title = w("chase.title", campaign=campaign.name)
    write_table(wb, ws, headers, rows, title=title)
    ws.set_column(len(headers) - 1, len(headers) - 1, 60)
    ws.set_paper(9)
    ws.set_landscape()
    ws.repeat_rows(0, 1)
    ws.fit_to_pages(1, 0)
    wb.set_properties({"title": title, "author": "toolkit", "created": dt.datetime(campaign.year, 1, 1)})
    wb.close()
    return [csv_path, xlsx_path]


def state_text(s: UnitStatus, lang: str = "zh") -> str:
    """The state as the office reads it, with 逾期 / late appended for a late return."""
    text = state_label(s.state, lang)
    return t("campaign.status.late", lang, state=text) if s.late else text


def state_label(state: UnitState | str, lang: str = "zh") -> str:
    """A unit's state as the office reads it (已报送, 需退回修改, …)."""
    return t(f"campaign.status.state.{state}", lang)


def _why(s: UnitStatus, lang: str) -> str:
    """The reason and the file it is about (review and unusable units)."""
    if not s.reason:
        return ""
    return t("campaign.status.why", lang, reason=s.reason, file=s.source.rsplit("/", 1)[-1])
