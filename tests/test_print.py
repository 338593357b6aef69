"""How outputs print: page setup read back with openpyxl (no office suite needed).

consolidated.xlsx prints wide sheets as column groups per A4 landscape page with the unit's code
and name repeated; :mod:`toolkit.output.print_layout` decides where the pages break.
"""

from __future__ import annotations

import openpyxl
import pytest
from test_merge import rates  # noqa: F401  (the fixture: an annual-assessment campaign, merged)

from toolkit.output.print_layout import MIN_SCALE, PAGE_PX, SCALE, column_breaks, column_px


def consolidated_wb(campaign):
    return openpyxl.load_workbook(campaign.out / "consolidated.xlsx")


def headers(ws) -> list:
    return [c.value for c in ws[1]]


def test_consolidated_sheets_print_as_column_groups_on_a4_landscape(rates):  # noqa: F811
    wb = consolidated_wb(rates)
    for name in ("基本信息", "考核指标"):
        ws = wb[name]
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape", name
        assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert MIN_SCALE <= ws.page_setup.scale <= SCALE, name
        assert ws.print_title_cols == "$A:$B" and ws.print_title_rows == "$1:$1", name  # code and name on every page
        assert ws.freeze_panes == "D2", name
        assert ws.col_breaks.brk, name
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_pages_of_the_indicators_break_between_indicators_and_start_with_areas(rates):  # noqa: F811
    ws = consolidated_wb(rates)["考核指标"]
    head = headers(ws)
    starts = [head[b.id] for b in ws.col_breaks.brk]  # the first column of each new page
    assert all(s.endswith(("自评分", "是否存在", "来源文件")) for s in starts), starts  # never inside an indicator
    assert {"a2.1 自评分", "a3.1 自评分", "a4.1 自评分", "b.1 自评分", "v.1 是否存在", "来源文件"} <= set(starts)
    # every page fits the paper as LibreOffice measures it
    widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(c + 1)].width for c in range(len(head))]
    room = PAGE_PX * 100 / ws.page_setup.scale - column_px(widths[0] - 0.71) - column_px(widths[1] - 0.71)
    edges = [2] + [b.id for b in ws.col_breaks.brk] + [len(head)]
    for a, b in zip(edges, edges[1:]):
        assert sum(column_px(w - 0.71) for w in widths[a:b]) <= room, head[a:b]


def test_numbers_show_with_thousands_separators_fixed_decimals_and_rates_as_percentages(rates):  # noqa: F811
    wb = consolidated_wb(rates)
    form = wb["基本信息"]
    head = headers(form)
    row = next(r for r in form.iter_rows(min_row=2) if r[0].value == "P01")
    members, dues = row[head.index("党员总数")], row[head.index("党费收缴金额")]
    assert members.number_format == "#,##0" and members.value == 20  # the value stays exact
    assert dues.number_format == "#,##0.00"
    check = wb["考核指标"]
    score = next(r for r in check.iter_rows(min_row=2) if r[0].value == "P01")[headers(check).index("a1.1 自评分")]
    assert score.number_format == "0.0#"
    summary = wb.worksheets[0]
    head = [c.value for c in summary[3]]
    all_row = next(r for r in summary.iter_rows(min_row=4) if r[0].value == "全部")
    assert all_row[head.index("报送率")].number_format == "0.0%"
    assert all_row[head.index("预备党员占比")].number_format == "0.0%"
    assert all_row[head.index("预备党员占比")].value == pytest.approx(8 / 90)
    assert all_row[head.index("党员总数")].number_format == "#,##0"
    assert summary.print_title_cols == "$A:$A" and summary.print_title_rows == "$3:$3"
    assert summary.freeze_panes == "B4"


def test_a_group_that_fits_a_page_is_never_split():
    widths = [10, 24] + [10] * 40
    # groups of 6, 6 and 14 single columns; a page holds 10 columns of width 10 at 75 % beside code and name
    groups = [[[c] for c in range(2, 8)], [[c] for c in range(8, 14)], [[c] for c in range(14, 28)]]
    assert column_breaks(widths, groups, repeat=2, scale=75) == [
        8,    # the second group moves whole to the next page
        18,   # the third, wider than any page, fills the rest of that page, then breaks between its atoms
    ]


def test_an_atom_is_never_split():
    widths = [10, 24] + [10] * 12
    groups = [[[2, 3, 4], [5, 6, 7], [8, 9, 10], [11, 12, 13]]]
    breaks = column_breaks(widths, groups, repeat=2, scale=75)
    assert breaks and all(b in (5, 8, 11) for b in breaks)
