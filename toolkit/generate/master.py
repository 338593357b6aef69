"""Build the master workbook of a template with xlsxwriter.

The master carries every campaign-level value and, where a unit's own value
belongs, a placeholder token (``⟦unit_code⟧``). :mod:`toolkit.generate.outbox`
then copies the master once per unit and replaces only the tokens, which is
what makes generating thousands of workbooks fast.

Cell formats, data validations and column widths are in :mod:`toolkit.generate.cells`.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import xlsxwriter

from ..expr.language import to_excel
from ..i18n import Words, pick, t
from ..output.print_layout import keep_breaks_one_page_wide
from ..output.xlsxfile import display_width
from ..spec import layout
from ..spec.model import Field, Sheet, TemplateSpec
from .cells import cell_formats, data_validation, format_text, number_text, with_max_points

__all__ = ["UNIT_CODE", "UNIT_NAME", "LITERAL_OPEN", "roster_token", "literal", "MasterContext", "build_master",
           "display_width"]

UNIT_CODE = "⟦unit_code⟧"
UNIT_NAME = "⟦unit_name⟧"


# A token that stands for a literal "⟦": text from a return is written with every "⟦" replaced
# by it, so filling the tokens in (one pass) gives back the typed text and never expands it.
LITERAL_OPEN = "⟦lit:open⟧"


def roster_token(column: str) -> str:
    """The placeholder for a roster column prefilled into a unit's workbook."""
    return f"⟦r:{column}⟧"


def literal(text: str) -> str:
    """Text that came from a return (carried items, 上年数), safe from placeholder expansion:
    placeholders are expanded only in text from the spec and the campaign, never in what a unit typed."""
    return text.replace("⟦", LITERAL_OPEN)


@dataclass
class MasterContext:
    """Campaign-level values the master is built with."""

    campaign: str
    year: int
    deadline: str = ""
    round: int = 1
    contact: str = ""
    phone: str = ""
    return_to: str = ""
    lang: str = "zh"
    password: str | None = None
    extra_text: dict[str, str] = field(default_factory=dict)
    carry: Any = None  # toolkit.campaign.carried.UnitCarry of one unit, for a round that carries items over


def build_master(spec: TemplateSpec, ctx: MasterContext,
                 first_sheet: Callable[[xlsxwriter.Workbook], None] | None = None) -> bytes:
    """The master workbook as bytes (placeholders where unit values go).

    *first_sheet* adds a sheet of its own before the template's sheets (the feedback workbook's
    issue list); it opens as the active sheet.
    """
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_numbers": False, "strings_to_urls": False})
    _Builder(wb, spec, ctx).build(first_sheet)
    wb.close()
    return buf.getvalue()


class _Builder:
    def __init__(self, wb, spec: TemplateSpec, ctx: MasterContext):
        self.wb, self.spec, self.ctx, self.lang = wb, spec, ctx, ctx.lang
        self.lists: list[tuple[str, ...]] = []
        self.fmt = cell_formats(wb)
        self.title = pick(Words(spec.title, spec.title_en), ctx.lang)

    def build(self, first_sheet=None) -> None:
        wb, spec = self.wb, self.spec
        wb.set_properties({"title": self.title, "subject": self.ctx.campaign, "author": "toolkit",
                           "company": "", "comments": f"TK|{spec.id}|{spec.version}",
                           "created": dt.datetime(self.ctx.year, 1, 1)})
        props = {"toolkit_template_id": spec.id, "toolkit_template_version": spec.version,
                 "toolkit_unit_code": UNIT_CODE, "toolkit_unit_name": UNIT_NAME,
                 "toolkit_campaign": self.ctx.campaign, "toolkit_fingerprint": spec.fingerprint,
                 "toolkit_year": str(self.ctx.year), "toolkit_round": str(self.ctx.round)}
        for key, value in props.items():
            wb.set_custom_property(key, value)
        if first_sheet is not None:
            first_sheet(wb)
        self.sheets = {s.id: wb.add_worksheet(s.name) for s in spec.sheets}
        self.lists_ws = wb.add_worksheet(layout.LISTS_SHEET)
        self.meta_ws = wb.add_worksheet(layout.META_SHEET)
        self.form_refs = self._form_refs()
        for sheet in spec.sheets:
            getattr(self, f"_{sheet.kind}")(self.sheets[sheet.id], sheet)
        self._meta()
        self._lists()
        wb.worksheets()[0].activate()

    # ------------------------------------------------------------------ common parts
    def _form_refs(self) -> dict[str, str]:
        refs = {}
        for sheet in self.spec.sheets:
            if sheet.kind == "form":
                for fid, row in layout.form_rows(sheet).items():
                    refs[fid] = f"'{sheet.name}'!{layout.cell_ref(row, layout.FORM_VALUE_COL, True)}"
        return refs

    def _head(self, ws, sheet: Sheet, last_col: int, landscape: bool) -> None:
        ws.set_column(layout.KEY_COL, layout.KEY_COL, 4, None, {"hidden": True})
        ws.write_string(layout.TITLE_ROW, layout.KEY_COL, "#title")
        title = sheet.title or self.title
        if self.ctx.carry is not None and self.ctx.carry.stale and sheet.carries:
            title += t("carry.stale", self.lang)
        ws.merge_range(layout.TITLE_ROW, 1, layout.TITLE_ROW, last_col, title, self.fmt["title"])
        ws.set_row(layout.TITLE_ROW, 30)
        ws.write_string(layout.CODE_ROW, layout.KEY_COL, "#code")
        ws.merge_range(layout.CODE_ROW, 1, layout.CODE_ROW, last_col,
                       layout.code_line(self.spec, UNIT_CODE, UNIT_NAME, self.lang), self.fmt["code"])
        ws.set_paper(9)
        ws.set_landscape() if landscape else ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(layout.TITLE_ROW, layout.HEADER_ROW)
        ws.set_footer(t("footer", self.lang))
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
        ws.center_horizontally()

    def _protect(self, ws, allow_rows: bool = False) -> None:
        ws.protect(self.ctx.password or "", {
            "select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True,
            "format_rows": True, "insert_rows": allow_rows, "delete_rows": allow_rows,
            "autofilter": allow_rows, "sort": False,
        })

    def _header_row(self, ws, labels: list[str], widths: list[float] | None = None) -> None:
        """The header row, as tall as its longest label wraps in its column (two lines at least)."""
        ws.write_string(layout.HEADER_ROW, layout.KEY_COL, "#header")
        for col, label in enumerate(labels, start=1):
            ws.write_string(layout.HEADER_ROW, col, label, self.fmt["header"])
        lines = max([math.ceil(display_width(label, 0, 999) / max(4.0, w - 2)) for label, w in zip(labels, widths)]
                    if widths else [2])
        ws.set_row(layout.HEADER_ROW, max(30, 14 * lines + 4))

    def label(self, f: Field) -> str:
        text = pick(Words(f.label, f.label_en), self.lang)
        return text + (t("required_mark", self.lang) if f.required else "")

    # ------------------------------------------------------------------ sheet kinds
    def _instructions(self, ws, sheet: Sheet) -> None:
        self._head(ws, sheet, 8, landscape=False)
        values = {"deadline": self.ctx.deadline, "contact": self.ctx.contact, "phone": self.ctx.phone,
                  "campaign": self.ctx.campaign, "year": self.ctx.year, "unit_name": UNIT_NAME,
                  "unit_code": UNIT_CODE, "return_to": self.ctx.return_to, "title": self.title,
                  **self.ctx.extra_text}
        text = format_text(sheet.text, values)
        if self.ctx.return_to and "{return_to}" not in sheet.text:  # `init --return-to`: say it in every template
            text = text.rstrip("\n") + "\n" + t("instr.returning", self.lang, return_to=self.ctx.return_to)
        ws.set_column(1, 8, 12)
        for n, line in enumerate(text.strip("\n").split("\n")):
            row = layout.FIRST_ROW + n
            ws.merge_range(row, 1, row, 8, line, self.fmt["text"])
            ws.set_row(row, max(20, 18 * (1 + int(display_width(line, 0, 999) // 100))))
        self._protect(ws)

    def _form(self, ws, sheet: Sheet) -> None:
        prior = self.ctx.carry is not None and any(f.carry for f in sheet.fields)
        self._head(ws, sheet, layout.FORM_HELP_COL + prior, landscape=False)
        self._header_row(ws, [t("form.header", self.lang), t("form.value", self.lang), t("form.help", self.lang)]
                         + ([t("form.prior", self.lang)] if prior else []))
        if prior:
            ws.set_column(layout.FORM_PRIOR_COL, layout.FORM_PRIOR_COL, 16)
            for f, row in zip(sheet.fields, layout.form_rows(sheet).values()):
                value = self.ctx.carry.prior.get(f.id, "") if f.carry else ""
                ws.write_string(row, layout.FORM_PRIOR_COL, literal(value), self.fmt["carried"]) if value else \
                    ws.write_blank(row, layout.FORM_PRIOR_COL, None, self.fmt["carried"])
        ws.set_column(layout.FORM_LABEL_COL, layout.FORM_LABEL_COL, max(display_width(self.label(f)) for f in sheet.fields))
        ws.set_column(layout.FORM_VALUE_COL, layout.FORM_VALUE_COL, max([30] + [f.width or 0 for f in sheet.fields]))
        ws.set_column(layout.FORM_HELP_COL, layout.FORM_HELP_COL, 46)
        for f, row in zip(sheet.fields, layout.form_rows(sheet).values()):
            ws.write_string(row, layout.KEY_COL, f.id)
            ws.write_string(row, layout.FORM_LABEL_COL, self.label(f), self.fmt["label"])
            self._input_cell(ws, row, layout.FORM_VALUE_COL, f, layout.defined_name(f.id))
            note = " ".join(x for x in (f.help or "", f"（{f.unit}）" if f.unit else "") if x)
            ws.write_string(row, layout.FORM_HELP_COL, note, self.fmt["help"])
            ws.set_row(row, 22 if len(note) < 40 else 34)
        ws.freeze_panes(layout.FIRST_ROW, 0)
        self._protect(ws)

    def _checklist(self, ws, sheet: Sheet) -> None:
        first_in = layout.CHECK_FIRST_INPUT_COL
        last_col = first_in + layout.input_columns(sheet) - 1
        self._head(ws, sheet, last_col, landscape=True)
        survey = layout.is_survey(sheet)
        content, standard = ("survey.question", "survey.hint") if survey else ("check.content", "check.standard")
        self._header_row(ws, [t("check.no", self.lang), t(content, self.lang),
                              t(standard, self.lang), t("check.max", self.lang)]
                         + [self.label(c) for c in sheet.columns])
        for col, width in ((1, 7), (2, 42), (3, 42), (layout.CHECK_MAX_COL, 7)):
            # a survey keeps the column (the layout is shared with the reader) but never shows it
            ws.set_column(col, col, width, None, {"hidden": survey and col == layout.CHECK_MAX_COL})
        for j, c in enumerate(sheet.columns):
            ws.set_column(first_in + j, first_in + j, c.width or max(10, display_width(c.label)))
        rows = layout.checklist_rows(sheet)
        areas = {a.id: a for a in sheet.areas}
        subtotal: dict[str, str] = {}
        area_span: dict[str, list[int]] = {}
        for n, crow in enumerate(rows):
            area_span.setdefault(crow.area_id, []).append(layout.FIRST_ROW + n)
        score_col = next((first_in + j for j, c in enumerate(sheet.columns) if c.type == "score"), None)
        for n, crow in enumerate(rows):
            row = layout.FIRST_ROW + n
            ws.write_string(row, layout.KEY_COL, crow.key)
            if crow.kind == "area":
                area = areas[crow.area_id]
                self._area_row(ws, row, sheet, area, score_col, area_span[area.id], subtotal)
            elif crow.kind == "item":
                area = areas[crow.area_id]
                item = next(i for i in area.items if i.id == crow.item_id)
                self._item_row(ws, row, area, item, survey)
            elif survey:  # questions and answers only: the total row stays (the reader's key), unseen
                ws.set_row(row, None, None, {"hidden": True})
            else:
                self._total_row(ws, row, sheet, score_col, subtotal)
        widths = [7, 42, 42] + ([] if survey else [7]) + [c.width or max(10, display_width(c.label)) for c in sheet.columns]
        self._veto_on_its_own_page(ws, sheet, rows, widths)
        ws.freeze_panes(layout.FIRST_ROW, 3)
        self._protect(ws)

    def _area_row(self, ws, row, sheet, area, score_col, span, subtotal) -> None:
        title = area.title
        if area.kind == "bonus" and area.cap is not None:
            named = "加分" in title or "bonus" in title.lower()  # "八、加分项" needs only the cap, not 加分项 again
            title += t("check.cap", self.lang, cap=number_text(area.cap)) if named else \
                " " + t("check.bonus_cap", self.lang, cap=number_text(area.cap))
        ws.merge_range(row, 1, row, 4, title, self.fmt["area"])
        for j, c in enumerate(area.columns):
            col = layout.CHECK_FIRST_INPUT_COL + j
            if area.columns != sheet.columns:
                ws.write_string(row, col, self.label(c), self.fmt["header"])
            elif col == score_col and area.kind != "veto":
                first, last = span[1], span[-1]
                formula = f"=SUM({layout.cell_ref(first, col)}:{layout.cell_ref(last, col)})"
                ws.write_formula(row, col, formula, self.fmt["formula"], 0)
                subtotal[area.id] = layout.cell_ref(row, col)
            else:
                ws.write_blank(row, col, None, self.fmt["area"])
        ws.set_row(row, 22 if area.columns == sheet.columns else 30)  # its own column headers wrap

    def _veto_on_its_own_page(self, ws, sheet: Sheet, rows: list[layout.ChecklistRow], widths: list[float]) -> None:
        """A page break before the veto area, so its heading is never left alone at the foot of a page.

        Excel would ignore the break under "fit to one page wide", so the sheet then prints at the scale
        that makes its visible columns one page wide instead.
        """
        veto = [n for n, crow in enumerate(rows) if crow.kind == "area" and
                next(a for a in sheet.areas if a.id == crow.area_id).kind == "veto"]
        if veto and veto[0] > 0:
            ws.set_h_pagebreaks([layout.FIRST_ROW + veto[0]])
            keep_breaks_one_page_wide(ws, widths, landscape=True, side_margin=0.5)

    def _item_row(self, ws, row, area, item, survey: bool = False) -> None:
        ws.write_string(row, 1, item.id.replace("_", "."), self.fmt["label_c"])
        ws.write_string(row, 2, item.content, self.fmt["label"])
        ws.write_string(row, 3, item.standard, self.fmt["label"])
        if area.kind == "veto" or survey:  # no points to show: a veto decides the grade, a survey asks
            ws.write_string(row, layout.CHECK_MAX_COL, "—" if area.kind == "veto" else "", self.fmt["label_c"])
        else:
            ws.write_number(row, layout.CHECK_MAX_COL, item.max_points, self.fmt["label_c"])
        for j, c in enumerate(area.columns):
            bound = c if c.type != "score" else with_max_points(c, item.max_points)
            self._input_cell(ws, row, layout.CHECK_FIRST_INPUT_COL + j, bound, layout.defined_name(item.id, c.id))
        # as tall as the longer text wraps in its 42-wide column (LibreOffice fits about 18 CJK characters)
        lines = max(math.ceil(display_width(text, 0, 10_000) / 38) for text in (item.content, item.standard))
        ws.set_row(row, min(160, 15 * max(1, lines) + 6))

    def _total_row(self, ws, row, sheet, score_col, subtotal) -> None:
        bonus_word = "check.total" if any(a.kind == "bonus" for a in sheet.areas) else "check.total_plain"
        ws.merge_range(row, 1, row, 4, t(bonus_word, self.lang), self.fmt["area"])
        if score_col is None:
            return
        parts = [subtotal[a.id] for a in sheet.areas if a.kind == "normal" and a.id in subtotal]
        bonus = [f"MIN({number_text(a.cap)},{subtotal[a.id]})" if a.cap is not None else subtotal[a.id]
                 for a in sheet.areas if a.kind == "bonus" and a.id in subtotal]
        if parts or bonus:
            ws.write_formula(row, score_col, "=" + "+".join(parts + bonus), self.fmt["formula"], 0)

    def _table(self, ws, sheet: Sheet) -> None:
        cols = layout.table_columns(sheet)
        last_col = max(cols.values())
        self._head(ws, sheet, last_col, landscape=True)
        widths = [c.width or max(10, display_width(c.label)) for c in sheet.columns]
        self._header_row(ws, [self.label(c) for c in sheet.columns], widths)
        for c, width in zip(sheet.columns, widths):
            ws.set_column(cols[c.id], cols[c.id], width, self.fmt["input_text" if c.type == "text" else "input"])
        carried = self.ctx.carry.tables.get(sheet.id, []) if self.ctx.carry else []
        first, last = layout.FIRST_ROW, layout.FIRST_ROW + len(carried) + sheet.rows - 1
        for row in range(first + len(carried), last + 1):
            ws.write_string(row, layout.KEY_COL, "#row")
            ws.set_row(row, 24)  # room to write by hand on the printed ledger
        self._carried_rows(ws, sheet, cols, carried)
        extra = last + 200  # room for more rows: validation reaches past the drawn rows
        for c in sheet.columns:
            col = cols[c.id]
            for row in range(first + len(carried), last + 1):
                ws.write_blank(row, col, None, self._input_format(c))
            self._validate(ws, first, col, extra, col, c)
            if c.required:
                any_filled = f"COUNTA(${layout.col_letter(1)}{first + 1}:${layout.col_letter(last_col)}{first + 1})>0"
                crit = f"=AND({any_filled},LEN(TRIM({layout.cell_ref(first, col)}))=0)"
                ws.conditional_format(first, col, extra, col, {"type": "formula", "criteria": crit,
                                                               "format": self.fmt["cf_required"]})
        self.wb.define_name(f"t_{sheet.id}", f"='{sheet.name}'!{layout.cell_ref(first, 1, True)}:"
                                             f"{layout.cell_ref(last, last_col, True)}")
        ws.freeze_panes(layout.FIRST_ROW, 1)
        ws.autofilter(layout.HEADER_ROW, 1, last, last_col)
        # the blank rows are only borders: without a print area LibreOffice prints the header alone
        ws.print_area(layout.TITLE_ROW, layout.KEY_COL, last, last_col)
        self._protect(ws, allow_rows=True)

    def _carried_rows(self, ws, sheet: Sheet, cols: dict[str, int], carried) -> None:
        """Rows carried from the last round: carried columns locked, the rest open with last values."""
        for n, item in enumerate(carried):
            row = layout.FIRST_ROW + n
            ws.write_string(row, layout.KEY_COL, f"#item:{literal(item.item_id)}")
            ws.set_row(row, 30)
            for c in sheet.columns:
                value = item.values.get(c.id, "")
                fmt = self.fmt["carried"] if c.carry else self._input_format(c)
                if value:
                    ws.write_string(row, cols[c.id], literal(value), fmt)
                else:
                    ws.write_blank(row, cols[c.id], None, fmt)

    # ------------------------------------------------------------------ cells
    def _input_format(self, f: Field):
        if not f.is_input:
            return self.fmt["locked"]
        return self.fmt[{"date": "input_date", "text": "input_text", "percent": "input_pct"}.get(f.type, "input")]

    def _input_cell(self, ws, row: int, col: int, f: Field, name: str) -> None:
        fmt = self._input_format(f)
        if f.prefill:
            token = {"unit_code": UNIT_CODE, "unit_name": UNIT_NAME}.get(f.prefill, roster_token(f.prefill))
            ws.write_string(row, col, token, fmt)
        elif f.formula:
            excel = to_excel(f.formula, lambda n: self.form_refs[n])
            if excel:
                ws.write_formula(row, col, "=" + excel, self.fmt["formula"], 0)
            else:
                ws.write_blank(row, col, None, self.fmt["formula"])
        else:
            ws.write_blank(row, col, None, fmt)
            self._validate(ws, row, col, row, col, f)
            if f.required:
                ws.conditional_format(row, col, row, col, {
                    "type": "formula", "criteria": f"=LEN(TRIM({layout.cell_ref(row, col)}))=0",
                    "format": self.fmt["cf_required"]})
        self.wb.define_name(name, f"='{ws.get_name()}'!{layout.cell_ref(row, col, True)}")

    def _validate(self, ws, r1, c1, r2, c2, f: Field) -> None:
        dv = data_validation(f, self.lang, self._list_source)
        if dv:
            ws.data_validation(r1, c1, r2, c2, dv)

    def _list_source(self, choices: tuple[str, ...]) -> Any:
        if len(choices) <= 4 and sum(len(c) for c in choices) < 40:
            return list(choices)
        if choices not in self.lists:
            self.lists.append(choices)
        col = self.lists.index(choices)
        return f"='{layout.LISTS_SHEET}'!{layout.cell_ref(0, col, True)}:{layout.cell_ref(len(choices) - 1, col, True)}"

    def _lists(self) -> None:
        for col, choices in enumerate(self.lists):
            for row, choice in enumerate(choices):
                self.lists_ws.write_string(row, col, choice)
        self.lists_ws.hide()
        self._protect(self.lists_ws)

    def _meta(self) -> None:
        ws, spec = self.meta_ws, self.spec
        rows = [("toolkit", "toolkit-meta-1"), ("template_id", spec.id), ("template_version", spec.version),
                ("unit_code", UNIT_CODE), ("unit_name", UNIT_NAME), ("campaign", self.ctx.campaign),
                ("year", str(self.ctx.year)), ("fingerprint", spec.fingerprint), ("round", str(self.ctx.round))]
        for n, (key, value) in enumerate(rows):
            ws.write_string(n, 0, key)
            ws.write_string(n, 1, value)
        ws.very_hidden()
        self._protect(ws)
