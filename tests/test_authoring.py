"""Write a template in Excel: spec → authoring workbook → spec round trips, the blank workbooks of each
kind, workbooks re-saved by LibreOffice (.xlsx and .xls), and the implied scoring scheme."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml
from clirun import cli

from toolkit.authoring import KINDS, blank_workbook, read_spec_workbook, spec_to_workbook, workbook_to_spec
from toolkit.authoring.examples import EXAMPLES
from toolkit.score.scheme import load_scheme
from toolkit.spec.load import bundled_templates, find_template, load_spec
from toolkit.spec.parse import parse_spec

FIXTURES = Path(__file__).parent / "fixtures" / "authoring"


@pytest.mark.parametrize("spec", bundled_templates(), ids=lambda s: s.id)
def test_every_bundled_template_survives_the_round_trip(spec, tmp_path):
    book = spec_to_workbook(spec.id, tmp_path / "t.xlsx")
    written = workbook_to_spec(book, tmp_path / "t.yaml")
    assert load_spec(tmp_path / "t.yaml") == spec
    assert written["scheme"] is None  # a spec naming its scheme keeps it, no scheme is invented


@pytest.mark.parametrize("spec", bundled_templates(), ids=lambda s: s.id)
def test_the_round_trip_holds_in_an_english_workbook(spec, tmp_path):
    book = spec_to_workbook(spec.id, tmp_path / "t.xlsx", lang="en")
    assert openpyxl.load_workbook(book).sheetnames == ["Guide", "Template", "Sheets", "Fields", "Indicators",
                                                       "Rules", "Summary", "Grades"]
    spec_back = read_spec_workbook(book, "en").spec
    assert spec_back == spec


def test_the_cli_round_trip_of_the_annual_assessment(tmp_path):
    made = cli("spec-to-xlsx", "annual-assessment", "-o", tmp_path / "a.xlsx")
    assert made.returncode == 0, made.stderr
    assert "已写出模板编写工作簿" in made.stdout
    back = cli("spec-from-xlsx", tmp_path / "a.xlsx", "-o", tmp_path / "a.yaml", "--json")
    assert back.returncode == 0, back.stderr
    assert load_spec(tmp_path / "a.yaml") == find_template("annual-assessment")
    raw = yaml.safe_load((tmp_path / "a.yaml").read_text(encoding="utf-8"))
    assert list(raw)[:4] == ["id", "version", "title", "title_en"]  # written as a person would


def test_the_authoring_workbook_has_a_sheet_per_part_dropdowns_and_rows_for_each_thing(tmp_path):
    book = openpyxl.load_workbook(spec_to_workbook("annual-assessment", tmp_path / "a.xlsx"))
    assert book.sheetnames == ["使用说明", "模板", "工作表", "字段", "考核指标", "规则", "汇总", "等次"]
    fields = book["字段"]
    assert [c.value for c in fields[1]][:6] == ["工作表", "指标区", "编号", "名称", "英文名称", "类型"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in fields.data_validations.dataValidation}
    assert '"文本,整数,数字,百分比,日期,是否,选项,得分"' in lists.values()
    items = book["考核指标"]
    titles = [r[2].value for r in items.iter_rows(min_row=2) if r[2].value]
    assert titles[0].startswith("一、") and "加分项" in "".join(titles) and "一票否决" in "".join(titles)
    assert book["模板"]["B2"].value == "annual-assessment"


@pytest.mark.parametrize("kind", KINDS)
def test_a_blank_workbook_holds_a_working_example_of_its_kind(kind, tmp_path):
    made = cli("spec-template", tmp_path / f"{kind}.xlsx", "--kind", kind)
    assert made.returncode == 0, made.stderr
    written = workbook_to_spec(tmp_path / f"{kind}.xlsx", tmp_path / f"{kind}.yaml")
    spec = load_spec(tmp_path / f"{kind}.yaml")
    example = parse_spec(EXAMPLES[kind], "x")
    assert spec.sheets == example.sheets and spec.rules == example.rules and spec.summary == example.summary
    assert (written["scheme"] is not None) == (kind == "checklist")  # points given: a scheme


def test_an_unknown_kind_is_a_usage_error(tmp_path):
    made = cli("spec-template", tmp_path / "x.xlsx", "--kind", "quiz")
    assert made.returncode == 2
    assert "checklist" in made.stderr and not (tmp_path / "x.xlsx").exists()


def test_points_and_grades_give_a_scoring_scheme_that_loads_with_the_spec(tmp_path):
    blank_workbook(tmp_path / "c.xlsx", "checklist")
    book = openpyxl.load_workbook(tmp_path / "c.xlsx")
    book["等次"]["B2"] = 85  # 优秀 from 85
    book.save(tmp_path / "c.xlsx")
    written = workbook_to_spec(tmp_path / "c.xlsx", tmp_path / "mine.yaml")
    assert written["scheme"] == str(tmp_path / "mine-scoring.yaml")
    spec = load_spec(tmp_path / "mine.yaml")
    assert spec.scoring == "mine-scoring.yaml"
    scheme = load_scheme(tmp_path / "mine-scoring.yaml")
    assert scheme.template == spec.id and scheme.max_total == 100 and scheme.bonus_max == 3
    assert [(g.grade, g.min) for g in scheme.grades][:2] == [("优秀", 85), ("良好", 80)]
    assert [i.rule for i in scheme.indicators][-2:] == ["bonus", "veto"]


def test_init_finds_the_scheme_beside_a_spec_written_elsewhere(tmp_path):
    from conftest import write_roster

    from toolkit.campaign.folder import create_campaign
    blank_workbook(tmp_path / "c.xlsx", "checklist")
    workbook_to_spec(tmp_path / "c.xlsx", tmp_path / "specs" / "mine.yaml")
    roster = write_roster(tmp_path / "roster.csv", [("U1", "一支部", "g", "", "")])
    campaign = create_campaign(tmp_path / "camp", str(tmp_path / "specs" / "mine.yaml"), roster, year=2026)
    assert Path(campaign.scoring) == (tmp_path / "specs" / "mine-scoring.yaml").resolve()
    assert load_scheme(campaign.scoring, campaign.dir).template == "my-assessment"


@pytest.mark.parametrize("name", ["authoring-ledger.xlsx", "authoring-ledger.xls"])
def test_a_workbook_saved_by_libreoffice_reads_back_to_the_same_spec(name):
    spec = read_spec_workbook(FIXTURES / name).spec
    assert spec == find_template("rectification-ledger")


@pytest.mark.parametrize("name", ["authoring-checklist.xlsx", "authoring-checklist.xls"])
def test_a_blank_workbook_saved_by_libreoffice_reads_back_with_its_grades(name, tmp_path):
    spec, _, grades, _ = read_spec_workbook(FIXTURES / name)
    example = parse_spec(EXAMPLES["checklist"], "x")
    assert spec.sheets == example.sheets and spec.rules == example.rules
    assert grades[0] == {"grade": "优秀", "min": 90, "quota": 0.15}
    written = workbook_to_spec(FIXTURES / name, tmp_path / "c.yaml")
    assert written["scheme"] and load_scheme(written["scheme"]).max_total == 100


def test_the_authoring_workbook_prints_one_page_wide_with_its_header_on_every_page(tmp_path):
    book = openpyxl.load_workbook(blank_workbook(tmp_path / "c.xlsx", "checklist"))
    for name in ("模板", "工作表", "字段", "考核指标", "规则", "汇总", "等次"):
        ws = book[name]
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.page_setup.fitToWidth in (None, 1) and int(ws.page_setup.fitToHeight) == 0, name  # 1 wide, any tall
        assert ws.print_title_rows == "$1:$1", name
