"""What the tables and the score cards of out/scoring-sheet.xlsx share: formats, words, row heights, pages.

Headers wrap and every row is as high as its wrapped text (estimated from CJK-aware text widths
and the column widths); A4, landscape when the table is wide, one page wide when that stays
legible (else the key columns repeat on every page), page numbers in the footer.
"""

from __future__ import annotations

import functools
import math
import re

from ..i18n import define, lang_of, t, texts
from ..output.names import safe_sheet_name

__all__ = ["SheetStyle", "text_lines", "row_height", "sheet_name", "LINE_HEIGHT", "PORTRAIT",
           "LANDSCAPE", "LEGIBLE"]

# What fits across an A4 page at 100% with the margins below, in column-width units (about one
# Latin character each): the sheet turns landscape above PORTRAIT and is scaled to one page wide
# only while the scale stays at or above LEGIBLE.
PORTRAIT, LANDSCAPE, LEGIBLE = 100, 150, 0.6
LINE_HEIGHT, ROW_PADDING = 13.5, 4.5  # points per line of 10-point text, and around it

define("score.sheet", {
    "title": ("{year}年度考核评分表", "Annual scoring sheet {year}"),
    "overall": ("总表", "All units"),
    "code": ("单位代码", "Unit code"),
    "name": ("单位名称", "Unit"),
    "group": ("分组", "Group"),
    "total": ("总分", "Total"),
    "rank": ("总排名", "Rank"),
    "group_rank": ("组内排名", "Group rank"),
    "grade": ("等次", "Grade"),
    "remark": ("备注", "Remarks"),
    "sign": ("评分人（签字）：＿＿＿＿＿＿＿＿    审核人（签字）：＿＿＿＿＿＿＿＿    日期：＿＿＿＿年＿＿月＿＿日",
             "Assessor (signature): ____________    Reviewed by: ____________    Date: ____________"),
    "card": ("评分卡", "Card"),
    "cards": ("评分卡", "Score cards"),
    "not_returned": ("未报送", "not returned"),
    "yes": ("是", "yes"),
    "no": ("—", "—"),
    "held": ("待补正", "to correct"),
    "provisional": ("暂定", "provisional"),
    "grade_provisional": ("{grade}（{provisional}）", "{grade} ({provisional})"),
    "held_note": ("待补正：报表有错误，总分为暂计，不参与排名、等次和名额，报送更正后重新评分",
                  "to correct: the return has errors; the total is provisional and is not ranked, graded or given a quota place until a corrected "
                  "return arrives"),
    "provisional_note": ("暂定：报表有错误待补正，排名和等次为暂定",
                         "provisional: the return has errors to correct; rank and grade are provisional"),
    "legend_faulty": ("注：“待补正”的单位报表有错误，所列总分为暂计，不参与排名、等次评定和名额分配，报送更正后重新评分。",
                      "Note: units marked 'to correct' sent returns with errors: their totals are provisional and they are not ranked, graded or "
                      "given quota places until corrected."),
    "legend_provisional": ("注：标“暂定”的单位报表有错误待补正，按评分细则暂予排名和定等次。",
                           "Note: units marked 'provisional' sent returns with errors still to correct; the scheme ranks and grades them "
                           "provisionally."),
    "legend_veto": ("注：一票否决的单位按评分细则定等次，{veto}。", "Note: vetoed units are graded as the scheme says and {veto}."),
    "veto_last": ("排在未被否决的单位之后", "ranked after every unit that is not vetoed"),
    "veto_unranked": ("不参与排名", "not ranked"),
})



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


class SheetStyle:
    """The scoring sheet's formats and words in one language, its cells as put_row takes them, its pages."""

    def __init__(self, wb, lang: str, veto_rank: str = "last"):
        self.lang = lang_of(lang)
        self.wb, self.w, self.veto_rank = wb, texts("score.sheet", self.lang), veto_rank
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

    def cells(self, cells) -> list[tuple]:
        """(value, format key) pairs as put_row takes them: empty cells blank but formatted, numbers with
        two decimals unless their key says otherwise, anything else as text."""
        f, out = self.f, []
        for value, fmt in cells:
            if value is None or value == "":
                out.append((None, f[fmt]))
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                out.append((value, f["num" if fmt == "cell" else fmt]))
            else:
                out.append((str(value), f[fmt]))
        return out

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
        ws.set_footer(t("footer", self.lang))
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.center_horizontally()
