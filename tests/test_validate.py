"""Validation: every bad input gets its exact issue code at its exact cell, end to end.

Each test fills a unit's generated workbook the way a user would (openpyxl, like Excel),
collects it into the campaign and validates; the issue is asserted by (code, sheet, cell).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import DEFAULT_UNITS, outbox_file, write_roster

from toolkit.campaign.folder import create_campaign
from toolkit.codes import Words
from toolkit.generate.outbox import generate_outbox
from toolkit.read.collect import collect
from toolkit.read.reader import CellValue, Submission
from toolkit.validate.checks import Issue
from toolkit.validate.stage import ISSUE_COLUMNS, build_return, issue_message, validate_campaign

# A complete, correct return of the mini spec: no issue at all.
GOOD = {
    ("基本信息", "C6"): 30, ("基本信息", "C7"): 2, ("基本信息", "C9"): 85, ("基本信息", "C10"): "是",
    ("基本信息", "C11"): "甲", ("基本信息", "C12"): dt.date(2026, 3, 1),
    ("考核指标", "F5"): 50, ("考核指标", "G5"): "会议记录", ("考核指标", "F6"): 30, ("考核指标", "F8"): 1,
    ("考核指标", "G8"): "表彰文件", ("考核指标", "F10"): "否",
    ("台账", "B4"): "组织生活不规范", ("台账", "C4"): "已完成", ("台账", "D4"): dt.date(2026, 5, 1),
}
BLANK = object()  # a change that leaves the cell empty


class Text(str):
    """A value typed as text even where openpyxl would write a formula or an error ("=1+1", "#N/A")."""


def submit(campaign, tmp_path: Path, unit: str = "U002", changes: dict | None = None, edit=None,
           name: str | None = None, values: dict | None = None) -> Path:
    """A unit's workbook filled with GOOD plus *changes*, then *edit*ed (rows, sheets), saved as a return."""
    src = outbox_file(campaign, unit)
    wb = openpyxl.load_workbook(src)
    for (sheet, ref), value in {**(GOOD if values is None else values), **(changes or {})}.items():
        cell = wb[sheet][ref]
        cell.value = None if value is BLANK else str(value) if isinstance(value, Text) else value
        if isinstance(value, Text):
            cell.data_type = "s"
    if edit:
        edit(wb)
    dst = tmp_path / "returns" / (name or src.name)
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


def run(campaign, *paths: Path, lang: str = "zh"):
    collect(campaign, [str(p) for p in paths], workers=1)
    return validate_campaign(campaign, lang)


def found(result, unit: str = "U002") -> set[tuple[str, str, str]]:
    """(code, sheet, cell) of every issue of *unit*."""
    return {(r["code"], r["sheet"], r["cell"]) for r in result.rows if r["unit_code"] == unit}


def the_return(result, unit: str = "U002"):
    """The checked Return of *unit* (found by its unit code cell)."""
    return next(r for r in result.returns.values() if r.entries[("unit_code", None)].raw == unit)


def value_of(result, field_id: str, row: int | None = None, unit: str = "U002"):
    return the_return(result, unit).entries[(field_id, row)].value


# --------------------------------------------------------------------------- the good case


def test_a_correct_return_has_no_issues(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C6"): "30人"}))
    assert found(result) == set()
    assert result.per_file and list(result.per_file.values()) == [(0, 0)]
    assert value_of(result, "members") == 30  # "30人" read as 30
    assert value_of(result, "formal") == 28


# --------------------------------------------------------------------------- structure


def test_missing_sheet(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, edit=lambda wb: wb.remove(wb["台账"])))
    assert found(result) == {("structure.sheet_missing", "台账", "")}
    row = next(r for r in result.rows if r["code"] == "structure.sheet_missing")
    assert row["severity"] == "error"


def test_renamed_sheet_is_found_by_its_content_and_read(campaign, tmp_path):
    def rename(wb):
        wb["基本信息"].title = "基本情况"
    result = run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C6"): 31}, edit=rename))
    assert found(result) == {("structure.sheet_renamed", "基本情况", "")}
    assert next(r for r in result.rows if r["code"] == "structure.sheet_renamed")["severity"] == "warning"
    assert value_of(result, "members") == 31
    entry = the_return(result).entries[("members", None)]
    assert (entry.sheet, entry.cell) == ("基本情况", "C6")


def test_deleted_item_row(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, edit=lambda wb: wb["考核指标"].delete_rows(6)))
    assert found(result) == {("structure.item_missing", "考核指标", "")}
    row = next(r for r in result.rows if r["code"] == "structure.item_missing")
    assert (row["field"], row["severity"]) == ("a1_2", "error")
    assert ("a1_2.self_score", None) not in the_return(result).entries


def test_inserted_row_does_not_shift_values(campaign, tmp_path):
    def insert(wb):
        ws = wb["考核指标"]
        ws.insert_rows(6)
        ws["C6"], ws["F6"] = "自行增加的工作", 9
    result = run(campaign, submit(campaign, tmp_path, edit=insert))
    assert found(result) == {("structure.row_inserted", "考核指标", "B6")}
    ret = the_return(result)
    assert ret.entries[("a1_1.self_score", None)].value == 50
    after = ret.entries[("a1_2.self_score", None)]
    assert (after.value, after.cell) == (30, "F7")  # the item after the inserted row keeps its score
    assert next(r for r in result.rows if r["code"] == "structure.row_inserted")["severity"] == "warning"


def test_rows_added_after_the_last_item_or_below_the_table_are_reported(campaign, tmp_path):
    def add(wb):
        ws = wb["考核指标"]
        ws.insert_rows(11)  # between the last item (v.1) and the total
        ws["C11"], ws["F11"] = "其他违纪情况", "是"
        ws["B14"] = "填报人：张三"  # a note below the table
    result = run(campaign, submit(campaign, tmp_path, edit=add))
    assert found(result) == {("structure.row_inserted", "考核指标", "B11"), ("structure.row_inserted", "考核指标", "B14")}
    assert value_of(result, "v_1.occurred") is False  # the item above keeps its own answer


def test_a_cleared_key_column_makes_no_template_row_look_inserted(campaign, tmp_path):
    def clear(wb):
        ws = wb["考核指标"]
        for r in range(4, 12):
            ws.cell(r, 1).value = None
    result = run(campaign, submit(campaign, tmp_path, changes={("考核指标", "F8"): 3.0}, edit=clear))
    assert not {code for code, _, _ in found(result)} & {"structure.row_inserted", "structure.item_missing"}
    assert value_of(result, "b_1.self_score") == 3


@pytest.mark.parametrize("sheet, cell, text, field", [
    ("基本信息", "B6", "党员总人数", "members"),
    ("考核指标", "C5", "内容一（已修改）", "a1_1"),
])
def test_edited_label(campaign, tmp_path, sheet, cell, text, field):
    result = run(campaign, submit(campaign, tmp_path, changes={(sheet, cell): text}))
    assert found(result) == {("structure.label_edited", sheet, cell)}
    row = result.rows[0]
    assert (row["field"], row["severity"]) == (field, "warning")
    assert value_of(result, "members") == 30 and value_of(result, "a1_1.self_score") == 50


def test_extra_column_in_a_table(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, changes={("台账", "E3"): "备注", ("台账", "E4"): "另附"}))
    assert found(result) == {("structure.extra_column", "台账", "E3")}
    assert value_of(result, "problem", 1) == "组织生活不规范"


def test_a_column_inserted_in_the_form_moves_no_value(campaign, tmp_path):
    """The unit adds "上年数" before 填报内容: values are read under their header, the column is reported."""
    def insert(wb):
        ws = wb["基本信息"]
        ws.insert_cols(3)
        ws["C3"], ws["C6"], ws["C7"] = "上年数", 25, 1
    result = run(campaign, submit(campaign, tmp_path, edit=insert))
    assert found(result) == {("structure.extra_column", "基本信息", "C3")}
    assert (value_of(result, "members"), value_of(result, "prob")) == (30, 2)
    assert the_return(result).entries[("members", None)].cell == "D6"


def test_extra_column_in_a_checklist(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, changes={("考核指标", "K3"): "说明", ("考核指标", "K5"): "另附"}))
    assert found(result) == {("structure.extra_column", "考核指标", "K3")}
    assert value_of(result, "a1_1.self_score") == 50


def test_deleted_form_row_is_field_missing(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, edit=lambda wb: wb["基本信息"].delete_rows(7)))
    assert found(result) == {("structure.field_missing", "基本信息", "")}
    row = result.rows[0]
    assert (row["field"], row["severity"]) == ("prob", "error")
    assert value_of(result, "members") == 30  # rows below the deleted one are still found by key


def test_deleted_table_header(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, edit=lambda wb: wb["台账"].delete_rows(3)))
    assert found(result) == {("structure.header_missing", "台账", "")}


# --------------------------------------------------------------------------- values (mini spec)


@pytest.mark.parametrize("sheet, cell, typed, code, severity, field, value", [
    ("基本信息", "C6", BLANK, "value.required", "error", "members", None),
    ("基本信息", "C7", -1, "value.out_of_range", "error", "prob", -1),
    ("基本信息", "C9", 150, "value.out_of_range", "error", "rate", 150),
    ("考核指标", "F5", 70, "value.score_over_max", "error", "a1_1.self_score", 70),
    ("基本信息", "C6", "约12", "value.not_a_number", "error", "members", None),
    ("基本信息", "C6", 12.5, "value.not_an_integer", "error", "members", None),
    ("基本信息", "C12", "去年三月", "value.not_a_date", "error", "elected", None),
    ("台账", "D4", "下个月", "value.not_a_date", "error", "closed_on[1]", None),
    ("基本信息", "C10", "也许", "value.not_a_bool", "error", "held", None),
    ("基本信息", "C11", "己", "value.not_a_choice", "error", "kind", None),
    ("基本信息", "C6", Text("#N/A"), "value.error_cell", "error", "members", None),
    ("基本信息", "C6", "三十", "value.chinese_numeral", "warning", "members", 30),
    ("基本信息", "C9", 0.85, "value.percent_ambiguous", "warning", "rate", 85),
    ("基本信息", "C7", 50, "rule.failed", "error", "prob", 50),
])
def test_value_issue(campaign, tmp_path, sheet, cell, typed, code, severity, field, value):
    result = run(campaign, submit(campaign, tmp_path, changes={(sheet, cell): typed}))
    assert found(result) == {(code, sheet, cell)}
    row = result.rows[0]
    assert (row["field"], row["severity"]) == (field, severity)
    fid, _, n = field.partition("[")
    assert value_of(result, fid, int(n[:-1]) if n else None) == value


@pytest.mark.parametrize("stored, number_format, found_issues, value", [
    (1.05, "0%", {("value.out_of_range", "基本信息", "C9")}, 105),   # typed 105% in Excel
    (0.95, "0%", set(), 95),                                        # typed 95%: no doubt to warn about
    (0.125, "0.0%", set(), 12.5),
    (1, '0"%"', {("value.percent_ambiguous", "基本信息", "C9")}, 100),  # a quoted % is text: 1, read as before
])
def test_a_percent_formatted_cell_is_read_as_the_percentage_shown(campaign, tmp_path, stored, number_format,
                                                                  found_issues, value):
    def percent(wb):
        wb["基本信息"]["C9"].number_format = number_format
    result = run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C9"): stored}, edit=percent))
    assert found(result) == found_issues
    assert value_of(result, "rate") == value


@pytest.mark.parametrize("typed", ["   ", "\u3000", "\u200b"])
def test_a_required_cell_holding_only_spaces_is_not_filled(campaign, tmp_path, typed):
    result = run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C6"): typed}))
    assert found(result) == {("value.required", "基本信息", "C6")}


def test_a_started_table_row_needs_its_required_cells(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, changes={("台账", "B5"): BLANK, ("台账", "C5"): "整改中"}))
    assert found(result) == {("value.required", "台账", "B5")}
    assert result.rows[0]["field"] == "problem[2]"


def test_rule_failed_message_is_the_rule_message(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C7"): 50}))
    assert "预备党员不能多于党员" in result.rows[0]["message"]


def test_formula_error_cell_is_reported_not_lost(campaign, tmp_path):
    """python-calamine reads error cells as empty; the reader puts the cached error text back from
    the sheet XML, so a #DIV/0! in a field is value.error_cell (required or optional alike)."""
    path = submit(campaign, tmp_path, changes={("基本信息", "C6"): "=1/0"})
    set_cell_xml(path, "基本信息", "C6", '<f>1/0</f><v>#DIV/0!</v>', t="e")
    assert re.search(r't="e"><f>1/0</f><v>#DIV/0!</v>', _sheet_xml(path, "基本信息"))
    result = run(campaign, path)
    assert found(result) == {("value.error_cell", "基本信息", "C6")}
    assert result.rows[0]["value"] == "#DIV/0!"


def test_error_cell_raw_value_in_build_return(campaign):
    """Should a reader hand over the error text, build_return reports value.error_cell at its cell."""
    spec = campaign.template()
    sub = Submission("mini", "1", values=[
        CellValue("basic", "members", None, "基本信息", "C6", "#DIV/0!"),
        CellValue("basic", "prob", None, "基本信息", "C7", 2),
    ])
    ret = build_return(spec, sub)
    assert [(i.code, i.sheet, i.cell, i.field) for i in ret.parse_issues] == [
        ("value.error_cell", "基本信息", "C6", "members")]
    assert ret.entries[("members", None)].value is None


# --------------------------------------------------------------------------- computed fields


def test_computed_field_is_recomputed_not_taken_from_a_typed_number(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C8"): 999}))
    formal = the_return(result).entries[("formal", None)]
    assert formal.raw == 999 and formal.value == 28
    assert found(result) == set()


def test_computed_field_ignores_a_stale_cached_value(campaign, tmp_path):
    path = submit(campaign, tmp_path)
    formula = "('基本信息'!$C$6-'基本信息'!$C$7)"
    set_cell_xml(path, "基本信息", "C8", f"<f>{formula}</f><v>999</v>")
    spec = campaign.template()
    from toolkit.read.locate import extract
    from toolkit.read.reader import read_workbook
    sub = extract(spec, read_workbook(path.read_bytes(), "xlsx"))
    assert next(v.raw for v in sub.values if v.field_id == "formal") == 999  # the stale cache is read …
    ret = build_return(spec, sub, campaign.period)
    assert ret.entries[("formal", None)].value == 28                       # … and ignored


# --------------------------------------------------------------------------- checks needing other spec keys

CHECKS_SPEC = """\
id: checks
version: "1"
title: 检查表
sheets:
  - id: basic
    kind: form
    name: 基本信息
    fields:
      - {id: unit_code, label: 单位代码, prefill: unit_code}
      - {id: unit_name, label: 单位名称, prefill: unit_name}
      - {id: phone, label: 联系电话, pattern: '^1[3-9]\\d{9}$', pattern_hint: 11位手机号码}
      - {id: meeting_on, label: 会议日期, type: date, in_period: true}
      - {id: members, label: 党员人数, type: int, min: 0}
      - {id: cadres, label: 干部人数, type: int, min: 0}
  - id: check
    kind: checklist
    name: 考核指标
    columns:
      - {id: self_score, label: 自评分, type: score, required: true}
      - {id: evidence, label: 佐证材料, required_if: "self_score > 0"}
    areas:
      - id: a1
        title: 一
        items:
          - {id: a1_1, content: 内容一, standard: 标准一, max: 10}
  - id: ledger
    kind: table
    name: 台账
    rows: 5
    key: [item_no]
    columns:
      - {id: item_no, label: 编号, required: true}
      - {id: status, label: 状态, type: choice, choices: [整改中, 已完成]}
      - {id: closed_on, label: 完成时间, type: date}
    row_rules:
      - {id: closed_needs_date, expr: "status != '已完成' or filled(closed_on)", message: 已完成的事项须填写完成时间}
rules:
  - {id: cadres_le, expr: "cadres <= members", message: 干部人数多于党员人数, severity: warning, fields: [cadres]}
"""
CHECKS_GOOD = {
    ("基本信息", "C6"): "13800000000", ("基本信息", "C7"): dt.date(2026, 6, 1), ("基本信息", "C8"): 30,
    ("基本信息", "C9"): 3, ("考核指标", "F5"): 8, ("考核指标", "G5"): "会议记录",
    ("台账", "B4"): "Z-1", ("台账", "C4"): "已完成", ("台账", "D4"): dt.date(2026, 7, 1),
    ("台账", "B5"): "Z-2", ("台账", "C5"): "整改中",
}


@pytest.fixture
def checks_campaign(tmp_path):
    spec = tmp_path / "checks.yaml"
    spec.write_text(CHECKS_SPEC, encoding="utf-8")
    roster = write_roster(tmp_path / "roster.csv", DEFAULT_UNITS)
    c = create_campaign(tmp_path / "checks-camp", str(spec), roster, year=2026,
                        extra={"period_start": "2026-01-01", "period_end": "2026-12-31"})
    generate_outbox(c, workers=1)
    return c


def test_checks_spec_good_return_is_clean(checks_campaign, tmp_path):
    result = run(checks_campaign, submit(checks_campaign, tmp_path, values=CHECKS_GOOD))
    assert found(result) == set()


@pytest.mark.parametrize("changes, code, severity, sheet, cell, field", [
    ({("基本信息", "C6"): "1380000"}, "value.pattern_mismatch", "error", "基本信息", "C6", "phone"),
    ({("基本信息", "C7"): dt.date(2025, 12, 31)}, "value.date_out_of_period", "warning", "基本信息", "C7",
     "meeting_on"),
    ({("考核指标", "G5"): BLANK}, "value.evidence_required", "error", "考核指标", "G5", "a1_1.evidence"),
    ({("台账", "B5"): "Z-1"}, "table.duplicate_key", "error", "台账", "B5", "item_no[2]"),
    ({("基本信息", "C9"): 40}, "rule.warning", "warning", "基本信息", "C9", "cadres"),
    ({("台账", "D4"): BLANK}, "rule.failed", "error", "台账", "D4", "closed_on[1]"),
])
def test_checks_spec_issue(checks_campaign, tmp_path, changes, code, severity, sheet, cell, field):
    result = run(checks_campaign, submit(checks_campaign, tmp_path, values=CHECKS_GOOD, changes=changes))
    assert found(result) == {(code, sheet, cell)}
    row = result.rows[0]
    assert (row["field"], row["severity"]) == (field, severity)


@pytest.mark.parametrize("evidence", ["无", "/", "——", " 暂无。", "N/A", "-", "...", "。。。", "…"])
def test_a_placeholder_is_no_evidence(checks_campaign, tmp_path, evidence):
    result = run(checks_campaign, submit(checks_campaign, tmp_path, values=CHECKS_GOOD,
                                         changes={("考核指标", "G5"): evidence}))
    assert found(result) == {("value.evidence_required", "考核指标", "G5")}
    assert result.rows[0]["value"] == evidence
    assert "self_score" not in result.rows[0]["message"]  # no raw expression shown to the unit


@pytest.mark.parametrize("typed", ["Z-1", "Ｚ－１ ", "z-1"])
def test_a_duplicate_key_is_found_however_typed_and_names_the_first_row(checks_campaign, tmp_path, typed):
    result = run(checks_campaign, submit(checks_campaign, tmp_path, values=CHECKS_GOOD, changes={("台账", "B5"): typed}))
    assert found(result) == {("table.duplicate_key", "台账", "B5")}
    assert "与 台账!B4 重复" in result.rows[0]["message"] and "row" not in result.rows[0]["message"]


def test_no_evidence_needed_for_a_zero_score(checks_campaign, tmp_path):
    changes = {("考核指标", "F5"): 0, ("考核指标", "G5"): BLANK}
    result = run(checks_campaign, submit(checks_campaign, tmp_path, values=CHECKS_GOOD, changes=changes))
    assert found(result) == set()


# --------------------------------------------------------------------------- messages


def test_message_names_cell_label_and_fix_in_chinese_and_english(campaign, tmp_path):
    path = submit(campaign, tmp_path, changes={("基本信息", "C6"): "约12", ("考核指标", "F5"): 70.0})
    zh = {r["code"]: r["message"] for r in run(campaign, path).rows}
    assert zh["value.not_a_number"] == "基本信息!C6「党员人数」：不是有效数字（填写的是：约12）。请填写阿拉伯数字，如 12"
    assert "考核指标!F5" in zh["value.score_over_max"] and "自评分" in zh["value.score_over_max"]
    assert "填写的是：70）" in zh["value.score_over_max"] and "≤ 60" in zh["value.score_over_max"]
    en = {r["code"]: r["message"] for r in validate_campaign(campaign, "en").rows}
    assert en["value.not_a_number"] == "基本信息!C6 '党员人数': Not a number (typed: 约12). Type a number such as 12"
    assert "Score above the maximum (typed: 70)" in en["value.score_over_max"]


def test_issue_message_for_an_issue_without_a_cell():
    issue = Issue("structure.sheet_missing", "error", sheet="台账", field="", params={"sheet_id": "ledger"})
    assert issue_message(issue) == "台账：缺少工作表（ledger）。请使用下发的模板，不要删除工作表"
    assert issue_message(issue, "en") == "台账: Sheet missing — ledger. Use the issued template; do not delete sheets"


def test_english_messages_use_the_english_label_and_end_cleanly():
    issue = Issue("rule.failed", "error", sheet="基本信息", cell="C7", field="prob", label="预备党员",
                  value=50, params={"message": Words("预备党员不能多于党员.", "probationary members exceed members.")},
                  label_en="Probationary members")
    assert issue_message(issue, "en") == ("基本信息!C7 'Probationary members': Values contradict each other (typed: 50)"
                                          " — probationary members exceed members. Check the related values")
    assert "「预备党员」" in issue_message(issue)


def test_an_issue_carries_the_fields_english_label():
    from toolkit.spec.load import find_template
    from toolkit.validate.stage import check_return
    spec = find_template("annual-assessment")
    field = next(f for sh in spec.sheets for f in sh.fields if f.label_en and f.type == "int")
    sub = Submission(spec.id, spec.version, [CellValue("basic", field.id, None, "基本信息", "C9", "约12")])
    issue = next(i for i in check_return(build_return(spec, sub)) if i.field == field.id)
    assert (issue.label, issue.label_en) == (field.label, field.label_en)
    assert f"'{field.label_en}'" in issue_message(issue, "en")


def test_a_condition_is_shown_with_labels_not_expressions():
    from toolkit.spec.load import find_template
    from toolkit.validate.stage import check_return
    spec = find_template("annual-assessment")
    sheet = next(sh for sh in spec.sheets for a in sh.areas if a.kind == "veto")
    area = next(a for a in sheet.areas if a.kind == "veto")
    item, note = area.items[0], next(c for c in area.columns if c.required_if)
    occurred = next(c for c in area.columns if c.id == "occurred")
    sub = Submission(spec.id, spec.version, [
        CellValue(sheet.id, f"{item.id}.occurred", None, sheet.name, "F41", "是"),
        CellValue(sheet.id, f"{item.id}.{note.id}", None, sheet.name, "G41", None)])
    issue = next(i for i in check_return(build_return(spec, sub)) if i.field == f"{item.id}.{note.id}")
    assert issue.code == "value.required"
    assert (issue.detail, issue.detail_en) == (f"条件：「{occurred.label}」 为 是", f"when '{occurred.label_en}' is yes")


def test_a_computed_value_out_of_range_points_at_its_inputs():
    from toolkit.spec.load import find_template
    from toolkit.validate.stage import check_return
    spec = find_template("inspection-survey")
    rate = next(f for sh in spec.sheets for f in sh.fields if f.formula and "problems_rectified" in f.formula)
    sheet = next(sh for sh in spec.sheets if rate in sh.fields)
    sub = Submission(spec.id, spec.version, [CellValue(sheet.id, fid, None, sheet.name, "C9", raw) for fid, raw in
                                             (("problems_found", 5), ("problems_rectified", 9), (rate.id, None))])
    issue = next(i for i in check_return(build_return(spec, sub)) if i.field == rate.id)
    assert issue.code == "value.out_of_range" and issue_message(issue).count("请核对参与计算的数据") == 1
    assert "computed: check the values it is computed from" in issue_message(issue, "en")


def test_rule_message_in_english_falls_back_to_the_rule_text(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C7"): 50}), lang="en")
    assert result.rows[0]["message"].startswith("基本信息!C7 '预备党员': Values contradict each other (typed: 50)")


# --------------------------------------------------------------------------- outputs and CLI


def test_issues_csv_has_exactly_the_contract_columns_with_bom(campaign, tmp_path):
    run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C6"): "约12"}))
    data = (campaign.out / "issues.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == ISSUE_COLUMNS == (
        "unit_code", "source", "sha256", "sheet", "cell", "field", "code", "severity", "value", "message")
    assert rows[1][:2] == ["U002", str(tmp_path / "returns" / outbox_file(campaign, "U002").name)]
    assert rows[1][3:9] == ["基本信息", "C6", "members", "value.not_a_number", "error", "约12"]


def test_issues_csv_keeps_typed_formula_text_as_text(campaign, tmp_path):
    run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C6"): Text("=1+1")}))
    rows = list(csv.DictReader((campaign.out / "issues.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["code"], r["cell"], r["value"]) for r in rows] == [("value.not_a_number", "C6", "'=1+1")]


def _cli(*args):
    from typer.testing import CliRunner

    from toolkit.cli.commands import app
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def test_cli_validate_json_counts_per_code_and_status_shows_faulty(campaign, tmp_path):
    bad = submit(campaign, tmp_path, changes={("基本信息", "C6"): "约12", ("基本信息", "C10"): "也许",
                                              ("基本信息", "C11"): "己"})
    good = submit(campaign, tmp_path, unit="U001")
    collect(campaign, [str(bad), str(good)], workers=1)
    summary = json.loads(_cli("validate", campaign.dir, "--json").stdout)
    assert summary["codes"] == {"value.not_a_bool": 1, "value.not_a_choice": 1, "value.not_a_number": 1}
    assert (summary["returns"], summary["faulty"], summary["errors"], summary["warnings"]) == (2, 1, 3, 0)
    status = json.loads(_cli("status", campaign.dir, "--json").stdout)
    assert status["faulty"] == ["U002"] and status["missing"] == ["U003"]
    assert status["state"] == {"accepted": 1, "faulty": 1, "missing": 1}
    rows = {r["unit_code"]: r for r in csv.DictReader(
        (campaign.out / "status.csv").read_text(encoding="utf-8-sig").splitlines())}
    assert (rows["U002"]["state"], rows["U002"]["errors"]) == ("faulty", "3")
    assert rows["U001"]["state"] == "accepted"
    table = _cli("status", campaign.dir).stdout
    assert "需退回修改" in table


def test_validate_twice_changes_nothing(campaign, tmp_path):
    run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C6"): "约12"}))
    first = (campaign.out / "issues.csv").read_bytes()
    validate_campaign(campaign)
    assert (campaign.out / "issues.csv").read_bytes() == first


# --------------------------------------------------------------------------- xml helpers


def _sheet_part(path: Path, sheet: str) -> str:
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"  # openpyxl's own part names


def _sheet_xml(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(_sheet_part(path, sheet)).decode("utf-8")


def set_cell_xml(path: Path, sheet: str, ref: str, inner: str, t: str | None = None) -> None:
    """Rewrite one cell of an openpyxl-saved workbook as Excel would store it (e.g. a cached value)."""
    part = _sheet_part(path, sheet)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    xml = members[part].decode("utf-8")
    pattern = re.compile(rf'<c r="{ref}"(?P<attrs>[^>]*?)(/>|>.*?</c>)', re.S)
    match = pattern.search(xml)
    assert match, f"{ref} not in {part}"
    style = re.search(r'\ss="\d+"', match.group("attrs"))
    attrs = (style.group(0) if style else "") + (f' t="{t}"' if t else "")
    xml = xml[:match.start()] + f'<c r="{ref}"{attrs}>{inner}</c>' + xml[match.end():]
    members[part] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
