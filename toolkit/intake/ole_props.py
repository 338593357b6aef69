"""Custom document properties of an .xls workbook (an OLE2 property set).

Excel, WPS and LibreOffice keep a workbook's custom properties, the toolkit's first identity
carrier, in the second section of the ``\\x05DocumentSummaryInformation`` stream (the
user-defined property set, [MS-OLEPS]). olefile reads only the first section, so the section is
parsed here: a dictionary of names, a code page, and typed values. Everything is bounds-checked;
a damaged or hostile stream yields no properties, never an error, and the other carriers decide.
"""

from __future__ import annotations

import codecs
import io
import struct

import olefile

__all__ = ["ole_custom_properties"]

_STREAM = "\x05DocumentSummaryInformation"
_USER_FMTID = bytes.fromhex("05d5cdd59c2e1b10939708002b2cf9ae")  # {D5CDD505-2E9C-101B-9397-08002B2CF9AE}
_MAX_STREAM = 1 << 20
_MAX_PROPERTIES = 1000
_CP_UNICODE = 1200
_VT_I2, _VT_I4, _VT_R8, _VT_BOOL, _VT_LPSTR, _VT_LPWSTR = 2, 3, 5, 11, 30, 31


def ole_custom_properties(data: bytes) -> dict[str, str]:
    """The user-defined properties of an OLE2 file by name, as text ({} when none can be read)."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists(_STREAM):
                return {}
            stream = ole.openstream(_STREAM).read(_MAX_STREAM)
        return _user_section(stream)
    except Exception:  # a damaged property set costs only this carrier
        return {}


def _user_section(stream: bytes) -> dict[str, str]:
    if stream[:2] != b"\xfe\xff":
        return {}
    count = struct.unpack_from("<I", stream, 24)[0]
    for i in range(min(count, 8)):
        fmtid, offset = stream[28 + 20 * i:44 + 20 * i], struct.unpack_from("<I", stream, 44 + 20 * i)[0]
        if fmtid == _USER_FMTID:
            return _section(stream, offset)
    return {}


def _section(stream: bytes, base: int) -> dict[str, str]:
    count = struct.unpack_from("<I", stream, base + 4)[0]
    entries = [struct.unpack_from("<II", stream, base + 8 + 8 * i) for i in range(min(count, _MAX_PROPERTIES))]
    offsets = dict(entries)
    codepage = 1252
    if 1 in offsets and struct.unpack_from("<H", stream, base + offsets[1])[0] == _VT_I2:
        codepage = struct.unpack_from("<H", stream, base + offsets[1] + 4)[0]
    encoding = _encoding(codepage)
    names = _dictionary(stream, base + offsets[0], codepage, encoding) if 0 in offsets else {}
    props = {}
    for pid, offset in entries:
        if pid in names:
            value = _value(stream, base + offset, encoding)
            if value is not None:
                props[names[pid]] = value
    return props


def _encoding(codepage: int) -> str:
    name = {_CP_UNICODE: "utf-16-le", 65001: "utf-8", 936: "gb18030"}.get(codepage, f"cp{codepage}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "cp1252"


def _dictionary(stream: bytes, pos: int, codepage: int, encoding: str) -> dict[int, str]:
    """Property id → name; names are counted in characters, UTF-16 ones padded to 4 bytes."""
    names = {}
    count = struct.unpack_from("<I", stream, pos)[0]
    pos += 4
    for _ in range(min(count, _MAX_PROPERTIES)):
        pid, length = struct.unpack_from("<II", stream, pos)
        size = length * 2 if codepage == _CP_UNICODE else length
        raw = stream[pos + 8:pos + 8 + size]
        if len(raw) != size:
            break
        names[pid] = raw.decode(encoding, "replace").rstrip("\0")
        pos += 8 + size + ((-size) % 4 if codepage == _CP_UNICODE else 0)
    return names


def _value(stream: bytes, pos: int, encoding: str) -> str | None:
    vt = struct.unpack_from("<H", stream, pos)[0]
    if vt in (_VT_LPSTR, _VT_LPWSTR):
        length = struct.unpack_from("<I", stream, pos + 4)[0]
        size, codec = (length * 2, "utf-16-le") if vt == _VT_LPWSTR else (length, encoding)
        raw = stream[pos + 8:pos + 8 + size]
        return raw.decode(codec, "replace").rstrip("\0") if len(raw) == size else None
    if vt == _VT_I4:
        return str(struct.unpack_from("<i", stream, pos + 4)[0])
    if vt == _VT_R8:
        number = struct.unpack_from("<d", stream, pos + 4)[0]
        return str(int(number)) if number.is_integer() else str(number)
    if vt == _VT_BOOL:
        return "true" if struct.unpack_from("<h", stream, pos + 4)[0] else "false"
    return None
