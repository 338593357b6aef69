"""How many cells a reader allocates for a sheet, read from the sheet's XML as the reader reads it.

calamine sizes one dense buffer per sheet over the furthest cell positions it finds. In an xlsx
worksheet a position is a cell's ``r`` reference, or, for a cell without one, the column after
the previous cell (a row without ``r`` is the row after the previous one); references are
numbers of any length. In an .ods ``content.xml`` rows and cells are repeated
(``number-rows-repeated``, ``number-columns-repeated``) and the cells with content span the
buffer. Both are judged by a real XML parser (defusedxml) where a quick search finds something
far out; never by a pattern over tags, which a ``>`` inside an attribute value defeats.
"""

from __future__ import annotations

import codecs
import io
import re
from xml.sax import InputSource, SAXException
from xml.sax.handler import ContentHandler, feature_namespaces

from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

__all__ = ["xlsx_sheet_span", "ods_sheet_span", "column_letters", "NotWellFormed"]

_HUGE = 10**18  # a row or column number longer than this many digits is as far out as any other
# What sends a sheet to the parser, found by two quick searches that start with a literal: a reference
# beyond row 9,999 or column Z (digits of any length), or one written with an entity; and a cell whose
# first attribute is not its reference (cells without one take the column after the previous cell).
# Below both a sheet spans at most 259,974 cells. Writers put ` r="` first (Excel, LibreOffice,
# openpyxl, xlsxwriter). These checks are the cheap first line, not the guarantee: a reference spelt
# otherwise (r = '…', a namespace prefix) is left to the reader's limits in its worker.
_FAR_REF = re.compile(rb' r="(?:[A-Za-z]{0,3}[0-9]{5,}"|[A-Za-z]{2,}[0-9]*"|[^"<>&]*&)')
_BARE_CELL = re.compile(rb"<c(?:>|/>|\s+(?!r\s*=))")
_REF = re.compile(r"\$?([A-Za-z]*)\$?([0-9]*)")


def xlsx_sheet_span(xml: bytes, limit: int) -> tuple[str, int]:
    """The range the cells of a worksheet part span and its cell count (("", 0) when no reference is far out).

    Only a sheet with a far reference or a cell without one is parsed, exactly, as the reader reads it.
    """
    xml = _as_utf8(xml)
    if _FAR_REF.search(xml) or _BARE_CELL.search(xml):
        return _exact(xml)
    return "", 0


def _number(digits: str) -> int:
    return int(digits) if digits and len(digits) <= 18 else (_HUGE if digits else 0)


def _column_number(letters: str) -> int:
    if len(letters) > 12:
        return _HUGE
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class _Span:
    """The smallest and largest row and column seen."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []

    def add(self, row_first: int, row_last: int, col_first: int, col_last: int) -> None:
        self.rows = [min(self.rows[0], row_first), max(self.rows[1], row_last)] if self.rows else [row_first, row_last]
        self.cols = [min(self.cols[0], col_first), max(self.cols[1], col_last)] if self.cols else [col_first, col_last]

    def cells(self) -> int:
        if not self.rows:
            return 0
        return (self.rows[1] - self.rows[0] + 1) * (self.cols[1] - self.cols[0] + 1)

    def ref(self) -> str:
        if not self.rows:
            return ""
        (r1, r2), (c1, c2) = self.rows, self.cols
        return f"{_letters(c1)}{r1}:{_letters(c2)}{r2}"


def _letters(col: int) -> str:
    return column_letters(col) if col < _HUGE else "?"


class _WorksheetCells(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.span, self.row, self.col = _Span(), 0, 0

    def startElementNS(self, name, qname, attrs) -> None:
        local = name[1]
        if local == "row":
            ref = _attr(attrs, "r")
            self.row = _number(ref.strip()) if ref is not None and ref.strip().isdigit() else self.row + 1
            self.col = 0
        elif local == "c":
            ref = _REF.fullmatch((_attr(attrs, "r") or "").strip())
            if ref and ref.group(1):
                self.col = _column_number(ref.group(1))
            else:
                self.col += 1
            row = _number(ref.group(2)) if ref and ref.group(2) else max(self.row, 1)
            self.span.add(row, row, self.col, self.col)


def _attr(attrs, local: str):
    for (uri, name), value in attrs.items():
        if name == local and not uri:
            return value
    return None


class NotWellFormed(ValueError):
    """The part is not well-formed XML (the reader would read it leniently, or not at all)."""


def _parse(xml: bytes, handler: ContentHandler) -> None:
    parser = make_parser()
    parser.forbid_dtd = True  # the prolog check rejects these first; a parser of its own must too
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    source = InputSource()
    source.setByteStream(io.BytesIO(xml))
    try:
        parser.parse(source)
    except (SAXException, DefusedXmlException) as exc:
        raise NotWellFormed(str(exc)[:160]) from None


def _exact(xml: bytes) -> tuple[str, int]:
    handler = _WorksheetCells()
    _parse(xml, handler)
    return handler.span.ref(), handler.span.cells()


class _OdsCells(ContentHandler):
    """Cells with content in each table, rows and columns repeated as the reader repeats them."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0
        self.span = _Span()
        self.row = self.col = 0
        self.row_repeat = 1
        self.cell: list | None = None  # [first column, repeat, filled] of the cell being read

    def startElementNS(self, name, qname, attrs) -> None:
        local = name[1]
        if local == "table" and self.cell is None:
            self.span, self.row = _Span(), 0
        elif local == "table-row" and self.cell is None:
            self.row_repeat, self.col = _repeat(attrs, "number-rows-repeated"), 0
        elif local in ("table-cell", "covered-table-cell") and self.cell is None:
            filled = any(n == "value-type" for _, n in attrs.keys())
            self.cell = [self.col, _repeat(attrs, "number-columns-repeated"), filled]
        elif self.cell is not None:
            self.cell[2] = True  # a paragraph, an annotation: content

    def characters(self, content: str) -> None:
        if self.cell is not None and content.strip():
            self.cell[2] = True

    def endElementNS(self, name, qname) -> None:
        local = name[1]
        if local in ("table-cell", "covered-table-cell") and self.cell is not None:
            first, repeat, filled = self.cell
            if filled:
                self.span.add(self.row + 1, self.row + self.row_repeat, first + 1, first + repeat)
            self.col, self.cell = first + repeat, None
        elif local == "table-row" and self.cell is None:
            self.row += self.row_repeat
        elif local == "table" and self.cell is None:
            self.largest = max(self.largest, self.span.cells())


def _repeat(attrs, local: str) -> int:
    for (_, name), value in attrs.items():
        if name == local:
            value = value.strip()
            return _number(value) if value.isdigit() else 1
    return 1


def ods_sheet_span(content: bytes) -> int:
    """The most cells a table of an .ods ``content.xml`` spans with its cells with content, repeats unrolled."""
    if b"-repeated" not in content:  # nothing repeated: the cells are all written out, and the size limits hold
        return 0
    handler = _OdsCells()
    _parse(content, handler)
    return handler.largest


def _as_utf8(xml: bytes) -> bytes:
    """UTF-16/32 parts (by BOM or by '<' pattern) as UTF-8; everything else is ASCII-compatible already."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                          (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if xml.startswith(bom):
            return _reencoded(xml[len(bom):], encoding)
    for start, encoding in ((b"<\0\0\0", "utf-32-le"), (b"\0\0\0<", "utf-32-be"),
                            (b"<\0", "utf-16-le"), (b"\0<", "utf-16-be")):
        if xml.startswith(start):
            return _reencoded(xml, encoding)
    return xml


def _reencoded(xml: bytes, encoding: str) -> bytes:
    text = xml.decode(encoding, "replace")
    return re.sub(r"^<\?xml[^>]*\?>", '<?xml version="1.0" encoding="UTF-8"?>', text).encode("utf-8")
