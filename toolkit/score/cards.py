"""Score cards (评分卡) of out/scoring-sheet.xlsx: one per scored unit, for answering its appeal.

In plain words, in the reader's language: each indicator's title, its rule as a sentence, the
unit's own values under their field labels, the points and the maximum, and why points were
capped, deducted or vetoed. The card's head says the total, rank, group rank and grade, and
whether the unit is held out (待补正), provisional (暂定) or vetoed, and for which item.
"""

from __future__ import annotations

from ..campaign.folder import Campaign
from ..i18n import define, texts
from ..model import UnitState
from ..output.print_layout import keep_breaks_one_page_wide
from .engine import ScoreResult
from .layout import PORTRAIT, SheetStyle, row_height, sheet_name
from .scheme import ScoringScheme, expression_names
from .words import adjustment_text, note_text, rule_text, value_labels, values_text

__all__ = ["write_cards", "CARD_SHEET_LIMIT"]

CARD_SHEET_LIMIT = 300  # above this many units the score cards share one sheet, a page each

define("score.cards", {
    "indicator": ("指标", "Indicator"),
    "rule": ("计分规则", "Rule"),
    "values": ("本单位填报数据", "The unit's values"),
    "points": ("得分", "Points"),
    "max": ("分值", "Max"),
    "note": ("说明", "Note"),
    "summary": ("总分 {total}    总排名 {rank}    组内排名 {group_rank}    等次 {grade}",
                "Total {total}    Rank {rank}    Group rank {group_rank}    Grade {grade}"),
    "adjustment": ("考核调整", "Adjustment"),
})
_WIDTHS = [30, 34, 30, 8, 8, 24]


def write_cards(s: SheetStyle, wb, campaign: Campaign, scheme: ScoringScheme, result: ScoreResult,
                used: set[str]) -> None:
    """A card per scored unit on its own sheet, or (above CARD_SHEET_LIMIT units) all on one sheet.

    Each card is written from its unit's packed trace and leaves nothing behind in memory: the rows
    go to the sheet's file as they are finished (the workbook writes rows in order)."""
    spec = campaign.template()
    words = _Words(s.lang, scheme, spec)
    scored = [row for row in result.scores if row["unit_code"] in result.trace]
    shared = None if len(scored) <= CARD_SHEET_LIMIT else wb.add_worksheet(sheet_name(s.w["cards"], used))
    if shared:
        shared.forget_rows = True  # no chart on it: a written row's height is not kept
    r, breaks = 0, []
    for row in scored:
        ws = shared or wb.add_worksheet(sheet_name(f"{row['unit_code']} {s.w['card']}", used, "card"))
        end = _card(s, ws, r if shared else 0, campaign, row, result.trace.unit(row["unit_code"]), words)
        if shared:
            breaks.append(end + 1)
            r = end + 1
        else:
            s.page(ws, 3, _WIDTHS)  # a card on its own sheet repeats its title, summary and headings
            ws.put_away()  # finished: its file is closed until the workbook is assembled
    if shared:
        shared.set_h_pagebreaks(breaks[:1023])
        s.page(shared, 0, _WIDTHS)
        # one card a page: Excel keeps the breaks only at a fixed scale, never under "fit to page"
        keep_breaks_one_page_wide(shared, _WIDTHS, landscape=sum(_WIDTHS) > PORTRAIT, side_margin=0.4)


class _Words:
    """Titles, rules and labels of one scheme in one language, computed once for every card."""

    def __init__(self, lang: str, scheme: ScoringScheme, spec):
        self.lang, self.w = lang, texts("score.cards", lang)
        self.labels = value_labels(spec, lang)
        names = expression_names(spec)
        self.fields = {name: self.labels.get(key, name) for name, key in names.items()}
        self.indicators = {i.id: i for i in scheme.indicators}
        self.rules = {i.id: rule_text(i, lang, names=names, labels=self.labels, veto_rank=scheme.veto_rank)
                      for i in scheme.indicators}
        self.areas = dict(scheme.area_titles)

    def title(self, t: dict) -> str:
        ind = self.indicators.get(t["indicator"])
        if ind is not None:
            return ind.label(self.lang)
        return self.areas.get(t["indicator"]) or self.w["adjustment"]

    def rule(self, t: dict) -> str:
        if t["rule"] == "adjustment":
            return adjustment_text(self.lang)
        return self.rules.get(t["indicator"], "")


def _summary(s, row: dict, veto_reason: str) -> str:
    w = s.w
    total = "" if row["total"] is None else f"{row['total']:.2f}"
    grade = row["grade"] or ""
    held = row.get("state") == UnitState.FAULTY and row["rank"] is None
    text = texts("score.cards", s.lang)("summary", total=total, rank=row["rank"] or "—", group_rank=row["group_rank"] or "—",
                                        grade=w["held"] if held else grade)
    notes = [w["held_note"]] if held else [w["provisional_note"]] if row.get("provisional") else []
    return "\n".join([text] + notes + ([veto_reason] if veto_reason else []))


def _card(s, ws, r: int, campaign: Campaign, row: dict, trace: list[dict], words: _Words) -> int:
    w, cw = s.w, words.w
    last = len(_WIDTHS) - 1
    ws.merge_range(r, 0, r, last, f"{row['unit_code']} {row['unit_name']} — {w['card']}", s.f["title"])
    ws.set_row(r, 24)
    summary = _summary(s, row, "；".join(note_text(t["notes"], words.lang) for t in trace if t.get("vetoed")))
    ws.merge_range(r + 1, 0, r + 1, last, summary, s.f["sub"])
    ws.set_row(r + 1, row_height([summary], [sum(_WIDTHS)]))
    heads = (cw["indicator"], cw["rule"], cw["values"], cw["points"], cw["max"], cw["note"])
    for c, text in enumerate(heads):
        ws.write_string(r + 2, c, text, s.f["head"])
    n = r + 2
    for t in trace:
        n += 1
        cells = (words.title(t), words.rule(t), values_text(t.get("values", ()), words.labels, words.lang),
                 t["points"], t["max_points"], note_text(t.get("notes", ()), words.lang, words.fields))
        keys = ("cell",) * 5 + ("veto" if t.get("vetoed") else "cell",)
        ws.put_row(n, s.cells(zip(cells, keys)), row_height([v if isinstance(v, str) else "" for v in cells], _WIDTHS))
    ws.merge_range(n + 2, 0, n + 2, last, w["sign"], s.f["sign"])
    for c, width in enumerate(_WIDTHS):
        ws.set_column(c, c, width)
    return n + 2
