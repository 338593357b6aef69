"""Writing output workbooks safely: text is never turned into a formula or a link."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

__all__ = ["new_workbook", "write_table"]


def new_workbook(path: Path) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that writes every string as text (no formulas, numbers or URLs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                           "strings_to_urls": False})


def write_table(wb, ws, headers: list[str], rows: list[list], *, first_row: int = 0, widths=None,
                title: str | None = None) -> int:
    """A header row and rows with autofilter and frozen header; returns the next free row."""
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                          "valign": "vcenter", "align": "center"})
    cell = wb.add_format({"border": 1, "valign": "vcenter"})
    row = first_row
    if title:
        ws.merge_range(row, 0, row, max(0, len(headers) - 1), title,
                       wb.add_format({"bold": True, "font_size": 14, "align": "center"}))
        row += 1
    for c, h in enumerate(headers):
        ws.write_string(row, c, h, head)
    header_row = row
    for values in rows:
        row += 1
        for c, v in enumerate(values):
            if v is None or v == "":
                ws.write_blank(row, c, None, cell)
            elif isinstance(v, bool):
                ws.write_boolean(row, c, v, cell)
            elif isinstance(v, (int, float)):
                ws.write_number(row, c, v, cell)
            else:
                ws.write_string(row, c, str(v), cell)
    ws.autofilter(header_row, 0, max(row, header_row), max(0, len(headers) - 1))
    ws.freeze_panes(header_row + 1, 0)
    for c, h in enumerate(headers):
        width = (widths or {}).get(c) if widths else None
        if width is None:
            from .workbook import display_width
            longest = max([display_width(h)] + [display_width(str(r[c])) for r in rows[:200] if c < len(r)])
            width = min(50, longest)
        ws.set_column(c, c, width)
    return row + 1
