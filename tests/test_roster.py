"""The roster: `load_roster` on CSV (UTF-8, BOM, GBK) and workbooks, its errors, and `toolkit init` on bad rosters."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import FIXTURES, MINI_SPEC, write_roster
from typer.testing import CliRunner

from toolkit.campaign.folder import ROSTER_COLUMNS, Unit, load_roster
from toolkit.cli.commands import app
from toolkit.errors import ConfigError, RosterError

runner = CliRunner()

HEADER = ",".join(ROSTER_COLUMNS)


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def write_csv(path: Path, lines: list[str], *, encoding: str = "utf-8", bom: bool = False) -> Path:
    """A CSV written byte for byte: lines joined with CRLF, as Excel saves them."""
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, rows: list[list[object]], *, start_row: int = 1) -> Path:
    """A workbook whose first sheet holds *rows* from row *start_row* (None leaves a cell empty)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def roster_error(path: Path) -> str:
    with pytest.raises(RosterError) as info:
        load_roster(path)
    message = str(info.value)
    assert str(path) in message  # every roster error names the file
    return message


# --------------------------------------------------------------------------- reading


def test_the_error_is_a_config_error_with_exit_code_2():
    assert issubclass(RosterError, ConfigError)
    assert RosterError.exit_code == 2


def test_utf8_csv_with_a_bom(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [
        HEADER + ",书记",
        "U001,第一党支部,县委,张三,13800000001,赵六",
        "U002,第二党支部,部门,李四,13800000002,",
    ], bom=True)
    roster = load_roster(p)
    # the BOM is not glued to the first header name (else unit_code would be "missing")
    assert roster.columns == ROSTER_COLUMNS + ("书记",)
    assert roster.units == (
        Unit("U001", "第一党支部", "县委", "张三", "13800000001", {"书记": "赵六"}),
        Unit("U002", "第二党支部", "部门", "李四", "13800000002", {"书记": ""}),
    )
    assert roster.path == str(p)
    assert roster.by_code()["U002"].name == "第二党支部"
    assert roster.units[0].value("书记") == "赵六"
    assert roster.units[0].value("unit_name") == "第一党支部"


def test_gbk_csv_with_chinese_header_aliases(tmp_path):
    p = tmp_path / "名单.csv"
    p.write_bytes("\r\n".join([
        "单位代码,单位名称,分组,联系人,联系电话,备注",
        "U001,第一党支部,县委,张三,13800000001,新成立",
        "U002,机关党支部,部门,李四,13800000002,",
    ]).encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        p.read_bytes().decode("utf-8")  # the file really is GBK, not UTF-8
    roster = load_roster(p)
    assert roster.columns == ROSTER_COLUMNS + ("备注",)
    assert [(u.code, u.name, u.group, u.contact, u.phone) for u in roster.units] == [
        ("U001", "第一党支部", "县委", "张三", "13800000001"),
        ("U002", "机关党支部", "部门", "李四", "13800000002"),
    ]
    assert [u.extra for u in roster.units] == [{"备注": "新成立"}, {"备注": ""}]


def test_the_other_chinese_aliases(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [
        " 代码 ,名称,类别,联系人,电话",
        "A1,甲支部,乙类,王五,0571-1234567",
    ], encoding="gbk")
    roster = load_roster(p)
    assert roster.columns == ROSTER_COLUMNS
    assert roster.units == (Unit("A1", "甲支部", "乙类", "王五", "0571-1234567", {}),)


def test_unit_code_alias_单位编码_and_cells_are_trimmed(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [
        "单位编码,单位名称,分组,联系人,联系电话",
        "  U009 ,\u00a0第九党支部\u00a0,县委, 张 三 ,13800000009",
    ], bom=True)
    assert load_roster(p).units == (Unit("U009", "第九党支部", "县委", "张 三", "13800000009", {}),)


def test_xlsx_roster_with_numeric_codes_and_non_breaking_spaces(tmp_path):
    p = write_xlsx(tmp_path / "roster.xlsx", [
        ["单位代码", "单位名称", "分组", "联系人", "联系电话", "地址"],
        [101, "\u00a0第一党支部\u00a0", "县委", "张三", 13800000001, "人民路\u00a01号"],
        [102.0, "第二党支部", "\u00a0部门", "李四", "13800000002", None],
        ["U103", "第三党支部", "部门", "王五", 13800000003.0, "解放路"],
    ])
    roster = load_roster(p)
    assert roster.columns == ROSTER_COLUMNS + ("地址",)
    assert roster.units == (
        Unit("101", "第一党支部", "县委", "张三", "13800000001", {"地址": "人民路 1号"}),
        Unit("102", "第二党支部", "部门", "李四", "13800000002", {"地址": ""}),
        Unit("U103", "第三党支部", "部门", "王五", "13800000003", {"地址": "解放路"}),
    )
    assert set(roster.by_code()) == {"101", "102", "U103"}


def test_xlsx_a_non_integer_number_keeps_its_decimals(tmp_path):
    p = write_xlsx(tmp_path / "roster.xlsx", [list(ROSTER_COLUMNS), [12.5, "半支部", "g", "c", "p"]])
    assert load_roster(p).units[0].code == "12.5"


def test_uppercase_xlsx_suffix_is_read_as_a_workbook(tmp_path):
    p = write_xlsx(tmp_path / "ROSTER.XLSX", [list(ROSTER_COLUMNS), ["U1", "甲", "g", "c", "p"]])
    assert [u.code for u in load_roster(p).units] == ["U1"]


def test_blank_rows_are_skipped_not_errors(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [
        HEADER,
        "",
        "U001,第一党支部,县委,张三,1",
        ",,,,",
        " , ,\u00a0, ,",
        "U002,第二党支部,县委,李四,2",
        "",
    ])
    assert [u.code for u in load_roster(p).units] == ["U001", "U002"]


def test_blank_rows_in_a_workbook_are_skipped_and_still_counted(tmp_path):
    p = write_xlsx(tmp_path / "roster.xlsx", [
        list(ROSTER_COLUMNS),            # row 1
        ["U001", "甲", "g", "c", "p"],   # row 2
        [None] * 5,                      # row 3
        ["U002", "乙", "g", "c", "p"],   # row 4
        [None] * 5,                      # row 5
        ["", "丙", "g", "c", "p"],       # row 6: no code
    ])
    assert "row 6: unit_code is empty" in roster_error(p)
    p2 = write_xlsx(tmp_path / "ok.xlsx", [list(ROSTER_COLUMNS), ["U001", "甲", "g", "c", "p"], [None] * 5,
                                           ["U002", "乙", "g", "c", "p"]])
    assert [u.code for u in load_roster(p2).units] == ["U001", "U002"]


def test_a_short_row_leaves_the_missing_cells_empty(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [HEADER, "U001,第一党支部"])
    assert load_roster(p).units == (Unit("U001", "第一党支部", "", "", "", {}),)


def test_a_csv_saved_with_classic_mac_line_endings(tmp_path):
    """Excel's "CSV (Macintosh)" ends lines with a bare CR: a roster like any other, not a crash."""
    p = tmp_path / "roster.csv"
    p.write_bytes(b"\r".join([HEADER.encode(), b"U001,A,g,c,p", b"U002,B,g,c,p"]) + b"\r")
    assert [u.code for u in load_roster(p).units] == ["U001", "U002"]


# --------------------------------------------------------------------------- errors


def test_empty_unit_code_names_the_row(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [HEADER, "U001,甲,g,c,p", "U002,乙,g,c,p", ",丙,g,c,p"])
    assert roster_error(p) == f"{p}: row 4: unit_code is empty; give every unit a code"


def test_empty_unit_code_after_blank_lines_counts_them(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [HEADER, "", "U001,甲,g,c,p", "", "\u00a0,乙,g,c,p"])
    assert f"{p}: row 5: unit_code is empty" in roster_error(p)


def test_empty_unit_name_names_the_row_and_the_unit(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [HEADER, "U001,甲,g,c,p", "U002, ,g,c,p"])
    assert roster_error(p) == f"{p}: row 3: unit_name is empty for unit U002"


def test_duplicate_code_names_both_rows(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [HEADER, "U001,甲,g,c,p", "U002,乙,g,c,p", "", "U001 ,丁,g,c,p"])
    assert roster_error(p) == (f"{p}: row 5: unit_code U001 duplicates row 2; "
                               "every unit needs its own code")


def test_duplicate_code_in_a_workbook_number_and_text(tmp_path):
    p = write_xlsx(tmp_path / "roster.xlsx", [list(ROSTER_COLUMNS), [101, "甲", "g", "c", "p"],
                                              ["101", "乙", "g", "c", "p"]])
    assert "row 3: unit_code 101 duplicates row 2" in roster_error(p)


NEEDED = "单位代码 (unit_code), 单位名称 (unit_name), 分组 (group), 联系人 (contact), 联系电话 (phone)"


@pytest.mark.parametrize("header, missing", [
    ("unit_code,unit_name,group,contact", "联系电话 (phone)"),
    ("单位名称,分组,联系人,联系电话", "单位代码 (unit_code)"),
    ("code,name,group,contact,phone", "单位代码 (unit_code), 单位名称 (unit_name)"),
])
def test_header_missing_a_required_column(tmp_path, header, missing):
    p = write_csv(tmp_path / "roster.csv", [header, "U001,甲,g,c,p"])
    assert roster_error(p) == (f"{p}: row 1 (header) lacks column(s) {missing}; "
                               f"the roster needs {NEEDED}; the row holds: {header.replace(',', ', ')}")


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf"], ids=["empty", "bom-only"])
def test_empty_csv(tmp_path, content):
    p = tmp_path / "roster.csv"
    p.write_bytes(content)
    assert roster_error(p) == f"{p}: the roster is empty; add a header row and one row per unit"


def test_empty_workbook(tmp_path):
    p = tmp_path / "roster.xlsx"
    openpyxl.Workbook().save(p)
    assert roster_error(p) == f"{p}: the roster is empty; add a header row and one row per unit"


def test_header_only(tmp_path):
    p = write_roster(tmp_path / "roster.csv", [])
    assert roster_error(p) == f"{p}: no units below the header row"
    p2 = write_csv(tmp_path / "blank_rows.csv", [HEADER, "", ",,,,"])
    assert roster_error(p2) == f"{p2}: no units below the header row"
    p3 = write_xlsx(tmp_path / "roster.xlsx", [list(ROSTER_COLUMNS)])
    assert roster_error(p3) == f"{p3}: no units below the header row"


def test_file_not_found(tmp_path):
    p = tmp_path / "nowhere.csv"
    assert roster_error(p) == f"roster file not found: {p}"
    assert roster_error(tmp_path) == f"roster file not found: {tmp_path}"  # a folder is not a roster


def test_csv_neither_utf8_nor_gbk(tmp_path):
    p = tmp_path / "roster.csv"
    p.write_bytes(b"\xff\xfe\x00\x00" + HEADER.encode("utf-16-le"))
    for enc in ("utf-8-sig", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            p.read_bytes().decode(enc)
    assert roster_error(p) == (f"{p}: not UTF-8 or GBK text; "
                               "save the roster as CSV UTF-8 or as .xlsx")


def test_workbook_saved_under_a_csv_name_is_not_text(tmp_path):
    p = tmp_path / "roster.csv"
    write_xlsx(tmp_path / "real.xlsx", [list(ROSTER_COLUMNS), ["U1", "甲", "g", "c", "p"]])
    shutil.copyfile(tmp_path / "real.xlsx", p)
    assert "not UTF-8 or GBK text" in roster_error(p)


def _panicking_xls(tmp_path: Path) -> Path:
    """mini_U001.xls with its NAME record damaged as in test_collect: calamine panics reading it."""
    data = (FIXTURES / "lo" / "mini_U001.xls").read_bytes()
    flag = data.find(b"\x00f_rate")
    assert flag > 0
    at = flag - 9  # high byte of the formula length
    p = tmp_path / "roster.xls"
    p.write_bytes(data[:at] + b"\x35" + data[at + 1:])
    return p


def test_a_workbook_that_makes_the_reader_panic_is_a_roster_error(tmp_path, capfd):
    p = _panicking_xls(tmp_path)
    message = roster_error(p)
    assert message.startswith(f"{p}: cannot read the roster workbook (")
    assert message.endswith("); save it as .xlsx or CSV")
    assert "panicked" not in capfd.readouterr().err  # Rust's panic report is kept off the console


def test_the_undamaged_xls_is_read_as_a_workbook(tmp_path):
    """The control for the test above: the same file undamaged is read (it just is not a roster)."""
    p = tmp_path / "roster.xls"
    shutil.copyfile(FIXTURES / "lo" / "mini_U001.xls", p)
    assert f"no header row in the first 20 rows; the roster needs the columns {NEEDED}; row 1 holds: " in roster_error(p)


@pytest.mark.parametrize("content", [HEADER.encode() + b"\nU1,A,g,c,p\n", b""], ids=["text", "empty"])
def test_text_file_named_xlsx(tmp_path, content):
    p = tmp_path / "roster.xlsx"
    p.write_bytes(content)
    message = roster_error(p)
    assert message.startswith(f"{p}: cannot read the roster workbook (")
    assert message.endswith("); save it as .xlsx or CSV")


def test_blank_lines_above_a_csv_header_are_skipped_and_counted(tmp_path):
    p = write_csv(tmp_path / "roster.csv", ["", ",,,,", HEADER, "U001,甲,g,c,p", ",乙,g,c,p"])
    assert roster_error(p) == f"{p}: row 5: unit_code is empty; give every unit a code"
    ok = write_csv(tmp_path / "ok.csv", ["", HEADER, "U001,甲,g,c,p"])
    assert [u.code for u in load_roster(ok).units] == ["U001"]
    no_phone = write_csv(tmp_path / "no_phone.csv", ["", "unit_code,unit_name,group,contact", "U001,甲,g,c"])
    assert "row 2 (header) lacks column(s) 联系电话 (phone)" in roster_error(no_phone)


def test_workbook_row_numbers_are_the_rows_excel_shows(tmp_path):
    """Row 1 left blank: the header is in Excel row 2, the unit without a code in Excel row 4."""
    p = write_xlsx(tmp_path / "roster.xlsx", [
        list(ROSTER_COLUMNS),           # row 2
        ["U001", "甲", "g", "c", "p"],  # row 3
        [None, "乙", "g", "c", "p"],    # row 4
    ], start_row=2)
    assert f"{p}: row 4: unit_code is empty" in roster_error(p)


# --------------------------------------------------------------------------- toolkit init


def _init(tmp_path: Path, roster: Path, *extra: str):
    return cli("init", tmp_path / "camp", "--template", MINI_SPEC, "--roster", roster, *extra)


@pytest.mark.parametrize("lines, expected", [
    ([HEADER, "U001,甲,g,c,p", ",乙,g,c,p"], "row 3: unit_code is empty"),
    ([HEADER, "U001,甲,g,c,p", "U002,,g,c,p"], "row 3: unit_name is empty for unit U002"),
    ([HEADER, "U001,甲,g,c,p", "", "U001,乙,g,c,p"], "row 4: unit_code U001 duplicates row 2"),
    (["unit_code,unit_name,group,contact", "U001,甲,g,c"], "row 1 (header) lacks column(s) 联系电话 (phone)"),
    ([HEADER], "no units below the header row"),
], ids=["no-code", "no-name", "duplicate", "no-phone-column", "header-only"])
def test_init_with_a_bad_roster_exits_2_and_creates_nothing(tmp_path, lines, expected):
    roster = write_csv(tmp_path / "roster.csv", lines)
    result = _init(tmp_path, roster)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert str(roster) in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert not (tmp_path / "camp" / "campaign.yaml").exists()
    assert not (tmp_path / "camp").exists()


def test_init_with_a_missing_roster_exits_2(tmp_path):
    result = _init(tmp_path, tmp_path / "nowhere.csv")
    assert result.exit_code == 2
    assert f"roster file not found: {tmp_path / 'nowhere.csv'}" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "camp").exists()


def test_init_with_a_panicking_workbook_exits_2_without_a_crash(tmp_path, capfd):
    result = _init(tmp_path, _panicking_xls(tmp_path))
    assert result.exit_code == 2
    assert "cannot read the roster workbook" in result.stderr
    assert "Traceback" not in result.output
    assert "panicked" not in capfd.readouterr().err
    assert not (tmp_path / "camp").exists()


def test_init_json_with_a_bad_roster_answers_with_a_json_error(tmp_path):
    """stdout stays machine-readable: one JSON object with the error and the exit code, nothing else."""
    roster = write_csv(tmp_path / "roster.csv", [HEADER, "U001,甲,g,c,p", ",乙,g,c,p"])
    result = _init(tmp_path, roster, "--json")
    assert result.exit_code == 2
    answer = json.loads(result.stdout)
    assert (answer["status"], answer["exit_code"]) == ("error", 2)
    assert "row 3: unit_code is empty" in answer["error"] and "row 3: unit_code is empty" in result.stderr


def test_init_error_names_a_roster_whose_file_name_has_brackets(tmp_path):
    """The message is printed as rich markup: "[draft]" in the file name must not vanish as a style tag."""
    roster = write_csv(tmp_path / "roster[draft].csv", [HEADER, "U001,甲,g,c,p", ",乙,g,c,p"])
    result = _init(tmp_path, roster)
    assert result.exit_code == 2
    assert f"{roster}: row 3: unit_code is empty" in result.stderr


def test_init_with_a_good_gbk_roster(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_bytes("单位代码,单位名称,分组,联系人,联系电话\r\nU001,甲,g,c,p\r\nU002,乙,g,c,p\r\n".encode("gbk"))
    result = _init(tmp_path, roster, "--json", "--year", "2026")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["units"] == 2
    assert (tmp_path / "camp" / "campaign.yaml").is_file()
    assert (tmp_path / "camp" / "roster.csv").read_bytes() == roster.read_bytes()


@pytest.mark.parametrize("lines, chinese", [
    ([HEADER, "U001,甲,g,c,p", ",乙,g,c,p"], "第 3 行的单位代码为空，请为每个单位填写代码"),
    ([HEADER, "U001,甲,g,c,p", "U001,乙,g,c,p"], "第 3 行的单位代码 U001 与第 2 行重复，每个单位的代码必须不同"),
    (["unit_code,unit_name,group,contact", "U001,甲,g,c"], "第 1 行（表头）缺少列 联系电话 (phone)"),
    ([HEADER], "表头下面没有单位"),
])
def test_roster_errors_read_in_chinese_with_the_original_below(tmp_path, lines, chinese):
    roster = write_csv(tmp_path / "roster.csv", lines)
    zh = _init(tmp_path, roster)
    assert zh.exit_code == 2
    first, second = zh.stderr.strip().splitlines()[:2]
    assert first.startswith("错误：") and chinese in first and str(roster) in first
    assert second.startswith("error: ")
    en = _init(tmp_path, roster, "--lang", "en")
    assert en.exit_code == 2 and chinese not in en.stderr and "错误：" not in en.stderr


# --------------------------------------------------------------------------- title rows, awkward codes and names


def test_a_workbook_with_a_merged_title_row_above_the_header_is_read(tmp_path):
    p = write_xlsx(tmp_path / "roster.xlsx", [
        ["2026年度考核单位名单"],                                  # row 1, merged A1:E1
        [],                                                        # row 2
        ["单位代码", "单位名称", "分组", "联系人", "联系电话"],    # row 3
        ["A01", "东湖街道党委", "街道", "张三", "1380000"],
        ["A02", "西山乡党委", "乡镇", "李四", "1390000"],
        [None, "无代码单位", "乡镇", "王五", "1"],                # row 6
    ])
    wb = openpyxl.load_workbook(p)
    wb.active.merge_cells("A1:E1")
    wb.save(p)
    assert f"{p}: row 6: unit_code is empty" in roster_error(p)
    wb = openpyxl.load_workbook(p)
    wb.active.delete_rows(6)
    wb.save(p)
    roster = load_roster(p)
    assert [(u.code, u.name, u.group) for u in roster.units] == [("A01", "东湖街道党委", "街道"),
                                                                 ("A02", "西山乡党委", "乡镇")]


def test_a_csv_with_a_title_and_a_date_line_above_the_header_is_read(tmp_path):
    p = write_csv(tmp_path / "roster.csv", ["2026年度考核单位名单,,,,", "制表日期：2026-01-05", HEADER, "U001,甲,g,c,p"])
    assert [u.code for u in load_roster(p).units] == ["U001"]


def test_no_header_in_the_top_rows_says_what_was_expected_and_what_was_found(tmp_path):
    p = write_xlsx(tmp_path / "roster.xlsx", [["2026年度名单"], ["编号", "单位", "类别", "负责人", "手机"],
                                              ["1", "甲", "g", "c", "p"]])
    message = roster_error(p)
    assert message == (f"{p}: row 2 (header) lacks column(s) 单位代码 (unit_code), 单位名称 (unit_name), "
                       f"联系人 (contact), 联系电话 (phone); the roster needs {NEEDED}; "
                       f"the row holds: 编号, 单位, 类别, 负责人, 手机")
    none = write_xlsx(tmp_path / "none.xlsx", [["名单"], ["编号", "单位"], ["1", "甲"]])
    assert roster_error(none) == (f"{none}: no header row in the first 20 rows; the roster needs the columns "
                                  f"{NEEDED}; row 1 holds: 名单")


def test_no_header_reads_in_chinese_at_init(tmp_path):
    roster = write_xlsx(tmp_path / "roster.xlsx", [["名单"], ["编号", "单位"], ["1", "甲"]])
    result = _init(tmp_path, roster)
    assert result.exit_code == 2
    first = result.stderr.strip().splitlines()[0]
    assert "前 20 行中找不到表头；名单需要这些列：单位代码 (unit_code), 单位名称 (unit_name)" in first
    assert "第 1 行现有：名单" in first


@pytest.mark.parametrize("code, problem, chinese", [
    ("A 01", "contains a space", "含有空格"),
    ("A\u300001", "contains a space", "含有空格"),
    ("A|01", "contains |", "含有 |"),
    ("A\u200b01", "contains an invisible control character", "含有看不见的控制字符"),
    ("A" * 41, "has 41 characters (at most 40)", "有 41 个字符（最多 40 个）"),
])
def test_init_refuses_a_code_the_code_line_cannot_carry_with_its_row(tmp_path, code, problem, chinese):
    roster = write_xlsx(tmp_path / "roster.xlsx", [["名单"], list(ROSTER_COLUMNS), ["U1", "甲", "g", "c", "p"],
                                                   [code, "乙", "g", "c", "p"]])
    assert f"{roster}: row 4: unit_code {code!r} {problem}; the code line" in roster_error(roster)
    result = _init(tmp_path, roster)
    assert result.exit_code == 2 and not (tmp_path / "camp").exists()
    assert f"第 4 行的单位代码 {code!r} {chinese}" in result.stderr


def test_codes_that_differ_only_in_case_or_width_are_refused(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [HEADER, "a01,甲,g,c,p", "U2,乙,g,c,p", "Ａ01,丙,g,c,p"])
    assert (f"{p}: row 4: unit_code Ａ01 differs from a01 (row 2) only in case or width"
            in roster_error(p))


def test_awkward_but_carried_codes_are_accepted(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [HEADER, "A-01/2,甲,g,c,p", "甲.03_x,乙,g,c,p", "=1,丙,g,c,p"])
    assert [u.code for u in load_roster(p).units] == ["A-01/2", "甲.03_x", "=1"]


def test_a_line_break_typed_in_a_name_is_kept_and_the_file_name_has_a_space(tmp_path):
    from toolkit.generate.outbox import outbox_names
    from toolkit.spec.load import load_spec
    p = write_xlsx(tmp_path / "roster.xlsx", [list(ROSTER_COLUMNS), ["U1", "第一\n党支部", "县\t委", "张\n三", "1"]])
    unit = load_roster(p).units[0]
    assert (unit.name, unit.group, unit.contact) == ("第一\n党支部", "县\t委", "张\n三")  # the data as typed
    assert outbox_names([unit], load_spec(MINI_SPEC))["U1"] == "U1_第一 党支部_迷你表.xlsx"


def test_a_unit_name_longer_than_200_characters_is_refused(tmp_path):
    p = write_csv(tmp_path / "roster.csv", [HEADER, "U1," + "党" * 201 + ",g,c,p"])
    assert f"{p}: row 2: unit_name of unit U1 has 201 characters (at most 200); shorten it" == roster_error(p)
    ok = write_csv(tmp_path / "ok.csv", [HEADER, "U1," + "党" * 200 + ",g,c,p"])
    assert len(load_roster(ok).units[0].name) == 200
