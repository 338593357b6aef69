"""Tests for toolkit.intake.walk: walking offered files, sniffing kinds, refusing hostile files."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from builders import _RawNameInfo, gbk_zip, ole_bytes

from toolkit.codes import CATALOGUE
from toolkit.errors import ConfigError
from toolkit.intake.walk import CODES, Limits, Offered, check_workbook_package, sniff, walk

ALL_CODES = ["intake.empty_file", "intake.encrypted", "intake.not_a_workbook", "intake.corrupt",
             "intake.unsupported_archive", "intake.encrypted_archive", "intake.too_large", "intake.zip_bomb",
             "intake.too_many_members", "intake.too_deep", "intake.hostile_xml", "intake.sheet_too_large",
             "intake.toolkit_output"]
CT_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_MACRO = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


# --------------------------------------------------------------------------- builders


def xlsx_bytes(value: str = "x") -> bytes:
    wb = openpyxl.Workbook()
    wb.active["A1"] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bytes(members: dict[str, bytes], date_time=(2024, 3, 1, 12, 0, 0)) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def rewrite_zip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """Copy a zip, replacing (or with None, dropping) some members."""
    src = zipfile.ZipFile(io.BytesIO(data))
    members = {n: src.read(n) for n in src.namelist()}
    for name, new in replace.items():
        if new is None:
            members.pop(name)
        else:
            members[name] = new
    return zip_bytes(members)


def biff(*records: tuple[int, bytes]) -> bytes:
    return b"".join(struct.pack("<HH", rtype, len(body)) + body for rtype, body in records)


XLS_WORKBOOK = biff((0x0809, b"\x00\x06\x05\x00" + b"\0" * 12), (0x0042, b"\xb0\x04"), (0x000A, b""))
XLS_ENCRYPTED = biff((0x0809, b"\x00\x06\x05\x00" + b"\0" * 12), (0x002F, b"\x01\x00" + b"\0" * 52),
                     (0x000A, b""))


def ods_bytes(manifest: bytes = b"<manifest:manifest/>") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", ODS_MIME, zipfile.ZIP_STORED)
        zf.writestr("content.xml", b'<?xml version="1.0"?><office:document-content/>', zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def docx_bytes() -> bytes:
    types = (b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="application/'
             b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    return zip_bytes({"[Content_Types].xml": types, "word/document.xml": b"<w:document/>"})


def one(path: Path, limits: Limits = Limits()) -> Offered:
    offered = list(walk([path], limits))
    assert len(offered) == 1, offered
    return offered[0]


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def patch_sizes(data: bytes, file_size: int) -> bytes:
    """Make every entry of a (single-member) zip claim *file_size* uncompressed bytes."""
    out = bytearray(data)
    cd = out.find(b"PK\x01\x02")
    struct.pack_into("<I", out, cd + 24, file_size)
    struct.pack_into("<I", out, out.find(b"PK\x03\x04") + 22, file_size)
    return bytes(out)


# --------------------------------------------------------------------------- catalogue


def test_every_code_is_registered_as_an_error_with_both_languages():
    assert sorted(CODES) == sorted(ALL_CODES)
    for code in ALL_CODES:
        entry = CATALOGUE[code]
        assert entry.severity == "error"
        assert entry.title_zh and entry.title_en and entry.hint_zh and entry.hint_en


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize("data, kind", ids=lambda v: v if isinstance(v, str) else "bytes", argvalues=[
    (b"", "empty"),
    (b"\0" * 100, "empty"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image"),
    (b"Rar!\x1a\x07\x01\x00" + b"\x00" * 20, "rar"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 20, "7z"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "gzip"),
    ("单位,得分\n001,90\n".encode("gbk"), "text"),
    (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20, "unknown"),
    (b"PK\x03\x04" + b"\x00" * 100, "corrupt_zip"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600, "corrupt_ole"),
])
def test_sniff_by_content(data, kind):
    assert sniff(data) == kind


def test_sniff_office_packages():
    xlsx = xlsx_bytes()
    types = zipfile.ZipFile(io.BytesIO(xlsx)).read("[Content_Types].xml")
    assert sniff(xlsx) == "xlsx"
    assert sniff(rewrite_zip(xlsx, {"[Content_Types].xml": types.replace(CT_MAIN, CT_MACRO)})) == "xlsm"
    assert sniff(docx_bytes()) == "docx"
    assert sniff(ods_bytes()) == "ods"
    assert sniff(zip_bytes({"a.xlsx": xlsx})) == "zip"


def test_a_workbook_with_its_main_part_name_damaged_is_a_workbook_not_an_archive(tmp_path):
    # a bad sector in the zip directory: xl/workbook.xml is no longer named so, the content types unreadable
    parts = {n: zipfile.ZipFile(io.BytesIO(xlsx_bytes())).read(n) for n in zipfile.ZipFile(io.BytesIO(xlsx_bytes())).namelist()}
    damaged = {("xl/workbook.xm\x00" if n == "xl/workbook.xml" else n): b"\x00" * 40 if n == "[Content_Types].xml" else d
               for n, d in parts.items()}
    assert sniff(zip_bytes(damaged)) == "xlsx"  # read as a workbook, it is rejected with its reason, once
    got = one(write(tmp_path / "cut.xlsx", zip_bytes(damaged)))  # one row, never one per part
    assert got.reason_code == "intake.corrupt"  # a damaged workbook, with its own reason
    office_package = {"[Content_Types].xml": b"\x00" * 40, "docProps/app.xml": b"<Properties/>"}
    assert sniff(zip_bytes(office_package)) == "corrupt_zip"  # an Office package of no known kind: not an archive


def test_sniff_ole_files():
    assert sniff(ole_bytes({"Workbook": XLS_WORKBOOK})) == "xls"
    assert sniff(ole_bytes({"Book": XLS_WORKBOOK})) == "xls"
    assert sniff(ole_bytes({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x01" * 64})) == "encrypted"
    assert sniff(ole_bytes({"Workbook": XLS_ENCRYPTED})) == "encrypted"
    assert sniff(ole_bytes({"WordDocument": b"\xec\xa5" + b"\0" * 30})) == "doc"


# --------------------------------------------------------------------------- single files


def test_workbooks_are_yielded_with_kind_bytes_and_mtime(tmp_path):
    data = xlsx_bytes()
    path = write(tmp_path / "第一支部.xlsx", data)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    got = one(path)
    assert (got.source, got.data, got.kind, got.reason_code) == (str(path), data, "xlsx", None)
    assert got.mtime == 1_700_000_000
    assert one(write(tmp_path / "old.bin", ole_bytes({"Workbook": XLS_WORKBOOK}))).kind == "xls"
    assert one(write(tmp_path / "lo.ods", ods_bytes())).kind == "ods"


@pytest.mark.parametrize("data, code, detail", ids=lambda v: v if isinstance(v, str) else "bytes", argvalues=[
    (b"", "intake.empty_file", ""),
    (docx_bytes(), "intake.not_a_workbook", "Word document (docx)"),
    (ole_bytes({"WordDocument": b"\xec\xa5" + b"\0" * 30}), "intake.not_a_workbook", "Word document (doc)"),
    (b"%PDF-1.4 fake", "intake.not_a_workbook", "PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "intake.not_a_workbook", "picture"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "intake.not_a_workbook", "HTML"),
    (b"unit,score\n001,90\n", "intake.not_a_workbook", "text file"),
    (ole_bytes({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x01" * 64}), "intake.encrypted", ""),
    (ole_bytes({"Workbook": XLS_ENCRYPTED}), "intake.encrypted", ""),
    (ods_bytes(b"<manifest:manifest><manifest:encryption-data/></manifest:manifest>"), "intake.encrypted", ""),
    (xlsx_bytes()[:-200], "intake.corrupt", ""),
    (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600, "intake.corrupt", ""),
    (b"Rar!\x1a\x07\x01\x00" + b"\x00" * 20, "intake.unsupported_archive", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 20, "intake.unsupported_archive", "7-Zip archive"),
])
def test_rejected_files_get_exact_codes(tmp_path, data, code, detail):
    got = one(write(tmp_path / "报表.xlsx", data))
    assert (got.kind, got.reason_code) == ("rejected", code)
    assert detail in got.detail.text(code, "en")
    assert got.data == data  # the original is kept for the record


def test_too_large_file_is_not_read(tmp_path):
    got = one(write(tmp_path / "big.xlsx", b"x" * 2000), Limits(max_file_bytes=1000))
    assert (got.kind, got.reason_code, got.data) == ("rejected", "intake.too_large", None)


def test_special_file_is_rejected_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    got = one(fifo)
    assert (got.reason_code, got.data) == ("intake.not_a_workbook", None)


# --------------------------------------------------------------------------- folders


def test_folders_are_walked_recursively_in_sorted_order_without_junk(tmp_path):
    root = tmp_path / "收件"
    for rel in ["b/2.xlsx", "a/1.xlsx", "c.xlsx", "a/sub/0.xlsx", ".hidden.xlsx", "notes.txt"]:
        write(root / rel, xlsx_bytes() if rel.endswith("xlsx") else b"hello\n")
    for junk in ["~$c.xlsx", "a/~$1.xlsx", ".DS_Store", "Thumbs.db", "desktop.ini", ".~lock.c.xlsx#",
                 "._c.xlsx", "__MACOSX/x.xlsx"]:
        write(root / junk, b"junk")
    first = [o.source for o in walk([root])]
    assert first == [str(root / r) for r in [".hidden.xlsx", "a/1.xlsx", "a/sub/0.xlsx", "b/2.xlsx",
                                             "c.xlsx", "notes.txt"]]
    assert [o.source for o in walk([str(root)])] == first


def test_missing_path_raises_config_error_at_once(tmp_path):
    with pytest.raises(ConfigError, match="no-such-folder"):
        walk([tmp_path / "no-such-folder"])


# --------------------------------------------------------------------------- archives


def test_gbk_member_names_are_decoded(tmp_path):
    data = xlsx_bytes()
    archive = gbk_zip({"关于报送自评表的函/": b"", "关于报送自评表的函/第一支部.xlsx": data})
    assert not zipfile.ZipFile(io.BytesIO(archive)).infolist()[1].flag_bits & 0x800
    got = one(write(tmp_path / "returns.zip", archive))
    assert got.source == f"{tmp_path / 'returns.zip'}!/关于报送自评表的函/第一支部.xlsx"
    assert (got.kind, got.data) == ("xlsx", data)
    assert got.mtime == datetime(2024, 3, 1, 12, 0, 0).timestamp()


def test_utf8_member_names_with_and_without_flag(tmp_path):
    flagged = zip_bytes({"第二支部.xlsx": xlsx_bytes()})
    assert zipfile.ZipFile(io.BytesIO(flagged)).infolist()[0].flag_bits & 0x800
    assert one(write(tmp_path / "a.zip", flagged)).source.endswith("a.zip!/第二支部.xlsx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:  # UTF-8 bytes without the flag (Linux zip, macOS)
        zf.writestr(_RawNameInfo("第三支部.xlsx".encode("utf-8").decode("cp437")), xlsx_bytes())
    assert one(write(tmp_path / "b.zip", buf.getvalue())).source.endswith("b.zip!/第三支部.xlsx")


def test_nested_archives_get_chained_labels(tmp_path):
    inner = zip_bytes({"a.xlsx": xlsx_bytes("a"), "docs/b.xlsx": xlsx_bytes("b")})
    outer = write(tmp_path / "outer.zip", zip_bytes({"sub/inner.zip": inner, "c.xlsx": xlsx_bytes("c")}))
    got = [(o.source, o.kind) for o in walk([outer])]
    assert got == [(f"{outer}!/sub/inner.zip!/a.xlsx", "xlsx"), (f"{outer}!/sub/inner.zip!/docs/b.xlsx", "xlsx"),
                   (f"{outer}!/c.xlsx", "xlsx")]


def test_archives_nested_too_deep_are_rejected(tmp_path):
    level3 = zip_bytes({"c.zip": zip_bytes({"x.xlsx": xlsx_bytes()})})
    outer = write(tmp_path / "a.zip", zip_bytes({"b.zip": level3}))
    assert [o.kind for o in walk([outer])] == ["xlsx"]  # a.zip!/b.zip!/c.zip!/x.xlsx: three levels
    got = one(outer, Limits(max_depth=2))
    assert (got.source, got.reason_code) == (f"{outer}!/b.zip!/c.zip", "intake.too_deep")


def test_zip_slip_names_become_sane_labels_and_nothing_is_written(tmp_path):
    folder = tmp_path / "in"
    archive = write(folder / "evil.zip", zip_bytes({
        "../../escape.xlsx": xlsx_bytes("1"), "/etc/cron.d/abs.xlsx": xlsx_bytes("2"),
        "C:\\Windows\\drive.xlsx": xlsx_bytes("3"), "a/./b/../c\n.xlsx": xlsx_bytes("4")}))
    before = sorted(tmp_path.rglob("*"))
    got = [o.source for o in walk([folder])]
    assert got == [f"{archive}!/escape.xlsx", f"{archive}!/etc/cron.d/abs.xlsx", f"{archive}!/Windows/drive.xlsx",
                   f"{archive}!/a/c?.xlsx"]
    assert sorted(tmp_path.rglob("*")) == before
    assert not (tmp_path.parent / "escape.xlsx").exists()


def test_archive_junk_and_directories_are_skipped(tmp_path):
    archive = write(tmp_path / "mac.zip", zip_bytes({"folder/": b"", "folder/a.xlsx": xlsx_bytes(),
                                                     "__MACOSX/folder/._a.xlsx": b"\0\5\26\7", "folder/.DS_Store": b"x"}))
    assert [o.source for o in walk([archive])] == [f"{archive}!/folder/a.xlsx"]


def test_members_are_judged_one_by_one(tmp_path):
    archive = write(tmp_path / "mixed.zip", zip_bytes({
        "ok.xlsx": xlsx_bytes(), "letter.xlsx": docx_bytes(), "empty.xlsx": b"", "scan.pdf": b"%PDF-1.4"}))
    got = [(o.source.split("!/")[1], o.kind, o.reason_code) for o in walk([archive])]
    assert got == [("ok.xlsx", "xlsx", None), ("letter.xlsx", "rejected", "intake.not_a_workbook"),
                   ("empty.xlsx", "rejected", "intake.empty_file"), ("scan.pdf", "rejected", "intake.not_a_workbook")]


def test_empty_archive_is_rejected(tmp_path):
    got = one(write(tmp_path / "empty.zip", zip_bytes({})))
    assert (got.source, got.reason_code) == (str(tmp_path / "empty.zip"), "intake.empty_file")


def test_encrypted_archive_member_is_rejected(tmp_path):
    data = bytearray(zip_bytes({"secret.xlsx": os.urandom(64), "open.xlsx": xlsx_bytes()}))
    for magic, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" flag bit
        struct.pack_into("<H", data, data.find(magic) + offset, 0x1)
    got = list(walk([write(tmp_path / "locked.zip", bytes(data))]))
    assert [(o.source.split("!/")[1], o.reason_code) for o in got] == [
        ("secret.xlsx", "intake.encrypted_archive"), ("open.xlsx", None)]
    assert got[0].data is None


def test_unsupported_compression_method_is_rejected(tmp_path):
    data = bytearray(zip_bytes({"a.xlsx": xlsx_bytes()}))
    for magic, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):  # claim Deflate64 (method 9)
        struct.pack_into("<H", data, data.find(magic) + offset, 9)
    got = one(write(tmp_path / "d64.zip", bytes(data)))
    assert got.reason_code == "intake.unsupported_archive"
    from toolkit.read.collect import reason_message
    assert reason_message("zh")(got.reason_code, got.detail) == (
        "不支持的压缩格式：压缩方式 9 (deflate64) 不受支持。请解压后直接报送其中的 Excel 文件，或改用 zip 格式压缩")
    assert reason_message("en")(got.reason_code, got.detail).count("Unpack it") == 1


def test_corrupt_archive_is_rejected_as_a_whole(tmp_path):
    data = zip_bytes({"a.xlsx": xlsx_bytes(), "b.xlsx": xlsx_bytes()})
    got = one(write(tmp_path / "cut.zip", data[: len(data) // 2]))
    assert (got.source, got.kind, got.reason_code) == (str(tmp_path / "cut.zip"), "rejected", "intake.corrupt")


def test_too_many_members(tmp_path):
    archive = write(tmp_path / "many.zip", zip_bytes({f"{i}.xlsx": b"x" for i in range(4)}))
    got = one(archive, Limits(max_members=3))
    assert (got.source, got.reason_code) == (str(archive), "intake.too_many_members")
    assert one(write(tmp_path / "wb.xlsx", xlsx_bytes()), Limits(max_members=5)).reason_code == "intake.too_many_members"


def test_member_too_large_is_not_unpacked(tmp_path):
    archive = write(tmp_path / "big.zip", zip_bytes({"big.xlsx": b"a" * 3000, "small.csv": b"a,b\n"}))
    got = list(walk([archive], Limits(max_file_bytes=2500)))
    assert [(o.reason_code, o.data) for o in got] == [("intake.too_large", None), ("intake.not_a_workbook", b"a,b\n")]


def test_one_gigabyte_zip_bomb_is_rejected_from_the_directory(tmp_path, monkeypatch):
    bomb = write(tmp_path / "bomb.zip", patch_sizes(zip_bytes({"bomb.xlsx": b"\0" * 2**20}), 2**30))
    assert zipfile.ZipFile(bomb).infolist()[0].file_size == 2**30

    def no_unpacking(*args, **kwargs):
        raise AssertionError("a member was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_unpacking)
    got = one(bomb)
    assert (got.source, got.reason_code) == (str(bomb), "intake.zip_bomb")


def test_member_with_bomb_ratio_is_rejected(tmp_path):
    archive = write(tmp_path / "ratio.zip", zip_bytes({"zeros.xlsx": b"\0" * (3 * 2**20), "ok.xlsx": xlsx_bytes()}))
    got = list(walk([archive]))
    assert [(o.source.split("!/")[1], o.reason_code) for o in got] == [("zeros.xlsx", "intake.zip_bomb"),
                                                                      ("ok.xlsx", None)]


def test_nested_archives_share_one_unpacking_budget(tmp_path):
    inner = zip_bytes({"a.xlsx": b"a" * 40_000})
    outer = write(tmp_path / "outer.zip", zip_bytes({"pad.bin": os.urandom(30_000), "one.zip": inner}))
    got = list(walk([outer], Limits(max_unpacked_bytes=60_000)))
    assert [(o.source, o.reason_code) for o in got] == [(f"{outer}!/pad.bin", "intake.not_a_workbook"),
                                                        (f"{outer}!/one.zip", "intake.zip_bomb")]
    roomy = [o.source for o in walk([outer], Limits(max_unpacked_bytes=80_000))]
    assert roomy == [f"{outer}!/pad.bin", f"{outer}!/one.zip!/a.xlsx"]


# --------------------------------------------------------------------------- workbook packages


def test_clean_packages_pass():
    assert check_workbook_package(xlsx_bytes(), Limits()) is None
    assert check_workbook_package(ods_bytes(), Limits()) is None


def test_billion_laughs_is_rejected(tmp_path):
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                         for i in range(1, 10))
              + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')
    data = rewrite_zip(xlsx_bytes(), {"xl/sharedStrings.xml": laughs})
    assert check_workbook_package(data, Limits()) == "intake.hostile_xml"
    got = one(write(tmp_path / "laughs.xlsx", data))
    assert (got.kind, got.reason_code) == ("rejected", "intake.hostile_xml")


@pytest.mark.parametrize("xml", ids=lambda v: "xml", argvalues=[
    '<!-- <a --><!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>'.encode(),
    '\ufeff<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'.encode("utf-16-le"),
    b"<?xml version='1.0'?>" + b" " * 40_000 + b"<!DOCTYPE x><x/>",
])
def test_xml_declarations_are_found_however_disguised(xml):
    data = rewrite_zip(xlsx_bytes(), {"docProps/custom.xml": xml})
    assert check_workbook_package(data, Limits()) == "intake.hostile_xml"


def test_whole_sheet_dimension_is_rejected(tmp_path):
    data = xlsx_bytes()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    huge = rewrite_zip(data, {"xl/worksheets/sheet1.xml": sheet.replace(b'ref="A1:A1"', b'ref="A1:XFD1048576"')})
    assert check_workbook_package(huge, Limits()) == "intake.sheet_too_large"
    assert one(write(tmp_path / "huge.xlsx", huge)).reason_code == "intake.sheet_too_large"
    small = rewrite_zip(data, {"xl/worksheets/sheet1.xml": sheet.replace(b'ref="A1:A1"', b'ref="B2:K101"')})
    assert check_workbook_package(small, Limits(max_cells=1000)) is None
    assert check_workbook_package(small, Limits(max_cells=999)) == "intake.sheet_too_large"


def test_package_bombs_are_rejected():
    data = xlsx_bytes()
    assert check_workbook_package(rewrite_zip(data, {"xl/media/image1.png": b"\0" * (2 * 2**20)}), Limits()) \
        == "intake.zip_bomb"
    assert check_workbook_package(data, Limits(max_unpacked_bytes=1000)) == "intake.zip_bomb"
    assert check_workbook_package(patch_sizes(zip_bytes({"[Content_Types].xml": b"<Types/>"}), 2**30),
                                  Limits()) == "intake.zip_bomb"


def test_package_without_workbook_part_is_corrupt(tmp_path):
    data = rewrite_zip(xlsx_bytes(), {"xl/workbook.xml": None})
    assert sniff(data) == "xlsx"
    assert check_workbook_package(data, Limits()) == "intake.corrupt"
    assert one(write(tmp_path / "broken.xlsx", data)).reason_code == "intake.corrupt"
    no_content = zip_bytes({"mimetype": ODS_MIME, "styles.xml": b"<x/>"})
    assert check_workbook_package(no_content, Limits()) == "intake.corrupt"


def _ods(content_body: str) -> bytes:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               f'<table:table table:name="S">{content_body}</table:table></office:spreadsheet></office:body>'
               '</office:document-content>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return buf.getvalue()


def test_ods_repeated_cells_bomb_is_rejected():
    bomb = _ods('<table:table-row table:number-rows-repeated="300000"><table:table-cell '
                'table:number-columns-repeated="50" office:value-type="float" office:value="1">'
                '<text:p>1</text:p></table:table-cell></table:table-row>')
    assert len(bomb) < 2000
    assert check_workbook_package(bomb, Limits()) == "intake.sheet_too_large"


def test_ods_with_long_empty_tails_is_fine():
    normal = _ods('<table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p>'
                  '</table:table-cell><table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
                  '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
                  'table:number-columns-repeated="16384"/></table:table-row>')
    assert check_workbook_package(normal, Limits()) is None


# --------------------------------------------------------------------------- crafted packages (cheap, exact checks)


@pytest.mark.parametrize("name, code, detail", [
    ("sheet_named_bin", "intake.sheet_too_large", "xl/worksheets/sheet1.bin: cells A1:XFD1048576 span"),
    ("duplicate_member", "intake.corrupt", "two parts named xl/worksheets/sheet1.xml"),
    ("ten_digit_row", "intake.sheet_too_large", "cells A1:E1000000000 span"),
    ("cells_without_references", "intake.sheet_too_large", "cells A1:XFD1000000 span 16,384,000,000 cells"),
    ("ods_hidden_repeat", "intake.sheet_too_large", "content.xml: repeated rows and columns fill 65,538,000 cells"),
])
def test_crafted_packages_are_caught_by_the_checks(name, code, detail):
    from crafted import CRAFTED

    from toolkit.intake.walk import workbook_problem
    problem = workbook_problem(CRAFTED[name][0](), Limits())
    assert problem is not None and problem[0] == code and detail in problem[1].text(code, "en"), problem


def test_row_numbers_of_any_length_are_numbers():
    from crafted import benign_rows, xlsx

    from toolkit.intake.walk import workbook_problem
    far = "9" * 5000  # longer than Python converts from text by default: still a row number
    problem = workbook_problem(xlsx(benign_rows() + f'<row r="{far}"><c r="A{far}"><v>1</v></c></row>'), Limits())
    assert problem is not None and problem[0] == "intake.sheet_too_large"


def test_a_reference_written_with_character_entities_is_read_as_the_reader_reads_it():
    from crafted import benign_rows, xlsx

    from toolkit.intake.walk import workbook_problem
    hidden = '<row r="&#49;048576"><c r="XF&#68;1048576"><v>1</v></c></row>'
    problem = workbook_problem(xlsx(benign_rows() + hidden), Limits())
    assert problem is not None and problem[1].params["ref"] == "A1:XFD1048576"


def test_a_sheet_whose_cells_have_no_references_is_fine_when_small():
    from crafted import xlsx

    from toolkit.intake.walk import workbook_problem
    rows = "".join("<row>" + "<c><v>1</v></c>" * 20 + "</row>" for _ in range(50))
    assert workbook_problem(xlsx(rows), Limits()) is None


def test_a_worksheet_part_that_is_not_xml_is_corrupt_whatever_its_name():
    from crafted import xlsx

    from toolkit.intake.walk import workbook_problem
    data = xlsx("")
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in src.namelist():
            zf.writestr(name, src.read(name).replace(b"sheet1.xml", b"sheet1.bin"))
        zf.writestr("xl/worksheets/sheet1.bin", b"\x00\x01binary")
    problem = workbook_problem(buf.getvalue(), Limits())
    assert problem[0] == "intake.corrupt" and problem[1].text(problem[0], "en") == "xl/worksheets/sheet1.bin: not XML"


def test_pictures_and_printer_settings_under_any_name_are_left_alone():
    from crafted import benign_rows, xlsx

    from toolkit.intake.walk import workbook_problem
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/image" Target="../media/image1.bin"/><Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/printerSettings" '
            'Target="../printerSettings/printerSettings1.bin"/></Relationships>')
    data = xlsx(benign_rows(), extra=[("xl/worksheets/_rels/sheet1.xml.rels", rels),
                                      ("xl/media/image1.bin", b"\x89PNG\r\n\x1a\n" + bytes(64)),
                                      ("xl/printerSettings/printerSettings1.bin", bytes(range(256)))])
    assert workbook_problem(data, Limits()) is None


def test_two_members_whose_names_differ_only_in_case_are_twins():
    from crafted import benign_rows, xlsx

    from toolkit.intake.walk import workbook_problem
    data = xlsx(benign_rows(), extra=[("XL/Worksheets/Sheet1.xml", "<worksheet/>")])
    code, detail = workbook_problem(data, Limits())
    assert (code, detail.text(code, "en")) == ("intake.corrupt", "two parts named xl/worksheets/sheet1.xml")
