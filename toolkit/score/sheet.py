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

from ..campaign.folder import Campaign
from ..i18n import t
from ..model import UnitState
from ..output.xlsxfile import new_workbook
from .cards import CARD_SHEET_LIMIT, write_cards
from .engine import ScoreResult
from .layout import LINE_HEIGHT, SheetStyle, row_height, sheet_name, text_lines
from .scheme import ScoringScheme
from .words import note_text

__all__ = ["write_scoring_sheet", "CARD_SHEET_LIMIT", "text_lines", "row_height", "sheet_name", "LINE_HEIGHT"]


def write_scoring_sheet(campaign: Campaign, scheme: ScoringScheme, result: ScoreResult, lang: str = "zh") -> None:
    wb = new_workbook(campaign.out / "scoring-sheet.xlsx", rows_in_order=True)  # flat at any size
    s = SheetStyle(wb, lang, scheme.veto_rank)
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
    for row in (row for code in result.vetoes for row in result.trace.unit(code)):
        if row.get("vetoed"):
            reasons, areas = out.setdefault(row["unit_code"], ([], set()))
            reasons.append(note_text(row["notes"], lang))
            areas.add(row["area"])
    sep = t("sep.semicolon", lang)
    return {code: (sep.join(reasons), areas) for code, (reasons, areas) in out.items()}


def _area_columns(scheme: ScoringScheme, result: ScoreResult) -> list[tuple[str, str, bool]]:
    """(area id, title, is a veto column) per subtotal column; a veto column shows 是/—, not points."""
    keys = list(dict.fromkeys(k for areas in result.areas.values() for k in areas))
    titles = {**scheme.area_titles, **result.area_titles}
    rules: dict[str, set[str]] = {}
    for ind in scheme.indicators:
        rules.setdefault(ind.area, set()).add(ind.rule)
    return [(k, titles.get(k, k), rules.get(k) == {"veto"}) for k in keys]


def _row_cells(s: SheetStyle, row: dict, columns, result: ScoreResult, reasons: dict) -> list[tuple]:
    """(value, format) per column of one unit's row."""
    w, code = s.w, row["unit_code"]
    held = row.get("state") == UnitState.FAULTY and row["rank"] is None
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
        grade = w("grade_provisional", grade=grade, provisional=w["provisional"])
    cells.append((grade, "mark" if held or provisional else "center"))
    remarks = [w["held_note"]] if held else [w["provisional_note"]] if provisional else []
    if code in reasons:
        remarks.append(reasons[code][0])
    cells.append(("\n".join(remarks), "cell"))
    return cells


def _legends(s: SheetStyle, rows: list[dict]) -> list[str]:
    """A note under the table for each kind of marked unit it shows."""
    w, out = s.w, []
    if any(r.get("state") == UnitState.FAULTY and r["rank"] is None for r in rows):
        out.append(w["legend_faulty"])
    if any(r.get("provisional") for r in rows):
        out.append(w["legend_provisional"])
    if any(r["vetoed"] for r in rows):
        out.append(w["legend_veto"].format(veto=w["veto_unranked" if s.veto_rank == "unranked" else "veto_last"]))
    return out


def _table(s: SheetStyle, ws, campaign: Campaign, rows: list[dict], columns, result: ScoreResult, group,
           reasons: dict) -> None:
    w = s.w
    ws.forget_rows = True  # no chart on it: a written row's height is not kept
    heads = [w["rank"], w["group_rank"], w["code"], w["name"], w["group"]] + [title for _, title, _ in columns] + \
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
        ws.put_row(r, s.cells(cells), row_height([v if isinstance(v, str) else "" for v, _ in cells], widths))
    for legend in _legends(s, order):
        r += 1
        ws.merge_range(r, 0, r, last, legend, s.f["legend"])
        ws.set_row(r, row_height([legend], [sum(widths) * 0.9]))
    ws.merge_range(r + 2, 0, r + 2, last, w["sign"], s.f["sign"])
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.freeze_panes(3, 4)
    s.page(ws, 3, widths, key_columns=4)
