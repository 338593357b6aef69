"""out/scoring-sheet.xlsx: the annual scoring sheet (年度考核评分表), print-ready.

One overall sheet and one per group: a row per unit with points per area, bonus,
deductions, total, rank, group rank and grade; A4 landscape, title with the year
and campaign, repeated header rows, page numbers, a line for the assessor's
signature and date. Then a score card per unit with its full trace.
"""

from __future__ import annotations

import datetime as dt

from .campaign import Campaign
from .score import ScoreResult
from .scheme import ScoringScheme
from .xlsxout import new_workbook

__all__ = ["write_scoring_sheet", "CARD_SHEET_LIMIT"]

CARD_SHEET_LIMIT = 300  # above this many units the score cards share one sheet, a page each

_W = {"zh": {"title": "{year}年度考核评分表", "overall": "总表", "code": "单位代码", "name": "单位名称",
             "group": "分组", "total": "总分", "rank": "总排名", "group_rank": "组内排名", "grade": "等次",
             "vetoed": "一票否决", "sign": "评分人（签字）：＿＿＿＿＿＿＿＿    审核人（签字）：＿＿＿＿＿＿＿＿    日期：＿＿＿＿年＿＿月＿＿日",
             "card": "评分卡", "cards": "评分卡", "indicator": "指标", "rule": "计分规则", "inputs": "依据数据",
             "points": "得分", "max": "分值", "note": "说明", "not_returned": "未报送", "yes": "是",
             "adjustment": "调整", "deduction": "扣分", "bonus": "加分"},
      "en": {"title": "Annual scoring sheet {year}", "overall": "All units", "code": "Unit code", "name": "Unit",
             "group": "Group", "total": "Total", "rank": "Rank", "group_rank": "Group rank", "grade": "Grade",
             "vetoed": "Vetoed", "sign": "Assessor (signature): ____________    Reviewed by: ____________    Date: ____________",
             "card": "Card", "cards": "Score cards", "indicator": "Indicator", "rule": "Rule", "inputs": "Values used",
             "points": "Points", "max": "Max", "note": "Note", "not_returned": "not returned", "yes": "yes",
             "adjustment": "Adjustment", "deduction": "Deductions", "bonus": "Bonus"}}


class _Sheet:
    def __init__(self, wb, lang: str):
        self.wb, self.w = wb, _W["en" if lang == "en" else "zh"]
        b = {"border": 1, "valign": "vcenter", "font_size": 10}
        self.f = {"title": wb.add_format({"bold": True, "font_size": 16, "align": "center"}),
                  "sub": wb.add_format({"font_size": 10, "align": "center"}),
                  "head": wb.add_format({**b, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "align": "center"}),
                  "cell": wb.add_format(b), "num": wb.add_format({**b, "num_format": "0.##"}),
                  "wrap": wb.add_format({**b, "text_wrap": True}), "sign": wb.add_format({"font_size": 11}),
                  "veto": wb.add_format({**b, "font_color": "#C00000", "bold": True})}

    def put(self, ws, r: int, c: int, value, fmt: str = "cell") -> None:
        if value is None or value == "":
            ws.write_blank(r, c, None, self.f[fmt])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(r, c, value, self.f["num" if fmt == "cell" else fmt])
        else:
            ws.write_string(r, c, str(value), self.f[fmt])

    def page(self, ws, header_rows: int, last_col: int) -> None:
        ws.set_paper(9)
        ws.set_landscape()
        if header_rows > 0:  # repeat_rows(0, -1) would write the invalid print titles $1:$0
            ws.repeat_rows(0, header_rows - 1)
        ws.fit_to_pages(1, 0)
        ws.set_footer("&C第 &P 页，共 &N 页" if self.w is _W["zh"] else "&CPage &P of &N")
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        del last_col


def write_scoring_sheet(campaign: Campaign, scheme: ScoringScheme, result: ScoreResult, lang: str = "zh") -> None:
    wb = new_workbook(campaign.out / "scoring-sheet.xlsx")
    s = _Sheet(wb, lang)
    columns = _area_columns(scheme, result)
    groups = list(dict.fromkeys(row["group"] for row in result.scores))
    used: set[str] = set()
    _table(s, wb.add_worksheet(_name(s.w["overall"], used)), campaign, result.scores, columns, result, None)
    for group in groups:
        rows = [r for r in result.scores if r["group"] == group]
        _table(s, wb.add_worksheet(_name(group or "-", used)), campaign, rows, columns, result, group)
    _cards(s, wb, campaign, scheme, result, used)
    wb.set_properties({"title": s.w["title"].format(year=campaign.year), "author": "toolkit",
                       "created": dt.datetime(campaign.year, 1, 1)})
    wb.close()


def _name(text: str, used: set[str]) -> str:
    base = "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:27]}_{n}"
        n += 1
    used.add(name.lower())
    return name


def _area_columns(scheme: ScoringScheme, result: ScoreResult) -> list[tuple[str, str]]:
    keys = list(dict.fromkeys(k for areas in result.areas.values() for k in areas))
    titles = {**scheme.area_titles, **result.area_titles}
    return [(k, titles.get(k, k)) for k in keys]


def _sort_key(row: dict):
    return (row["rank"] in ("", None), row["rank"] if isinstance(row["rank"], int) else 10**9, row["unit_code"])


def _table(s: _Sheet, ws, campaign: Campaign, rows: list[dict], columns, result: ScoreResult, group) -> None:
    w = s.w
    heads = [w["rank"], w["group_rank"], w["code"], w["name"], w["group"]] + [t for _, t in columns] + \
        [w["total"], w["grade"], w["vetoed"]]
    last = len(heads) - 1
    ws.merge_range(0, 0, 0, last, f"{campaign.name} — {w['title'].format(year=campaign.year)}", s.f["title"])
    ws.merge_range(1, 0, 1, last, group or w["overall"], s.f["sub"])
    for c, text in enumerate(heads):
        ws.write_string(2, c, text, s.f["head"])
    ws.set_row(2, 36)
    r = 2
    for row in sorted(rows, key=_sort_key):
        r += 1
        areas = result.areas.get(row["unit_code"], {})
        values = [row["rank"], row["group_rank"], row["unit_code"], row["unit_name"], row["group"]]
        values += [areas.get(k) for k, _ in columns]
        total = row["total"] if row["total"] not in ("", None) else w["not_returned"]
        values += [total, row["grade"], w["yes"] if row["vetoed"] in (True, "true") else ""]
        for c, v in enumerate(values):
            s.put(ws, r, c, v, "veto" if c == last and v else "cell")
    ws.merge_range(r + 2, 0, r + 2, last, w["sign"], s.f["sign"])
    ws.set_column(0, 1, 7)
    ws.set_column(2, 2, 10)
    ws.set_column(3, 3, 26)
    ws.set_column(4, 4, 12)
    ws.set_column(5, last, 10)
    ws.freeze_panes(3, 4)
    s.page(ws, 3, last)


def _cards(s: _Sheet, wb, campaign: Campaign, scheme: ScoringScheme, result: ScoreResult, used: set[str]) -> None:
    by_unit: dict[str, list[dict]] = {}
    for t in result.trace:
        by_unit.setdefault(t["unit_code"], []).append(t)
    titles = {i.id: i.title for i in scheme.indicators}
    scored = [row for row in result.scores if row["unit_code"] in by_unit]
    shared = None if len(scored) <= CARD_SHEET_LIMIT else wb.add_worksheet(_name(s.w["cards"], used))
    r, breaks = 0, []
    for row in scored:
        ws = shared or wb.add_worksheet(_name(f"{row['unit_code']} {s.w['card']}", used))
        start = r if shared else 0
        end = _card(s, ws, start, campaign, row, by_unit[row["unit_code"]], titles)
        if shared:
            breaks.append(end + 1)
            r = end + 1
        else:
            s.page(ws, 3, 6)  # a card on its own sheet repeats its title, summary and headings
    if shared:
        shared.set_h_pagebreaks(breaks[:1023])
        s.page(shared, 0, 6)


def _card(s: _Sheet, ws, r: int, campaign: Campaign, row: dict, trace: list[dict], titles: dict) -> int:
    w = s.w
    ws.merge_range(r, 0, r, 6, f"{row['unit_code']} {row['unit_name']} — {w['card']}", s.f["title"])
    ws.merge_range(r + 1, 0, r + 1, 6, f"{w['total']} {row['total']}  {w['rank']} {row['rank']}  "
                   f"{w['group_rank']} {row['group_rank']}  {w['grade']} {row['grade']}", s.f["sub"])
    for c, text in enumerate((w["indicator"], "", w["rule"], w["inputs"], w["points"], w["max"], w["note"])):
        ws.write_string(r + 2, c, text, s.f["head"])
    n = r + 2
    for t in trace:
        n += 1
        for c, v in enumerate((t["indicator"], titles.get(t["indicator"], ""), t["rule"], t["inputs"],
                               t["points"], t["max_points"], t["note"])):
            s.put(ws, n, c, v, "wrap" if c in (1, 3, 6) else "cell")
    ws.merge_range(n + 2, 0, n + 2, 6, w["sign"], s.f["sign"])
    for c, width in enumerate((12, 40, 10, 36, 8, 8, 24)):
        ws.set_column(c, c, width)
    return n + 2
