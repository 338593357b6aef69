"""Writing output workbooks safely: text is never turned into a formula or a link, and text a unit
typed or a roster holds is always legal in a workbook.

:func:`cell_text` is the one place that decides how such text is written: every workbook the
toolkit writes (xlsxwriter through :func:`new_workbook`, the feedback workbook's own cell XML) passes
its strings through it. The data itself (values.csv, the ledger) keeps the text as read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any, Iterable

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import CellStringTuple, Worksheet

__all__ = ["cell_text", "display_width", "new_workbook", "write_table"]

# Control characters other than tab, line feed and carriage return cannot stand in a worksheet's XML
# (openpyxl raises IllegalCharacterError); neither can U+FFFE, U+FFFF or a lone surrogate.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _legal(match: re.Match) -> str:
    ch = match.group(0)
    if ch in "\x0b\x0c":  # Word's manual line break and page break, pasted into a cell: a line break
        return "\n"
    if ch < " ":
        return chr(0x2400 + ord(ch))  # a visible symbol (␁) where an invisible control character was
    return "\ufffd"


def cell_text(text: str) -> str:
    """*text* as a worksheet can hold it, showing what the unit typed.

    A vertical tab or form feed (a line break pasted from Word, which Excel stores as ``_x000B_``)
    becomes a line break; any other control character its visible symbol (U+2401 …); a
    noncharacter or lone surrogate U+FFFD. Clean text (nearly all) is returned as it is.
    """
    if text.isprintable():  # every character _ILLEGAL matches is unprintable: the common case, decided in C
        return text
    return _ILLEGAL.sub(_legal, text) if _ILLEGAL.search(text) else text


class _SafeWorksheet(Worksheet):
    """A worksheet whose every string goes through :func:`cell_text`."""

    # xlsxwriter's write, write_string, write_row, merge_range and write_url all store text here
    def _write_string(self, row, col, string, cell_format=None):
        return super()._write_string(row, col, cell_text(string) if isinstance(string, str) else string,
                                     cell_format)

    def write_comment(self, row, col, comment, options=None):
        return super().write_comment(row, col, cell_text(comment) if isinstance(comment, str) else comment,
                                     options)

    # In a workbook made with rows_in_order, a sheet that sets ``forget_rows`` (one that holds no chart
    # or image, whose placing reads the row heights) also drops the height of each row once written:
    # xlsxwriter otherwise keeps two objects per row, 150 MB for the half million rows of 8,000 score cards.
    forget_rows = False

    def _write_single_row(self, current_row_num=0):
        row_num = self.previous_row
        super()._write_single_row(current_row_num)
        if self.forget_rows and row_num < current_row_num:
            self.row_info.pop(row_num, None)
            self.row_sizes.pop(row_num, None)

    def _write_cell(self, row, col, cell):
        # Written in order (inline strings), xlsxwriter takes text between <r> and </r> for rich-text
        # markup and writes it unescaped: what a unit typed is always text, escaped like any other.
        if self.constant_memory and cell.__class__ is CellStringTuple and cell.string[:3] == "<r>" \
                and cell.string.endswith("</r>"):
            attributes = [("r", xl_rowcol_to_cell(row, col))]
            if cell.format:
                attributes.append(("s", cell.format._get_xf_index()))
            self._xml_inline_string(self._escape_control_characters(cell.string), False, attributes)
            return
        super()._write_cell(row, col, cell)

    def put_row(self, row: int, cells: Iterable[tuple[Any, Any]], height: float | None = None) -> None:
        """Row *row*: one (value, format) per column from A (None or "" a formatted blank; a number, a
        date or text), *height* in points. The same cells as xlsxwriter's write_* and set_row make; in a
        workbook written in order the row's XML goes straight to the sheet's file, several times faster
        for the hundreds of thousands of cells of a large campaign. Never call set_row on such a row."""
        if not self.constant_memory or self.excel_version == 2010:
            return self._put_row_slowly(row, cells, height)
        if row < self.previous_row or (row == self.previous_row and (self.table.get(row) or row in self.row_info)):
            raise ValueError(f"row {row} is written out of order")
        if row > self.previous_row:
            self._write_single_row(row)  # what the ordinary calls left pending
        parts, cols, at = [], [], str(row + 1)
        styles = self.__dict__.setdefault("_styles", {})  # format → its ' s="N"' (N fixed once taken)
        for col, (value, fmt) in enumerate(cells):
            style = styles.get(id(fmt))
            if style is None:
                style = styles[id(fmt)] = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
            ref = (_REFS.get(col) or _ref(col)) + at
            if value is None or value == "":
                if not style:
                    continue
                parts.append(f'<c r="{ref}"{style}/>')
            elif value.__class__ is str:
                parts.append(f'<c r="{ref}"{style} t="inlineStr"><is>{self._text_xml(value)}</is></c>')
            else:
                parts.append(f'<c r="{ref}"{style}><v>{self._number(value):.16G}</v></c>')
            cols.append(col)
        if not parts and height is None:
            return
        self._check_dimensions(row, cols[0] if cols else 0)
        self._check_dimensions(row, cols[-1] if cols else 0)
        pixels = self.default_row_height if height is None else int(height * 4.0 / 3.0 + 0.5)
        if pixels == self.original_row_height == self.default_row_height:
            head = f'<row r="{at}"'
        else:
            head = f'<row r="{at}" ht="{pixels * 0.75:.16g}" customHeight="1"'
        self.fh.write(f"{head}>{''.join(parts)}</row>" if parts else f"{head}/>")

    def _text_xml(self, value: str) -> str:
        """A <t> element of text as xlsxwriter writes an inline string (escaped the same way)."""
        text = cell_text(value)
        if len(text) > 16383 and len(text.encode("utf-16-le", "surrogatepass")) > 65534:
            text = text.encode("utf-16-le", "surrogatepass")[:65534].decode("utf-16-le", "ignore")
        if "_x" in text or not text.isprintable():
            text = self._escape_control_characters(text)
        if "&" in text or "<" in text or ">" in text:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<t xml:space="preserve">{text}</t>' if text[:1].isspace() or text[-1:].isspace() else f"<t>{text}</t>"

    def _number(self, value: Any) -> float:
        """A number or a date as the number the cell holds."""
        if value.__class__ is bool or not isinstance(value, (int, float, dt.date, dt.time, dt.timedelta)):
            raise TypeError(f"put_row takes numbers, dates and text, not {value!r}")
        if isinstance(value, (dt.date, dt.time, dt.timedelta)):
            return self._convert_date_time(value)
        if math.isnan(value) or math.isinf(value):
            raise TypeError("NAN/INF not supported in write_number()")
        return value

    def _put_row_slowly(self, row: int, cells, height: float | None) -> None:
        for col, (value, fmt) in enumerate(cells):
            if value is None or value == "":
                self.write_blank(row, col, None, fmt)
            elif isinstance(value, str):
                self.write_string(row, col, value, fmt)
            elif isinstance(value, (dt.date, dt.time, dt.timedelta)):
                self.write_datetime(row, col, value, fmt)
            else:
                self.write_number(row, col, value, fmt)
        if height is not None:
            self.set_row(row, height)

    def put_away(self) -> None:
        """Close the temporary file of a sheet written in order and finished (xlsxwriter opens it again
        to assemble the workbook): hundreds of card sheets never hold hundreds of open files."""
        if self.constant_memory:
            self._opt_close()


def _ref(col: int) -> str:
    """The column letters of *col* (0 → A)."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_REFS = {c: _ref(c) for c in range(256)}


class _SafeWorkbook(xlsxwriter.Workbook):
    worksheet_class = _SafeWorksheet


def new_workbook(path: Path, rows_in_order: bool = False) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that writes every string as text (no formulas, numbers or URLs), legally.

    With *rows_in_order* (xlsxwriter's ``constant_memory``) each sheet's rows go to a temporary file as
    they are finished instead of staying in memory: the writer must then fill every sheet top to bottom
    (a row's cells and its height before any cell of a later row; sheets may interleave), and text is
    stored inline rather than in the shared-strings part (same cells, same meaning).

    It carries the custom property ``toolkit_output`` (its file name's stem: consolidated,
    scoring-sheet …), so collecting a folder that holds it never takes it for a unit's return.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = _SafeWorkbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False, "constant_memory": rows_in_order})
    wb.set_custom_property("toolkit_output", path.stem)
    return wb


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
            longest = max([display_width(h)] + [display_width(str(r[c])) for r in rows[:200] if c < len(r)])
            width = min(50, longest)
        ws.set_column(c, c, width)
    return row + 1


def display_width(text: str, lo: float = 6, hi: float = 60) -> float:
    """A column width that fits *text*, counting CJK characters as two."""
    longest = max((sum(2.1 if ord(c) > 0x2E80 else 1.1 for c in line) for line in str(text).split("\n")),
                  default=0)
    return max(lo, min(hi, longest + 2))
