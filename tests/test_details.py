"""Rejection details read in Chinese: every phrasing intake and the package checks record has its wording."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from toolkit.intake.walk import Limits, walk, workbook_problem
from toolkit.read.collect import reason_message
from toolkit.read.rejections import PHRASES, localise

ENGLISH = re.compile(r"\b[a-z]{2,} [a-z]{2,} [a-z]{2,}\b")  # three English words in a row


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _xlsx(**replace: bytes) -> bytes:
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    return _zip({n: replace.get(n.replace("/", "_").replace(".", "_"), src.read(n)) for n in src.namelist()})


BAD_FILES = {
    "pdf.xlsx": b"%PDF-1.4 fake",
    "picture.xlsx": b"\x89PNG\r\n\x1a\n" + b"\0" * 20,
    "page.xls": b"<html><body><table><tr><td>1</td></tr></table></body></html>",
    "text.xlsx": b"unit,score\n001,90\n",
    "rar.xlsx": b"Rar!\x1a\x07\x01\x00" + b"\0" * 20,
    "7z.xlsx": b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\0" * 20,
    "word.xlsx": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
    "broken.xlsx": _xlsx()[:-200],
    "broken.xls": bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600,
    "empty.zip": _zip({}),
    "deep.zip": _zip({"a.zip": _zip({"b.zip": _zip({"c.zip": _zip({"d.zip": _zip({"x.xlsx": b"x"})})})})}),
    "bomb.zip": _zip({"zeros.xlsx": b"\0" * (3 * 2**20)}),
    "crowd.zip": _zip({f"{i}.xlsx": b"x" for i in range(6)}),
    "big.xlsx": b"PK" + b"\1" * (4 * 2**20),
}


@pytest.fixture(scope="module")
def rejections(tmp_path_factory) -> list:
    folder = tmp_path_factory.mktemp("bad")
    for name, data in BAD_FILES.items():
        (folder / name).write_bytes(data)
    limits = Limits(max_file_bytes=int(3.5 * 2**20), max_members=5, max_depth=3)
    return [o for o in walk([str(folder)], limits) if o.kind == "rejected"]


def test_every_wording_has_a_slot_for_every_part():
    for english, chinese in PHRASES:
        parts = english.count("(.+)")
        assert sorted(set(re.findall(r"\{(\d)\}", chinese))) == [str(i) for i in range(parts)], english


def test_every_recorded_detail_reads_in_chinese(rejections):
    codes = {o.reason_code for o in rejections}
    assert codes >= {"intake.not_a_workbook", "intake.unsupported_archive", "intake.corrupt", "intake.empty_file",
                     "intake.too_deep", "intake.zip_bomb", "intake.too_many_members", "intake.too_large"}, codes
    zh, en = reason_message("zh"), reason_message("en")
    for o in rejections:
        if o.detail:
            assert localise(o.detail, "zh") != o.detail, (o.source, o.detail)
        message = zh(o.reason_code, o.detail)
        assert not ENGLISH.search(message), (o.source, message)
        assert ENGLISH.search(en(o.reason_code, o.detail)) or not o.detail, o.detail


def test_package_check_details_read_in_chinese():
    whole_sheet = _xlsx(xl_worksheets_sheet1_xml=b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>')
    code, detail = workbook_problem(whole_sheet, Limits())
    assert code == "intake.sheet_too_large"
    assert localise(detail, "zh") == "xl/worksheets/sheet1.xml：声明的范围 A1:XFD1048576 共 17,179,869,184 个单元格"
    doctype = _xlsx(xl_workbook_xml=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><workbook/>')
    code, detail = workbook_problem(doctype, Limits())
    assert (code, localise(detail, "zh")) == ("intake.hostile_xml", "xl/workbook.xml：含有 DOCTYPE 或 ENTITY 声明")


@pytest.mark.parametrize("detail, chinese", [
    ("51.0 MiB (limit 50.0 MiB)", "51.0 MiB（上限 50.0 MiB）"),
    ("unpacks to 400.0 MiB (limit 300.0 MiB)", "解压后达 400.0 MiB（上限 300.0 MiB）"),
    ("报表/一.xlsx: compressed 1024:1 to 3.0 MiB", "报表/一.xlsx：压缩比 1024:1，解压后达 3.0 MiB"),
    ("sheet dimensions out of order (rows 9-2, columns 0-4)", "工作表的范围记录错乱（行 9-2，列 0-4）"),
    ("range start index 18446744073709538069 out of range", "range start index 18446744073709538069 out of range"),
])
def test_wordings_carry_names_and_numbers_over(detail, chinese):
    assert localise(detail, "zh") == chinese
    assert localise(detail, "en") == detail


def test_a_readers_own_message_is_introduced_as_such():
    detail = "range start index 18446744073709538069 out of range for slice of length 28"
    assert reason_message("zh")("read.unreadable", detail) == (
        f"文件无法读取（已损坏）：读取程序报告“{detail}”。请重新保存为 .xlsx 后报送")
    assert reason_message("en")("read.unreadable", detail).startswith(f"The workbook cannot be read: {detail}.")


def test_the_message_says_what_to_do():
    assert reason_message("zh")("intake.not_a_workbook", "PDF document") == (
        "不是可读取的 Excel 表格：PDF 文档。请用下发的 Excel 模板填写后报送；Word、PDF、图片、网页等无法读取")
    assert reason_message("en")("intake.empty_file", "0 bytes") == (
        "The file is empty: 0 bytes. The file has no content; save it again and resend it")
    assert reason_message("zh")("", "") == ""


def test_a_link_to_a_missing_file_is_explained(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "报表.xlsx").symlink_to(tmp_path / "gone.xlsx")
    (offered,) = list(walk([str(tmp_path / "in")], Limits()))
    assert (offered.kind, offered.reason_code) == ("rejected", "intake.corrupt")
    assert localise(offered.detail, "zh") == "这是一个快捷方式（链接），它指向的文件已不存在"
