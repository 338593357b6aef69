"""Intake: walk what the user offers and yield every candidate file with its kind.

Files, folders (recursively, in sorted order) and zip archives (nested up to
``Limits.max_depth``) become a stream of :class:`Offered` items carrying the
bytes and the kind detected from the *content*, never from the file name.
Hostile input is judged from the zip directory before anything is unpacked,
and every read is capped; nothing is ever written to disk, and member names
are only used as labels.
"""

from __future__ import annotations

import codecs
import io
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

import olefile

from .catalogue import Code, register
from .errors import ConfigError

__all__ = ["Limits", "Offered", "sniff", "walk", "check_workbook_package", "workbook_problem", "WORKBOOK_KINDS",
           "CODES"]

CODES = register(
    Code("intake.empty_file", "error", "文件为空", "The file is empty",
         "文件没有内容，请重新保存后报送", "The file has no content; save it again and resend it"),
    Code("intake.encrypted", "error", "文件已加密", "The workbook is password-protected",
         "文件已加密，请取消密码后重新报送", "Remove the password (File > Info > Protect Workbook) and resend it"),
    Code("intake.not_a_workbook", "error", "不是可读取的 Excel 表格", "Not a readable spreadsheet",
         "请用下发的 Excel 模板填写后报送；Word、PDF、图片、网页等无法读取",
         "Fill in the Excel template you were sent; Word, PDF, pictures and web pages cannot be read"),
    Code("intake.corrupt", "error", "文件已损坏或不完整", "The file is damaged or incomplete",
         "请用 Excel 或 WPS 打开确认无误，重新保存后再次报送（U盘拷贝请重新拷贝）",
         "Open it in Excel or WPS, save it again and resend it (copy it again if it came on a USB stick)"),
    Code("intake.unsupported_archive", "error", "不支持的压缩格式", "Unsupported archive format",
         "请解压后直接报送其中的 Excel 文件，或改用 zip 格式压缩", "Unpack it and offer the files, or compress them as .zip"),
    Code("intake.encrypted_archive", "error", "压缩包设有密码", "The archive is password-protected",
         "请取消压缩包密码后重新压缩报送", "Compress the files again without a password and resend them"),
    Code("intake.too_large", "error", "文件过大", "The file is too large",
         "请删除多余的图片、空白行列后重新保存报送", "Delete pictures and empty rows/columns, save it again and resend it"),
    Code("intake.zip_bomb", "error", "解压后体积异常（疑似压缩炸弹）", "Unpacks to an abnormal size (zip bomb)",
         "请解压后直接报送其中的 Excel 文件；若是表格本身，请另存为新文件后报送",
         "Unpack it and offer the files; if it is a workbook, save it as a new file and resend it"),
    Code("intake.too_many_members", "error", "压缩包或表格内文件过多", "Too many entries in the archive or workbook",
         "请分批压缩报送，或只压缩需要报送的 Excel 文件", "Send the files in smaller archives holding only the workbooks"),
    Code("intake.too_deep", "error", "压缩包嵌套层数过多", "Archives nested too deeply",
         "请解压后直接报送其中的 Excel 文件，不要压缩包套压缩包", "Unpack it and offer the files; do not put archives inside archives"),
    Code("intake.hostile_xml", "error", "文件含有不安全的内容", "The workbook contains unsafe XML",
         "请用 Excel 或 WPS 打开后另存为新的 .xlsx 文件再报送", "Open it in Excel or WPS, save it as a new .xlsx and resend it"),
    Code("intake.sheet_too_large", "error", "工作表范围过大", "A sheet claims too many cells",
         "请删除表格中多余的空白行列（或把数据复制到新下发的模板中）后重新报送",
         "Delete the empty rows and columns (or copy the data into a fresh template) and resend it"),
)

WORKBOOK_KINDS = ("xlsx", "xlsm", "xls", "ods")

_MIB = 2**20
_XML_FIRST = 4 * 1024  # read first; enough for every office suite's prolog and <dimension>
_XML_HEAD = 32 * 1024  # bytes of each XML part inspected (prolog and <dimension>)
_PARSE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
                 NotImplementedError, zlib.error, struct.error, KeyError, IndexError, OverflowError)
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_WORKBOOK_MAIN = rb"spreadsheetml\.(sheet|template)\.main|ms-excel\.\w{1,40}\.macroEnabled\.main"  # content types
_MAGICS = ((b"%PDF", "pdf"), (b"\x89PNG", "image"), (b"\xff\xd8\xff", "image"), (b"GIF8", "image"),
           (b"II*\x00", "image"), (b"MM\x00*", "image"), (b"Rar!\x1a\x07", "rar"),
           (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"), (b"{\\rtf", "doc"))
_REJECTIONS = {
    "empty": ("intake.empty_file", "0 bytes"),
    "encrypted": ("intake.encrypted", "password-protected Office file"),
    "doc": ("intake.not_a_workbook", "Word document (doc)"),
    "docx": ("intake.not_a_workbook", "Word document (docx)"),
    "pptx": ("intake.not_a_workbook", "PowerPoint presentation (pptx)"),
    "ppt": ("intake.not_a_workbook", "PowerPoint presentation (ppt)"),
    "odt": ("intake.not_a_workbook", "OpenDocument text or presentation"),
    "xlsb": ("intake.not_a_workbook", "Excel binary workbook (xlsb); save it as .xlsx"),
    "pdf": ("intake.not_a_workbook", "PDF document"),
    "image": ("intake.not_a_workbook", "picture (image file)"),
    "unknown": ("intake.not_a_workbook", "unrecognised content"),
    "rar": ("intake.unsupported_archive", "RAR archive; unpack it and offer the files"),
    "7z": ("intake.unsupported_archive", "7-Zip archive; unpack it and offer the files"),
    "gzip": ("intake.unsupported_archive", "gzip archive; unpack it and offer the files"),
    "corrupt_zip": ("intake.corrupt", "zip package cannot be opened (truncated or damaged)"),
    "corrupt_ole": ("intake.corrupt", "OLE2 (.xls) file cannot be opened (truncated or damaged)"),
}
_JUNK_FILES = {".ds_store", "thumbs.db", "ehthumbs.db", "desktop.ini", ".localized", ".directory"}
_JUNK_DIRS = {"__macosx", "$recycle.bin", "system volume information", "lost+found", ".trashes",
              ".spotlight-v100", ".fseventsd", ".temporaryitems", ".documentrevisions-v100"}


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


@dataclass(frozen=True)
class Offered:
    """One candidate file: a workbook to read, or a rejection with its reason code."""

    source: str
    data: bytes | None
    mtime: float
    kind: str
    reason_code: str | None = None
    detail: str = ""


@dataclass
class _Budget:
    """Bytes still allowed to be unpacked from one top-level archive and everything nested in it."""

    remaining: int


# --------------------------------------------------------------------------- walking


def walk(sources: list[str | Path], limits: Limits = Limits()) -> Iterator[Offered]:
    """Yield every file offered by *sources* (files, folders, zip archives).

    Args:
        sources: Paths as the user gave them.
        limits: Caps applied to every file and archive.

    Returns:
        An iterator of :class:`Offered`, in a deterministic order.

    Raises:
        ConfigError: A source does not exist (raised at once, before anything is yielded).
    """
    paths = [Path(s) for s in sources]
    for path in paths:
        if not path.exists():
            raise ConfigError(f"{path}: no such file or folder; check the path you gave")
    return _walk_paths(paths, limits)


def _walk_paths(paths: list[Path], limits: Limits) -> Iterator[Offered]:
    for path in paths:
        files = _files_under(path, set()) if path.is_dir() else iter([path])
        for file in files:
            yield from _offer_file(file, limits)


def _files_under(folder: Path, seen: set[Path]) -> Iterator[Path]:
    """Files under *folder*, depth first in name order, without junk and symlink loops."""
    real = folder.resolve()
    if real in seen:
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda e: e.name)
    except OSError as exc:
        raise ConfigError(f"{folder}: the folder cannot be read ({exc.strerror}); check its permissions") from exc
    for entry in entries:
        if entry.is_dir():
            if entry.name.lower() not in _JUNK_DIRS:
                yield from _files_under(entry, seen)
        elif not _is_junk(entry.name):
            yield entry


def _is_junk(name: str) -> bool:
    """Office lock files and operating-system litter, skipped silently."""
    low = name.lower()
    return low.startswith(("~$", ".~lock.", "._")) or low in _JUNK_FILES


def _offer_file(path: Path, limits: Limits) -> Iterator[Offered]:
    label = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            yield _reject(label, None, info.st_mtime, "intake.not_a_workbook", "not a regular file")
            return
        if info.st_size > limits.max_file_bytes:
            yield _reject(label, None, info.st_mtime, "intake.too_large", _over(info.st_size, limits.max_file_bytes))
            return
        with path.open("rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except OSError as exc:
        yield _reject(label, None, 0.0, "intake.corrupt", f"cannot read the file ({exc.strerror or exc})")
        return
    if len(data) > limits.max_file_bytes:  # grew since stat
        yield _reject(label, None, info.st_mtime, "intake.too_large", _over(len(data), limits.max_file_bytes))
        return
    yield from _classify(data, label, info.st_mtime, 0, limits, None)


def _classify(data: bytes, label: str, mtime: float, depth: int, limits: Limits,
              budget: _Budget | None) -> Iterator[Offered]:
    """Yield *data* as a workbook, as the members of an archive, or as a rejection."""
    kind = sniff(data)
    if kind == "zip":
        if limits.yield_archives:
            yield Offered(label, data, mtime, "archive")
        yield from _walk_archive(data, label, mtime, depth + 1, limits, budget or _Budget(limits.max_unpacked_bytes))
        return
    if kind in WORKBOOK_KINDS and limits.check_packages:
        problem = _xls_problem(data, limits) if kind == "xls" else _package_problem(data, limits)
        if problem:
            yield _reject(label, data, mtime, *problem)
            return
    if kind in WORKBOOK_KINDS:
        yield Offered(label, data, mtime, kind)
        return
    code, detail = _REJECTIONS.get(kind, _REJECTIONS["unknown"])
    yield _reject(label, data, mtime, code, _text_detail(data) if kind == "text" else detail)


def _walk_archive(data: bytes, label: str, mtime: float, depth: int, limits: Limits,
                  budget: _Budget) -> Iterator[Offered]:
    """Yield every member of a zip archive; the archive itself only when it is rejected."""
    if depth > limits.max_depth:
        yield _reject(label, data, mtime, "intake.too_deep", f"archive nested more than {limits.max_depth} deep")
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _PARSE_ERRORS as exc:
        yield _reject(label, data, mtime, "intake.corrupt", f"archive cannot be opened ({exc})")
        return
    with archive:
        members = [i for i in archive.infolist() if not _is_dir(i) and not _is_junk_member(_member_name(i))]
        problem = _size_problem(members, limits, budget.remaining, per_part_ratio=False)
        if problem is None and not members:
            problem = ("intake.empty_file", "the archive holds no files")
        if problem:
            yield _reject(label, data, mtime, *problem)
            return
        for info in members:
            yield from _walk_member(archive, info, label, mtime, depth, limits, budget)


def _walk_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, parent: str, parent_mtime: float,
                 depth: int, limits: Limits, budget: _Budget) -> Iterator[Offered]:
    label = f"{parent}!/{_display_name(_member_name(info))}"
    mtime = _zip_mtime(info, parent_mtime)
    if info.flag_bits & 0x1:
        yield _reject(label, None, mtime, "intake.encrypted_archive", "password-protected archive member")
        return
    if info.file_size > limits.max_file_bytes:
        yield _reject(label, None, mtime, "intake.too_large", _over(info.file_size, limits.max_file_bytes))
        return
    if _ratio_too_high(info, limits):
        yield _reject(label, None, mtime, "intake.zip_bomb", _ratio_detail(info))
        return
    try:
        with archive.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except NotImplementedError as exc:
        yield _reject(label, None, mtime, "intake.unsupported_archive", f"{exc}; unpack it and offer the files")
        return
    except _PARSE_ERRORS as exc:
        yield _reject(label, None, mtime, "intake.corrupt", f"archive member cannot be unpacked ({exc})")
        return
    budget.remaining -= len(data)
    yield from _classify(data, label, mtime, depth, limits, budget)


def _reject(source: str, data: bytes | None, mtime: float, code: str, detail: str) -> Offered:
    return Offered(source, data, mtime, "rejected", code, detail)


# --------------------------------------------------------------------------- zip members


def _is_dir(info: zipfile.ZipInfo) -> bool:
    return info.is_dir() or (info.file_size == 0 and info.orig_filename.endswith("\\"))


def _is_junk_member(name: str) -> bool:
    parts = [p for p in re.split(r"[\\/]+", name) if p]
    return bool(parts) and (_is_junk(parts[-1]) or any(p.lower() in _JUNK_DIRS for p in parts[:-1]))


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


def _zip_mtime(info: zipfile.ZipInfo, fallback: float) -> float:
    try:
        return datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError, OSError):
        return fallback


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


# --------------------------------------------------------------------------- sniffing


def sniff(data: bytes) -> str:
    """Detect what *data* is from its content.

    Returns:
        One of xlsx, xlsm, xls, ods, zip, encrypted, doc, docx, pdf, image, rar, 7z, gzip,
        empty, text, unknown, corrupt_zip, corrupt_ole; or, for other non-workbooks, one of
        xlsb, pptx, ppt, odt.
    """
    if data.count(0) == len(data):
        return "empty"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _sniff_zip(data)
    if data.startswith(olefile.MAGIC):
        return _sniff_ole(data)
    for magic, kind in _MAGICS:
        if data.startswith(magic):
            return kind
    if (data[:4] == b"RIFF" and data[8:12] == b"WEBP") or data[4:12] in (b"ftypheic", b"ftypmif1", b"ftypavif") \
            or (data[:2] == b"BM" and data[6:10] == b"\0\0\0\0"):
        return "image"
    return "text" if _looks_like_text(data[:4096]) else "unknown"


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _package_kind(archive)
    except _PARSE_ERRORS:
        return "corrupt_zip"


def _package_kind(archive: zipfile.ZipFile) -> str:
    """Tell an OOXML or OpenDocument package from a plain zip archive."""
    names = {n.lower(): n for n in archive.namelist()}
    if "mimetype" in names:
        mime = _read_head(archive, names["mimetype"], 256).strip()
        if mime == _ODS_MIME:
            manifest = names.get("meta-inf/manifest.xml")
            return "encrypted" if manifest and b"encryption-data" in _read_head(archive, manifest, _MIB) else "ods"
        if mime.startswith(b"application/vnd.oasis.opendocument"):
            return "odt"
    types = _read_head(archive, names["[content_types].xml"], _MIB) if "[content_types].xml" in names else b""
    if "xl/workbook.bin" in names or b"sheet.binary.macroEnabled.main" in types:
        return "xlsb"
    if "xl/workbook.xml" in names or re.search(_WORKBOOK_MAIN, types):
        return "xlsm" if b"macroEnabled.main" in types else "xlsx"
    if "word/document.xml" in names or b"wordprocessingml.document.main" in types:
        return "docx"
    if "ppt/presentation.xml" in names or b"presentationml" in types:
        return "pptx"
    return "zip"


def _read_head(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, cap: int) -> bytes:
    """At most *cap* uncompressed bytes of a member (decompresses no more than that)."""
    size = member.file_size if isinstance(member, zipfile.ZipInfo) else archive.getinfo(member).file_size
    if cap >= size and isinstance(archive, Package):
        return archive.read(member)  # whole part: through the package's cache
    with archive.open(member) as fh:
        return fh.read(cap)


class Package(zipfile.ZipFile):
    """A workbook package opened once, whose whole parts are decompressed once (checks, then reading)."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self._parts: dict[str, bytes] = {}

    def read(self, name, pwd=None) -> bytes:
        key = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if key not in self._parts:
            self._parts[key] = super().read(name, pwd)
        return self._parts[key]


def _sniff_ole(data: bytes) -> str:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:  # a BytesIO, never bytes: olefile may take bytes for a path
            streams = {"/".join(p).lower() for p in ole.listdir(streams=True, storages=False)}
            if {"encryptioninfo", "encryptedpackage"} & streams:
                return "encrypted"
            for name in ("workbook", "book"):
                if name in streams:
                    return "encrypted" if _biff_has_filepass(ole.openstream(name).read(64 * 1024)) else "xls"
            if "worddocument" in streams:
                return "doc"
            return "ppt" if "powerpoint document" in streams else "unknown"
    except _PARSE_ERRORS:
        return "corrupt_ole"


def _biff_has_filepass(stream: bytes) -> bool:
    """True when the workbook globals of a BIFF stream carry a FILEPASS record (an encrypted .xls)."""
    pos = 0
    for _ in range(64):
        if pos + 4 > len(stream):
            return False
        record, size = struct.unpack_from("<HH", stream, pos)
        if record == 0x002F:
            return True
        if record == 0x000A:  # EOF of the globals substream
            return False
        pos += 4 + size
    return False


def _looks_like_text(sample: bytes) -> bool:
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
        return True
    if b"\x00" in sample or sum(b < 32 and b not in b"\t\r\n\f" for b in sample) > len(sample) // 100:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _text_detail(data: bytes) -> str:
    head = data[:4096].lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "Excel 2003 XML spreadsheet; save it as .xlsx"
    if b"<html" in head or b"<table" in head:
        return "web page (HTML) with a spreadsheet name; save it as .xlsx"
    return "text file (e.g. CSV); save it as .xlsx"


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
        sheet_part = "worksheets/" in info.filename.lower() or _WORKSHEET_ROOT.search(text) is not None
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
    return None


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


def _claimed_cells(text: str) -> tuple[str, int]:
    """The ``<dimension ref>`` of a worksheet part and the number of cells it spans (0 if none)."""
    found = re.search(r"<(?:[\w.-]{1,20}:)?dimension\b[^<>]{0,2000}?\bref\s*=\s*[\"']([^\"'<>]{0,200})[\"']", text)
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
