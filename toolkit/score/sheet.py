"""out/scoring-sheet.xlsx: the annual scoring sheet (年度考核评分表), print-ready.

One overall sheet and one per group: a row per unit with points per area (a veto area as
是/—), total, rank, group rank, grade and a remark (the veto item; 待补正 for a faulty return held
out of the ranking; 暂定 for one ranked provisionally). Totals and subtotals carry a two-decimal
number format over their exact values. Headers wrap and every row is as high as its wrapped text
(estimated from CJK-aware text widths and the column widths); A4, landscape when the table is wide,
one page wide when that stays legible (else the key columns repeat on every page), repeated header
rows, page numbers, a line for the assessor's signature and date. Then a score card per unit in
plain words (:mod:`toolkit.score.cards`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re

from ..campaign.folder import Campaign
from ..output.names import safe_sheet_name
from ..output.xlsxfile import new_workbook
from .engine import ScoreResult
from .scheme import ScoringScheme
from .words import note_text

__all__ = ["write_scoring_sheet", "CARD_SHEET_LIMIT", "text_lines", "row_height", "sheet_name"]

CARD_SHEET_LIMIT = 300  # above this many units the score cards share one sheet, a page each

# What fits across an A4 page at 100% with the margins below, in column-width units (about one
# Latin character each): the sheet turns landscape above PORTRAIT and is scaled to one page wide
# only while the scale stays at or above LEGIBLE.
PORTRAIT, LANDSCAPE, LEGIBLE = 100, 150, 0.6
LINE_HEIGHT, ROW_PADDING = 13.5, 4.5  # points per line of 10-point text, and around it

_W = {"zh": {"title": "{year}年度考核评分表", "overall": "总表", "code": "单位代码", "name": "单位名称",
             "group": "分组", "total": "总分", "rank": "总排名", "group_rank": "组内排名", "grade": "等次",
             "remark": "备注", "sign": "评分人（签字）：＿＿＿＿＿＿＿＿    审核人（签字）：＿＿＿＿＿＿＿＿    日期：＿＿＿＿年＿＿月＿＿日",
             "card": "评分卡", "cards": "评分卡", "not_returned": "未报送", "yes": "是", "no": "—",
             "held": "待补正", "provisional": "暂定",
             "held_note": "待补正：报表有错误，总分为暂计，不参与排名、等次和名额，报送更正后重新评分",
             "provisional_note": "暂定：报表有错误待补正，排名和等次为暂定",
             "legend_faulty": "注：“待补正”的单位报表有错误，所列总分为暂计，不参与排名、等次评定和名额分配，"
                              "报送更正后重新评分。",
             "legend_provisional": "注：标“暂定”的单位报表有错误待补正，按评分细则暂予排名和定等次。",
             "legend_veto": "注：一票否决的单位按评分细则定等次，{veto}。",
             "veto_last": "排在未被否决的单位之后", "veto_unranked": "不参与排名"},
      "en": {"title": "Annual scoring sheet {year}", "overall": "All units", "code": "Unit code", "name": "Unit",
             "group": "Group", "total": "Total", "rank": "Rank", "group_rank": "Group rank", "grade": "Grade",
             "remark": "Remarks", "sign": "Assessor (signature): ____________    Reviewed by: ____________    Date: ____________",
             "card": "Card", "cards": "Score cards", "not_returned": "not returned", "yes": "yes", "no": "—",
             "held": "to correct", "provisional": "provisional",
             "held_note": "to correct: the return has errors; the total is provisional and is not ranked, graded "
                          "or given a quota place until a corrected return arrives",
             "provisional_note": "provisional: the return has errors to correct; rank and grade are provisional",
             "legend_faulty": "Note: units marked 'to correct' sent returns with errors: their totals are provisional "
                              "and they are not ranked, graded or given quota places until corrected.",
             "legend_provisional": "Note: units marked 'provisional' sent returns with errors still to correct; the "
                                   "scheme ranks and grades them provisionally.",
             "legend_veto": "Note: vetoed units are graded as the scheme says and {veto}.",
             "veto_last": "ranked after every unit that is not vetoed", "veto_unranked": "not ranked"}}


_WIDE = re.compile(r"[\u2e80-\U0010ffff]")


@functools.lru_cache(maxsize=4096)  # titles and rules repeat on every card
def text_lines(text, width: float) -> int:
    """Lines that *text* takes in a wrapped cell *width* columns wide (CJK characters count about two)."""
    lines = 0
    for line in str(text if text is not None else "").split("\n"):
        # a CJK glyph of 10-point text is about 1.85 column units wide, a Latin one about 1
        chars = len(line) + 0.85 * len(_WIDE.findall(line))
        lines += max(1, math.ceil(chars / max(1.0, width - 1.0)))
    return lines


def row_height(cells, widths, lo: float = 18) -> float:
    """A row's height in points from its wrapped cells: (text, column width) pairs."""
    lines = max([text_lines(text, width) for text, width in zip(cells, widths)] or [1])
    return max(lo, lines * LINE_HEIGHT + ROW_PADDING)


def sheet_name(text: str, used: set[str], fallback: str = "sheet") -> str:
    """A legal, unique worksheet name (:func:`toolkit.output.names.safe_sheet_name`); *used* is updated."""
    return safe_sheet_name(text, used, fallback)


class _Sheet:
    def __init__(self, wb, lang: str, veto_rank: str = "last"):
        self.lang = "en" if lang == "en" else "zh"
        self.wb, self.w, self.veto_rank = wb, _W[self.lang], veto_rank
        b = {"border": 1, "valign": "vcenter", "font_size": 10, "text_wrap": True}
        self.f = {"title": wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
                  "sub": wb.add_format({"font_size": 10, "align": "center", "valign": "vcenter", "text_wrap": True}),
                  "head": wb.add_format({**b, "bold": True, "bg_color": "#DDEBF7", "align": "center"}),
                  "cell": wb.add_format(b), "center": wb.add_format({**b, "align": "center"}),
                  "num": wb.add_format({**b, "num_format": "0.00"}), "int": wb.add_format({**b, "num_format": "0",
                                                                                          "align": "center"}),
                  "grey": wb.add_format({**b, "num_format": "0.00", "italic": True, "font_color": "#7F7F7F"}),
                  "mark": wb.add_format({**b, "align": "center", "bold": True, "font_color": "#C65911"}),
                  "veto": wb.add_format({**b, "font_color": "#C00000", "bold": True, "align": "center"}),
                  "sign": wb.add_format({"font_size": 11}),
                  "legend": wb.add_format({"font_size": 9, "text_wrap": True, "valign": "top"})}

    def put(self, ws, r: int, c: int, value, fmt: str = "cell") -> None:
        if value is None or value == "":
            ws.write_blank(r, c, None, self.f[fmt])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(r, c, value, self.f["num" if fmt == "cell" else fmt])
        else:
            ws.write_string(r, c, str(value), self.f[fmt])

    def page(self, ws, header_rows: int, widths: list[float], key_columns: int = 0) -> None:
        """A4; landscape when wider than portrait; one page wide while legible, else key columns repeat."""
        total = sum(widths)
        ws.set_paper(9)
        if total > PORTRAIT:
            ws.set_landscape()
        else:
            ws.set_portrait()
        if header_rows > 0:  # repeat_rows(0, -1) would write the invalid print titles $1:$0
            ws.repeat_rows(0, header_rows - 1)
        if total <= (LANDSCAPE if total > PORTRAIT else PORTRAIT) / LEGIBLE:
            ws.fit_to_pages(1, 0)
        elif key_columns:
            ws.repeat_columns(0, key_columns - 1)
        ws.set_footer("&C第 &P 页，共 &N 页" if self.lang == "zh" else "&CPage &P of &N")
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.center_horizontally()


def write_scoring_sheet(campaign: Campaign, scheme: ScoringScheme, result: ScoreResult, lang: str = "zh") -> None:
    from .cards import write_cards

    wb = new_workbook(campaign.out / "scoring-sheet.xlsx", rows_in_order=True)  # flat at any size
    s = _Sheet(wb, lang, scheme.veto_rank)
    columns = _area_columns(scheme, result)
    groups = list(dict.fromkeys(row["group"] for row in result.scores))
    used: set[str] = set()
    reasons = _veto_reasons(result, s.lang)
    _table(s, wb.add_worksheet(sheet_name(s.w["overall"], used)), campaign, result.scores, columns, result,
           None, reasons)
    for group in groups:
        rows = [r for r in result.scores if r["group"] == group]
        _table(s, wb.add_worksheet(sheet_name(group or "-", used, "group")), campaign, rows, columns, result,
               group, reasons)
    write_cards(s, wb, campaign, scheme, result, used)
    wb.set_properties({"title": s.w["title"].format(year=campaign.year), "author": "toolkit",
                       "created": dt.datetime(campaign.year, 1, 1)})
    wb.close()


def _veto_reasons(result: ScoreResult, lang: str) -> dict[str, tuple[str, set[str]]]:
    """Unit code → (the veto reason in *lang*, the areas of the veto indicators that fired)."""
    out: dict[str, tuple[list[str], set[str]]] = {}
    for t in result.trace:
        if t.get("vetoed"):
            texts, areas = out.setdefault(t["unit_code"], ([], set()))
            texts.append(note_text(t["notes"], lang))
            areas.add(t["area"])
    sep = "; " if lang == "en" else "；"
    return {code: (sep.join(texts), areas) for code, (texts, areas) in out.items()}


def _area_columns(scheme: ScoringScheme, result: ScoreResult) -> list[tuple[str, str, bool]]:
    """(area id, title, is a veto column) per subtotal column; a veto column shows 是/—, not points."""
    keys = list(dict.fromkeys(k for areas in result.areas.values() for k in areas))
    titles = {**scheme.area_titles, **result.area_titles}
    rules: dict[str, set[str]] = {}
    for ind in scheme.indicators:
        rules.setdefault(ind.area, set()).add(ind.rule)
    return [(k, titles.get(k, k), rules.get(k) == {"veto"}) for k in keys]


def _row_cells(s: _Sheet, row: dict, columns, result: ScoreResult, reasons: dict) -> list[tuple]:
    """(value, format) per column of one unit's row."""
    w, code = s.w, row["unit_code"]
    held = row.get("state") == "faulty" and row["rank"] is None
    provisional = row.get("provisional")
    cells = [(row["rank"], "int"), (row["group_rank"], "int"), (code, "cell"), (row["unit_name"], "cell"),
             (row["group"], "cell")]
    areas, vetoed_areas = result.areas.get(code, {}), reasons.get(code, ("", set()))[1]
    for key, _, veto in columns:
        if not areas:
            cells.append((None, "cell"))
        elif veto:
            cells.append((w["yes"], "veto") if key in vetoed_areas else (w["no"], "center"))
        else:
            cells.append((areas.get(key), "grey" if held else "num"))
    if row["total"] is None:
        cells.append((w["not_returned"], "center"))
    else:
        cells.append((row["total"], "grey" if held else "num"))
    grade = w["held"] if held else row["grade"]
    if provisional and grade:
        grade = f"{grade}（{w['provisional']}）" if s.lang == "zh" else f"{grade} ({w['provisional']})"
    cells.append((grade, "mark" if held or provisional else "center"))
    remarks = [w["held_note"]] if held else [w["provisional_note"]] if provisional else []
    if code in reasons:
        remarks.append(reasons[code][0])
    cells.append(("\n".join(remarks), "cell"))
    return cells


def _legends(s: _Sheet, rows: list[dict]) -> list[str]:
    """A note under the table for each kind of marked unit it shows."""
    w, out = s.w, []
    if any(r.get("state") == "faulty" and r["rank"] is None for r in rows):
        out.append(w["legend_faulty"])
    if any(r.get("provisional") for r in rows):
        out.append(w["legend_provisional"])
    if any(r["vetoed"] for r in rows):
        out.append(w["legend_veto"].format(veto=w["veto_unranked" if s.veto_rank == "unranked" else "veto_last"]))
    return out


def _table(s: _Sheet, ws, campaign: Campaign, rows: list[dict], columns, result: ScoreResult, group,
           reasons: dict) -> None:
    w = s.w
    ws.forget_rows = True  # no chart on it: a written row's height is not kept
    heads = [w["rank"], w["group_rank"], w["code"], w["name"], w["group"]] + [t for _, t, _ in columns] + \
        [w["total"], w["grade"], w["remark"]]
    widths = [6.5, 6.5, 10, 24, 10] + [6 if veto else 11 for *_, veto in columns] + [9, 10, 26]
    last = len(heads) - 1
    ws.merge_range(0, 0, 0, last, f"{campaign.name} — {w['title'].format(year=campaign.year)}", s.f["title"])
    ws.set_row(0, row_height([campaign.name + w["title"]], [sum(widths) / 1.6], lo=24))
    ws.merge_range(1, 0, 1, last, group or w["overall"], s.f["sub"])
    for c, text in enumerate(heads):
        ws.write_string(2, c, text, s.f["head"])
    ws.set_row(2, row_height(heads, widths, lo=30))
    order = rows  # already in scores order: ranked, unranked vetoed, held out, not returned
    r = 2
    for row in order:
        r += 1
        cells = _row_cells(s, row, columns, result, reasons)
        for c, (value, fmt) in enumerate(cells):
            s.put(ws, r, c, value, fmt)
        ws.set_row(r, row_height([v if isinstance(v, str) else "" for v, _ in cells], widths))
    for legend in _legends(s, order):
        r += 1
        ws.merge_range(r, 0, r, last, legend, s.f["legend"])
        ws.set_row(r, row_height([legend], [sum(widths) * 0.9]))
    ws.merge_range(r + 2, 0, r + 2, last, w["sign"], s.f["sign"])
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.freeze_panes(3, 4)
    s.page(ws, 3, widths, key_columns=4)
