"""out/consolidated.xlsx: the merged returns, a summary with totals, rates and native charts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..campaign.folder import Campaign
from ..campaign.status import state_label
from ..i18n import Words, define, pick, t, texts
from ..model import UnitState
from ..output.names import safe_sheet_name
from ..output.print_layout import print_wide
from ..output.xlsxfile import display_width, new_workbook
from ..spec.model import Field, Sheet, TemplateSpec
from .merged import Merged, MergedUnit

__all__ = ["ConsolidatedBook", "write_consolidated"]

define("merge.consolidated", {
    "code": ("单位代码", "Unit code"),
    "name": ("单位名称", "Unit"),
    "group": ("分组", "Group"),
    "state": ("状态", "State"),
    "file": ("来源文件", "Source file"),
    "sha": ("sha256", "sha256"),
    "received": ("收到时间", "Received"),
    "row": ("行号", "Row"),
    "summary": ("汇总", "Summary"),
    "units": ("单位数", "Units"),
    "returned": ("已报送", "Returned"),
    "accepted": ("其中合格", "Accepted"),
    "faulty": ("其中需退回修改", "Faulty"),
    "missing": ("未报送", "Missing"),
    "rate": ("报送率", "Return rate"),
    "all": ("全部", "All"),
    "total": ("合计", "Total"),
    "chart_status": ("各组报送情况", "Returns by group"),
    "chart_rates": ("各组比率", "Rates by group"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
})


class _Writer:
    def __init__(self, wb, lang: str, title: str = ""):
        self.wb, self.lang, self.w, self.title = wb, lang, texts("merge.consolidated", lang), title
        border = {"border": 1, "valign": "vcenter", "font_size": 10}
        self.f = {
            "head": wb.add_format({**border, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "align": "center"}),
            "cell": wb.add_format(border), "num": wb.add_format(border),  # General: 12, 3.5, never "12."
            # number formats only change what shows: the cell keeps the exact value
            "int": wb.add_format({**border, "num_format": "#,##0"}),
            "dec": wb.add_format({**border, "num_format": "#,##0.00"}),
            "score": wb.add_format({**border, "num_format": "0.0#"}),
            "pct": wb.add_format({**border, "num_format": "0.0%"}),
            "pct100": wb.add_format({**border, "num_format": '0.0"%"'}),  # a rate kept as typed on 0–100
            "date": wb.add_format({**border, "num_format": "yyyy-mm-dd"}),
            "faulty": wb.add_format({**border, "bg_color": "#FFEB9C"}),
            "missing": wb.add_format({**border, "bg_color": "#EDEDED", "font_color": "#7F7F7F"}),
            "title": wb.add_format({"bold": True, "font_size": 14}),
        }

    @staticmethod
    def number_format(f: Field) -> str:
        """The format key of a field's values: thousands separators, fixed decimals, rates as percentages."""
        if f.type == "percent":
            return "pct" if f.scale == 1 else "pct100"
        return {"int": "int", "number": "dec", "score": "score"}.get(f.type, "cell")

    def label(self, f: Field) -> str:
        return pick(Words(f.label, f.label_en), self.lang)

    def value(self, ws, r: int, c: int, v: Any, fmt_key: str = "cell") -> None:
        if v is None or v == "":
            ws.write_blank(r, c, None, self.f[fmt_key])
        elif isinstance(v, bool):
            ws.write_string(r, c, self.w["yes"] if v else self.w["no"], self.f[fmt_key])
        elif isinstance(v, (int, float)):
            ws.write_number(r, c, v, self.f["num" if fmt_key == "cell" else fmt_key])
        elif isinstance(v, (dt.date, dt.datetime)):
            ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()) if not isinstance(v, dt.datetime) else v,
                              self.f["date"])
        else:
            ws.write_string(r, c, str(v), self.f[fmt_key])

    def cell(self, v: Any, fmt_key: str = "cell") -> tuple[Any, Any]:
        """(value, format) as put_row takes it: what :meth:`value` writes."""
        if v is None or v == "":
            return None, self.f[fmt_key]
        if isinstance(v, bool):
            return (self.w["yes"] if v else self.w["no"]), self.f[fmt_key]
        if isinstance(v, (int, float)):
            return v, self.f["num" if fmt_key == "cell" else fmt_key]
        if isinstance(v, (dt.date, dt.datetime)):
            return (dt.datetime.combine(v, dt.time()) if not isinstance(v, dt.datetime) else v), self.f["date"]
        return str(v), self.f[fmt_key]

    def unit_row(self, mu: MergedUnit) -> list[tuple[Any, Any]]:
        """The unit's code, name, group and state, as the first cells of its row."""
        state = mu.status.state
        fmt = self.f[{UnitState.FAULTY: "faulty", UnitState.MISSING: "missing"}.get(state, "cell")]
        return [(v, fmt) for v in (mu.unit.code, mu.unit.name, mu.unit.group,
                                   state_label(state, self.lang))]

    def provenance_cells(self, mu: MergedUnit) -> list[tuple[Any, Any]]:
        f = mu.file
        return [self.cell(v) for v in ((f.source, f.sha256, f.received_at) if f else ("", "", ""))]

    def header(self, ws, labels: list[str], row: int = 0) -> None:
        for c, text in enumerate(labels):
            ws.write_string(row, c, text, self.f["head"])
        ws.set_row(row, 32)
        ws.freeze_panes(row + 1, 3)


class ConsolidatedBook:
    """out/consolidated.xlsx written as the units stream by: :meth:`add` writes one unit's rows on
    every sheet (xlsxwriter keeps each sheet's finished rows in a file, not in memory), :meth:`close`
    the summary (the first sheet, written last: its totals need every unit) and the page setup."""

    def __init__(self, campaign: Campaign, spec: TemplateSpec, lang: str = "zh"):
        self.campaign, self.spec = campaign, spec
        self.wb = new_workbook(campaign.out / "consolidated.xlsx", rows_in_order=True)
        self.w = _Writer(self.wb, lang, campaign.name)
        used: set[str] = set()
        self.summary = self.wb.add_worksheet(safe_sheet_name(self.w.w["summary"], used))
        self.sheets = []
        for sheet in spec.sheets:
            if sheet.kind == "instructions":
                continue
            ws = self.wb.add_worksheet(safe_sheet_name(sheet.name, used))
            ws.forget_rows = True  # no chart on it
            kind = {"form": _FormSheet, "checklist": _ChecklistSheet, "table": _TableSheet}[sheet.kind]
            self.sheets.append(kind(self.w, ws, sheet))

    def add(self, mu: MergedUnit) -> None:
        for sheet in self.sheets:
            sheet.add(mu)

    def close(self, totals: list[dict]) -> None:
        for sheet in self.sheets:
            sheet.finish()
        _summary(self.w, self.summary, self.spec, totals, self.campaign)
        self.wb.set_properties({"title": f"{self.campaign.name} 汇总", "author": "toolkit",
                                "created": dt.datetime(self.campaign.year, 1, 1)})
        self.wb.close()


def write_consolidated(campaign: Campaign, merged: Merged, totals: list[dict], lang: str = "zh") -> None:
    """The whole workbook from *merged*, its units loaded one at a time."""
    book = ConsolidatedBook(campaign, merged.spec, lang)
    for mu in merged.loaded():
        book.add(mu)
    book.close(totals)


class _DataSheet:
    """One sheet of the returns: a header, then a row (a table: rows) per unit, in roster order."""

    def __init__(self, w: _Writer, ws, sheet: Sheet):
        self.w, self.ws, self.sheet, self.r = w, ws, sheet, 0

    def finish(self) -> None:
        _finish(self.w, self.ws, self.r, self.widths(), self.groups(), self.sheet)


class _FormSheet(_DataSheet):
    def __init__(self, w: _Writer, ws, sheet: Sheet):
        super().__init__(w, ws, sheet)
        self.fields = [f for f in sheet.fields if f.prefill not in ("unit_code", "unit_name")]
        self.formats = [w.number_format(f) for f in self.fields]
        w.header(ws, [w.w["code"], w.w["name"], w.w["group"], w.w["state"]] + [w.label(f) for f in self.fields]
                 + [w.w["file"], w.w["sha"], w.w["received"]])

    def add(self, mu: MergedUnit) -> None:
        w = self.w
        self.r += 1
        self.ws.put_row(self.r, w.unit_row(mu) + [w.cell(mu.value(f.id), fmt) for f, fmt in zip(self.fields, self.formats)]
                        + w.provenance_cells(mu))

    def widths(self) -> list[float]:
        return [10, 24, 12, 12] + [_width(self.w.label(f), f) for f in self.fields] + _PROVENANCE_WIDTHS

    def groups(self):
        return [[[2, 3]]] + [[[4 + n]] for n in range(len(self.fields))] + [_provenance_group(4 + len(self.fields))]


class _ChecklistSheet(_DataSheet):
    def __init__(self, w: _Writer, ws, sheet: Sheet):
        super().__init__(w, ws, sheet)
        self.cols = [(item, c, area) for area in sheet.areas for item in area.items for c in area.columns]
        self.keys = [(f"{item.id}.{c.id}", w.number_format(c)) for item, c, _ in self.cols]
        self.score_keys = [f"{item.id}.{c.id}" for item, c, area in self.cols
                           if c.type == "score" and area.kind == "normal"]
        self.labels = [f"{item.id.replace('_', '.')} {w.label(c)}" for item, c, _ in self.cols]
        w.header(ws, [w.w["code"], w.w["name"], w.w["group"], w.w["state"], w.w["total"]] + self.labels
                 + [w.w["file"], w.w["sha"], w.w["received"]])

    def add(self, mu: MergedUnit) -> None:
        w = self.w
        self.r += 1
        scores = [mu.value(key) for key in self.score_keys]
        nums = [s for s in scores if isinstance(s, (int, float)) and not isinstance(s, bool)]
        total = w.cell(sum(nums) if mu.ret is not None else None)
        self.ws.put_row(self.r, w.unit_row(mu) + [total] + [w.cell(mu.value(key), fmt) for key, fmt in self.keys]
                        + w.provenance_cells(mu))

    def widths(self) -> list[float]:
        return [10, 24, 12, 12, 8] + [_width(label, c) for label, (_, c, _) in zip(self.labels, self.cols)] + \
            _PROVENANCE_WIDTHS

    def groups(self):
        groups, col = [[[2, 3, 4]]], 5
        for area in self.sheet.areas:  # an area's indicators together; one indicator's columns never apart
            group = []
            for _ in area.items:
                group.append(list(range(col, col + len(area.columns))))
                col += len(area.columns)
            groups.append(group)
        return groups + [_provenance_group(col)]


class _TableSheet(_DataSheet):
    def __init__(self, w: _Writer, ws, sheet: Sheet):
        super().__init__(w, ws, sheet)
        self.formats = [w.number_format(c) for c in sheet.columns]
        w.header(ws, [w.w["code"], w.w["name"], w.w["group"], w.w["state"], w.w["row"]]
                 + [w.label(c) for c in sheet.columns] + [w.w["file"], w.w["sha"], w.w["received"]])

    def add(self, mu: MergedUnit) -> None:
        w, columns = self.w, self.sheet.columns
        unit, provenance = w.unit_row(mu), w.provenance_cells(mu)
        for row in mu.table_rows(self.sheet.id) or [None]:
            self.r += 1
            values = [w.cell(mu.value(c.id, row) if row is not None else None, fmt)
                      for c, fmt in zip(columns, self.formats)]
            self.ws.put_row(self.r, unit + [w.cell(row)] + values + provenance)

    def widths(self) -> list[float]:
        return [10, 24, 12, 12, 6] + [max(16, _width(self.w.label(c), c)) for c in self.sheet.columns] + \
            _PROVENANCE_WIDTHS

    def groups(self):
        n = len(self.sheet.columns)
        return [[[2, 3, 4]]] + [[[5 + j]] for j in range(n)] + [_provenance_group(5 + n)]


_PROVENANCE_WIDTHS = [40, 20, 20]


def _provenance_group(first: int) -> list[list[int]]:
    return [[first, first + 1, first + 2]]


def _width(label: str, f: Field) -> float:
    """A column as wide as its values need, the header wrapping onto two lines."""
    if f.type in ("int", "number", "score", "percent", "bool"):
        return 9
    if f.type in ("date", "choice"):
        return 12
    return min(20, max(12, display_width(label) / 2 + 2))


def _finish(w: _Writer, ws, last_row: int, widths: list[float], groups, sheet: Sheet) -> None:
    """Filter, widths, frozen panes for the screen; column groups per A4 page for paper."""
    ws.autofilter(0, 0, max(1, last_row), len(widths) - 1)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    print_wide(ws, widths, groups, repeat=2, header_rows=(0, 0), title=w.title,
               footer=t("footer", w.lang))


_RATE_COL = 6  # summary sheet: group, units, returned, accepted, faulty, missing, return rate, then rates


def _summary(w: _Writer, ws, spec: TemplateSpec, totals: list[dict], campaign: Campaign) -> None:
    ws.write_string(0, 0, f"{campaign.name} — {w.w['summary']}", w.f["title"])
    numeric = [f for f in spec.form_fields.values() if f.type in ("int", "number")]
    rates = list(spec.summary)
    heads = [w.w["group"], w.w["units"], w.w["returned"], w.w["accepted"], w.w["faulty"], w.w["missing"],
             w.w["rate"]]
    heads += [pick(Words(r.label, r.label_en), w.lang) for r in rates] + [w.label(f) for f in numeric]
    for c, text in enumerate(heads):
        ws.write_string(2, c, text, w.f["head"])
    ws.set_row(2, 32)  # before row 3: rows are written in order
    for r, row in enumerate(totals, start=3):
        w.value(ws, r, 0, row["group"] or w.w["all"])
        for c, key in enumerate(("units", "returned", "accepted", "faulty", "missing"), start=1):
            w.value(ws, r, c, row[key])
        w.value(ws, r, _RATE_COL, row["return_rate"], "pct")
        for c, rate in enumerate(rates, start=_RATE_COL + 1):
            w.value(ws, r, c, row[f"rate:{rate.id}"], "pct")
        for c, f in enumerate(numeric, start=_RATE_COL + 1 + len(rates)):
            w.value(ws, r, c, row.get(f.id), w.number_format(f))
    widths = [16] + [12] * (len(heads) - 1)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.freeze_panes(3, 1)
    first_numeric = _RATE_COL + 1 + len(rates)
    groups = [[list(range(1, _RATE_COL + 1))], [list(range(_RATE_COL + 1, first_numeric))] if rates else []]
    groups = [g for g in groups if g] + [[[c]] for c in range(first_numeric, len(heads))]
    print_wide(ws, widths, groups, repeat=1, header_rows=(2, 2), title=campaign.name,
               footer=t("footer", w.lang))
    n_groups = len(totals) - 1
    _charts(w, ws, n_groups, rates, anchor_row=len(totals) + 5)


def _charts(w: _Writer, ws, n_groups: int, rates, anchor_row: int) -> None:
    name = ws.get_name()
    first, last = 3, 3 + n_groups - 1
    if n_groups < 1:
        return
    chart = w.wb.add_chart({"type": "column", "subtype": "stacked"})
    for col, color in ((3, "#70AD47"), (4, "#FFC000"), (5, "#A5A5A5")):  # accepted, faulty, missing
        chart.add_series({"name": [name, 2, col], "categories": [name, first, 0, last, 0],
                          "values": [name, first, col, last, col], "fill": {"color": color}})
    chart.set_title({"name": w.w["chart_status"]})
    chart.set_size({"width": 620, "height": 260})
    ws.insert_chart(anchor_row, 0, chart)
    if rates:
        bar = w.wb.add_chart({"type": "bar"})
        for n, _ in enumerate(rates):
            col = _RATE_COL + 1 + n
            bar.add_series({"name": [name, 2, col], "categories": [name, first, 0, last, 0],
                            "values": [name, first, col, last, col]})
        bar.set_title({"name": w.w["chart_rates"]})
        bar.set_x_axis({"num_format": "0%"})
        bar.set_size({"width": 620, "height": 260})
        ws.insert_chart(anchor_row + 14, 0, bar)  # below the first: both print on the first column group
