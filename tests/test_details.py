"""Details of the ledger's reasons are data: a code's template variant and values, rendered in zh or en.

Intake, the package checks, the reader and identification record a :class:`Detail`; the ledger
stores it (ident_params) and every display renders it from the catalogue in the reader's
language. A row recorded before details were data shows the text it recorded.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import pytest

from toolkit.campaign.ledger import Ledger
from toolkit.codes import Detail, code_info, reason_message
from toolkit.intake.walk import Limits, walk, workbook_problem

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


def test_every_recorded_detail_is_data_and_reads_in_both_languages(rejections):
    codes = {o.reason_code for o in rejections}
    assert codes >= {"intake.not_a_workbook", "intake.unsupported_archive", "intake.corrupt", "intake.empty_file",
                     "intake.too_deep", "intake.zip_bomb", "intake.too_many_members", "intake.too_large"}, codes
    zh, en = reason_message("zh"), reason_message("en")
    for o in rejections:
        assert isinstance(o.detail, Detail) and (o.detail.variant or o.detail.params), (o.source, o.detail)
        assert o.detail.text(o.reason_code, "zh") != o.detail.text(o.reason_code, "en"), (o.source, o.detail)
        message = zh(o.reason_code, o.detail)
        assert not ENGLISH.search(message), (o.source, message)
        assert ENGLISH.search(en(o.reason_code, o.detail)), (o.source, o.detail)


def test_package_check_details_read_in_chinese():
    whole_sheet = _xlsx(xl_worksheets_sheet1_xml=b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>')
    code, detail = workbook_problem(whole_sheet, Limits())
    assert code == "intake.sheet_too_large"
    assert detail.text(code, "zh") == "xl/worksheets/sheet1.xml：声明的范围 A1:XFD1048576 共 17,179,869,184 个单元格"
    assert detail.text(code, "en") == "xl/worksheets/sheet1.xml: dimension A1:XFD1048576 claims 17,179,869,184 cells"
    doctype = _xlsx(xl_workbook_xml=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><workbook/>')
    code, detail = workbook_problem(doctype, Limits())
    assert (code, detail.text(code, "zh")) == ("intake.hostile_xml", "xl/workbook.xml：含有 DOCTYPE 或 ENTITY 声明")


@pytest.mark.parametrize("code, detail, chinese, english", [
    ("intake.too_large", Detail("", {"size": 51.0, "limit": 50.0}), "51.0 MiB（上限 50.0 MiB）", "51.0 MiB (limit 50.0 MiB)"),
    ("intake.zip_bomb", Detail("total", {"size": 400.0, "limit": 300.0}), "解压后达 400.0 MiB（上限 300.0 MiB）",
     "unpacks to 400.0 MiB (limit 300.0 MiB)"),
    ("intake.zip_bomb", Detail("ratio", {"member": "报表/一.xlsx", "ratio": 1024.0, "size": 3.0}),
     "报表/一.xlsx：压缩比 1024:1，解压后达 3.0 MiB", "报表/一.xlsx: compressed 1024:1 to 3.0 MiB"),
    ("intake.corrupt", Detail("biff_dimensions", {"rows": "9-2", "columns": "0-4"}), "工作表的范围记录错乱（行 9-2，列 0-4）",
     "sheet dimensions out of order (rows 9-2, columns 0-4)"),
    ("identify.other_campaign", Detail("round", {"name": "党建考核", "year": "2026", "round": "1"}),
     "属于“党建考核”（2026 年度，第 1 轮）", "campaign 党建考核, year 2026, round 1"),
    ("identify.unknown_template", Detail("structure", {"score": 0.25, "template": "mini"}), "表格结构与 mini 的吻合度为 25%",
     "structure matches 25% of mini"),
    ("identify.carriers_disagree", Detail("campaign_year", {"values": "2025 / 2026"}), "年度不一致：2025 / 2026",
     "campaign year: 2025 / 2026"),
    ("read.unsafe", Detail("crashed", {"how": "SIGKILL"}), "读取进程意外终止（SIGKILL），多为内存超出上限",
     "the reader process ended abruptly (SIGKILL)"),
])
def test_details_carry_names_and_numbers_over(code, detail, chinese, english):
    assert detail.text(code, "zh") == chinese
    assert detail.text(code, "en") == english
    assert Detail.from_json(detail.to_json()) == detail  # as the ledger stores it


def test_a_readers_own_message_is_introduced_as_such():
    said = "range start index 18446744073709538069 out of range for slice of length 28"
    detail = Detail("", {"message": said})
    assert reason_message("zh")("read.unreadable", detail) == (
        f"文件无法读取（已损坏）：读取程序报告“{said}”。请重新保存为 .xlsx 后报送")
    assert reason_message("en")("read.unreadable", detail).startswith(f"The workbook cannot be read: {said}.")


def test_the_message_says_what_to_do():
    assert reason_message("zh")("intake.not_a_workbook", Detail("pdf")) == (
        "不是可读取的 Excel 表格：PDF 文档。请用下发的 Excel 模板填写后报送；Word、PDF、图片、网页等无法读取")
    assert reason_message("en")("intake.empty_file", Detail("bytes")) == (
        "The file is empty: 0 bytes. The file has no content; save it again and resend it")
    assert reason_message("zh")("", "") == ""


def test_a_link_to_a_missing_file_is_explained(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "报表.xlsx").symlink_to(tmp_path / "gone.xlsx")
    (offered,) = list(walk([str(tmp_path / "in")], Limits()))
    assert (offered.kind, offered.reason_code) == ("rejected", "intake.corrupt")
    assert offered.detail.text(offered.reason_code, "zh") == "这是一个快捷方式（链接），它指向的文件已不存在"


def _ledger_csv(campaign, lang: str) -> dict[str, dict]:
    from toolkit.read.collect import export_ledger

    with open(export_ledger(campaign, lang), encoding="utf-8-sig", newline="") as fh:
        return {r["source"].rsplit("/", 1)[-1]: r for r in csv.DictReader(fh)}


def test_the_ledger_stores_each_intake_reason_as_data_and_shows_it_in_zh_and_en(campaign, tmp_path):
    from toolkit.read.collect import collect

    folder = tmp_path / "bad"
    folder.mkdir()
    for name, data in BAD_FILES.items():
        (folder / name).write_bytes(data)
    collect(campaign, [str(folder)], workers=1, limits=Limits(max_file_bytes=int(3.5 * 2**20), max_members=5, max_depth=3))
    with Ledger(campaign.db_path) as ledger:
        rows = ledger.files()
    assert {r.reason_code for r in rows} >= {"intake.not_a_workbook", "intake.zip_bomb", "intake.too_large"}
    zh, en = _ledger_csv(campaign, "zh"), _ledger_csv(campaign, "en")
    for r in rows:
        name = r.source.rsplit("/", 1)[-1]
        assert isinstance(r.detail, Detail) and r.ident_params, name  # stored as data
        assert r.ident_detail == r.detail.text(r.reason_code, "en")  # and its English text beside it
        assert zh[name]["message"] == reason_message("zh")(r.reason_code, r.detail)
        assert r.detail.text(r.reason_code, "zh") in zh[name]["message"] and not ENGLISH.search(zh[name]["message"])
        assert r.ident_detail in en[name]["message"] and code_info(r.reason_code).title_en in en[name]["message"]
    assert zh["big.xlsx"]["message"].startswith("文件过大：4.0 MiB（上限 3.5 MiB），文件过大，未予保存。")


def test_a_row_of_an_earlier_ledger_with_only_text_shows_that_text(campaign):
    """Ledgers written before details were data hold the English text alone: it is shown as it was recorded."""
    import sqlite3

    with Ledger(campaign.db_path) as ledger:
        ledger.add(source="old.xlsx", sha256="ab" * 32, size=3, kind="rejected", status="rejected",
                   reason_code="intake.not_a_workbook", detail=Detail("pdf"))
        ledger.recompute()
    with sqlite3.connect(campaign.db_path) as db:  # as an earlier version recorded it
        db.execute("UPDATE files SET ident_detail='PDF document (as recorded)', ident_params=NULL")
    db.close()
    assert _ledger_csv(campaign, "zh")["old.xlsx"]["message"] == (
        "不是可读取的 Excel 表格：PDF document (as recorded)。请用下发的 Excel 模板填写后报送；Word、PDF、图片、网页等无法读取")
    assert _ledger_csv(campaign, "en")["old.xlsx"]["message"].startswith(
        "Not a readable spreadsheet: PDF document (as recorded). ")
