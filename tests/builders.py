"""Builders of the raw files the tests offer: GBK-named zips (as Windows' compressor writes them) and
minimal OLE2 compound files (what .xls, .doc and an encrypted .xlsx are)."""

from __future__ import annotations

import io
import struct
import zipfile


class _RawNameInfo(zipfile.ZipInfo):
    """A ZipInfo written with its name's cp437 bytes and no UTF-8 flag, as Windows' compressor does."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("cp437"), self.flag_bits


def gbk_zip(members: dict[str, bytes], when: tuple = (2024, 3, 1, 12, 0, 0)) -> bytes:
    """A zip whose member names are GBK bytes without the UTF-8 flag."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = _RawNameInfo(name.encode("gbk").decode("cp437"), when)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def ole_bytes(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (v3, 512-byte sectors) holding *streams* at the root."""
    end, free, fat_sect, none = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    blobs = [data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0") for data in streams.values()]
    dir_sectors = -(-(len(streams) + 1) // 4)
    fat, next_sector, starts = [fat_sect], 1, []
    for count in [dir_sectors] + [len(b) // 512 for b in blobs]:
        starts.append(next_sector)
        fat += [next_sector + i + 1 for i in range(count - 1)] + [end]
        next_sector += count
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    def entry(name, kind, child, right, start, size):
        raw = name.encode("utf-16-le") + b"\0\0"
        return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, none, right, child,
                           b"", 0, 0, 0, start, size)

    names = list(streams)
    entries = [entry("Root Entry", 5, 1, none, end, 0)]
    for i, (name, blob) in enumerate(zip(names, blobs), start=1):
        entries.append(entry(name, 2, none, i + 1 if i < len(names) else none, starts[i], len(blob)))
    empty = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, none, none, none, b"", 0, 0, 0, 0, 0)
    directory = b"".join(entries) + empty * (dir_sectors * 4 - len(entries))
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), b"", 0x3E, 3, 0xFFFE,
                         9, 6, b"", 0, 1, starts[0], 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *[free] * 108)
    return header + struct.pack("<128I", *fat) + directory + b"".join(blobs)
