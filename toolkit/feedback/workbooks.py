"""Feedback workbooks (退回修改): the unit's own values in a fresh copy of its template.

Whatever format came back (.xls, .ods, a re-save), the unit gets a clean
workbook of the current template with everything it typed put back, each
faulty cell highlighted and commented, and a first sheet 问题清单 listing
every issue with a link to its cell. The workbook is made from a feedback master
(:class:`toolkit.feedback.master.FeedbackMaster`) the way generate makes the outbox.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import replace
from typing import Iterable

from ..campaign.folder import Campaign, Unit
from ..errors import CampaignError
from ..generate.outbox import master_context, unit_values
from ..i18n import Msg, define
from ..model import Issue, Return
from ..output.csvfile import write_csv
from ..output.names import unit_file_names
from ..spec import layout
from ..spec.model import TemplateSpec
from ..validate.stage import ValidationResult, issue_message
from .master import FeedbackMaster
from .notice import Notice, ResubmitKeyError, resubmit_deadline
from .sheets import SheetEdit

__all__ = ["write_feedback", "FeedbackWriter", "feedback_filename", "feedback_names", "FEEDBACK_SHEET", "INDEX_COLUMNS"]

FEEDBACK_SHEET = "问题清单"
INDEX_COLUMNS = ("unit_code", "unit_name", "contact", "phone", "file", "errors", "warnings", "resubmit_by")
FEEDBACK_TAIL = "退回修改"
_FIELD_RE = re.compile(r"^(?P<id>[^\[]+)(\[(?P<row>\d+)\])?$")


def feedback_filename(unit: Unit, units: Iterable[Unit] = ()) -> str:
    """``<unit_code>_<unit_name>_退回修改.xlsx``, unique among *units* (the roster), legal and short enough."""
    return feedback_names([unit, *(u for u in units if u.code != unit.code)])[unit.code]


def feedback_names(units: Iterable[Unit]) -> dict[str, str]:
    """unit code → feedback file name for every unit (names end in ``_退回修改.xlsx``, whatever their length)."""
    return unit_file_names(units, FEEDBACK_TAIL, keep_tail=True)


def fresh_positions(spec: TemplateSpec) -> dict[str, tuple[str, int, int]]:
    """Value field id → (sheet name, row, col) in a freshly generated workbook (table rows apart)."""
    pos = {}
    for sheet in spec.sheets:
        if sheet.kind == "form":
            for fid, row in layout.form_rows(sheet).items():
                pos[fid] = (sheet.name, row, layout.FORM_VALUE_COL)
        elif sheet.kind == "checklist":
            areas = {a.id: a for a in sheet.areas}
            for n, crow in enumerate(layout.checklist_rows(sheet)):
                if crow.kind == "item":
                    for j, c in enumerate(areas[crow.area_id].columns):
                        pos[f"{crow.item_id}.{c.id}"] = (sheet.name, layout.FIRST_ROW + n, layout.CHECK_FIRST_INPUT_COL + j)
        elif sheet.kind == "table":
            for cid, col in layout.table_columns(sheet).items():
                pos[cid] = (sheet.name, -1, col)
    return pos


def _target(pos, spec: TemplateSpec, field_id: str, row: int | None):
    hit = pos.get(field_id)
    if hit is None:
        return None
    sheet, r, c = hit
    if r == -1:
        if row is None:
            return None
        r = layout.FIRST_ROW + row - 1
    return sheet, r + 1, c + 1  # one-based, as a worksheet names its cells


def _issue_cell(pos, spec: TemplateSpec, issue: Issue):
    """(sheet, row, col) of the cell an issue is about in the fresh workbook, one-based; None if none.

    A value's cell; for an edited label, the label's own cell (the item's content, the field's label).
    """
    m = _FIELD_RE.match(issue.field or "")
    if m is None:
        return None
    field, row = m.group("id"), int(m.group("row")) if m.group("row") else None
    if issue.code == "structure.label_edited":
        hit = pos.get(field) or next((v for k, v in pos.items() if k.startswith(field + ".")), None)
        if hit is None or hit[1] == -1:
            return None
        label_col = layout.FORM_LABEL_COL if field in pos else layout.CHECK_CONTENT_COL
        return hit[0], hit[1] + 1, label_col + 1
    return _target(pos, spec, field, row)


def build_feedback(spec: TemplateSpec, master: FeedbackMaster, unit: Unit, ret: Return, issues: list[Issue],
                   lang: str, notice: Notice | None = None, positions: dict | None = None) -> bytes:
    """The unit's feedback workbook: its values back on the template's cells, each issue marked on its
    cell (fill and comment) and listed on the issue sheet. *positions* are :func:`fresh_positions` of
    *spec* (computed here when not given)."""
    pos = positions if positions is not None else fresh_positions(spec)
    edits: dict[str, SheetEdit] = {}
    for e in ret.entries.values():
        if not e.field.is_input or e.raw in (None, ""):
            continue
        tgt = _target(pos, spec, e.field_id, e.row)
        if tgt:
            edits.setdefault(tgt[0], SheetEdit()).values[tgt[1:]] = e.raw
    listed = []
    for issue in issues:
        tgt = _issue_cell(pos, spec, issue)
        if tgt is None:  # no cell of its own here (an inserted row, a sheet): the list links to its sheet
            sheet = issue.sheet if master.has_sheet(issue.sheet) else None
            listed.append((issue, issue_message(issue, lang), (sheet, layout.FIRST_ROW + 1, 2) if sheet else None, False))
            continue
        # the message names the cell where the value sits in this workbook (table rows are packed)
        msg = issue_message(replace(issue, sheet=tgt[0], cell=f"{layout.col_letter(tgt[2] - 1)}{tgt[1]}"), lang)
        edits.setdefault(tgt[0], SheetEdit()).mark(tgt[1:], issue.severity, msg)
        listed.append((issue, msg, tgt, True))
    return master.render(unit_values(unit), edits, listed, notice or Notice(unit.code, unit.name, "", "", "", ""))


define("feedback", {"campaign_yaml": ("{file}：{error}", "{file}: {error}")})


def _notice(campaign: Campaign, unit: Unit, file) -> Notice:
    """Who, what and by when for the unit's notice; a wrong resubmit key in campaign.yaml stops with exit 2."""
    config = campaign.config
    try:
        due = resubmit_deadline(config, file.received_at, campaign.deadline)
    except ResubmitKeyError as exc:
        raise CampaignError(Msg("feedback.campaign_yaml", {"file": campaign.dir / "campaign.yaml", "error": exc.message})) from None
    source = file.source.replace("\\", "/").rsplit("/", 1)[-1]
    return Notice(unit.code, unit.name, campaign.name, source, file.received_at.replace("T", " "), due,
                  str(config.get("contact") or ""), str(config.get("phone") or ""), str(config.get("return_to") or ""))


def write_feedback(campaign: Campaign, result: ValidationResult, lang: str = "zh") -> list[dict]:
    """One feedback workbook per unit whose return has errors, and feedback/index.csv."""
    from ..campaign.ledger import Ledger
    writer = FeedbackWriter(campaign, lang)
    with Ledger(campaign.db_path) as ledger:
        accepted = {f.sha256: f for f in ledger.accepted()}
    for sha, issues in result.issues.items():
        writer.add(accepted[sha], result.per_file[sha], result.returns.get(sha), issues)
    return writer.finish()


class FeedbackWriter:
    """Feedback workbooks written as the returns are checked: :meth:`add` writes a faulty return's
    workbook at once (validate then keeps neither the return nor its issues), :meth:`finish` removes
    the stale ones and writes feedback/index.csv in unit order."""

    def __init__(self, campaign: Campaign, lang: str = "zh"):
        from ..campaign.carried import read_carry
        self.campaign, self.lang = campaign, lang
        self.spec, self.units = campaign.template(), campaign.roster().by_code()
        self.ctx = master_context(campaign, lang)
        self.master = functools.cache(lambda: FeedbackMaster(self.spec, self.ctx))  # built for the first faulty return
        self.carry = read_carry(campaign)
        campaign.feedback.mkdir(parents=True, exist_ok=True)
        self.wanted, self.index, self.written = set(), [], []
        self.names, self.positions = feedback_names(campaign.roster().units), fresh_positions(self.spec)

    def add(self, file, counts: tuple[int, int], ret, issues) -> None:
        """The workbook of one checked return (nothing for a return without errors or from outside the roster)."""
        errors, warnings = counts
        unit = self.units.get(file.unit_code)
        if not errors or unit is None:
            return
        campaign, spec = self.campaign, self.spec
        name = self.names[unit.code]
        own = FeedbackMaster(spec, replace(self.ctx, carry=self.carry[unit.code])) if self.carry.get(unit.code) \
            else self.master()
        notice = _notice(campaign, unit, file)
        data = build_feedback(spec, own, unit, ret, issues, self.lang, notice, self.positions)
        (campaign.feedback / name).write_bytes(data)
        self.written.append((hashlib.sha256(data).hexdigest(), "feedback", name))
        self.wanted.add(name)
        self.index.append({"unit_code": unit.code, "unit_name": unit.name, "contact": unit.contact,
                           "phone": unit.phone, "file": name, "errors": errors, "warnings": warnings,
                           "resubmit_by": notice.deadline})

    def finish(self) -> list[dict]:
        """Stale workbooks removed, feedback/index.csv written (units in code order, a unit's returns in the
        order checked) and the workbooks recorded in the ledger; the index rows."""
        from ..campaign.ledger import Ledger
        campaign = self.campaign
        self.index.sort(key=lambda row: row["unit_code"])  # stable: a unit's later return stays later
        for stale in campaign.feedback.glob(f"*_{FEEDBACK_TAIL}.xlsx"):
            if stale.name not in self.wanted:  # the unit's newer return cleared it
                stale.unlink()
        write_csv(campaign.feedback / "index.csv", INDEX_COLUMNS, self.index)
        with Ledger(campaign.db_path) as ledger:  # collecting one back as written is then told from a corrected one
            ledger.record_outputs(self.written)
        return self.index
