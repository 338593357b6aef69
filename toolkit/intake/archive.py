"""Zip archives and workbook packages read within limits.

The caps that keep a hostile file from exhausting memory, disk or time; a member's real name
and a safe one to show; an archive or package judged from its zip directory alone (entry count,
total size, compression ratios); and the :class:`Package` that decompresses each whole part
once, for the checks and then for reading.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from ..codes import Detail

__all__ = ["Limits", "Package"]


MIB = 2**20
_WHOLE_PART = MIB  # parts up to this size are decompressed whole once and their heads sliced from that
_READ_AHEAD = 16 * MIB  # ... up to this much per package; beyond it heads are read as before
PARSE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
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


def member_name(info: zipfile.ZipInfo) -> str:
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


def display_name(name: str) -> str:
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


def ratio_too_high(info: zipfile.ZipInfo, limits: Limits) -> bool:
    return info.file_size > MIB and info.file_size > limits.max_ratio * max(info.compress_size, 1)


def ratio_detail(info: zipfile.ZipInfo) -> Detail:
    ratio = info.file_size / max(info.compress_size, 1)
    return Detail("ratio", {"member": display_name(member_name(info)), "ratio": ratio, "size": info.file_size / MIB})


def compression_detail(info: zipfile.ZipInfo) -> Detail:
    """A member packed with a compression method zipfile cannot unpack: the method, as zipfile names it."""
    name = zipfile.compressor_names.get(info.compress_type)
    return Detail("compression", {"method": f"{info.compress_type} ({name})" if name else str(info.compress_type)})


def size_problem(infos: list[zipfile.ZipInfo], limits: Limits, budget: int,
                  per_part_ratio: bool) -> tuple[str, Detail] | None:
    """Judge an archive or package from its directory alone: entry count, total size, ratios."""
    if len(infos) > limits.max_members:
        return "intake.too_many_members", Detail("", {"count": len(infos), "limit": limits.max_members})
    total = sum(i.file_size for i in infos)
    if total > budget:
        return "intake.zip_bomb", Detail("total", {"size": total / MIB, "limit": budget / MIB})
    bad = next((i for i in infos if ratio_too_high(i, limits)), None) if per_part_ratio else None
    return ("intake.zip_bomb", ratio_detail(bad)) if bad else None


def over_limit(size: int, limit: int) -> Detail:
    """The detail of intake.too_large: the size and the limit, in MiB."""
    return Detail("", {"size": size / MIB, "limit": limit / MIB})


def read_head(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, cap: int) -> bytes:
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
