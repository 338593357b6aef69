"""The .xls custom-properties reader: the property set LibreOffice writes, and damaged ones."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import olefile

from toolkit.intake.ole_props import _user_section, ole_custom_properties

LO = Path(__file__).parent / "fixtures" / "lo"


def _stream() -> bytes:
    with olefile.OleFileIO(str(LO / "mini_U001.xls")) as ole:
        return ole.openstream("\x05DocumentSummaryInformation").read()


def test_libreoffice_property_set_is_read_with_its_code_page():
    props = ole_custom_properties((LO / "mini_U001.xls").read_bytes())
    assert {k: v for k, v in props.items() if k.startswith("toolkit_")} == {
        "toolkit_campaign": "2026年度迷你表", "toolkit_fingerprint": "fc958bd3293235b4",
        "toolkit_template_id": "mini", "toolkit_template_version": "1",
        "toolkit_unit_code": "U001", "toolkit_unit_name": "第一党支部"}


def test_a_unicode_property_set_written_by_hand():
    """Code page 1200: names counted in UTF-16 characters and padded to 4 bytes; VT_LPWSTR, VT_I4, VT_BOOL."""
    names = [(2, "toolkit_unit_code"), (3, "份数"), (4, "已审")]
    dictionary = struct.pack("<I", len(names))
    for pid, name in names:
        raw = (name + "\0").encode("utf-16-le")
        dictionary += struct.pack("<II", pid, len(raw) // 2) + raw + b"\0" * ((-len(raw)) % 4)
    code = "U九".encode("utf-16-le") + b"\0\0"
    values = {0: dictionary, 1: struct.pack("<HHH", 2, 0, 1200) + b"\0\0",
              2: struct.pack("<HHI", 31, 0, len(code) // 2) + code, 3: struct.pack("<HHi", 3, 0, 12),
              4: struct.pack("<HHh", 11, 0, -1) + b"\0\0"}
    offset, table, body = 8 + 8 * len(values), b"", b""
    for pid, blob in values.items():
        table += struct.pack("<II", pid, offset + len(body))
        body += blob
    section = struct.pack("<II", 8 + len(table) + len(body), len(values)) + table + body
    header = b"\xfe\xff\0\0" + b"\0" * 20 + struct.pack("<I", 1)
    stream = header + bytes.fromhex("05d5cdd59c2e1b10939708002b2cf9ae") + struct.pack("<I", 48) + section
    assert _user_section(stream) == {"toolkit_unit_code": "U九", "份数": "12", "已审": "true"}


def test_damaged_property_sets_give_what_they_can_and_never_raise():
    stream, rng = _stream(), random.Random(7)
    for _ in range(2000):
        data = bytearray(stream)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        cut = bytes(data[:rng.randint(0, len(data))]) if rng.random() < 0.3 else bytes(data)
        try:
            props = _user_section(cut)
        except (struct.error, IndexError):  # the caller turns these into "no properties"
            continue
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in props.items())
    assert ole_custom_properties(b"not an OLE file") == {}
    assert ole_custom_properties((LO / "mini_U001.ods").read_bytes()) == {}
