"""Workbook packages judged before any reader parses them.

A returned xlsx/xlsm/ods is a zip package and an xls an OLE2 file; readers (calamine)
trust what they find inside. Here sizes and compression ratios are read from the zip
directory first, XML prologs are checked for DTDs and entities (billion laughs, external
entities), and a sheet's claimed and real extent is bounded, because calamine allocates one
dense buffer per sheet and a single cell at XFD1048576 would abort the process.

The zip-level reading (limits, member names, sizes and ratios, :class:`Package`) lives in
:mod:`toolkit.intake.archive` (:class:`Limits` and :class:`Package` are re-exported here), the .xls (BIFF)
checks in :mod:`toolkit.intake.biff`.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import zipfile

import olefile
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..codes import Detail
from .archive import MIB, PARSE_ERRORS, Limits, Package, read_head, size_problem
from .biff import xls_problem
from .sheet_span import NotWellFormed, ods_sheet_span, xlsx_sheet_span

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


def workbook_problem(data: bytes, limits: Limits, package: "Package | None" = None) -> tuple[str, Detail] | None:
    """Like :func:`check_workbook_package`, with the detail: (reason code, what is wrong) or None."""
    return xls_problem(data, limits) if data.startswith(olefile.MAGIC) else package_problem(data, limits, package)



def package_problem(data: bytes, limits: Limits, package: "Package | None" = None) -> tuple[str, Detail] | None:
    """The package's problem, if any; a *package* given by the caller stays open for reading."""
    opened = package
    try:
        opened = opened or Package(data)
        parts = [i for i in opened.infolist() if not i.is_dir()]
        problem = size_problem(parts, limits, limits.max_unpacked_bytes, per_part_ratio=True) or _twin_parts(parts)
        if problem:
            return problem
        if not _has_main_part(opened):
            return "intake.corrupt", Detail("no_workbook_part")
        return _parts_problem(opened, parts, limits)
    except PARSE_ERRORS as exc:
        return "intake.corrupt", Detail("package", {"error": str(exc)})
    finally:
        if package is None and opened is not None:
            opened.close()


def _twin_parts(parts: list[zipfile.ZipInfo]) -> tuple[str, Detail] | None:
    """Two members under one name (part names ignore case): checks would read one, a reader the other."""
    seen: set[str] = set()
    for info in parts:
        key = info.filename.replace("\\", "/").lower()
        if key in seen:
            return "intake.corrupt", Detail("twin_parts", {"part": info.filename})
        seen.add(key)
    return None


def _has_main_part(package: zipfile.ZipFile) -> bool:
    names = set(package.namelist())
    if "mimetype" in names:
        return "content.xml" in names
    if "[Content_Types].xml" not in names:
        return False
    types = read_head(package, "[Content_Types].xml", MIB).decode("utf-8", "replace")
    for override in re.findall(r"<(?:\w{1,20}:)?Override\b[^<>]{0,2000}>", types):
        if re.search(r"(spreadsheetml\.(sheet|template)|ms-excel\.\w{1,40}\.macroEnabled)\.main", override):
            part = re.search(r"PartName\s*=\s*[\"']/?([^\"']+)", override)
            return bool(part) and part.group(1) in names
    return "xl/workbook.xml" in names


# Relationship types whose parts a reader (calamine, or the toolkit's own) parses, whatever they are named.
_XML_KINDS = frozenset({"officeDocument", "worksheet", "sharedStrings", "styles", "chartsheet", "dialogsheet",
                        "custom-properties"})
# ... and parts read by their name: the package's own, an .ods's, the toolkit's carriers.
_READ_BY_NAME = frozenset({"[content_types].xml", "xl/workbook.xml", "xl/sharedstrings.xml", "xl/styles.xml",
                           "docprops/custom.xml", "content.xml", "meta.xml", "styles.xml"})


def _parts_problem(package: zipfile.ZipFile, parts: list[zipfile.ZipInfo], limits: Limits) -> tuple[str, Detail] | None:
    """Check the parts a reader parses; the rest (themes, drawings, pictures) no reader opens.

    Whatever slips past these checks is read in a worker under memory and time limits
    (:mod:`toolkit.intake.isolated`): they are the cheap first line, and name what is wrong.
    """
    kinds = _relationship_targets(package, parts)
    for info in parts:
        kind, name = kinds.get(info.filename), info.filename.lower()
        named_xml = name.endswith(".rels") or name in _READ_BY_NAME or name.startswith("xl/worksheets/")
        if info.file_size == 0 or not (named_xml or kind in _XML_KINDS):
            continue
        try:
            problem = _part_problem(package, info, limits, kind)
        except NotWellFormed as exc:
            return "intake.corrupt", Detail("not_well_formed", {"part": info.filename, "error": str(exc)})
        if problem:
            return problem
    return None


def _part_problem(package: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits,
                  kind: str | None) -> tuple[str, Detail] | None:
    head = read_head(package, info, _XML_FIRST)  # the prolog and <dimension> sit at the start
    text = _decode_xml_head(head)
    problem = _prolog_problem(text, truncated=info.file_size > len(head))
    sheet_part = kind == "worksheet" or "worksheets/" in info.filename.lower() or (
        "worksheet" in text and _WORKSHEET_ROOT.search(text) is not None)
    if info.file_size > len(head) and (problem == "XML prolog too long" or (sheet_part and not _claimed_cells(text)[0])):
        head = read_head(package, info, _XML_HEAD)
        text = _decode_xml_head(head)
        problem = _prolog_problem(text, truncated=info.file_size > len(head))
    if problem:
        code, variant = _PROLOG_PROBLEMS[problem]
        return code, Detail(variant, {"part": info.filename})
    ref, cells = _claimed_cells(text)
    if cells > limits.max_cells:
        return "intake.sheet_too_large", Detail("dimension", {"part": info.filename, "ref": ref, "cells": cells})
    if sheet_part:
        ref, cells = xlsx_sheet_span(package.read(info), limits.max_cells)
        if cells > limits.max_cells:
            return "intake.sheet_too_large", Detail("span", {"part": info.filename, "ref": ref, "cells": cells})
    if info.filename == "content.xml":  # an .ods: repeated rows and columns expand when read
        cells = ods_sheet_span(package.read(info))
        if cells > limits.max_cells:
            return "intake.sheet_too_large", Detail("ods", {"cells": cells})
    return None


def _relationship_targets(package: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> dict[str, str]:
    """Every part a relationship points to → the relationship's type (its last word), read by an XML parser."""
    kinds: dict[str, str] = {}
    for info in parts:
        name = info.filename
        if not name.lower().endswith(".rels"):
            continue
        try:
            root = SafeET.fromstring(package.read(info))
        except (SafeET.ParseError, DefusedXmlException, ValueError):
            continue  # the part's own check says what is wrong with it
        base = posixpath.dirname(posixpath.dirname(name))  # xl/_rels/workbook.xml.rels → xl
        for rel in root.iter():
            if not str(rel.tag).endswith("Relationship") or rel.get("TargetMode") == "External":
                continue
            target = (rel.get("Target") or "").replace("\\", "/")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            kinds[part] = (rel.get("Type") or "").rsplit("/", 1)[-1]
    return kinds


_WORKSHEET_ROOT = re.compile(r"<(?:[\w.-]{1,20}:)?worksheet\b")  # a sheet part wherever the package puts it


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


# what _prolog_problem finds → (reason code, detail variant)
_PROLOG_PROBLEMS = {"not XML": ("intake.corrupt", "not_xml"), "XML prolog too long": ("intake.hostile_xml", "long_prolog"),
                    "DOCTYPE or ENTITY declaration": ("intake.hostile_xml", "doctype")}


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
