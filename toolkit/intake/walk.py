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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

import olefile

from ..catalogue.intake import CODES
from ..codes import Detail
from ..errors import ConfigError
from ..i18n import Msg, define
from ..model import FileStatus
from .archive import (
    MIB,
    PARSE_ERRORS,
    Limits,
    Package,
    compression_detail,
    display_name,
    member_name,
    over_limit,
    ratio_detail,
    ratio_too_high,
    read_head,
    size_problem,
)
from .biff import xls_problem
from .ooxml import check_workbook_package, package_problem, workbook_problem
from .source_paths import readable_name, toolkit_written

__all__ = ["Limits", "Package", "Offered", "sniff", "walk", "check_workbook_package", "workbook_problem", "WORKBOOK_KINDS",
           "CODES"]


WORKBOOK_KINDS = ("xlsx", "xlsm", "xls", "ods")

define("intake", {
    "no_source": ("{path}：文件或文件夹不存在，请检查路径", "{path}: no such file or folder; check the path you gave"),
    "folder_unreadable": ("{folder}：无法读取该文件夹（{reason}），请检查权限",
                          "{folder}: the folder cannot be read ({reason}); check its permissions"),
})

_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_WORKBOOK_MAIN = rb"spreadsheetml\.(sheet|template)\.main|ms-excel\.\w{1,40}\.macroEnabled\.main"  # content types
_MAGICS = ((b"%PDF", "pdf"), (b"\x89PNG", "image"), (b"\xff\xd8\xff", "image"), (b"GIF8", "image"),
           (b"II*\x00", "image"), (b"MM\x00*", "image"), (b"Rar!\x1a\x07", "rar"),
           (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"), (b"{\\rtf", "doc"))
_REJECTIONS = {  # sniffed kind → (reason code, detail variant)
    "empty": ("intake.empty_file", "bytes"), "encrypted": ("intake.encrypted", "office"),
    **{kind: ("intake.not_a_workbook", kind) for kind in ("doc", "docx", "pptx", "ppt", "odt", "xlsb", "pdf", "image",
                                                           "unknown")},
    **{kind: ("intake.unsupported_archive", kind) for kind in ("rar", "7z", "gzip")},
    "corrupt_zip": ("intake.corrupt", "zip"), "corrupt_ole": ("intake.corrupt", "ole"),
}
_JUNK_FILES = {".ds_store", "thumbs.db", "ehthumbs.db", "desktop.ini", ".localized", ".directory"}
_JUNK_DIRS = {"__macosx", "$recycle.bin", "system volume information", "lost+found", ".trashes",
              ".spotlight-v100", ".fseventsd", ".temporaryitems", ".documentrevisions-v100"}


@dataclass(frozen=True)
class Offered:
    """One candidate file: a workbook to read, or a rejection with its reason code."""

    source: str
    data: bytes | None
    mtime: float
    kind: str
    reason_code: str | None = None
    detail: Detail = Detail()


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
            raise ConfigError(Msg("intake.no_source", {"path": path}))
    return _walk_paths(paths, limits)


def _walk_paths(paths: list[Path], limits: Limits) -> Iterator[Offered]:
    for path in paths:
        files = _files_under(path, set()) if path.is_dir() else iter([path])
        for file in files:
            written = toolkit_written(file)
            if written:
                yield from _offer_written(file, written, limits)
            else:
                yield from _offer_file(file, limits)


def _offer_written(file: Path, detail: Detail, limits: Limits) -> Iterator[Offered]:
    """A file the toolkit wrote: recorded as such with its bytes (an issued template is told apart later)."""
    for offered in _offer_file(file, limits):
        if offered.kind == "archive":
            yield offered
        elif offered.kind != FileStatus.REJECTED or offered.reason_code == "intake.not_a_workbook":
            yield _reject(offered.source, offered.data, offered.mtime, "intake.toolkit_output", detail)
        else:
            yield offered


def _files_under(folder: Path, seen: set[Path]) -> Iterator[Path]:
    """Files under *folder*, depth first in name order, without junk and symlink loops."""
    real = folder.resolve()
    if real in seen:
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda e: e.name)
    except OSError as exc:
        raise ConfigError(Msg("intake.folder_unreadable", {"folder": folder, "reason": exc.strerror})) from exc
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
    label = readable_name(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            yield _reject(label, None, info.st_mtime, "intake.not_a_workbook", Detail("not_regular"))
            return
        if info.st_size > limits.max_file_bytes:
            yield _reject(label, None, info.st_mtime, "intake.too_large", over_limit(info.st_size, limits.max_file_bytes))
            return
        with path.open("rb") as fh:
            # at most max_file_bytes + 1 bytes, read in a buffer the size stat gave (not one of the cap's size)
            want = min(info.st_size, limits.max_file_bytes) + 1
            data = fh.read(want)
            if len(data) == want and want <= limits.max_file_bytes:  # grew since stat: read on to the cap
                data += fh.read(limits.max_file_bytes + 1 - want)
    except OSError as exc:
        detail = (Detail("dangling_link") if path.is_symlink() and not path.exists()
                  else Detail("unreadable_file", {"error": str(exc.strerror or exc)}))
        yield _reject(label, None, 0.0, "intake.corrupt", detail)
        return
    if len(data) > limits.max_file_bytes:  # grew since stat
        yield _reject(label, None, info.st_mtime, "intake.too_large", over_limit(len(data), limits.max_file_bytes))
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
        problem = xls_problem(data, limits) if kind == "xls" else package_problem(data, limits)
        if problem:
            yield _reject(label, data, mtime, *problem)
            return
    if kind in WORKBOOK_KINDS:
        yield Offered(label, data, mtime, kind)
        return
    code, variant = _REJECTIONS.get(kind, _REJECTIONS["unknown"])
    yield _reject(label, data, mtime, code, Detail(_text_variant(data) if kind == "text" else variant))


def _walk_archive(data: bytes, label: str, mtime: float, depth: int, limits: Limits,
                  budget: _Budget) -> Iterator[Offered]:
    """Yield every member of a zip archive; the archive itself only when it is rejected."""
    if depth > limits.max_depth:
        yield _reject(label, data, mtime, "intake.too_deep", Detail("", {"depth": limits.max_depth}))
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except PARSE_ERRORS as exc:
        yield _reject(label, data, mtime, "intake.corrupt", Detail("archive", {"error": str(exc)}))
        return
    with archive:
        members = [i for i in archive.infolist() if not _is_dir(i) and not _is_junk_member(member_name(i))]
        problem = size_problem(members, limits, budget.remaining, per_part_ratio=False)
        if problem is None and not members:
            problem = ("intake.empty_file", Detail("archive"))
        if problem:
            yield _reject(label, data, mtime, *problem)
            return
        for info in members:
            yield from _walk_member(archive, info, label, mtime, depth, limits, budget)


def _walk_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, parent: str, parent_mtime: float,
                 depth: int, limits: Limits, budget: _Budget) -> Iterator[Offered]:
    label = f"{parent}!/{display_name(member_name(info))}"
    mtime = _zip_mtime(info, parent_mtime)
    if info.flag_bits & 0x1:
        yield _reject(label, None, mtime, "intake.encrypted_archive", Detail("member"))
        return
    if info.file_size > limits.max_file_bytes:
        yield _reject(label, None, mtime, "intake.too_large", over_limit(info.file_size, limits.max_file_bytes))
        return
    if ratio_too_high(info, limits):
        yield _reject(label, None, mtime, "intake.zip_bomb", ratio_detail(info))
        return
    try:
        with archive.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except NotImplementedError:
        yield _reject(label, None, mtime, "intake.unsupported_archive", compression_detail(info))
        return
    except PARSE_ERRORS as exc:
        yield _reject(label, None, mtime, "intake.corrupt", Detail("member", {"error": str(exc)}))
        return
    budget.remaining -= len(data)
    yield from _classify(data, label, mtime, depth, limits, budget)


def _reject(source: str, data: bytes | None, mtime: float, code: str, detail: Detail) -> Offered:
    return Offered(source, data, mtime, FileStatus.REJECTED, code, detail)


# --------------------------------------------------------------------------- zip members


def _is_dir(info: zipfile.ZipInfo) -> bool:
    return info.is_dir() or (info.file_size == 0 and info.orig_filename.endswith("\\"))


def _is_junk_member(name: str) -> bool:
    parts = [p for p in re.split(r"[\\/]+", name) if p]
    return bool(parts) and (_is_junk(parts[-1]) or any(p.lower() in _JUNK_DIRS for p in parts[:-1]))


def _zip_mtime(info: zipfile.ZipInfo, fallback: float) -> float:
    try:
        return datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError, OSError):
        return fallback


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
    except PARSE_ERRORS:
        return "corrupt_zip"


def _package_kind(archive: zipfile.ZipFile) -> str:
    """Tell an OOXML or OpenDocument package from a plain zip archive."""
    names = {n.lower(): n for n in archive.namelist()}
    if "mimetype" in names:
        mime = read_head(archive, names["mimetype"], 256).strip()
        if mime == _ODS_MIME:
            manifest = names.get("meta-inf/manifest.xml")
            return "encrypted" if manifest and b"encryption-data" in read_head(archive, manifest, MIB) else "ods"
        if mime.startswith(b"application/vnd.oasis.opendocument"):
            return "odt"
    types = read_head(archive, names["[content_types].xml"], MIB) if "[content_types].xml" in names else b""
    if "xl/workbook.bin" in names or b"sheet.binary.macroEnabled.main" in types:
        return "xlsb"
    if "xl/workbook.xml" in names or re.search(_WORKBOOK_MAIN, types):
        return "xlsm" if b"macroEnabled.main" in types else "xlsx"
    if "word/document.xml" in names or b"wordprocessingml.document.main" in types:
        return "docx"
    if "ppt/presentation.xml" in names or b"presentationml" in types:
        return "pptx"
    # A workbook whose main part's name or content types were damaged (a cut copy, a bad sector) is
    # still a workbook: read as one it is rejected with its own reason, where walked as an archive its
    # parts (docProps/app.xml, ...) would each become a row of their own.
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if "[content_types].xml" in names:
        return "corrupt_zip"
    return "zip"


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
    except PARSE_ERRORS:
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


def _text_variant(data: bytes) -> str:
    """Which kind of text file a spreadsheet-named text is (the detail variant of intake.not_a_workbook)."""
    head = data[:4096].lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "xml2003"
    if b"<html" in head or b"<table" in head:
        return "html"
    return "text"
