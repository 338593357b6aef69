"""Names made from data: unit file names (outbox/, feedback/) and worksheet names."""

from __future__ import annotations

import pytest
import xlsxwriter

from toolkit.campaign.folder import Unit
from toolkit.output.names import MAX_NAME_BYTES, MAX_NAME_CHARS, fits, safe_file_name, safe_sheet_name, sheet_name_problem, unit_file_names

LONG_NAME = "中共某某市某某区某某街道某某社区第一网格党支部委员会" * 3  # 75 characters: too long with a title


def unit(code: str, name: str) -> Unit:
    return Unit(code, name, "", "", "")


def legal_on_windows(name: str) -> bool:
    stem = name.split(".", 1)[0].upper()
    return (not any(ch in '\\/:*?"<>|' or ord(ch) < 32 for ch in name)
            and not name.endswith((" ", ".")) and stem not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"})


def test_a_short_name_is_code_name_title():
    assert safe_file_name("U001", "第一党支部", "迷你表") == "U001_第一党支部_迷你表.xlsx"


@pytest.mark.parametrize("length", [66, 85, 200, 2000])
def test_a_long_chinese_name_is_shortened_with_an_ellipsis_and_keeps_code_and_title(length):
    name = ("党" * length)
    out = safe_file_name("A0123", name, "2026年度基层党组织考核自评表")
    assert fits(out) and len(out.encode()) <= MAX_NAME_BYTES and len(out) <= MAX_NAME_CHARS
    assert out.startswith("A0123_党") and "…" in out and out.endswith("_2026年度基层党组织考核自评表.xlsx")


def test_a_long_ascii_name_stays_within_the_windows_character_budget():
    out = safe_file_name("B7", "Branch " * 60, "Annual self-assessment")
    assert len(out) <= MAX_NAME_CHARS and out.startswith("B7_Branch") and out.endswith("_Annual self-assessment.xlsx")


def test_a_long_title_is_shortened_too_but_the_name_keeps_a_readable_start():
    out = safe_file_name("C1", LONG_NAME, "表" * 200)
    assert fits(out) and out.startswith("C1_中共某某市某…_表")


def test_the_feedback_tail_is_never_shortened():
    out = safe_file_name("C1", LONG_NAME * 4, "退回修改", keep_tail=True)
    assert fits(out) and out.endswith("…_退回修改.xlsx")


def test_characters_from_outside_the_basic_plane_count_twice_for_windows():
    out = safe_file_name("D1", "𠀀" * 100, "t")
    assert len(out.encode("utf-16-le")) // 2 <= MAX_NAME_CHARS and len(out.encode()) <= MAX_NAME_BYTES


@pytest.mark.parametrize("code,name", [
    ("A/1", 'x:y*"z"'), ("U1", "第一\n支部\t"), ("U2", "a<b>c|d?"), ("U3", "名称. . ."), ("U4", "\x0b\x00"),
    ("CON", ""), ("nul.1", ""), ("COM1", ""), ("U5", "\ud800坏"),
])
def test_forbidden_characters_trailing_dots_and_reserved_names_never_reach_the_file_system(code, name):
    out = safe_file_name(code, name, "")
    assert legal_on_windows(out) and fits(out)
    out.encode("utf-8")  # no lone surrogate left


def test_line_breaks_in_a_name_become_one_space():
    assert safe_file_name("U1", "第一\n支部", "表") == "U1_第一 支部_表.xlsx"


def test_two_codes_that_become_one_file_name_get_distinct_marks():
    names = unit_file_names([unit("A/1", "支部"), unit("A_1", "支部"), unit("B1", "支部")], "表")
    assert len({n.casefold() for n in names.values()}) == 3
    assert names["B1"] == "B1_支部_表.xlsx"  # a unit that clashes with nobody keeps its plain name
    assert names["A/1"].startswith("A_1~") and names["A_1"].startswith("A_1~")


def test_names_that_differ_only_in_case_are_unique_as_windows_compares_them():
    names = unit_file_names([unit("ab1", "x"), unit("AB1", "x")], "t")
    assert names["ab1"].casefold() != names["AB1"].casefold()


def test_a_units_name_does_not_depend_on_the_order_of_the_roster():
    units = [unit("A/1", LONG_NAME), unit("A_1", LONG_NAME), unit("Z9", "z")]
    assert unit_file_names(units, "t") == unit_file_names(list(reversed(units)), "t")


def test_marked_names_fit_and_keep_the_feedback_tail():
    names = unit_file_names([unit("A/1", LONG_NAME * 3), unit("A:1", LONG_NAME * 3)], "退回修改", keep_tail=True)
    assert all(fits(n) and n.endswith("_退回修改.xlsx") for n in names.values())
    assert len(set(names.values())) == 2


# --------------------------------------------------------------------------- worksheet names


def xlsxwriter_accepts(tmp_path, *names: str) -> bool:
    wb = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    for n in names:
        wb.add_worksheet(n)
    wb.close()
    return True


@pytest.mark.parametrize("text", ["'组'", "'", "a[b]c:d*e?f/g\\h", "x" * 40, "组" * 40, "𠀀" * 20, "",
                                  "History", "history", "  '  ", "a\nb", "'" + "x" * 29 + "'y"])
def test_any_text_gives_a_sheet_name_excel_accepts(tmp_path, text):
    name = safe_sheet_name(text, set())
    assert sheet_name_problem(name) is None and xlsxwriter_accepts(tmp_path, name)


def test_sheet_names_are_unique_case_insensitively_and_within_31_characters(tmp_path):
    used: set[str] = set()
    names = [safe_sheet_name(t, used) for t in ("Group", "group", "GROUP", "组" * 31, "组" * 32, "'组'", "组")]
    assert len({n.casefold() for n in names}) == len(names)
    assert all(len(n.encode("utf-16-le")) // 2 <= 31 for n in names)
    assert names[:3] == ["Group", "group_2", "GROUP_3"] and names[5] == "组" and names[6] == "组_2"
    assert xlsxwriter_accepts(tmp_path, *names)


@pytest.mark.parametrize("name,problem", [
    ("'组'", "apostrophe"), ("组'", "apostrophe"), ("a:b", "character"), ("x" * 32, "32 characters"),
    ("", "empty"), ("History", "History"), ("a\x07b", "character"), ("𠀀" * 16, "32 characters"),
])
def test_sheet_name_problem_names_what_excel_refuses(name, problem):
    assert problem in sheet_name_problem(name).text("en")


@pytest.mark.parametrize("name", ["基本信息", "x" * 31, "a'b", "Sheet 1", "𠀀" * 15])
def test_sheet_name_problem_lets_what_excel_accepts_pass(name):
    assert sheet_name_problem(name) is None


# --------------------------------------------------------------------------- sheets named from data, end to end


def test_groups_with_apostrophes_and_forbidden_characters_get_scoring_sheet_tabs(tmp_path):
    import openpyxl
    from test_scoring_stage import annual_campaign

    from toolkit.score.stage import score_campaign
    units = [("P01", "城东党支部", "'组'", "张三", "1"), ("P02", "城西党支部", "组", "李四", "2"),
             ("P03", "城南党支部", "县/区[直属]", "王五", "3"), ("P04", "城北党支部", "History", "赵六", "4")]
    campaign = annual_campaign(tmp_path, units=units, returns={"P01": {}, "P02": {}})
    score_campaign(campaign, "zh")
    names = openpyxl.load_workbook(campaign.out / "scoring-sheet.xlsx").sheetnames
    assert names[:5] == ["总表", "组", "组_2", "县区直属", "History_"]


def test_a_spec_sheet_named_like_the_summary_in_another_case_gets_its_own_tab(tmp_path, roster_csv):
    import openpyxl
    import yaml
    from conftest import MINI_SPEC

    from toolkit.campaign.folder import create_campaign
    from toolkit.merge.stage import merge_campaign
    spec = yaml.safe_load(MINI_SPEC.read_text(encoding="utf-8"))
    next(s for s in spec["sheets"] if s["id"] == "ledger")["name"] = "SUMMARY"
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    campaign = create_campaign(tmp_path / "c", str(path), roster_csv, year=2026)
    merge_campaign(campaign, "en")
    names = openpyxl.load_workbook(campaign.out / "consolidated.xlsx").sheetnames
    assert names[0] == "Summary" and "SUMMARY_2" in names


@pytest.mark.parametrize("name, problem", [("'组'", "apostrophe"), ("组'", "apostrophe"), ("History", "History"),
                                           ("𠀀" * 16, "32 characters"), ("a\x07b", "character")])
def test_the_spec_check_refuses_what_excel_refuses_with_the_key_path(tmp_path, name, problem):
    import yaml
    from conftest import MINI_SPEC
    from typer.testing import CliRunner

    from toolkit.cli.commands import app
    spec = yaml.safe_load(MINI_SPEC.read_text(encoding="utf-8"))
    spec["sheets"][1]["name"] = name
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["describe", str(path)])
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert "sheets[1].name" in message and problem in message and "Traceback" not in result.output
    assert "Excel 接受的工作表名称" in message  # in Chinese first, the English below


def test_a_long_unit_name_gets_its_feedback_workbook(tmp_path):
    from conftest import MINI_SPEC, write_roster
    from test_validate import run, submit

    from toolkit.campaign.folder import create_campaign
    from toolkit.feedback.workbooks import feedback_names, write_feedback
    from toolkit.generate.outbox import generate_outbox
    units = [("U001", "第一党支部", "g", "c", "1"), ("U002", LONG_NAME + "第二党支部", "g", "c", "2")]
    campaign = create_campaign(tmp_path / "c", str(MINI_SPEC), write_roster(tmp_path / "r.csv", units), year=2026)
    generate_outbox(campaign, workers=1)
    result = run(campaign, submit(campaign, tmp_path, changes={("考核指标", "F5"): 70}))
    index = write_feedback(campaign, result)
    name = feedback_names(campaign.roster().units)["U002"]
    assert [r["file"] for r in index] == [name] and (campaign.feedback / name).is_file()
    assert fits(name) and name.startswith("U002_中共") and name.endswith("…_退回修改.xlsx")
