"""Workbook packages judged before any reader parses them.

A returned xlsx/xlsm/ods is a zip package and an xls an OLE2 file; readers (calamine)
trust what they find inside. Here sizes and compression ratios are read from the zip
directory first, XML prologs are checked for DTDs and entities (billion laughs, external
entities), and a sheet's claimed and real extent is bounded, because calamine allocates one
dense buffer per sheet and a single cell at XFD1048576 would abort the process.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Iterator

import olefile

__all__ = ["Limits", "Package", "check_workbook_package", "workbook_problem"]


_MIB = 2**20
_XML_FIRST = 4 * 1024  # read first; enough for every office suite's prolog and <dimension>
_XML_HEAD = 32 * 1024  # bytes of each XML part inspected (prolog and <dimension>)
_WHOLE_PART = _MIB  # parts up to this size are decompressed whole once and their heads sliced from that
_READ_AHEAD = 16 * _MIB  # ... up to this much per package; beyond it heads are read as before
_PARSE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
                 NotImplementedError, zlib.error, struct.error, KeyError, IndexError, OverflowError)


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile file from exhausting memory, disk or time."""

    max_file_bytes: int = 50 * 2**20        # a single offered file or archive member
    max_unpacked_bytes: int = 300 * 2**20   # total uncompressed of one archive / one xlsx package
    max_ratio: float = 200.0                # uncompressed/compressed per member (only when uncompressed > 1 MiB)
    max_members: int = 5000                 # members in one archive / parts in one workbook package
    max_depth: int = 3                      # nested archives
    max_cells: int = 2_000_000              # cells a sheet may claim (dimension ref)
    check_packages: bool = True             # False: the caller runs check_workbook_package itself (in a worker)
    yield_archives: bool = False            # True: yield each readable archive too (kind "archive"), before its members


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: UTF-8 when flagged; else its raw bytes as UTF-8, GBK (GB18030) or cp437."""
    if info.flag_bits & 0x800:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")  # zipfile decoded unflagged names as cp437: undo it
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.orig_filename


def _display_name(name: str) -> str:
    """A member name made safe to show: no ``..``, no root or drive, no control characters."""
    name = "".join(ch if ch.isprintable() else "?" for ch in name)
    parts: list[str] = []
    for part in re.split(r"[\\/]+", name):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    if parts and re.fullmatch(r"[A-Za-z]:", parts[0]):
        parts.pop(0)
    return "/".join(parts) or "?"


def _ratio_too_high(info: zipfile.ZipInfo, limits: Limits) -> bool:
    return info.file_size > _MIB and info.file_size > limits.max_ratio * max(info.compress_size, 1)


def _ratio_detail(info: zipfile.ZipInfo) -> str:
    ratio = info.file_size / max(info.compress_size, 1)
    return f"{_display_name(_member_name(info))}: compressed {ratio:.0f}:1 to {_mib(info.file_size)}"


def _size_problem(infos: list[zipfile.ZipInfo], limits: Limits, budget: int,
                  per_part_ratio: bool) -> tuple[str, str] | None:
    """Judge an archive or package from its directory alone: entry count, total size, ratios."""
    if len(infos) > limits.max_members:
        return "intake.too_many_members", f"{len(infos)} entries (limit {limits.max_members})"
    total = sum(i.file_size for i in infos)
    if total > budget:
        return "intake.zip_bomb", f"unpacks to {_mib(total)} (limit {_mib(budget)})"
    bad = next((i for i in infos if _ratio_too_high(i, limits)), None) if per_part_ratio else None
    return ("intake.zip_bomb", _ratio_detail(bad)) if bad else None


def _mib(size: int) -> str:
    return f"{size / _MIB:.1f} MiB"


def _over(size: int, limit: int) -> str:
    return f"{_mib(size)} (limit {_mib(limit)})"


def _read_head(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, cap: int) -> bytes:
    """At most *cap* uncompressed bytes of a member (decompresses no more than that)."""
    size = member.file_size if isinstance(member, zipfile.ZipInfo) else archive.getinfo(member).file_size
    if cap >= size and isinstance(archive, Package):
        return archive.read(member)  # whole part: through the package's cache
    if size <= _WHOLE_PART and isinstance(archive, Package) and archive.read_ahead(member, size):
        whole = archive.plain_part(member)  # a small part read whole once (cached), when it reads cleanly
        if whole is not None:
            return whole[:cap]
    with archive.open(member) as fh:
        return fh.read(cap)


class Package(zipfile.ZipFile):
    """A workbook package opened once, whose whole parts are decompressed once (checks, then reading)."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self._data = data
        self._parts: dict[str, bytes] = {}
        self._ahead = _READ_AHEAD

    def read_ahead(self, name, size: int) -> bool:
        """Whether a part may be decompressed whole to serve its head (already cached, or within budget)."""
        key = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if key in self._parts:
            return True
        if size > self._ahead:
            return False
        self._ahead -= size
        return True

    def read(self, name, pwd=None) -> bytes:
        key = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if key not in self._parts:
            part = self._plain_read(name) if pwd is None else None
            self._parts[key] = part if part is not None else super().read(name, pwd)
        return self._parts[key]

    def plain_part(self, name) -> bytes | None:
        """The whole part (cached) when it reads cleanly straight from the bytes, else None."""
        key = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if key not in self._parts:
            part = self._plain_read(name)
            if part is None:
                return None
            self._parts[key] = part
        return self._parts[key]

    def _plain_read(self, name) -> bytes | None:
        """A plain (stored or deflated, unencrypted) part decompressed straight from the bytes.

        Used only when everything checks out exactly as zipfile would check it (local header,
        name, flags, sizes, a complete deflate stream, CRC): the result is then byte for byte
        what zipfile returns. Anything else returns None, and zipfile reads (and raises) as ever.
        """
        try:
            info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
            if info.flag_bits & 0x61 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                return None  # encrypted, patched or strongly encrypted; other methods: zipfile's path
            data, offset = self._data, info.header_offset
            if offset < 0 or data[offset:offset + 4] != b"PK\x03\x04":
                return None
            header = struct.unpack_from("<4s2B4HL2L2H", data, offset)
            name_len, extra_len = header[10], header[11]
            fname = data[offset + 30:offset + 30 + name_len]
            fname_str = fname.decode("utf-8" if header[3] & 0x800 else (self.metadata_encoding or "cp437"))
            if fname_str != info.orig_filename:
                return None
            start = offset + 30 + name_len + extra_len
            end = getattr(info, "_end_offset", None)  # Pythons that reject overlapping entries: their path
            if end is not None and start + info.compress_size > end:
                return None
            raw = data[start:start + info.compress_size]
            if len(raw) != info.compress_size:
                return None
            if info.compress_type == zipfile.ZIP_STORED:
                out = raw
            else:
                inflater = zlib.decompressobj(-15)
                out = inflater.decompress(raw, info.file_size + 1)
                if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
                    return None
            if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
                return None
            return out
        except Exception:
            return None


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


# BIFF cell records (each starts with row, column): FORMULA, RSTRING, MULRK, MULBLANK, LABELSST, BLANK,
# NUMBER, LABEL, BOOLERR, RK. MULRK and MULBLANK end with their last column.
_BIFF_CELLS = frozenset({0x0006, 0x00D6, 0x00BD, 0x00BE, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
_BIFF_MULTI = frozenset({0x00BD, 0x00BE})


def _xls_problem(data: bytes, limits: Limits) -> tuple[str, str] | None:
    """Check every sheet of a BIFF workbook stream for ranges a reader would allocate without bound.

    calamine sizes one dense buffer per sheet from its DIMENSIONS record and its cells: a
    damaged record (first row after the last, a cell at column 40,000) makes it allocate
    hundreds of GiB and abort the whole process. Sheets are found as calamine finds them,
    at the offsets the workbook globals' BOUNDSHEET records give.
    """
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                return "intake.corrupt", "OLE2 (.xls) file without a Workbook stream"
            stream = ole.openstream(name).read()
    except _PARSE_ERRORS as exc:
        return "intake.corrupt", f"OLE2 (.xls) file cannot be opened ({exc})"
    starts = []
    for record, body in _biff_records(stream, 0):
        if record == 0x0085 and len(body) >= 4:  # BOUNDSHEET: where a sheet's substream begins
            starts.append(struct.unpack_from("<I", body)[0])
        elif record == 0x000A:  # EOF of the globals
            break
    for start in starts:
        problem = _biff_sheet_problem(stream, start, limits)
        if problem:
            return problem
    return None


def _biff_records(stream: bytes, pos: int) -> Iterator[tuple[int, bytes]]:
    while pos + 4 <= len(stream):
        record, size = struct.unpack_from("<HH", stream, pos)
        yield record, stream[pos + 4:pos + 4 + size]
        pos += 4 + size


def _biff_sheet_problem(stream: bytes, start: int, limits: Limits) -> tuple[str, str] | None:
    rows, cols = [], []
    for record, body in _biff_records(stream, start):
        if record == 0x000A:  # EOF of the sheet
            break
        if record == 0x0200 and len(body) in (10, 14):  # DIMENSIONS, BIFF5 / BIFF8
            r1, r2, c1, c2 = struct.unpack_from("<IIHH" if len(body) == 14 else "<HHHH", body)
            if r1 > r2 or c1 > c2:
                return "intake.corrupt", f"sheet dimensions out of order (rows {r1}-{r2}, columns {c1}-{c2})"
            if (r2 - r1) * (c2 - c1) > limits.max_cells:
                return "intake.sheet_too_large", f"a sheet claims {(r2 - r1) * (c2 - c1):,} cells"
        elif record in _BIFF_CELLS and len(body) >= 6:
            row, col = struct.unpack_from("<HH", body)
            rows += (row, row)
            cols += (col, struct.unpack_from("<H", body, len(body) - 2)[0] if record in _BIFF_MULTI else col)
            rows, cols = [min(rows), max(rows)], [min(cols), max(cols)]
            cells = (rows[1] - rows[0] + 1) * (cols[1] - cols[0] + 1)
            if cells > limits.max_cells:
                return "intake.sheet_too_large", f"the cells of a sheet span {cells:,} cells"
    return None


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
