"""Control characters in typed text (a line break pasted from Word, which Excel stores as _x000B_)
stop nothing: values.csv keeps the text as read, and every workbook the toolkit writes holds it
legally (toolkit.output.xlsxfile.cell_text)."""

from __future__ import annotations

import csv

import openpyxl
import pytest
from conftest import fill_by_name, outbox_file, write_roster
from test_validate import set_cell_xml, submit
from test_validate_faults import ANNUAL_GOOD

from toolkit.campaign.folder import create_campaign
from toolkit.generate.outbox import generate_outbox
from toolkit.output.xlsxfile import cell_text, new_workbook, write_table

TYPED = "组织生活\x0b不规范\x01"          # what the reader gives for 组织生活_x000B_不规范_x0001_
SHOWN = "组织生活\n不规范\u2401"          # what the workbooks show


@pytest.mark.parametrize("text, shown", [
    (TYPED, SHOWN), ("clean text", "clean text"), ("a\tb\nc\r\nd", "a\tb\nc\r\nd"), ("\x00\x1f", "\u2400\u241f"),
    ("page\x0cbreak", "page\nbreak"), ("\ufffe\uffff", "\ufffd\ufffd"), ("lone \ud800", "lone \ufffd"),
])
def test_cell_text(text, shown):
    assert cell_text(text) == shown


def test_every_xlsxwriter_path_writes_legal_text(tmp_path):
    """write_table, write, write_row, merge_range and comments all pass through cell_text."""
    path = tmp_path / "t.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("t")
    end = write_table(wb, ws, ["单位", "说明"], [["第二\x0b党支部", TYPED]], title="标题\x01")
    ws.write(end, 0, TYPED)
    ws.write_row(end + 1, 0, [TYPED, "=1+1\x0b"])
    ws.merge_range(end + 2, 0, end + 2, 1, TYPED)
    ws.write_comment(end + 3, 0, TYPED)
    wb.close()
    cells = [c.value for row in openpyxl.load_workbook(path)["t"].iter_rows() for c in row if c.value]
    assert cells == ["标题\u2401", "单位", "说明", "第二\n党支部", SHOWN, SHOWN, SHOWN, "=1+1\n", SHOWN]
    assert openpyxl.load_workbook(path)["t"].cell(end + 4, 1).comment.text == SHOWN


def _cli(*args, code: int = 0):
    from typer.testing import CliRunner

    from toolkit.cli.commands import app
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def _values(campaign) -> list[dict]:
    with open(campaign.out / "values.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _texts(path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_run_on_the_mini_campaign_keeps_the_text_and_writes_every_workbook(campaign, tmp_path):
    path = submit(campaign, tmp_path, changes={("基本信息", "C6"): -5})
    set_cell_xml(path, "台账", "B4", "<is><t>组织生活_x000B_不规范_x0001_</t></is>", t="inlineStr")
    set_cell_xml(path, "考核指标", "G5", "<is><t>会议记录_x000B_第3页</t></is>", t="inlineStr")
    _cli("run", campaign.dir, path)
    values = {(r["unit_code"], r["field"]): r for r in _values(campaign)}
    assert values[("U002", "problem")]["value"] == TYPED and values[("U002", "problem")]["raw"] == TYPED
    feedback = next(campaign.feedback.glob("U002*.xlsx"))
    assert SHOWN in _texts(feedback) and "会议记录\n第3页" in _texts(feedback)
    assert SHOWN in _texts(campaign.out / "consolidated.xlsx")
    assert (campaign.out / "report.html").is_file()


def test_validate_merge_score_report_on_the_annual_template_with_a_roster_holding_control_characters(tmp_path):
    units = [("U001", "第一\x0b党支部", "县委", "张\x0b三", "13800000001"),
             ("U002", "第二\x01党支部", "县委", "李四", "13800000002"),
             ("U003", "机关党支部", "部门", "王五", "13800000003")]
    roster = write_roster(tmp_path / "roster.csv", units)
    camp = create_campaign(tmp_path / "annual", "annual-assessment", roster, year=2026, deadline="2026-12-20")
    generate_outbox(camp, workers=1)
    scores = {f"f_{i.id}_self_score": 1 for s in camp.template().sheets for a in s.areas if a.kind != "veto"
              for i in a.items}
    evidence = {f"f_{i.id}_evidence": "记录第1页" for s in camp.template().sheets for a in s.areas
                if a.kind != "veto" for i in a.items}
    good = fill_by_name(outbox_file(camp, "U002"), tmp_path / "in" / "U002.xlsx",
                        {**ANNUAL_GOOD, **scores, **evidence})
    faulty = fill_by_name(outbox_file(camp, "U001"), tmp_path / "in" / "U001.xlsx",
                          {**ANNUAL_GOOD, **scores, **evidence, "f_members": -5})
    _with_control_characters(good)
    _with_control_characters(faulty)
    _cli("collect", camp.dir, good, faulty)
    for command in ("validate", "status", "merge", "score", "report"):
        _cli(command, camp.dir)
    assert any(r["value"] == "张\x0b三" for r in _values(camp) if r["field"] == "secretary")
    feedback = _texts(next(camp.feedback.glob("U001*.xlsx")))
    assert "张\n三" in feedback                                     # typed by the unit
    assert any("第一\n党支部" in text for text in feedback)         # the roster's name in the notice
    assert "张\n三" in _texts(camp.out / "consolidated.xlsx")
    assert "第二\u2401党支部" in _texts(camp.out / "scoring-sheet.xlsx")
    assert "张\n三" in _texts(camp.out / "chase-list.xlsx")          # U001's contact: its return is faulty
    assert (camp.out / "report.html").is_file()


def _with_control_characters(path) -> None:
    """The secretary's name typed with a line break pasted from Word, as Excel stores it."""
    set_cell_xml(path, "基本信息", "C7", "<is><t>张_x000B_三</t></is>", t="inlineStr")
