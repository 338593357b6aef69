"""out/consolidated.xlsx: the merged returns, a summary with totals, rates and native charts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..campaign.folder import Campaign
from ..campaign.status import STATE_LABELS
from ..output.names import safe_sheet_name
from ..output.print_layout import print_wide
from ..output.xlsxfile import display_width, new_workbook
from ..spec.model import Field, Sheet
from .stage import Merged, MergedUnit

__all__ = ["write_consolidated"]

_W = {"zh": {"code": "单位代码", "name": "单位名称", "group": "分组", "state": "状态", "file": "来源文件",
             "sha": "sha256", "received": "收到时间", "row": "行号", "summary": "汇总", "units": "单位数",
             "returned": "已报送", "accepted": "其中合格", "faulty": "其中需退回修改", "missing": "未报送",
             "rate": "报送率",
             "all": "全部", "total": "合计", "chart_status": "各组报送情况", "chart_rates": "各组比率",
             "yes": "是", "no": "否"},
      "en": {"code": "Unit code", "name": "Unit", "group": "Group", "state": "State", "file": "Source file",
             "sha": "sha256", "received": "Received", "row": "Row", "summary": "Summary", "units": "Units",
             "returned": "Returned", "accepted": "Accepted", "faulty": "Faulty", "missing": "Missing",
             "rate": "Return rate",
             "all": "All", "total": "Total", "chart_status": "Returns by group", "chart_rates": "Rates by group",
             "yes": "yes", "no": "no"}}


class _Writer:
    def __init__(self, wb, lang: str, title: str = ""):
        self.wb, self.lang, self.w, self.title = wb, lang, _W["en" if lang == "en" else "zh"], title
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
        return (f.label_en or f.label) if self.lang == "en" else f.label

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

    def header(self, ws, labels: list[str], row: int = 0) -> None:
        for c, text in enumerate(labels):
            ws.write_string(row, c, text, self.f["head"])
        ws.set_row(row, 32)
        ws.freeze_panes(row + 1, 3)

    def unit_cells(self, ws, r: int, mu: MergedUnit) -> str:
        state = mu.status.state
        key = {"faulty": "faulty", "missing": "missing"}.get(state, "cell")
        for c, v in enumerate((mu.unit.code, mu.unit.name, mu.unit.group,
                               STATE_LABELS["en" if self.lang == "en" else "zh"][state])):
            ws.write_string(r, c, v, self.f[key])
        return key

    def provenance(self, ws, r: int, c: int, mu: MergedUnit) -> None:
        f = mu.file
        for n, v in enumerate((f.source, f.sha256, f.received_at) if f else ("", "", "")):
            self.value(ws, r, c + n, v)


def write_consolidated(campaign: Campaign, merged: Merged, totals: list[dict], lang: str = "zh") -> None:
    path = campaign.out / "consolidated.xlsx"
    wb = new_workbook(path, rows_in_order=True)  # every sheet written top to bottom: flat at any size
    w = _Writer(wb, lang, campaign.name)
    used: set[str] = set()
    _summary(w, wb.add_worksheet(safe_sheet_name(w.w["summary"], used)), merged, totals, campaign)
    for sheet in merged.spec.sheets:
        if sheet.kind == "instructions":
            continue
        ws = wb.add_worksheet(safe_sheet_name(sheet.name, used))
        ws.forget_rows = True  # no chart on it
        {"form": _form, "checklist": _checklist, "table": _table}[sheet.kind](w, ws, sheet, merged)
    wb.set_properties({"title": f"{campaign.name} 汇总", "author": "toolkit", "created": dt.datetime(campaign.year, 1, 1)})
    wb.close()


def _form(w: _Writer, ws, sheet: Sheet, merged: Merged) -> None:
    fields = [f for f in sheet.fields if f.prefill not in ("unit_code", "unit_name")]
    w.header(ws, [w.w["code"], w.w["name"], w.w["group"], w.w["state"]] + [w.label(f) for f in fields]
             + [w.w["file"], w.w["sha"], w.w["received"]])
    for r, mu in enumerate(merged.units, start=1):
        w.unit_cells(ws, r, mu)
        for c, f in enumerate(fields, start=4):
            w.value(ws, r, c, mu.value(f.id), w.number_format(f))
        w.provenance(ws, r, 4 + len(fields), mu)
    widths = [10, 24, 12, 12] + [_width(w.label(f), f) for f in fields] + _PROVENANCE_WIDTHS
    groups = [[[2, 3]]] + [[[4 + n]] for n in range(len(fields))] + [_provenance_group(4 + len(fields))]
    _finish(w, ws, len(merged.units), widths, groups, sheet)


def _checklist(w: _Writer, ws, sheet: Sheet, merged: Merged) -> None:
    cols = [(item, c, area) for area in sheet.areas for item in area.items for c in area.columns]
    score_items = [(item, c) for item, c, area in cols if c.type == "score" and area.kind == "normal"]
    labels = [f"{item.id.replace('_', '.')} {w.label(c)}" for item, c, _ in cols]
    w.header(ws, [w.w["code"], w.w["name"], w.w["group"], w.w["state"], w.w["total"]] + labels
             + [w.w["file"], w.w["sha"], w.w["received"]])
    for r, mu in enumerate(merged.units, start=1):
        w.unit_cells(ws, r, mu)
        scores = [mu.value(f"{i.id}.{c.id}") for i, c in score_items]
        nums = [s for s in scores if isinstance(s, (int, float)) and not isinstance(s, bool)]
        w.value(ws, r, 4, sum(nums) if mu.ret is not None else None)
        for n, (item, c, _) in enumerate(cols, start=5):
            w.value(ws, r, n, mu.value(f"{item.id}.{c.id}"), w.number_format(c))
        w.provenance(ws, r, 5 + len(cols), mu)
    widths = [10, 24, 12, 12, 8] + [_width(label, c) for label, (_, c, _) in zip(labels, cols)] + _PROVENANCE_WIDTHS
    groups, col = [[[2, 3, 4]]], 5
    for area in sheet.areas:  # an area's indicators together; one indicator's columns never apart
        group = []
        for _ in area.items:
            group.append(list(range(col, col + len(area.columns))))
            col += len(area.columns)
        groups.append(group)
    _finish(w, ws, len(merged.units), widths, groups + [_provenance_group(col)], sheet)


def _table(w: _Writer, ws, sheet: Sheet, merged: Merged) -> None:
    w.header(ws, [w.w["code"], w.w["name"], w.w["group"], w.w["state"], w.w["row"]]
             + [w.label(c) for c in sheet.columns] + [w.w["file"], w.w["sha"], w.w["received"]])
    r = 0
    for mu in merged.units:
        rows = mu.table_rows(sheet.id) or [None]
        for row in rows:
            r += 1
            w.unit_cells(ws, r, mu)
            w.value(ws, r, 4, row)
            for n, c in enumerate(sheet.columns, start=5):
                w.value(ws, r, n, mu.value(c.id, row) if row is not None else None, w.number_format(c))
            w.provenance(ws, r, 5 + len(sheet.columns), mu)
    n = len(sheet.columns)
    widths = [10, 24, 12, 12, 6] + [max(16, _width(w.label(c), c)) for c in sheet.columns] + _PROVENANCE_WIDTHS
    groups = [[[2, 3, 4]]] + [[[5 + j]] for j in range(n)] + [_provenance_group(5 + n)]
    _finish(w, ws, r, widths, groups, sheet)


_PROVENANCE_WIDTHS = [40, 20, 20]
_FOOTER = {"zh": "&C第 &P 页，共 &N 页", "en": "&CPage &P of &N"}


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
               footer=_FOOTER["en" if w.lang == "en" else "zh"])


_RATE_COL = 6  # summary sheet: group, units, returned, accepted, faulty, missing, return rate, then rates


def _summary(w: _Writer, ws, merged: Merged, totals: list[dict], campaign: Campaign) -> None:
    ws.write_string(0, 0, f"{campaign.name} — {w.w['summary']}", w.f["title"])
    numeric = [f for f in merged.spec.form_fields.values() if f.type in ("int", "number")]
    rates = list(merged.spec.summary)
    heads = [w.w["group"], w.w["units"], w.w["returned"], w.w["accepted"], w.w["faulty"], w.w["missing"],
             w.w["rate"]]
    heads += [(r.label_en or r.label) if w.lang == "en" else r.label for r in rates] + [w.label(f) for f in numeric]
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
               footer=_FOOTER["en" if w.lang == "en" else "zh"])
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
