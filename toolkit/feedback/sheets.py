"""A template sheet of the feedback workbook: the master's sheet XML with one unit's cells patched in.

Only the cells that change are touched: the unit's values go into their input cells (a row the
master does not have, such as a table row past the drawn ones, is added in its place), a
faulty cell gets its fill (:mod:`toolkit.feedback.styles`), and the sheet's comments — one per
faulty cell, the messages about it one per line — become a comments part with its VML
drawing (what Excel shows a note with). Everything else stays byte for byte the master's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Severity
from .cellxml import blank_cell, cell_ref, col_number, date_format, value_cell, xml_text
from .styles import UnitStyles

__all__ = ["SheetEdit", "SheetPart", "patch_sheet", "comments_xml", "vml_xml", "add_relationships",
           "LEGACY_DRAWING_BEFORE"]

_KEEP = object()
_ROW_START = re.compile(r'<row r="(\d+)"')
_CELL_START = re.compile(r'<c r="([A-Z]+)')
_SPANS = re.compile(r' spans="[^"]*"')
_STYLE = re.compile(r' s="(\d+)"')
_COL = re.compile(r'<col min="(\d+)" max="(\d+)"([^>]*)/>')
_DIMENSION = re.compile(r'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"/>')
# what may follow <legacyDrawing> in a worksheet (the schema's order)
LEGACY_DRAWING_BEFORE = ("<legacyDrawingHF", "<picture", "<oleObjects", "<controls", "<webPublishItems",
                         "<tableParts", "<extLst", "</worksheet>")


@dataclass
class SheetEdit:
    """What changes in one sheet for one unit; cells are (row, col), one-based."""

    values: dict = field(default_factory=dict)
    marks: dict = field(default_factory=dict)   # "error" wins over "warning"
    notes: dict = field(default_factory=dict)   # the messages about a cell, in order

    def mark(self, cell: tuple[int, int], severity: str, note: str) -> None:
        if severity == Severity.ERROR or self.marks.get(cell) != Severity.ERROR:  # an error's colour is never covered
            self.marks[cell] = Severity.ERROR if severity == Severity.ERROR else Severity.WARNING
        self.notes.setdefault(cell, []).append(note)


@dataclass
class SheetPart:
    """One template sheet of the master: its name, its part and its columns' default styles."""

    name: str
    part: str
    col_styles: tuple = ()

    @classmethod
    def read(cls, name: str, part: str, xml: str) -> "SheetPart":
        cols = []
        for lo, hi, attrs in _COL.findall(xml):
            style = re.search(r'\bstyle="(\d+)"', attrs)
            if style:
                cols.append((int(lo), int(hi), int(style.group(1))))
        return cls(name, part, tuple(cols))

    def col_style(self, col: int) -> int:
        """The style Excel gives a new cell in *col* (the column's own, else the default)."""
        return next((s for lo, hi, s in self.col_styles if lo <= col <= hi), 0)


def patch_sheet(sheet: SheetPart, xml: str, edit: SheetEdit, styles: UnitStyles, drawing_rid: str | None) -> str:
    """The sheet's XML with *edit* applied; *drawing_rid* names the comments' VML drawing when it has notes."""
    wanted: dict[int, set[int]] = {}
    for row, col in (*edit.values, *edit.marks):
        wanted.setdefault(row, set()).add(col)
    if wanted:
        start = xml.index("<sheetData")
        if xml.startswith("<sheetData/>", start):
            end, body = start + len("<sheetData/>"), ""
        else:
            end = xml.index("</sheetData>", start) + len("</sheetData>")
            body = xml[start + len("<sheetData>"):end - len("</sheetData>")]
        rows = _patch_rows(sheet, body, wanted, edit, styles)
        xml = f"{xml[:start]}<sheetData>{rows}</sheetData>{xml[end:]}"
        xml = _widen_dimension(xml, max(wanted), max(max(cols) for cols in wanted.values()))
    if drawing_rid:
        at = min(p for p in (xml.find(tag) for tag in LEGACY_DRAWING_BEFORE) if p >= 0)
        xml = f'{xml[:at]}<legacyDrawing r:id="{drawing_rid}"/>{xml[at:]}'
    return xml


def _patch_rows(sheet: SheetPart, body: str, wanted: dict[int, set[int]], edit: SheetEdit, styles: UnitStyles) -> str:
    """*body* (the rows of sheetData) with the wanted rows patched; each is found by a plain search, which
    is what keeps a unit's workbook cheap: the master's rows in between are copied, never parsed."""
    out, pos = [], 0
    for row in sorted(wanted):
        at = body.find(f'<row r="{row}"', pos)
        if at < 0:  # a row the master has not (a table row past the drawn ones): in its place
            at = next((m.start() for m in _ROW_START.finditer(body, pos) if int(m.group(1)) > row), len(body))
            end, old = at, None
        else:
            end = _element_end(body, at, "</row>")
            old = body[at:end]
        out.append(body[pos:at])
        out.append(_row(sheet, row, old, wanted[row], edit, styles))
        pos = end
    out.append(body[pos:])
    return "".join(out)


def _element_end(text: str, at: int, close: str) -> int:
    """Where the element starting at *at* ends (self-closing, or closed by *close*); no attribute of the
    master's XML holds a ">" (xlsxwriter escapes it)."""
    gt = text.index(">", at)
    return gt + 1 if text[gt - 1] == "/" else text.index(close, gt) + len(close)


def _row(sheet: SheetPart, row: int, old: str | None, cols: set[int], edit: SheetEdit, styles: UnitStyles) -> str:
    attrs, inner = "", ""
    if old is not None:
        gt = old.index(">")
        closed = old[gt - 1] == "/"
        attrs = old[len(f'<row r="{row}"'):gt - closed]
        inner = "" if closed else old[gt + 1:-len("</row>")]
    out, pos = [], 0
    for col in sorted(cols):
        ref = cell_ref(row, col)
        at = inner.find(f'<c r="{ref}"', pos)
        if at < 0:
            at = next((m.start() for m in _CELL_START.finditer(inner, pos) if col_number(m.group(1)) > col), len(inner))
            end, cell = at, None
        else:
            end = _element_end(inner, at, "</c>")
            cell = inner[at:end]
        out.append(inner[pos:at])
        out.append(_cell(sheet, row, col, cell, edit, styles))
        pos = end
    out.append(inner[pos:])
    attrs = _SPANS.sub("", attrs)  # a hint Excel checks against the cells: drop it
    return f'<row r="{row}"{attrs}>{"".join(out)}</row>'


def _cell(sheet: SheetPart, row: int, col: int, old: str | None, edit: SheetEdit, styles: UnitStyles) -> str:
    ref = cell_ref(row, col)
    head, tail, base = "", "", sheet.col_style(col)
    if old is not None:
        gt = old.index(">")
        head, tail = old[len(f'<c r="{ref}"'):gt], old[gt:]
        style = _STYLE.search(head)
        base = int(style.group(1)) if style else 0
    value = edit.values.get((row, col), _KEEP)
    style = styles.style(base, edit.marks.get((row, col)), None if value is _KEEP else date_format(value))
    if value is not _KEEP:
        return value_cell(ref, style, value)
    if old is None:
        return blank_cell(ref, style)
    return f'<c r="{ref}" s="{style}"{_STYLE.sub("", head)}{tail}'


def _widen_dimension(xml: str, row: int, col: int) -> str:
    m = _DIMENSION.search(xml)
    if m is None:
        return xml
    last_col, last_row = max(col_number(m.group(1)), col), max(int(m.group(2)), row)
    return f'{xml[:m.start()]}<dimension ref="A1:{cell_ref(last_row, last_col)}"/>{xml[m.end():]}'


# --------------------------------------------------------------------------- comments


def comments_xml(notes: dict) -> bytes:
    """The comments part of a sheet: each cell's messages, one per line."""
    body = "".join(f'<comment ref="{cell_ref(r, c)}" authorId="0"><text><r><rPr><sz val="9"/><rFont val="Calibri"/>'
                   f'<family val="2"/></rPr><t xml:space="preserve">{xml_text(chr(10).join(texts))}</t></r></text>'
                   "</comment>" for (r, c), texts in sorted(notes.items()))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>toolkit'
            f"</author></authors><commentList>{body}</commentList></comments>").encode("utf-8")


def vml_xml(notes: dict, drawing: int) -> bytes:
    """The VML drawing Excel shows the notes of one sheet with (*drawing* numbers it in the workbook)."""
    shapes = []
    for n, (r, c) in enumerate(sorted(notes)):
        row, col = r - 1, c - 1
        shapes.append(
            f'<v:shape id="_x0000_s{1024 * drawing + n + 1}" type="#_x0000_t202" style="position:absolute;'
            f"margin-left:{48 * (col + 1) + 11}pt;margin-top:{15 * max(row - 1, 0) + 1.5}pt;width:240pt;height:90pt;"
            f'z-index:{n + 1};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{col + 1}, 15, {max(row - 1, 0)}, 10, {col + 5}, 15, {max(row - 1, 0) + 6}, 4</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>")
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
            f'<o:idmap v:ext="edit" data="{drawing}"/></o:shapelayout><v:shapetype id="_x0000_t202" '
            'coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            f"{''.join(shapes)}</xml>").encode("utf-8")


_REL_ID = re.compile(r'Id="rId(\d+)"')
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def add_relationships(rels: str | None, targets: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """*rels* (a sheet's relationships part, or None for a new one) with (type, target) added, and their ids."""
    if rels is None:
        rels = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_RELS_NS}"></Relationships>'
    first = max((int(n) for n in _REL_ID.findall(rels)), default=0) + 1
    ids = [f"rId{first + n}" for n in range(len(targets))]
    added = "".join(f'<Relationship Id="{rid}" Type="{_REL_TYPE}{kind}" Target="{target}"/>'
                    for rid, (kind, target) in zip(ids, targets))
    at = rels.rindex("</Relationships>")
    return rels[:at] + added + rels[at:], ids
