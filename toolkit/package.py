"""Workbook packages judged before any reader parses them.

A returned xlsx/xlsm/ods is a zip package and an xls an OLE2 file; readers (calamine)
trust what they find inside. Here sizes and compression ratios are read from the zip
directory first, XML prologs are checked for DTDs and entities (billion laughs, external
entities), and a sheet's claimed and real extent is bounded, because calamine allocates one
dense buffer per sheet and a single cell at XFD1048576 would abort the process.

The zip-level reading (limits, member names, sizes and ratios, :class:`Package`) lives in
:mod:`toolkit.archive` (:class:`Limits` and :class:`Package` are re-exported here), the .xls (BIFF)
checks in :mod:`toolkit.biff`.
"""

from __future__ import annotations

import codecs
import re
import zipfile

import olefile

from .archive import _MIB, _PARSE_ERRORS, Limits, Package, _read_head, _size_problem
from .biff import _xls_problem

__all__ = ["Limits", "Package", "check_workbook_package", "workbook_problem"]

_XML_FIRST = 4 * 1024  # read first; enough for every office suite's prolog and <dimension>
_XML_HEAD = 32 * 1024  # bytes of each XML part inspected (prolog and <dimension>)


# --------------------------------------------------------------------------- workbook packages


def check_workbook_package(data: bytes, limits: Limits) -> str | None:
    """Judge an xlsx/xlsm/ods package, or an xls (OLE2) workbook, before any reader parses it.

    Sizes come from the zip directory first; each XML part is then read only up to a
    small cap to inspect its prolog (no DOCTYPE or ENTITY declarations) and a worksheet's
    ``<dimension ref>`` (no more than ``limits.max_cells`` cells). An xls workbook's
    sheet DIMENSIONS records must be in order and within ``limits.max_cells``.

    Args:
        data: The package bytes.
        limits: The caps to apply.

    Returns:
        A reason code when the package is hostile or broken, else None.
    """
    problem = workbook_problem(data, limits)
    return problem[0] if problem else None


def workbook_problem(data: bytes, limits: Limits, package: "Package | None" = None) -> tuple[str, str] | None:
    """Like :func:`check_workbook_package`, with the detail: (reason code, what is wrong) or None."""
    return _xls_problem(data, limits) if data.startswith(olefile.MAGIC) else _package_problem(data, limits, package)



def _package_problem(data: bytes, limits: Limits, package: "Package | None" = None) -> tuple[str, str] | None:
    """The package's problem, if any; a *package* given by the caller stays open for reading."""
    opened = package
    try:
        opened = opened or Package(data)
        parts = [i for i in opened.infolist() if not i.is_dir()]
        problem = _size_problem(parts, limits, limits.max_unpacked_bytes, per_part_ratio=True)
        if problem:
            return problem
        if not _has_main_part(opened):
            return "intake.corrupt", "the workbook part is missing"
        return _parts_problem(opened, parts, limits)
    except _PARSE_ERRORS as exc:
        return "intake.corrupt", f"the package cannot be unpacked ({exc})"
    finally:
        if package is None and opened is not None:
            opened.close()


def _has_main_part(package: zipfile.ZipFile) -> bool:
    names = set(package.namelist())
    if "mimetype" in names:
        return "content.xml" in names
    if "[Content_Types].xml" not in names:
        return False
    types = _read_head(package, "[Content_Types].xml", _MIB).decode("utf-8", "replace")
    for override in re.findall(r"<(?:\w{1,20}:)?Override\b[^<>]{0,2000}>", types):
        if re.search(r"(spreadsheetml\.(sheet|template)|ms-excel\.\w{1,40}\.macroEnabled)\.main", override):
            part = re.search(r"PartName\s*=\s*[\"']/?([^\"']+)", override)
            return bool(part) and part.group(1) in names
    return "xl/workbook.xml" in names


def _parts_problem(package: zipfile.ZipFile, parts: list[zipfile.ZipInfo], limits: Limits) -> tuple[str, str] | None:
    for info in parts:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")) or info.file_size == 0:
            continue
        head = _read_head(package, info, _XML_FIRST)  # the prolog and <dimension> sit at the start
        text = _decode_xml_head(head)
        problem = _prolog_problem(text, truncated=info.file_size > len(head))
        sheet_part = "worksheets/" in info.filename.lower() or ("worksheet" in text
                                                                and _WORKSHEET_ROOT.search(text) is not None)
        if info.file_size > len(head) and (problem == "XML prolog too long"
                                           or (sheet_part and not _claimed_cells(text)[0])):
            head = _read_head(package, info, _XML_HEAD)
            text = _decode_xml_head(head)
            problem = _prolog_problem(text, truncated=info.file_size > len(head))
        if problem:
            code = "intake.corrupt" if problem == "not XML" else "intake.hostile_xml"
            return code, f"{info.filename}: {problem}"
        ref, cells = _claimed_cells(text)
        if cells > limits.max_cells:
            return "intake.sheet_too_large", f"{info.filename}: dimension {ref} claims {cells:,} cells"
        if sheet_part:
            ref, cells = _used_cells(package, info)
            if cells > limits.max_cells:
                return "intake.sheet_too_large", f"{info.filename}: cells {ref} span {cells:,} cells"
        if info.filename == "content.xml":  # an .ods: repeated rows and columns expand when read
            cells = _ods_filled_cells(package.read(info))
            if cells > limits.max_cells:
                return "intake.sheet_too_large", f"content.xml: repeated rows and columns fill {cells:,} cells"
    return None


_ODS_ROW = re.compile(rb"<(?:[\w.-]{1,20}:)?table-row\b([^>]*)>(.*?)</(?:[\w.-]{1,20}:)?table-row>", re.S)
_ODS_CELL = re.compile(rb"<(?:[\w.-]{1,20}:)?(?:covered-)?table-cell\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]{1,20}:)?"
                       rb"(?:covered-)?table-cell>)", re.S)
_ODS_ROWS_REPEATED = re.compile(rb"number-rows-repeated\s*=\s*[\"'](\d{1,12})")
_ODS_COLS_REPEATED = re.compile(rb"number-columns-repeated\s*=\s*[\"'](\d{1,12})")


def _ods_filled_cells(content: bytes) -> int:
    """How many cells with content the sheets expand to once repeated rows and columns are unrolled.

    Office suites repeat *empty* rows and cells freely (a whole sheet's tail); a cell with a value
    repeated 50 times in a row repeated 300,000 times is 15 million cells a reader materialises.
    """
    if b"-repeated" not in content:
        return 0
    total = 0
    for row_attrs, body in _ODS_ROW.findall(content):
        m = _ODS_ROWS_REPEATED.search(row_attrs)
        rows = int(m.group(1)) if m else 1
        filled = 0
        for cell_attrs, inner in _ODS_CELL.findall(body):
            if b"value-type" in cell_attrs or (inner and inner.strip()):
                m = _ODS_COLS_REPEATED.search(cell_attrs)
                filled += int(m.group(1)) if m else 1
        total += rows * filled
    return total


_WORKSHEET_ROOT = re.compile(r"<(?:[\w.-]{1,20}:)?worksheet\b")  # a sheet part wherever the package puts it
# A reference beyond row 9,999 or column Z; below both, a sheet spans at most 259,974 cells. The quick
# search starts with a literal (fast) and may match other attributes ending in "r"; the exact one may not.
_FAR_REF = re.compile(r"""r\s*=\s*["'](?:[A-Za-z]{0,3}[0-9]{5,}|[A-Za-z]{2,}[0-9]+)["']""")
_FAR_REF_BYTES = re.compile(_FAR_REF.pattern.encode())
_CELL_REF = re.compile(r"""\sr\s*=\s*["']([A-Za-z]{0,3})([0-9]{1,9})["']""")


def _used_cells(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    """The span of the row and cell references a worksheet really holds, and its cell count.

    The ``<dimension>`` may be missing or lie; calamine allocates one dense buffer over
    the furthest references, so a single cell at XFD1048576 would abort the process.
    The exact span is computed only when some reference is far out.
    """
    data = _read_head(package, info, info.file_size)
    ascii_compatible = not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"<\0", b"\0<"))
    if ascii_compatible and not _FAR_REF_BYTES.search(data):
        return "", 0
    text = _decode_xml_head(data)
    if not _FAR_REF.search(text):
        return "", 0
    rows, cols = set(), set()
    for letters, digits in _CELL_REF.findall(text):
        rows.add(int(digits))
        if letters:
            cols.add(_column_number(letters))
    if not rows:
        return "", 0
    c1, c2 = (min(cols), max(cols)) if cols else (1, 1)
    ref = f"{_column_letters(c1)}{min(rows)}:{_column_letters(c2)}{max(rows)}"
    return ref, (max(rows) - min(rows) + 1) * (c2 - c1 + 1)


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _decode_xml_head(head: bytes) -> str:
    """The head of an XML part as text: UTF-16/32 by BOM or by '<' pattern, else byte per char."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                          (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, "replace")
    for start, encoding in ((b"<\0\0\0", "utf-32-le"), (b"\0\0\0<", "utf-32-be"),
                            (b"<\0", "utf-16-le"), (b"\0<", "utf-16-be")):
        if head.startswith(start):
            return head.decode(encoding, "replace")
    return head.decode("latin-1")  # ASCII-compatible encodings: markup characters are single bytes


def _prolog_problem(text: str, truncated: bool) -> str | None:
    """Walk the XML prolog; any ``<!`` declaration (DOCTYPE, ENTITY) there is hostile."""
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            return "XML prolog too long" if truncated else None
        if text.startswith("<?", pos):
            stop, skip = text.find("?>", pos + 2), 2
        elif text.startswith("<!--", pos):
            stop, skip = text.find("-->", pos + 4), 3
        elif text.startswith("<!", pos):
            return "DOCTYPE or ENTITY declaration"
        elif text.startswith("<", pos):
            return None
        else:
            return "not XML"
        if stop < 0:
            return "XML prolog too long" if truncated else None
        pos = stop + skip


_DIMENSION = re.compile(r"<(?:[\w.-]{1,20}:)?dimension\b[^<>]{0,2000}?\bref\s*=\s*[\"']([^\"'<>]{0,200})[\"']")


def _claimed_cells(text: str) -> tuple[str, int]:
    """The ``<dimension ref>`` of a worksheet part and the number of cells it spans (0 if none)."""
    if "dimension" not in text:  # the pattern's literal: without it there is no match
        return "", 0
    found = _DIMENSION.search(text)
    if not found:
        return "", 0
    corners = re.findall(r"\$?([A-Za-z]+)\$?(\d+)", found.group(1))
    if not corners:
        return found.group(1), 0
    (c1, r1), (c2, r2) = corners[0], corners[-1]
    cols = abs(_column_number(c2) - _column_number(c1)) + 1
    return found.group(1), cols * (abs(int(r2) - int(r1)) + 1)


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number
