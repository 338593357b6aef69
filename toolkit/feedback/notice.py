"""The first sheet of a feedback workbook: the 退回修改通知 and the list of issues (问题清单).

It opens with who, what and by when — the unit, how many errors and warnings, what to do,
the date the corrected return is due, the office's contact — so the unit can act on it without a
phone call, then lists every issue with a link to its cell. It prints on A4 landscape, one page
wide, the list's header repeated on every page, every row as tall as its wrapped text.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.hyperlink import Hyperlink

from ..output.xlsxfile import cell_text, display_width
from ..spec import layout as L

__all__ = ["Notice", "write_issue_sheet", "resubmit_deadline", "NOTICE_ROWS", "COLUMN_WIDTHS",
           "DEFAULT_RESUBMIT_DAYS"]

DEFAULT_RESUBMIT_DAYS = 7
# 序号, 工作表, 单元格, 严重程度, 问题及修改说明, 原填写内容: 140 character widths fill A4 landscape
COLUMN_WIDTHS = (6, 14, 9, 9, 76, 26)
_LAST_COL = len(COLUMN_WIDTHS)

_TEXT = {
    "zh": {"sheet": "问题清单", "title": "退回修改通知",
           "unit": "填报单位：{name}（单位代码 {code}）",
           "campaign": "报送任务：{campaign}；收到的文件：{source}（{received}）",
           "result": "审核结果：发现 {errors} 处错误{warn}，需修改后重新报送。",
           "warn": "、{warnings} 处提示",
           "todo": "修改要求：请直接在本工作簿中修改：红色单元格为错误，必须改正；黄色单元格为提示，请核实，"
                   "确属实际情况的可不改。点击下表“单元格”列可跳到该单元格，单元格批注中也有说明。"
                   "请勿增删行列、修改工作表名称和表头。",
           "due": "报送时限：请于 {deadline} 前将修改后的整个工作簿（保持 Excel 格式）重新报送{how}，"
                  "重新报送后将替代原报送文件。",
           "contact": "联系人：{contact}　联系电话：{phone}",
           "headers": ("序号", "工作表", "单元格", "严重程度", "问题及修改说明", "原填写内容"),
           "error": "错误", "warning": "提示", "footer": "&C第 &P 页，共 &N 页"},
    "en": {"sheet": "Issues", "title": "Return for correction",
           "unit": "Unit: {name} (unit code {code})",
           "campaign": "Campaign: {campaign}; file received: {source} ({received})",
           "result": "Result: {errors} error(s){warn} found; correct them and return the workbook again.",
           "warn": " and {warnings} warning(s)",
           "todo": "What to do: correct this workbook itself. Red cells are errors and must be corrected; "
                   "yellow cells are warnings: check them and leave them if they are right. The links in the "
                   "Cell column below lead to each cell; its comment says the same. Do not insert or delete "
                   "rows or columns, or rename sheets or headers.",
           "due": "Deadline: return the whole corrected workbook (as Excel) by {deadline}{how}; it replaces "
                  "the file you sent.",
           "contact": "Contact: {contact}   Phone: {phone}",
           "headers": ("No.", "Sheet", "Cell", "Severity", "Issue", "Typed"),
           "error": "error", "warning": "warning", "footer": "&CPage &P of &N"},
}
NOTICE_ROWS = 7  # title, unit, campaign, result, what to do, deadline, contact; then a gap and the list
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def _font(**kw) -> Font:
    """The template's own font: a font without a name prints in LibreOffice's serif default."""
    return Font(name="Calibri", **kw)
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Notice:
    """Who, what and by when: the values the notice above the list is written with."""

    unit_code: str
    unit_name: str
    campaign: str
    source: str
    received: str
    deadline: str
    contact: str = ""
    phone: str = ""
    return_to: str = ""


def resubmit_deadline(config: dict, received_at: str, campaign_deadline: str) -> str:
    """The date the corrected return is due (ISO), from campaign.yaml.

    ``resubmit_deadline: 2026-12-28`` names the date outright; otherwise it is
    ``resubmit_days`` (default 7) days after the faulty return was received, and never before
    the campaign's own deadline. Counting from the receipt rather than from today keeps the
    notice the same however often validate runs. A wrong value raises ValueError naming the key.
    """
    fixed = config.get("resubmit_deadline")
    if fixed not in (None, ""):
        try:
            return (fixed if isinstance(fixed, dt.date) else dt.date.fromisoformat(str(fixed).strip())).isoformat()
        except ValueError:
            raise ValueError(f"resubmit_deadline must be a date such as 2026-12-28, got {fixed!r}") from None
    days = config.get("resubmit_days", DEFAULT_RESUBMIT_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= 366:
        raise ValueError(f"resubmit_days must be a whole number of days from 1 to 366, got {days!r}")
    try:
        received = dt.date.fromisoformat(str(received_at)[:10])
    except ValueError:
        received = dt.date.today()
    due = received + dt.timedelta(days=days)
    try:
        due = max(due, dt.date.fromisoformat(str(campaign_deadline)[:10]))
    except ValueError:
        pass  # no campaign deadline: the days alone decide
    return due.isoformat()


def _lines(text: str, width: float) -> int:
    """How many lines *text* wraps to in a column *width* characters wide (CJK counting double)."""
    return sum(max(1, math.ceil((display_width(line, 0, 10_000) - 2) / max(1.0, width - 1)))
               for line in str(text).split("\n"))


def _text(cell, value) -> None:
    """A value as text, never a formula, legal in the workbook (messages and typed values come from the
    unit's return and the roster: :func:`toolkit.output.xlsxfile.cell_text`)."""
    if isinstance(value, str):
        cell.value = cell_text(value)
        cell.data_type = "s"
    else:
        cell.value = value


def _notice(ws, notice: Notice, errors: int, warnings: int, w: dict) -> None:
    how = ""
    if notice.return_to:
        how = f"（{notice.return_to}）" if w is _TEXT["zh"] else f" ({notice.return_to})"
    lines = [
        w["unit"].format(name=notice.unit_name, code=notice.unit_code),
        w["campaign"].format(campaign=notice.campaign, source=notice.source, received=notice.received[:16]),
        w["result"].format(errors=errors, warn=w["warn"].format(warnings=warnings) if warnings else ""),
        w["todo"],
        w["due"].format(deadline=notice.deadline, how=how),
        w["contact"].format(contact=notice.contact or "—", phone=notice.phone or "—"),
    ]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=_LAST_COL)
    ws.cell(1, 1, w["title"]).font = _font(bold=True, size=16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    span = sum(COLUMN_WIDTHS) / 1.1  # the notice is 11 pt against the 10 pt list
    for n, line in enumerate(lines, start=2):
        ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=_LAST_COL)
        _text(ws.cell(n, 1), line)
        bold = n in (4, 6)  # the result and the deadline stand out
        ws.cell(n, 1).font = _font(size=11, bold=bold, color="C00000" if n == 6 else None)
        ws.cell(n, 1).alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[n].height = 16 * _lines(line, span) + 6


def write_issue_sheet(wb, listed, notice: Notice, lang: str) -> None:
    """Insert the notice and the issue list as the first sheet of *wb*.

    *listed* holds (issue, message, target, exact): target is (sheet, row, col) one-based or None,
    exact is False where the issue has no cell of its own in this workbook.
    """
    w = _TEXT["en" if lang == "en" else "zh"]
    ws = wb.create_sheet(w["sheet"], 0)
    errors = sum(1 for issue, *_ in listed if issue.severity == "error")
    _notice(ws, notice, errors, len(listed) - errors, w)
    head = NOTICE_ROWS + 2
    for c, label in enumerate(w["headers"], start=1):
        cell = ws.cell(head, c, label)
        cell.font, cell.fill, cell.border = _font(bold=True), _HEAD_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[head].height = 20
    for n, (issue, msg, tgt, exact) in enumerate(listed, start=1):
        _issue_row(ws, head + n, n, issue, msg, tgt, exact, w)
    for c, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[L.col_letter(c - 1)].width = width
    _print_setup(ws, head, head + len(listed), w["footer"])
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False


def _issue_row(ws, r: int, n: int, issue, msg: str, tgt, exact: bool, w: dict) -> None:
    ws.cell(r, 1, n)
    _text(ws.cell(r, 2), tgt[0] if tgt else issue.sheet)
    where = f"{L.col_letter(tgt[2] - 1)}{tgt[1]}" if tgt else ""
    link = ws.cell(r, 3, where if exact else issue.cell)  # not its own cell here: where it was in the return
    if tgt:
        # an internal link (location), not an external "#…" target, which LibreOffice turns
        # into a link to the file's path — broken as soon as the unit saves it elsewhere
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{tgt[0]}'!{where}", display=link.value)
        link.font = _font(color="0563C1", underline="single")
    ws.cell(r, 4, w.get(issue.severity, issue.severity))
    if issue.severity == "error":
        ws.cell(r, 4).font = _font(bold=True, color="C00000")
    _text(ws.cell(r, 5), msg)
    typed = _typed(issue)
    _text(ws.cell(r, 6), typed)
    for c in range(1, _LAST_COL + 1):
        ws.cell(r, c).border = _BORDER
        ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="center",
                                            horizontal="center" if c in (1, 3, 4) else None)
    lines = max(_lines(msg or "", COLUMN_WIDTHS[4] * 1.1), _lines(typed or "", COLUMN_WIDTHS[5] * 1.1),
                _lines(str(tgt[0] if tgt else issue.sheet or ""), COLUMN_WIDTHS[1] * 1.1))
    ws.row_dimensions[r].height = 14 * lines + 6


def _typed(issue) -> str:
    from ..validate.stage import typed_text
    return typed_text(issue.value)


def _print_setup(ws, head: int, last: int, footer: str) -> None:
    """A4 landscape, one page wide, as many tall as it takes; the list's header on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{head}:{head}"
    ws.print_area = f"A1:{L.col_letter(_LAST_COL - 1)}{max(last, head)}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.oddFooter.center.text = footer.removeprefix("&C")
    ws.freeze_panes = f"A{head + 1}"
