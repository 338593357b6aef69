"""The first sheet of a feedback workbook: the 退回修改通知 and the list of issues (问题清单).

It opens with who, what and by when — the unit, how many errors and warnings, what to do,
the date the corrected return is due, the office's contact — so the unit can act on it without a
phone call, then lists every issue with a link to its cell. It prints on A4 landscape, one page
wide, the list's header repeated on every page, every row as tall as its wrapped text.

The sheet is made in two steps, like the rest of the feedback workbook: :func:`add_issue_sheet`
puts everything that is the same for every unit (widths, merges, print setup, the styles) into
the feedback master once; :class:`IssueSheet` then writes each unit's rows as XML into it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from ..i18n import Msg, Texts, define, t, texts
from ..model import Severity
from ..output.xlsxfile import display_width
from ..spec import layout
from .cellxml import blank_cell, cell_ref, string_cell, xml_attr, xml_text

__all__ = ["Notice", "IssueSheet", "add_issue_sheet", "resubmit_deadline", "ResubmitKeyError", "NOTICE_ROWS", "HEAD_ROW",
           "COLUMN_WIDTHS", "DEFAULT_RESUBMIT_DAYS"]

DEFAULT_RESUBMIT_DAYS = 7
# 序号, 工作表, 单元格, 严重程度, 问题及修改说明, 原填写内容: 140 character widths fill A4 landscape
COLUMN_WIDTHS = (6, 14, 9, 9, 76, 26)
_LAST_COL = len(COLUMN_WIDTHS)

define("feedback.notice", {
    "sheet": ("问题清单", "Issues"),
    "title": ("退回修改通知", "Return for correction"),
    "unit": ("填报单位：{name}（单位代码 {code}）", "Unit: {name} (unit code {code})"),
    "campaign": ("报送任务：{campaign}；收到的文件：{source}（{received}）",
                 "Campaign: {campaign}; file received: {source} ({received})"),
    "result": ("审核结果：发现 {errors} 处错误{warn}，需修改后重新报送。",
               "Result: {errors} error(s){warn} found; correct them and return the workbook again."),
    "warn": ("、{warnings} 处提示", " and {warnings} warning(s)"),
    "todo": ("修改要求：请直接在本工作簿中修改：红色单元格为错误，必须改正；黄色单元格为提示，请核实，确属实际情况的可不改。"
             "点击下表“单元格”列可跳到该单元格，单元格批注中也有说明。请勿增删行列、修改工作表名称和表头。",
             "What to do: correct this workbook itself. Red cells are errors and must be corrected; yellow cells are warnings: "
             "check them and leave them if they are right. The links in the Cell column below lead to each cell; its comment "
             "says the same. Do not insert or delete rows or columns, or rename sheets or headers."),
    "due": ("报送时限：请于 {deadline} 前将修改后的整个工作簿（保持 Excel 格式）重新报送{how}，重新报送后将替代原报送文件。",
            "Deadline: return the whole corrected workbook (as Excel) by {deadline}{how}; it replaces the file you sent."),
    "contact": ("联系人：{contact}　联系电话：{phone}", "Contact: {contact}   Phone: {phone}"),
    "head.no": ("序号", "No."),
    "head.sheet": ("工作表", "Sheet"),
    "head.cell": ("单元格", "Cell"),
    "head.severity": ("严重程度", "Severity"),
    "head.issue": ("问题及修改说明", "Issue"),
    "head.typed": ("原填写内容", "Typed"),
    "error": ("错误", "error"),
    "warning": ("提示", "warning"),
    "how": ("（{how}）", " ({how})"),
})


def _headers(w: Texts) -> list[str]:
    """The issue list's column headers: 序号, 工作表, 单元格, 严重程度, 问题及修改说明, 原填写内容."""
    return [w[f"head.{key}"] for key in ("no", "sheet", "cell", "severity", "issue", "typed")]


NOTICE_ROWS = 7  # title, unit, campaign, result, what to do, deadline, contact; then a gap and the list
HEAD_ROW = NOTICE_ROWS + 2
# The cell of the master's issue sheet that carries each style (its xf is read back from there)
_STYLE_CELLS = {"title": "A1", "notice": "A2", "strong": "A4", "due": "A6", "head": "A9",
                "center": "A10", "text": "B10", "link": "C10", "error": "D10"}
_ROLE = {4: "strong", 6: "due"}  # the result and the deadline stand out


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


define("feedback.resubmit", {
    "deadline": ("resubmit_deadline 应为日期，如 2026-12-28，填写的是 {value}",
                 "resubmit_deadline must be a date such as 2026-12-28, got {value}"),
    "days": ("resubmit_days 应为 1 至 366 之间的整数天数，填写的是 {value}",
             "resubmit_days must be a whole number of days from 1 to 366, got {value}"),
})


class ResubmitKeyError(ValueError):
    """A resubmit key of campaign.yaml that cannot give a date: ``message`` names the key, in either language."""

    def __init__(self, message: Msg):
        self.message = message
        super().__init__(message.text("en"))


def resubmit_deadline(config: dict, received_at: str, campaign_deadline: str) -> str:
    """The date the corrected return is due (ISO), from campaign.yaml.

    ``resubmit_deadline: 2026-12-28`` names the date outright; otherwise it is
    ``resubmit_days`` (default 7) days after the faulty return was received, and never before
    the campaign's own deadline. Counting from the receipt rather than from today keeps the
    notice the same however often validate runs. A wrong value raises :class:`ResubmitKeyError`.
    """
    fixed = config.get("resubmit_deadline")
    if fixed not in (None, ""):
        try:
            return (fixed if isinstance(fixed, dt.date) else dt.date.fromisoformat(str(fixed).strip())).isoformat()
        except ValueError:
            raise ResubmitKeyError(Msg("feedback.resubmit.deadline", {"value": repr(fixed)})) from None
    days = config.get("resubmit_days", DEFAULT_RESUBMIT_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= 366:
        raise ResubmitKeyError(Msg("feedback.resubmit.days", {"value": repr(days)}))
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


def add_issue_sheet(wb, lang: str) -> None:
    """The issue sheet of the feedback master (xlsxwriter): widths, merges, how it prints, and one cell
    of each style; :class:`IssueSheet` writes each unit's rows into it."""
    w = texts("feedback.notice", lang)
    ws = wb.add_worksheet(w["sheet"])
    fmt = _formats(wb)
    last = _LAST_COL - 1
    ws.merge_range(0, 0, 0, last, w["title"], fmt["title"])
    for row in range(2, NOTICE_ROWS + 1):
        ws.merge_range(row - 1, 0, row - 1, last, "", fmt[_ROLE.get(row, "notice")])
    for col, label in enumerate(_headers(w)):
        ws.write_string(HEAD_ROW - 1, col, label, fmt["head"])
    ws.write_blank(HEAD_ROW, 0, None, fmt["center"])
    ws.write_blank(HEAD_ROW, 1, None, fmt["text"])
    # an internal link (location), not an external "#…" target, which LibreOffice turns into a link
    # to the file's path — broken as soon as the unit saves it elsewhere
    ws.write_url(HEAD_ROW, 2, f"internal:'{w['sheet']}'!A1", fmt["link"], "A1")
    ws.write_blank(HEAD_ROW, 3, None, fmt["error"])
    for col, width in enumerate(COLUMN_WIDTHS):
        ws.set_column(col, col, width)
    # A4 landscape, one page wide, as many tall as it takes; the list's header on every page
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEAD_ROW - 1)
    ws.print_area(0, 0, HEAD_ROW, last)  # each unit's workbook sets its own last row
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    ws.set_footer(t("footer", lang))
    ws.freeze_panes(HEAD_ROW, 0)


def _formats(wb) -> dict:
    """The template's own font (Calibri): a font without a name prints in LibreOffice's serif default."""
    base = {"font_name": "Calibri", "font_size": 11}
    cell = {**base, "font_size": 10, "border": 1, "border_color": "#999999", "text_wrap": True, "valign": "vcenter"}
    notice = {**base, "text_wrap": True, "valign": "vcenter"}
    return {name: wb.add_format(props) for name, props in {
        "title": {**base, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"},
        "notice": notice, "strong": {**notice, "bold": True},
        "due": {**notice, "bold": True, "font_color": "#C00000"},
        "head": {**cell, "bold": True, "bg_color": "#DDEBF7", "align": "center"},
        "center": {**cell, "align": "center"}, "text": cell,
        "link": {**cell, "align": "center", "font_color": "#0563C1", "underline": 1},
        "error": {**cell, "align": "center", "bold": True, "font_color": "#C00000"},
    }.items()}


_CELL_RE = re.compile(r'<c r="([A-Z]+\d+)"( s="(\d+)")?')
_PRINT_AREA = re.compile(r'(<definedName name="_xlnm\.Print_Area" localSheetId="0">)[^<]*(</definedName>)')


class IssueSheet:
    """The master's issue sheet, into which each unit's notice and list are written."""

    def __init__(self, name: str, part: str, xml: str, lang: str):
        self.name, self.part, self.lang = name, part, lang
        styles = {m.group(1): int(m.group(3) or 0) for m in _CELL_RE.finditer(xml)}
        self.style = {role: styles[ref] for role, ref in _STYLE_CELLS.items()}
        start, end = xml.index("<sheetData>"), xml.index("</sheetData>") + len("</sheetData>")
        self.head, self.tail = re.sub(r'<dimension ref="[^"]*"/>', "{dimension}", xml[:start]), xml[end:]
        if "fitToWidth" not in self.tail:  # 1 is the schema's default, which xlsxwriter leaves out: say it
            self.tail = self.tail.replace("<pageSetup ", '<pageSetup fitToWidth="1" ', 1)
        links = re.search(r"<hyperlinks>.*?</hyperlinks>", self.tail)
        self.tail = self.tail[:links.start()] + "{links}" + self.tail[links.end():]

    def xml(self, listed, notice: Notice) -> tuple[bytes, int]:
        """The sheet for one unit and its last row: *listed* holds (issue, message, target, exact) as
        :func:`toolkit.feedback.workbooks.build_feedback` makes them."""
        w = texts("feedback.notice", self.lang)
        errors = sum(1 for issue, *_ in listed if issue.severity == Severity.ERROR)
        rows = [_row(1, 30, [string_cell("A1", self.style["title"], w["title"])])]
        span = sum(COLUMN_WIDTHS) / 1.1  # the notice is 11 pt against the 10 pt list
        for n, line in enumerate(_notice_lines(notice, errors, len(listed) - errors, w), start=2):
            rows.append(_row(n, 16 * _lines(line, span) + 6, [string_cell(f"A{n}", self.style[_ROLE.get(n, "notice")], line)]))
        rows.append(_row(HEAD_ROW, 20, [string_cell(cell_ref(HEAD_ROW, c), self.style["head"], label)
                                        for c, label in enumerate(_headers(w), start=1)]))
        links = []
        for n, item in enumerate(listed, start=1):
            rows.append(self._issue_row(HEAD_ROW + n, n, *item, w, links))
        last = HEAD_ROW + max(len(listed), 1)
        head = self.head.replace("{dimension}", f'<dimension ref="A1:{cell_ref(last, _LAST_COL)}"/>')
        tail = self.tail.replace("{links}", f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
        return f"{head}<sheetData>{''.join(rows)}</sheetData>{tail}".encode("utf-8"), last

    def print_area(self, workbook_xml: str, last: int) -> str:
        """workbook.xml with the issue sheet's print area ending at *last*."""
        area = f"'{self.name}'!$A$1:${layout.col_letter(_LAST_COL - 1)}${last}"
        return _PRINT_AREA.sub(lambda m: m.group(1) + xml_text(area) + m.group(2), workbook_xml, count=1)

    def _issue_row(self, r: int, n: int, issue, msg: str, tgt, exact: bool, w: dict, links: list) -> str:
        st = self.style
        sheet = tgt[0] if tgt else issue.sheet
        where = cell_ref(tgt[1], tgt[2]) if tgt else ""
        shown = where if exact else issue.cell  # not its own cell here: where it was in the return
        if tgt:
            target = "'{}'!{}".format(tgt[0].replace("'", "''"), where)
            links.append(f'<hyperlink ref="C{r}" location="{xml_attr(target)}" display="{xml_attr(shown or "")}"/>')
        typed = _typed(issue)
        cells = [f'<c r="A{r}" s="{st["center"]}"><v>{n}</v></c>', _text_or_blank(f"B{r}", st["text"], sheet),
                 _text_or_blank(f"C{r}", st["link" if tgt else "center"], shown),
                 string_cell(f"D{r}", st["error" if issue.severity == Severity.ERROR else "center"],
                             w.get(issue.severity, issue.severity)),
                 _text_or_blank(f"E{r}", st["text"], msg), string_cell(f"F{r}", st["text"], typed or "")]
        lines = max(_lines(msg or "", COLUMN_WIDTHS[4] * 1.1), _lines(typed or "", COLUMN_WIDTHS[5] * 1.1),
                    _lines(str(sheet or ""), COLUMN_WIDTHS[1] * 1.1))
        return _row(r, 14 * lines + 6, cells)


def _notice_lines(notice: Notice, errors: int, warnings: int, w: Texts) -> list[str]:
    how = ""
    if notice.return_to:
        how = w("how", how=notice.return_to)
    return [
        w["unit"].format(name=notice.unit_name, code=notice.unit_code),
        w["campaign"].format(campaign=notice.campaign, source=notice.source, received=notice.received[:16]),
        w["result"].format(errors=errors, warn=w["warn"].format(warnings=warnings) if warnings else ""),
        w["todo"],
        w["due"].format(deadline=notice.deadline, how=how),
        w["contact"].format(contact=notice.contact or "—", phone=notice.phone or "—"),
    ]


def _row(r: int, height: float, cells: list[str]) -> str:
    return f'<row r="{r}" ht="{height:g}" customHeight="1">{"".join(cells)}</row>'


def _text_or_blank(ref: str, style: int, text) -> str:
    return string_cell(ref, style, text) if text not in (None, "") else blank_cell(ref, style)


def _typed(issue) -> str:
    from ..validate.stage import typed_text
    return typed_text(issue.value)
