"""Read a returned workbook (xlsx, xls, ods) into one normalised shape.

:func:`read_workbook` turns bytes into a :class:`RawWorkbook` — grids of raw
cell values per sheet, custom properties and defined names — with
python-calamine for every format. :func:`toolkit.read.locate.extract` then
locates a template's fields in it (by the hidden key column, then by labels)
and yields a :class:`Submission`: each value with its sheet and cell address,
plus structural findings (renamed sheets, inserted rows, edited labels).
Checks downstream never see a reader's quirks.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree as SafeET

from ..intake.calamine import ReadError, calamine_errors
from ..model import CellValue, Finding, Submission
from ..spec import layout

__all__ = ["Grid", "RawWorkbook", "CellValue", "Finding", "Submission", "read_workbook",
           "ReadError", "read_package_props", "calamine_errors", "read_job"]

_NS_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"


@dataclass
class Grid:
    """A sheet's cells as read: rows of raw values, positioned from (row0, col0)."""

    name: str
    rows: list[list[Any]]
    row0: int = 0
    col0: int = 0
    visible: bool = True

    def __post_init__(self) -> None:
        self._n_cols = self.col0 + max((len(r) for r in self.rows), default=0)

    def get(self, row: int, col: int) -> Any:
        r, c = row - self.row0, col - self.col0
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            value = self.rows[r][c]
            return None if value == "" else value
        return None

    def put(self, row: int, col: int, value: Any) -> None:
        """Set a cell (growing the grid where needed)."""
        if row < self.row0 or col < self.col0:
            return  # outside what calamine read: such a cell held nothing else
        r, c = row - self.row0, col - self.col0
        while len(self.rows) <= r:
            self.rows.append([])
        line = self.rows[r]
        line.extend([""] * (c + 1 - len(line)))
        line[c] = value
        self._n_cols = max(self._n_cols, col + 1)

    @property
    def n_rows(self) -> int:
        return self.row0 + len(self.rows)

    @property
    def n_cols(self) -> int:
        return self._n_cols

    def column(self, col: int) -> list[Any]:
        return [self.get(r, col) for r in range(self.n_rows)]


@dataclass
class RawWorkbook:
    kind: str
    sheets: dict[str, Grid]
    props: dict[str, str] = field(default_factory=dict)
    defined_names: dict[str, str] = field(default_factory=dict)
    date1904: bool = False


# --------------------------------------------------------------------------- reading


def read_workbook(data: bytes, kind: str, skip: frozenset[str] = frozenset(), names: bool = True,
                  package: zipfile.ZipFile | None = None) -> RawWorkbook:
    """Read every sheet (but *skip* and the lists sheet) with calamine; package metadata from the zip."""
    from python_calamine import CalamineWorkbook

    with calamine_errors():
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = {}
        for meta in wb.sheets_metadata:
            if meta.name == layout.LISTS_SHEET or meta.name in skip:
                continue
            sh = wb.get_sheet_by_name(meta.name)
            start = sh.start or (0, 0)
            sheets[meta.name] = Grid(meta.name, sh.to_python(skip_empty_area=True), start[0], start[1],
                                     str(meta.visible).rsplit(".", 1)[-1] == "Visible")  # not Hidden/VeryHidden
    props, defined, date1904 = read_package_props(data, kind, names, package)
    if kind in ("xlsx", "xlsm"):
        _restore_from_sheets(data, sheets, package)
    return RawWorkbook(kind, sheets, props, defined, date1904)


def read_job(job: tuple[bytes, str]) -> RawWorkbook:
    """:func:`read_workbook` of ``(data, kind)``: the form a worker of :mod:`toolkit.intake.isolated` is given."""
    data, kind = job
    return read_workbook(data, kind)


_SHEET_RE = re.compile(r'<(?:\w+:)?sheet\b[^>]*>')
_REL_RE = re.compile(r'<(?:\w+:)?Relationship\b[^>]*>')
_ATTR_RE = re.compile(r'([\w:]+)="([^"]*)"')
_ERROR_CELL_RE = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?\bt="e"[^>]*>(?:<f\b[^>]*?(?:/>|>.*?</f>))?<v>([^<]*)</v>', re.S)


def _restore_from_sheets(data: bytes, sheets: dict[str, Grid], package: zipfile.ZipFile | None = None) -> None:
    """Put back what the unit saw where calamine reads something else.

    calamine reads error cells (#DIV/0!, #N/A) as empty, and a number in a percent-formatted cell
    (Excel stores a typed "105%" as 1.05 and formats the cell as a percentage) as the bare number:
    the first get their text back so they are reported, the second their "105%".
    """
    try:
        with _opened(data, package) as zf:
            book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = {}
            for tag in _REL_RE.findall(zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")):
                attrs = dict(_ATTR_RE.findall(tag))
                rels[attrs.get("Id", "")] = (attrs.get("Target", ""), attrs.get("Type", ""))
            parts = set(zf.namelist())
            styles = next((_part(t) for t, kind in rels.values() if kind.endswith("/styles")), "xl/styles.xml")
            percent = _percent_styles(zf.read(styles)) if styles in parts else frozenset()
            for tag in _SHEET_RE.findall(book):
                attrs = dict(_ATTR_RE.findall(tag))
                part = _part(rels.get(attrs.get("r:id", ""), ("", ""))[0])
                grid = sheets.get(html.unescape(attrs.get("name", "")))
                if grid is not None and part in parts:
                    _restore_cells(zf.read(part), grid, percent)
    except Exception:  # best effort over a package calamine could read: a damaged part only loses this
        return


def _part(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _restore_cells(xml: bytes, grid: Grid, percent: frozenset[int]) -> None:
    if b't="e"' in xml:
        for col, row, text in _ERROR_CELL_RE.findall(xml):
            grid.put(int(row) - 1, _col_number(col.decode()) - 1, text.decode("utf-8", "replace"))
    if not percent:
        return
    for attrs, value in _VALUE_CELL_RE.findall(xml):
        cell = dict(_ATTR_RE.findall(attrs.decode("utf-8", "replace")))
        ref = re.fullmatch(r"([A-Z]{1,3})(\d{1,7})", cell.get("r", ""))
        if ref and cell.get("t", "n") == "n" and cell.get("s", "0").isdigit() and int(cell["s"]) in percent:
            try:
                number = float(value)
            except ValueError:
                continue
            grid.put(int(ref.group(2)) - 1, _col_number(ref.group(1)) - 1, f"{round(number * 100, 10):.15g}%")


_VALUE_CELL_RE = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?<!/)>\s*(?:<(?:\w+:)?f\b[^>]*?(?:/>|>.*?</(?:\w+:)?f>)\s*)?'
                            rb'<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>', re.S)
_NUMFMT_RE = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*>')
_CELLXFS_RE = re.compile(rb'<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>', re.S)
_XF_RE = re.compile(rb'<(?:\w+:)?xf\b([^>]*)')
_PERCENT_BUILTIN = frozenset({9, 10})  # 0% and 0.00%


def _percent_styles(styles: bytes) -> frozenset[int]:
    """The cell style indices whose number format shows a percentage (builtin 0%/0.00%, or a custom one)."""
    if b"%" not in styles and b'numFmtId="9"' not in styles and b'numFmtId="10"' not in styles:
        return frozenset()
    custom = set()
    for tag in _NUMFMT_RE.findall(styles):
        attrs = dict(_ATTR_RE.findall(tag.decode("utf-8", "replace")))
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", html.unescape(attrs.get("formatCode", "")))
        if "%" in code and attrs.get("numFmtId", "").isdigit():
            custom.add(int(attrs["numFmtId"]))
    xfs = _CELLXFS_RE.search(styles)
    if xfs is None:
        return frozenset()
    out = set()
    for n, attrs in enumerate(_XF_RE.findall(xfs.group(1))):
        fmt = dict(_ATTR_RE.findall(attrs.decode("utf-8", "replace"))).get("numFmtId", "0")
        if fmt.isdigit() and (int(fmt) in _PERCENT_BUILTIN or int(fmt) in custom):
            out.add(n)
    return frozenset(out)


@contextmanager
def _opened(data: bytes, package: zipfile.ZipFile | None):
    """The caller's open package (left open), or the bytes opened here (and closed)."""
    if package is not None:
        yield package
        return
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        yield zf


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def read_package_props(data: bytes, kind: str, names: bool = True,
                       package: zipfile.ZipFile | None = None) -> tuple[dict[str, str], dict[str, str], bool]:
    """Custom document properties, defined names and the 1904 flag from the package (an .xls: its properties)."""
    if kind == "xls":
        from ..intake.ole_props import ole_custom_properties
        return ole_custom_properties(data), {}, False
    if kind not in ("xlsx", "xlsm", "ods"):
        return {}, {}, False
    try:
        with _opened(data, package) as zf:
            if kind == "ods":
                return _ods_props(zf), {}, False
            return _xlsx_props(zf, names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, SafeET.ParseError, ValueError, EOFError,
            OSError, zlib.error, NotImplementedError, RuntimeError):  # a damaged or encrypted part
        return {}, {}, False


_PROP_RE = re.compile(r'<property\b[^>]*\bname="([^"]*)"[^>]*>\s*<vt:(\w+)>([^<]*)</vt:\2>', re.S)
_NAME_RE = re.compile(r'<definedName\b[^>]*\bname="([^"]*)"[^>]*>([^<]*)</definedName>')
_DATE1904_RE = re.compile(r'<workbookPr\b[^>]*\bdate1904="(1|true)"')


def _xlsx_props(zf: zipfile.ZipFile, with_names: bool = True) -> tuple[dict[str, str], dict[str, str], bool]:
    """Custom properties, defined names and the 1904 flag, read with patterns (no XML entity expansion)."""
    props = {}
    if "docProps/custom.xml" in zf.namelist():
        text = zf.read("docProps/custom.xml").decode("utf-8", "replace")
        props = {name: html.unescape(value) for name, _, value in _PROP_RE.findall(text)}
    text = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    names = {html.unescape(n): html.unescape(v) for n, v in _NAME_RE.findall(text)} if with_names else {}
    return props, names, bool(_DATE1904_RE.search(text))


def _ods_props(zf: zipfile.ZipFile) -> dict[str, str]:
    if "meta.xml" not in zf.namelist():
        return {}
    root = SafeET.fromstring(zf.read("meta.xml"))
    props = {}
    for el in root.iter():
        if el.tag.endswith("}user-defined"):
            name = next((v for k, v in el.attrib.items() if k.endswith("}name")), "")
            props[name] = el.text or ""
    return props
