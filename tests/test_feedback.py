"""Feedback workbooks (退回修改): the unit's own values in a fresh template, faults marked and listed."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import FIXTURES, outbox_file
from test_validate import BLANK, Text, found, run, submit

from toolkit.feedback.workbooks import FEEDBACK_SHEET, INDEX_COLUMNS, feedback_filename, write_feedback
from toolkit.read.collect import collect
from toolkit.validate.stage import validate_campaign

ERROR_FILL = "00FFC7CE"
WARN_FILL = "00FFEB9C"
LO = FIXTURES / "lo"


def validate_with_feedback(campaign, lang: str = "zh"):
    result = validate_campaign(campaign, lang)
    return result, write_feedback(campaign, result, lang)


def feedback_path(campaign, unit_code: str) -> Path:
    return campaign.feedback / feedback_filename(campaign.roster().by_code()[unit_code])


def list_header(ws) -> int:
    """The row of 问题清单 holding the list's header (below the notice)."""
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value in ("序号", "No."))


def issue_list(ws) -> list[dict]:
    """The rows of 问题清单: sheet, cell, link (the linked sheet!cell), severity, message, typed."""
    rows = []
    for r in range(list_header(ws) + 1, ws.max_row + 1):
        link = ws.cell(r, 3).hyperlink
        where = (link.location or (link.target or "").lstrip("#")) if link else ""
        rows.append({"sheet": ws.cell(r, 2).value, "cell": ws.cell(r, 3).value, "link": where,
                     "severity": ws.cell(r, 4).value, "message": ws.cell(r, 5).value, "typed": ws.cell(r, 6).value})
    return rows


def formula_cells(path: Path) -> set[tuple[str, str]]:
    """(sheet, cell) of every cell stored as a formula, straight from the package XML."""
    wb = openpyxl.load_workbook(path, read_only=True)
    out = set()
    with zipfile.ZipFile(path) as zf:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        book = zf.read("xl/workbook.xml").decode()
        for name in wb.sheetnames:
            rid = re.search(rf'<sheet [^>]*name="{re.escape(name)}"[^>]*r:id="(\w+)"', book).group(1)
            target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"|'
                               rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
            part = (target.group(1) or target.group(2)).lstrip("/")
            part = part if part.startswith("xl/") else "xl/" + part
            xml = zf.read(part).decode()
            out |= {(name, ref) for ref in re.findall(r'<c r="([A-Z]+\d+)"[^>]*>\s*<f[ >]', xml)}
    return out


# --------------------------------------------------------------------------- a faulty xlsx return


@pytest.fixture
def faulty(campaign, tmp_path):
    """U002 returns a faulty workbook: a score over the maximum, text typed as a formula, a bad date."""
    changes = {
        ("基本信息", "C6"): "12人",                 # fine (12), and must come back exactly as typed
        ("基本信息", "C7"): 2,
        ("基本信息", "C11"): Text("=1+1"),          # not a choice; typed as text
        ("考核指标", "F5"): 70,                     # over the item's 60 points
        ("考核指标", "G5"): Text('=HYPERLINK("http://example.invalid")'),
        ("台账", "D4"): "下个月",                   # not a date, in a table row
    }
    run(campaign, submit(campaign, tmp_path, changes=changes))
    result, index = validate_with_feedback(campaign)
    return result, index, feedback_path(campaign, "U002")


def test_feedback_first_sheet_lists_issues_with_links_to_cells(faulty):
    result, _, path = faulty
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == FEEDBACK_SHEET == "问题清单"
    assert wb.active.title == FEEDBACK_SHEET
    ws = wb[FEEDBACK_SHEET]
    assert [c.value for c in ws[list_header(ws)]] == ["序号", "工作表", "单元格", "严重程度", "问题及修改说明", "原填写内容"]
    listed = issue_list(ws)
    assert {(r["sheet"], r["cell"], r["link"]) for r in listed} == {
        ("基本信息", "C11", "'基本信息'!C11"),
        ("考核指标", "F5", "'考核指标'!F5"),
        ("台账", "D4", "'台账'!D4"),
    }
    assert found(result) == {("value.not_a_choice", "基本信息", "C11"), ("value.score_over_max", "考核指标", "F5"),
                             ("value.not_a_date", "台账", "D4")}
    assert all(r["severity"] == "错误" for r in listed)
    for r in range(list_header(ws) + 1, ws.max_row + 1):  # links inside the workbook, not to a file path
        assert ws.cell(r, 3).hyperlink.location and not ws.cell(r, 3).hyperlink.target
    by_cell = {r["cell"]: r for r in listed}
    assert by_cell["F5"]["message"].startswith("考核指标!F5「a1.1 内容一—自评分」：自评分超过该项分值（填写的是：70）")
    assert by_cell["F5"]["typed"] == "70"
    assert by_cell["D4"]["typed"] == "下个月"


def test_faulty_cells_are_filled_and_commented(faulty):
    _, _, path = faulty
    wb = openpyxl.load_workbook(path)
    for sheet, ref, words in [("基本信息", "C11", "不是可选项之一"), ("考核指标", "F5", "自评分超过该项分值"),
                              ("台账", "D4", "不是有效日期")]:
        cell = wb[sheet][ref]
        assert cell.fill.fgColor.rgb == ERROR_FILL, (sheet, ref)
        assert cell.comment is not None and words in cell.comment.text, (sheet, ref)
    for sheet, ref in [("基本信息", "C6"), ("基本信息", "C7"), ("考核指标", "F6"), ("考核指标", "G5")]:
        assert wb[sheet][ref].comment is None and wb[sheet][ref].fill.fgColor.rgb != ERROR_FILL, (sheet, ref)


def test_the_units_own_values_are_put_back_as_typed(faulty, campaign):
    _, _, path = faulty
    wb = openpyxl.load_workbook(path)
    basic, check, ledger = wb["基本信息"], wb["考核指标"], wb["台账"]
    assert (basic["C6"].value, basic["C6"].data_type) == ("12人", "s")
    assert basic["C4"].value == "U002" and basic["C5"].value == "第二党支部"  # prefilled as generated
    assert basic["C7"].value == 2 and basic["C9"].value == 85 and basic["C10"].value == "是"
    assert basic["C12"].value.date() == dt.date(2026, 3, 1)
    assert (check["F5"].value, check["F6"].value, check["F8"].value, check["F10"].value) == (70, 30, 1, "否")
    assert (ledger["B4"].value, ledger["C4"].value, ledger["D4"].value) == ("组织生活不规范", "已完成", "下个月")
    assert basic["C8"].value.startswith("=")  # the toolkit's own formula, as in the template


def test_text_typed_like_a_formula_is_written_back_as_text(faulty, campaign):
    _, _, path = faulty
    wb = openpyxl.load_workbook(path)
    assert (wb["基本信息"]["C11"].value, wb["基本信息"]["C11"].data_type) == ("=1+1", "s")
    assert wb["考核指标"]["G5"].data_type == "s"
    listed = {r["cell"]: r for r in issue_list(wb[FEEDBACK_SHEET])}
    assert listed["C11"]["typed"] == "=1+1"
    ws = wb[FEEDBACK_SHEET]
    assert all(ws.cell(r, 6).data_type == "s" for r in range(list_header(ws) + 1, ws.max_row + 1))
    # no formula anywhere but the template's own
    assert formula_cells(path) == formula_cells(outbox_file(campaign, "U002"))


def test_index_csv_lists_the_faulty_unit(faulty, campaign):
    _, index, path = faulty
    data = (campaign.feedback / "index.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == INDEX_COLUMNS
    due = rows[0].pop("resubmit_by")
    assert rows == [{"unit_code": "U002", "unit_name": "第二党支部", "contact": "李四", "phone": "13800000002",
                     "file": path.name, "errors": "3", "warnings": "0"}]
    assert due >= "2026-12-20" and due in openpyxl.load_workbook(path)[FEEDBACK_SHEET]["A6"].value  # as the notice says
    assert path.name == "U002_第二党支部_退回修改.xlsx" and path.is_file()
    assert [r["unit_code"] for r in index] == ["U002"]


def test_values_land_on_template_cells_even_when_the_return_had_rows_inserted(campaign, tmp_path):
    def insert(wb):
        ws = wb["考核指标"]
        ws.insert_rows(6)
        ws["C6"] = "自行增加的工作"
    run(campaign, submit(campaign, tmp_path, changes={("考核指标", "F6"): 70}, edit=insert))  # a1_2 over 40
    validate_with_feedback(campaign)
    wb = openpyxl.load_workbook(feedback_path(campaign, "U002"))
    check = wb["考核指标"]
    assert (check["F5"].value, check["F6"].value) == (50, 70)  # back on the template's rows
    assert check["C6"].value == "内容二"
    assert check["F6"].fill.fgColor.rgb == ERROR_FILL
    listed = issue_list(wb[FEEDBACK_SHEET])
    assert {(r["sheet"], r["cell"]) for r in listed} == {("考核指标", "B6"), ("考核指标", "F6")}
    assert next(r for r in listed if r["cell"] == "F6")["link"] == "'考核指标'!F6"
    assert next(r for r in listed if r["cell"] == "B6")["severity"] == "提示"  # the inserted row, a warning


def test_feedback_in_english(campaign, tmp_path):
    run(campaign, submit(campaign, tmp_path, changes={("考核指标", "F5"): 70}))
    validate_with_feedback(campaign, "en")
    wb = openpyxl.load_workbook(feedback_path(campaign, "U002"))
    assert wb.sheetnames[0] == "Issues"
    (row,) = issue_list(wb["Issues"])
    assert row["severity"] == "error" and "Score above the maximum" in row["message"]
    assert row["link"] == "'考核指标'!F5"


def test_warnings_alone_get_no_feedback(campaign, tmp_path):
    run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C6"): "三十"}))
    _, index = validate_with_feedback(campaign)
    assert index == [] and not feedback_path(campaign, "U002").exists()


# --------------------------------------------------------------------------- returns re-saved by LibreOffice


def _lo_filled() -> dict:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FILLED


def _same(got, want) -> bool:
    if isinstance(want, dt.date):
        return isinstance(got, dt.date) and got.timetuple()[:3] == want.timetuple()[:3]
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return isinstance(got, (int, float)) and float(got) == float(want)
    return got == want


@pytest.mark.parametrize("kind", ["ods", "xls", "xlsx"])
def test_feedback_for_a_return_resaved_by_libreoffice(campaign, kind):
    source = LO / f"mini_U001.{kind}"
    if not source.is_file():
        pytest.skip(f"{source} not made (tests/fixtures/make_fixtures.py)")
    filled = _lo_filled()
    collect(campaign, [str(source)], workers=1)
    result, index = validate_with_feedback(campaign)
    assert [r["unit_code"] for r in index] == ["U001"]
    path = feedback_path(campaign, "U001")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == FEEDBACK_SHEET
    for (sheet, ref), value in filled.items():
        assert _same(wb[sheet][ref].value, value), (sheet, ref, wb[sheet][ref].value, value)
    assert (wb["基本信息"]["C6"].value, wb["基本信息"]["C6"].data_type) == ("12人", "s")
    listed = issue_list(wb[FEEDBACK_SHEET])
    issues = {(r["sheet"], r["cell"]) for r in result.rows if r["severity"] == "error"}
    assert issues and issues <= {(r["sheet"], r["cell"]) for r in listed}
    for sheet, ref in issues:
        assert wb[sheet][ref].fill.fgColor.rgb == ERROR_FILL and wb[sheet][ref].comment is not None
        assert next(r for r in listed if r["cell"] == ref)["link"] == f"'{sheet}'!{ref}"


# --------------------------------------------------------------------------- a corrected resubmission


def _cli_json(*args) -> dict:
    from typer.testing import CliRunner

    from toolkit.cli.commands import app
    result = CliRunner().invoke(app, [str(a) for a in args] + ["--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_corrected_resubmission_supersedes_and_clears_the_unit(campaign, tmp_path):
    first = submit(campaign, tmp_path, changes={("考核指标", "F5"): 70, ("基本信息", "C6"): BLANK},
                   name="v1/U002.xlsx")
    collect(campaign, [str(first)], workers=1)
    assert _cli_json("validate", campaign.dir)["faulty"] == 1
    stale = feedback_path(campaign, "U002")
    assert stale.is_file()
    assert _cli_json("status", campaign.dir)["faulty"] == ["U002"]

    corrected = submit(campaign, tmp_path, name="v2/U002.xlsx")
    collect(campaign, [str(corrected)], workers=1)
    summary = _cli_json("validate", campaign.dir)
    assert (summary["returns"], summary["faulty"], summary["codes"]) == (1, 0, {})
    assert not stale.exists()
    assert list(csv.DictReader((campaign.feedback / "index.csv").read_text(encoding="utf-8-sig").splitlines())) == []
    status = _cli_json("status", campaign.dir)
    assert status["faulty"] == [] and status["state"] == {"accepted": 1, "missing": 2}
    from toolkit.campaign.ledger import Ledger
    with Ledger(campaign.db_path) as ledger:
        states = {Path(f.source).parent.name: f.status for f in ledger.files()}
    assert states == {"v1": "superseded", "v2": "accepted"}


def test_an_error_keeps_its_colour_when_a_warning_falls_on_the_same_cell(campaign, tmp_path):
    from dataclasses import replace as with_

    from toolkit.feedback.master import FeedbackMaster
    from toolkit.feedback.workbooks import build_feedback
    from toolkit.generate.outbox import master_context
    result = run(campaign, submit(campaign, tmp_path, changes={("考核指标", "F5"): 70}))
    (sha, issues), = result.issues.items()
    (error,) = issues
    warning = with_(error, code="rule.warning", severity="warning", params={})
    spec, unit = campaign.template(), campaign.roster().by_code()["U002"]
    master = FeedbackMaster(spec, master_context(campaign))
    for order in ([error, warning], [warning, error]):
        wb = openpyxl.load_workbook(io.BytesIO(build_feedback(spec, master, unit, result.returns[sha], order, "zh")))
        assert wb["考核指标"]["F5"].fill.fgColor.rgb == ERROR_FILL
        assert wb["考核指标"]["F5"].comment.text.count("考核指标!F5") == 2


def test_packed_table_rows_are_named_where_they_now_sit(campaign, tmp_path):
    """Blank rows between table rows are dropped in the fresh copy: messages and links name the new cell."""
    changes = {("台账", "B7"): "第二件事", ("台账", "C7"): "整改中", ("台账", "D7"): "下个月"}
    run(campaign, submit(campaign, tmp_path, changes=changes))
    result, _ = validate_with_feedback(campaign)
    assert ("value.not_a_date", "台账", "D7") in found(result)  # issues.csv: the cell in the unit's file
    wb = openpyxl.load_workbook(feedback_path(campaign, "U002"))
    assert wb["台账"]["D5"].value == "下个月" and wb["台账"]["D5"].fill.fgColor.rgb == ERROR_FILL
    row = next(r for r in issue_list(wb[FEEDBACK_SHEET]) if "下个月" in r["message"])
    assert (row["cell"], row["link"]) == ("D5", "'台账'!D5")
    assert row["message"].startswith("台账!D5") and "台账!D5" in wb["台账"]["D5"].comment.text


def test_every_listed_issue_links_into_the_workbook(campaign, tmp_path):
    def insert(wb):
        wb["考核指标"].insert_rows(6)
        wb["考核指标"]["C6"] = "自行增加的工作"
    changes = {("基本信息", "B6"): "党员总人数", ("考核指标", "C5"): "内容一（已修改）", ("考核指标", "F6"): 70}
    run(campaign, submit(campaign, tmp_path, changes=changes, edit=insert))
    validate_with_feedback(campaign)
    wb = openpyxl.load_workbook(feedback_path(campaign, "U002"))
    listed = {(r["sheet"], r["cell"]): r for r in issue_list(wb[FEEDBACK_SHEET])}
    assert listed[("基本信息", "B6")]["link"] == "'基本信息'!B6"  # the form label, not its value cell
    assert listed[("考核指标", "C5")]["link"] == "'考核指标'!C5"  # the item's content
    inserted = listed[("考核指标", "B6")]  # where the row was in the unit's file; it is not in this one
    assert "插入" in inserted["message"] and inserted["link"].startswith("'考核指标'!")
    assert all(r["link"] for r in listed.values())


# --------------------------------------------------------------------------- the notice and how it prints


def test_the_issue_sheet_opens_with_a_notice_the_unit_can_act_on(campaign, tmp_path):
    import yaml
    cfg = yaml.safe_load((campaign.dir / "campaign.yaml").read_text(encoding="utf-8"))
    cfg.update({"contact": "组织部 王老师", "phone": "0571-88000000", "return_to": "电子邮件发送至 zzb@example.org",
                "resubmit_deadline": "2026-12-28"})
    (campaign.dir / "campaign.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    from toolkit.campaign.folder import load_campaign
    campaign = load_campaign(campaign.dir)
    run(campaign, submit(campaign, tmp_path, changes={("考核指标", "F5"): 70, ("基本信息", "C6"): "三十"}))
    validate_with_feedback(campaign)
    ws = openpyxl.load_workbook(feedback_path(campaign, "U002"))[FEEDBACK_SHEET]
    notice = [ws.cell(r, 1).value for r in range(1, list_header(ws))]
    assert notice[0] == "退回修改通知"
    text = "\n".join(str(x) for x in notice if x)
    assert "第二党支部（单位代码 U002）" in text
    assert "发现 1 处错误、1 处提示" in text
    assert "请于 2026-12-28 前将修改后的整个工作簿" in text and "zzb@example.org" in text
    assert "联系人：组织部 王老师　联系电话：0571-88000000" in text
    assert "红色单元格为错误，必须改正" in text
    assert ("A1:F1" in {str(m) for m in ws.merged_cells.ranges})


def test_the_issue_sheet_prints_on_a4_landscape_one_page_wide(faulty):
    _, _, path = faulty
    ws = openpyxl.load_workbook(path)[FEEDBACK_SHEET]
    head = list_header(ws)
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == f"${head}:${head}"
    assert ws.print_area == f"'{FEEDBACK_SHEET}'!$A$1:$F${ws.max_row}"
    assert ws.freeze_panes == f"A{head + 1}"
    widths = [ws.column_dimensions[c].width for c in "ABCDEF"]
    assert widths[4] == max(widths) and 120 <= sum(widths) <= 150  # the message column is the wide one
    for r in range(head + 1, ws.max_row + 1):
        assert ws.cell(r, 5).alignment.wrap_text
        message = ws.cell(r, 5).value
        assert ws.row_dimensions[r].height >= 14 * (1 + len(message) * 2 // (widths[4] * 1.1 * 1.2))
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_the_deadline_for_the_corrected_return():
    from toolkit.feedback.notice import resubmit_deadline
    # received early: the campaign deadline stands; received late: 7 days after receipt
    assert resubmit_deadline({}, "2026-12-01T09:00:00", "2026-12-20") == "2026-12-20"
    assert resubmit_deadline({}, "2026-12-19T09:00:00", "2026-12-20") == "2026-12-26"
    assert resubmit_deadline({"resubmit_days": 3}, "2026-12-19T09:00:00", "2026-12-20") == "2026-12-22"
    assert resubmit_deadline({"resubmit_days": 3}, "2026-12-19T09:00:00", "") == "2026-12-22"
    assert resubmit_deadline({"resubmit_deadline": dt.date(2027, 1, 5)}, "2026-12-19", "2026-12-20") == "2027-01-05"
    assert resubmit_deadline({"resubmit_deadline": "2027-01-05"}, "2026-12-19", "2026-12-20") == "2027-01-05"


@pytest.mark.parametrize("key, value", [("resubmit_days", "a week"), ("resubmit_days", 0),
                                        ("resubmit_deadline", "next Friday")])
def test_a_wrong_resubmit_key_stops_validate_with_exit_2(campaign, tmp_path, key, value):
    import yaml

    from toolkit.campaign.folder import load_campaign
    from toolkit.errors import CampaignError
    cfg = yaml.safe_load((campaign.dir / "campaign.yaml").read_text(encoding="utf-8"))
    cfg[key] = value
    (campaign.dir / "campaign.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CampaignError, match=key) as err:  # campaign.yaml is checked as it is read, before any work
        load_campaign(campaign.dir)
    assert err.value.exit_code == 2


def test_the_notice_in_english(campaign, tmp_path):
    run(campaign, submit(campaign, tmp_path, changes={("考核指标", "F5"): 70}))
    validate_with_feedback(campaign, "en")
    ws = openpyxl.load_workbook(feedback_path(campaign, "U002"))["Issues"]
    text = "\n".join(str(ws.cell(r, 1).value) for r in range(1, list_header(ws)))
    assert text.startswith("Return for correction") and "Unit: 第二党支部 (unit code U002)" in text
    assert "1 error(s) found" in text and "by 2026-12-" in text
    assert ws.oddFooter.center.text == "Page &P of &N"


def test_the_notice_prints_in_the_templates_font(faulty):
    _, _, path = faulty
    ws = openpyxl.load_workbook(path)[FEEDBACK_SHEET]
    head = list_header(ws)
    fonts = {ws.cell(r, c).font.name for r in range(1, ws.max_row + 1) for c in range(1, 7) if ws.cell(r, c).value}
    assert fonts == {"Calibri"}, fonts
    assert ws.cell(head, 1).font.b and ws.cell(1, 1).font.sz == 16


def test_control_characters_in_typed_text_are_listed_legally(campaign, tmp_path):
    from test_validate import set_cell_xml
    path = submit(campaign, tmp_path, changes={("考核指标", "F5"): 70})
    set_cell_xml(path, "台账", "D4", "<is><t>下个_x000B_月_x0001_</t></is>", t="inlineStr")  # not a date
    run(campaign, path)
    validate_with_feedback(campaign)
    listed = issue_list(openpyxl.load_workbook(feedback_path(campaign, "U002"))[FEEDBACK_SHEET])
    assert next(r for r in listed if r["cell"] == "D4")["typed"] == "下个\n月\u2401"


# --------------------------------------------------------------------------- the package: made like generate's


def test_table_rows_past_the_drawn_ones_come_back_in_their_column_style(campaign, tmp_path):
    """The ledger draws rows 4–8; a unit that typed on into row 10 gets it back there, marked if faulty."""
    changes = {("台账", f"B{r}"): f"问题{r}" for r in range(4, 11)}
    changes.update({("台账", "C10"): "已完成", ("台账", "D10"): "下个月"})
    run(campaign, submit(campaign, tmp_path, changes=changes))
    validate_with_feedback(campaign)
    wb = openpyxl.load_workbook(feedback_path(campaign, "U002"))
    ledger = wb["台账"]
    assert [ledger[f"B{r}"].value for r in range(4, 11)] == [f"问题{r}" for r in range(4, 11)]
    assert (ledger["C10"].value, ledger["D10"].value) == ("已完成", "下个月")
    assert ledger["D10"].fill.fgColor.rgb == ERROR_FILL and "台账!D10" in ledger["D10"].comment.text
    assert ledger["B10"].protection.locked is False  # the column's input style, as Excel gives a new cell
    assert ledger.max_row == 10 and ledger.calculate_dimension().endswith("10")


def test_a_date_typed_where_the_template_wants_text_still_shows_as_a_date(campaign, tmp_path):
    typed = dt.datetime(2026, 3, 5)
    run(campaign, submit(campaign, tmp_path, changes={("考核指标", "F5"): 70, ("考核指标", "G5"): typed}))
    validate_with_feedback(campaign)
    check = openpyxl.load_workbook(feedback_path(campaign, "U002"))["考核指标"]
    assert check["G5"].value == typed and check["G5"].is_date
    assert check["G5"].protection.locked is False  # still the input cell it was


def test_text_that_looks_like_an_excel_escape_comes_back_as_typed(campaign, tmp_path):
    from test_validate import set_cell_xml
    path = submit(campaign, tmp_path, changes={("考核指标", "F5"): 70})
    set_cell_xml(path, "考核指标", "G5", "<is><t>见_x005F_x0041_号文</t></is>", t="inlineStr")  # as Excel stores it
    run(campaign, path)
    validate_with_feedback(campaign)
    with zipfile.ZipFile(feedback_path(campaign, "U002")) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "见_x005F_x0041_号文".encode() in xml  # Excel reads "_x0041_" as "A" unless its "_" is escaped
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(str(feedback_path(campaign, "U002"))).get_sheet_by_name("考核指标").to_python()
    assert "见_x0041_号文" in {v for row in rows for v in row}  # read back as Excel reads it


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_the_package_is_whole_every_part_declared_and_every_link_found(campaign, tmp_path):
    from xml.dom import minidom
    changes = {("基本信息", "C11"): "己", ("考核指标", "F5"): 70, ("台账", "D4"): "下个月"}  # notes on three sheets
    run(campaign, submit(campaign, tmp_path, changes=changes))
    validate_with_feedback(campaign)
    parts = _parts(feedback_path(campaign, "U002"))
    for name, data in parts.items():
        minidom.parseString(data)  # well-formed
    types = parts["[Content_Types].xml"].decode()
    defaults = set(re.findall(r'<Default Extension="(\w+)"', types))
    overrides = set(re.findall(r'<Override PartName="/([^"]+)"', types))
    assert overrides <= set(parts) and all(n in overrides or n.rsplit(".", 1)[-1] in defaults for n in parts)
    for rels in (n for n in parts if n.endswith(".rels")):
        folder = rels.replace("_rels/", "").removesuffix(".rels").rsplit("/", 1)[0] if "/" in rels[6:] else ""
        for target in re.findall(r'Target="([^"]+)"', parts[rels].decode()):
            resolved = target if target.startswith("/") else "/".join(x for x in f"{folder}/{target}".split("/") if x)
            while "/../" in resolved:
                resolved = re.sub(r"[^/]+/\.\./", "", resolved, count=1)
            assert resolved.lstrip("/") in parts, (rels, target)
    vml = [parts[n].decode() for n in parts if n.endswith(".vml")]
    assert len(vml) == 3
    idmaps = [re.search(r'o:idmap v:ext="edit" data="(\d+)"', x).group(1) for x in vml]
    shapes = [s for x in vml for s in re.findall(r'<v:shape id="(\w+)"', x)]
    assert len(set(idmaps)) == 3 and len(set(shapes)) == len(shapes) == 3  # unique across the workbook


def test_the_same_return_gives_the_same_bytes(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, changes={("考核指标", "F5"): 70, ("台账", "D4"): "下个月"}))
    write_feedback(campaign, result)
    first = feedback_path(campaign, "U002").read_bytes()
    write_feedback(campaign, validate_campaign(campaign))
    assert feedback_path(campaign, "U002").read_bytes() == first


@pytest.mark.parametrize("value", [dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(2026, 3, 5),
                                   dt.datetime(2026, 3, 5, 12, 0), dt.time(6, 0), dt.timedelta(hours=36)])
def test_dates_and_times_are_stored_as_excel_counts_them(value):
    """Serial numbers as Excel's 1900 system counts them (its phantom 29 February 1900 included)."""
    from openpyxl.utils.datetime import to_excel

    from toolkit.feedback.cellxml import date_format, value_cell
    stored = re.fullmatch(r'<c r="A1" s="0"><v>([^<]+)</v></c>', value_cell("A1", 0, value)).group(1)
    assert float(stored) == to_excel(value)
    assert date_format(value) in (14, 21, 22)


def test_booleans_numbers_and_text_keep_their_kind():
    from toolkit.feedback.cellxml import value_cell
    assert value_cell("B2", 3, True) == '<c r="B2" s="3" t="b"><v>1</v></c>'
    assert value_cell("B2", 3, 4860.5) == '<c r="B2" s="3"><v>4860.5</v></c>'
    assert value_cell("B2", 3, "=1+1") == '<c r="B2" s="3" t="inlineStr"><is><t xml:space="preserve">=1+1</t></is></c>'
    assert value_cell("B2", 3, "a<b & c").endswith("a&lt;b &amp; c</t></is></c>")
    assert value_cell("B2", 3, "") == '<c r="B2" s="3"/>'


def test_validate_hands_each_return_to_the_feedback_as_checked_and_keeps_only_counts(campaign, tmp_path):
    """The run's path (a FeedbackWriter sink): each faulty return's workbook is written as it is checked,
    validate keeps no issue row, Issue or Return, and the files are those of the kept-then-written path."""
    import gc
    import weakref

    from toolkit.feedback.workbooks import FeedbackWriter
    from toolkit.pipeline.stages import validate as validate_stage

    bad = {("考核指标", "F5"): 70, ("台账", "D4"): "下个月"}
    paths = [submit(campaign, tmp_path / u, unit=u, changes=bad if u != "U003" else None) for u in ("U001", "U002", "U003")]
    kept = run(campaign, *paths)  # the caller's path: everything kept, then written
    index = write_feedback(campaign, kept)
    files = {p.name: p.read_bytes() for p in campaign.feedback.iterdir()}
    issues_csv = (campaign.out / "issues.csv").read_bytes()
    assert [r["unit_code"] for r in index] == ["U001", "U002"] and len(files) == 3  # two workbooks, index.csv

    seen, alive = [], []
    writer = FeedbackWriter(campaign)

    def sink(file, counts, ret, issues):
        seen.append((file.unit_code, counts, len(issues)))
        alive.append(weakref.ref(ret))
        writer.add(file, counts, ret, issues)

    result = validate_campaign(campaign, feedback=sink)
    gc.collect()
    assert (result.rows, result.issues, result.returns) == ([], {}, {})  # nothing per return but its counts
    assert not any(r() is not None for r in alive)  # no Return outlives its check
    assert sorted(u for u, _, _ in seen) == ["U001", "U002", "U003"] and result.per_file == kept.per_file
    assert result.counts_by_code() == kept.counts_by_code() != {}
    assert writer.finish() == index
    assert {p.name: p.read_bytes() for p in campaign.feedback.iterdir()} == files
    assert (campaign.out / "issues.csv").read_bytes() == issues_csv
    summary = validate_stage(campaign)  # the stage takes that path, with the same files
    assert (summary.faulty, summary.feedback, summary.codes) == (2, 2, kept.counts_by_code())
    assert {p.name: p.read_bytes() for p in campaign.feedback.iterdir()} == files
