"""A return belongs to one campaign: its carriers name the campaign, blank re-saves and the toolkit's own
files never count, namesakes in the roster are normal."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
from conftest import DEFAULT_UNITS, MINI_SPEC, fill, outbox_file, returned, write_roster
from typer.testing import CliRunner

from toolkit.campaign.folder import create_campaign, load_campaign
from toolkit.campaign.ledger import Ledger
from toolkit.cli.commands import app
from toolkit.generate.outbox import generate_outbox
from toolkit.read.collect import collect, reason_message
from toolkit.read.reader import read_workbook

_STAMP_PROPS = ("toolkit_campaign", "toolkit_year", "toolkit_round")


def rows_of(campaign) -> dict[str, tuple[str, str, str]]:
    """Ledger rows by the source's path relative to nothing: (status, reason_code, unit_code) by file name."""
    with Ledger(campaign.db_path) as ledger:
        return {Path(f.source).name: (f.status, f.reason_code, f.unit_code) for f in ledger.files()}


def row(campaign, name: str):
    with Ledger(campaign.db_path) as ledger:
        return next(f for f in ledger.files() if Path(f.source).name == name)


def message(campaign, name: str, lang: str = "zh") -> str:
    f = row(campaign, name)
    return reason_message(lang)(f.reason_code, f.detail)


def restamped(src: Path, dst: Path, **parts) -> Path:
    """*src* with its campaign carriers (properties and _meta) set to *parts*; None removes a carrier."""
    wb = openpyxl.load_workbook(src)
    props = {"campaign": "toolkit_campaign", "year": "toolkit_year", "round": "toolkit_round"}
    for key, value in parts.items():
        wb.custom_doc_props.props = [p for p in wb.custom_doc_props.props if p.name != props[key] or value is not None]
        for p in wb.custom_doc_props.props:
            if p.name == props[key]:
                p.value = value
        for r in wb["_meta"].iter_rows():
            if r[0].value == key:
                if value is None:
                    r[0].value = r[1].value = None
                else:
                    r[1].value = value
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


# --------------------------------------------------------------------------- the campaign in the carriers


def test_carriers_name_the_campaign_year_and_round(campaign):
    raw = read_workbook(outbox_file(campaign, "U001").read_bytes(), "xlsx")
    assert [raw.props[p] for p in _STAMP_PROPS] == [campaign.name, "2026", "1"]
    meta = {raw.sheets["_meta"].get(r, 0): raw.sheets["_meta"].get(r, 1) for r in range(raw.sheets["_meta"].n_rows)}
    assert (meta["campaign"], meta["year"], meta["round"]) == (campaign.name, "2026", "1")


def test_last_years_workbook_is_refused_naming_its_campaign_and_year(tmp_path, roster_csv, campaign):
    last = create_campaign(tmp_path / "last", str(MINI_SPEC), roster_csv, year=2025, name="2025年度考核")
    generate_outbox(last, workers=1)
    mine = returned(campaign, "U001", tmp_path / "in1" / "U001_第一党支部.xlsx")
    collect(campaign, [str(mine)], workers=1)
    old = fill(outbox_file(last, "U001"), tmp_path / "in2" / "U001_第一党支部_去年.xlsx", {("基本信息", "C6"): 99})
    collect(campaign, [str(old)], workers=1)
    rows = rows_of(campaign)
    assert rows["U001_第一党支部.xlsx"] == ("accepted", "", "U001")  # this year's return still counts
    assert rows["U001_第一党支部_去年.xlsx"] == ("rejected", "identify.other_campaign", "")
    assert "2025年度考核" in message(campaign, "U001_第一党支部_去年.xlsx")
    assert "2025 年度" in message(campaign, "U001_第一党支部_去年.xlsx")
    assert "year 2025" in message(campaign, "U001_第一党支部_去年.xlsx", "en")


def test_workbooks_issued_before_campaign_stamps_keep_working(campaign, tmp_path):
    typed = returned(campaign, "U001", tmp_path / "typed.xlsx")
    older = restamped(typed, tmp_path / "a" / "U001.xlsx", year=None, round=None, campaign=None)
    partial = restamped(returned(campaign, "U002", tmp_path / "t2.xlsx"), tmp_path / "b" / "U002.xlsx", round=None)
    collect(campaign, [str(older), str(partial)], workers=1)
    assert rows_of(campaign) == {"U001.xlsx": ("accepted", "", "U001"), "U002.xlsx": ("accepted", "", "U002")}


def test_a_campaign_renamed_after_mailing_still_takes_its_workbooks(campaign, tmp_path):
    path = campaign.dir / "campaign.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(f"name: {campaign.name}", "name: 改过的名称"),
                    encoding="utf-8")
    renamed = load_campaign(campaign.dir)
    assert renamed.name == "改过的名称"
    collect(renamed, [str(returned(campaign, "U001", tmp_path / "in" / "U001.xlsx"))], workers=1)
    assert rows_of(renamed) == {"U001.xlsx": ("accepted", "", "U001")}


def test_another_round_of_the_same_year_is_refused(campaign, tmp_path):
    second = restamped(returned(campaign, "U001", tmp_path / "t.xlsx"), tmp_path / "in" / "U001.xlsx", round="2")
    collect(campaign, [str(second)], workers=1)
    assert rows_of(campaign)["U001.xlsx"] == ("rejected", "identify.other_campaign", "")
    assert "第 2 轮" in message(campaign, "U001.xlsx")


def test_carriers_disagreeing_on_the_year_go_to_review(campaign, tmp_path):
    wb = openpyxl.load_workbook(returned(campaign, "U001", tmp_path / "t.xlsx"))
    for r in wb["_meta"].iter_rows():
        if r[0].value == "year":
            r[1].value = "2025"
    (tmp_path / "in").mkdir()
    wb.save(tmp_path / "in" / "U001.xlsx")
    collect(campaign, [str(tmp_path / "in" / "U001.xlsx")], workers=1)
    assert rows_of(campaign)["U001.xlsx"] == ("review", "identify.carriers_disagree", "")


def test_round1_rectification_ledger_sent_into_round2_is_refused_as_another_round(tmp_path):
    from test_rounds import fill_ledger, item, outbox

    from toolkit.validate.stage import validate_campaign

    roster = write_roster(tmp_path / "roster.csv", DEFAULT_UNITS)
    r1 = create_campaign(tmp_path / "r1", "rectification-ledger", roster, year=2026, deadline="2026-06-30")
    generate_outbox(r1, workers=1)
    sent = fill_ledger(outbox(r1, "U001"), tmp_path / "in1" / "U001_r1.xlsx",
                       {1: item(item_id="巡察-01", problem="A 三会一课记录不全", status="未启动")})
    collect(r1, [str(sent)], workers=1)
    validate_campaign(r1)
    result = CliRunner().invoke(app, ["next", str(r1.dir), str(tmp_path / "r2"), "--deadline", "2026-09-30"])
    assert result.exit_code == 0, result.output
    r2 = load_campaign(tmp_path / "r2")
    again = shutil.copyfile(sent, tmp_path / "U001_r1_again.xlsx")
    collect(r2, [str(again)], workers=1)
    assert rows_of(r2)["U001_r1_again.xlsx"] == ("rejected", "identify.other_campaign", "")
    assert r1.name in message(r2, "U001_r1_again.xlsx") and "第 1 轮" in message(r2, "U001_r1_again.xlsx")
    codes = {i.code for issues in validate_campaign(r2).issues.values() for i in issues}
    assert "rectification.item_deleted" not in codes


# --------------------------------------------------------------------------- blank returns


def test_a_resaved_blank_template_never_supersedes_a_return_with_values(campaign, tmp_path):
    typed = returned(campaign, "U001", tmp_path / "a" / "U001_第一党支部.xlsx")
    collect(campaign, [str(typed)], workers=1)
    resaved = tmp_path / "b" / "U001_第一党支部_另存.xlsx"
    resaved.parent.mkdir()
    openpyxl.load_workbook(outbox_file(campaign, "U001")).save(resaved)  # opened and saved, nothing typed
    collect(campaign, [str(resaved)], workers=1)
    rows = rows_of(campaign)
    assert rows["U001_第一党支部.xlsx"] == ("accepted", "", "U001")
    assert rows["U001_第一党支部_另存.xlsx"] == ("rejected", "read.blank_return", "U001")


def test_a_prefilled_cell_alone_is_blank_but_one_typed_value_is_a_return(campaign, tmp_path):
    only_prefill = fill(outbox_file(campaign, "U002"), tmp_path / "a" / "U002.xlsx", {("基本信息", "C5"): "第二党支部"})
    one_score = fill(outbox_file(campaign, "U003"), tmp_path / "a" / "U003.xlsx", {("考核指标", "F5"): 50})
    collect(campaign, [str(tmp_path / "a")], workers=1)
    assert rows_of(campaign) == {"U002.xlsx": ("rejected", "read.blank_return", "U002"),
                                 "U003.xlsx": ("accepted", "", "U003")}
    assert only_prefill.exists() and one_score.exists()


def test_an_untouched_round2_workbook_with_carried_items_is_blank(tmp_path):
    from test_rounds import fill_ledger, item, outbox

    roster = write_roster(tmp_path / "roster.csv", DEFAULT_UNITS)
    r1 = create_campaign(tmp_path / "r1", "rectification-ledger", roster, year=2026, deadline="2026-06-30")
    generate_outbox(r1, workers=1)
    collect(r1, [str(fill_ledger(outbox(r1, "U001"), tmp_path / "in1" / "U001.xlsx",
                                 {1: item(item_id="巡察-01", problem="A 三会一课记录不全", status="未启动")}))],
            workers=1)
    result = CliRunner().invoke(app, ["next", str(r1.dir), str(tmp_path / "r2"), "--deadline", "2026-09-30"])
    assert result.exit_code == 0, result.output
    r2 = load_campaign(tmp_path / "r2")
    (tmp_path / "in2").mkdir()
    openpyxl.load_workbook(outbox(r2, "U001")).save(tmp_path / "in2" / "U001_untouched.xlsx")
    wb = openpyxl.load_workbook(outbox(r2, "U001"))
    wb["整改台账"].cell(4, 2 + 6, "整改中")  # the carried item's status moved on: typed
    wb.save(tmp_path / "in2" / "U001_moved.xlsx")
    collect(r2, [str(tmp_path / "in2" / "U001_untouched.xlsx")], workers=1)
    collect(r2, [str(tmp_path / "in2" / "U001_moved.xlsx")], workers=1)
    rows = rows_of(r2)
    assert rows["U001_untouched.xlsx"] == ("rejected", "read.blank_return", "U001")
    assert rows["U001_moved.xlsx"] == ("accepted", "", "U001")


# --------------------------------------------------------------------------- the toolkit's own files


def _faulty_run(campaign, tmp_path) -> Path:
    """U002 returns a score over its maximum; validate writes its feedback workbook; merge writes out/."""
    from toolkit.feedback.workbooks import write_feedback
    from toolkit.merge.stage import merge_campaign
    from toolkit.validate.stage import validate_campaign

    src = fill(outbox_file(campaign, "U002"), tmp_path / "in" / "U002.xlsx", {("基本信息", "C6"): 30,
                                                                            ("考核指标", "F5"): 70})
    collect(campaign, [str(src), str(returned(campaign, "U001", tmp_path / "in" / "U001.xlsx"))], workers=1)
    write_feedback(campaign, validate_campaign(campaign))
    merge_campaign(campaign)
    return next(campaign.feedback.glob("U002_*.xlsx"))


def test_a_campaign_folder_collected_gives_none_of_its_outputs_as_returns(campaign, tmp_path):
    _faulty_run(campaign, tmp_path)
    other = create_campaign(tmp_path / "other", str(MINI_SPEC), write_roster(tmp_path / "r.csv", DEFAULT_UNITS),
                            year=2026, name="另一项考核")
    collect(other, [str(campaign.dir)], workers=1)
    with Ledger(other.db_path) as ledger:
        files = ledger.files()
    written = [f for f in files if any(f"/{d}/" in f.source for d in ("out", "feedback", "outbox", "received"))]
    assert {Path(f.source).name for f in written} >= {"consolidated.xlsx", "values.csv", "manifest.csv",
                                                      "index.csv", "U002_第二党支部_退回修改.xlsx"}
    assert {(f.status, f.reason_code) for f in written} == {("rejected", "intake.toolkit_output")}
    assert [f for f in files if f.status == "accepted"] == []
    assert any("/received/" in f.source for f in written)  # the stored originals are the toolkit's copies too


def test_collecting_a_campaign_folder_into_itself_settles_nothing_under_review(campaign, tmp_path):
    """received/ holds the stored originals under their sha256: read again without the name they came
    under, a file held for review (its name named a neighbour) would be credited by its carriers alone."""
    neighbour = fill(outbox_file(campaign, "U001"), tmp_path / "in" / "U002_第二党支部.xlsx", {("基本信息", "C6"): 30})
    collect(campaign, [str(neighbour)], workers=1)
    assert rows_of(campaign)["U002_第二党支部.xlsx"][0] == "review"
    collect(campaign, [str(campaign.dir)], workers=1)
    with Ledger(campaign.db_path) as ledger:
        files = ledger.files()
    assert [f for f in files if f.status == "accepted"] == []
    assert rows_of(campaign)["U002_第二党支部.xlsx"][0] == "review"


def test_toolkit_workbooks_copied_elsewhere_are_known_by_their_marker_or_bytes(campaign, tmp_path):
    feedback = _faulty_run(campaign, tmp_path)
    share = tmp_path / "共享文件夹"
    share.mkdir()
    for path in (campaign.out / "consolidated.xlsx", feedback):
        shutil.copy(path, share / path.name)
    collect(campaign, [str(share)], workers=1)
    rows = rows_of(campaign)
    assert rows["consolidated.xlsx"] == ("rejected", "intake.toolkit_output", "")
    assert rows[feedback.name] == ("rejected", "intake.toolkit_output", "")
    assert rows["U002.xlsx"] == ("accepted", "", "U002")  # the unit's return still counts
    assert "退回修改表" in message(campaign, feedback.name)


def test_a_feedback_workbook_corrected_by_the_unit_is_its_new_return(campaign, tmp_path):
    feedback = _faulty_run(campaign, tmp_path)
    wb = openpyxl.load_workbook(feedback)
    wb["考核指标"]["F5"] = 55
    (tmp_path / "back").mkdir()
    wb.save(tmp_path / "back" / feedback.name)
    collect(campaign, [str(tmp_path / "back")], workers=1)
    rows = rows_of(campaign)
    assert rows[feedback.name] == ("accepted", "", "U002")
    assert rows["U002.xlsx"] == ("superseded", "ledger.superseded", "U002")


# --------------------------------------------------------------------------- namesakes in the roster


NAMESAKES = DEFAULT_UNITS + [("U004", "第一党支部", "乡镇", "赵六", "13800000004")]


def test_a_return_carrying_its_code_is_accepted_when_two_units_share_its_name(tmp_path):
    c = create_campaign(tmp_path / "c", str(MINI_SPEC), write_roster(tmp_path / "r.csv", NAMESAKES), year=2026)
    generate_outbox(c, workers=1)
    one = returned(c, "U001", tmp_path / "in" / "第一党支部.xlsx")
    four = returned(c, "U004", tmp_path / "in" / "U004_第一党支部.xlsx")
    collect(c, [str(one), str(four)], workers=1)
    assert rows_of(c) == {"第一党支部.xlsx": ("accepted", "", "U001"), "U004_第一党支部.xlsx": ("accepted", "", "U004")}


def test_a_shared_name_alone_goes_to_review_naming_both_units(tmp_path):
    c = create_campaign(tmp_path / "c", str(MINI_SPEC), write_roster(tmp_path / "r.csv", NAMESAKES), year=2026)
    generate_outbox(c, workers=1)
    wb, new = openpyxl.load_workbook(returned(c, "U004", tmp_path / "t.xlsx")), openpyxl.Workbook()
    new.remove(new.active)
    for ws in wb.worksheets:  # values copied into a new workbook: only the name cell says whose it is
        if ws.sheet_state == "visible":
            copy = new.create_sheet(ws.title)
            for r in ws.iter_rows():
                for cell in r:
                    if cell.value is not None and cell.coordinate != "B2":
                        copy.cell(cell.row, cell.column, cell.value)
    new["基本信息"]["C4"] = None
    (tmp_path / "in").mkdir()
    new.save(tmp_path / "in" / "报表.xlsx")
    collect(c, [str(tmp_path / "in")], workers=1)
    assert rows_of(c) == {"报表.xlsx": ("review", "identify.unit_unknown", "")}
    assert "U001" in message(c, "报表.xlsx") and "U004" in message(c, "报表.xlsx")


# --------------------------------------------------------------------------- resolve against the carriers


def _cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_resolve_onto_a_unit_the_carriers_contradict_is_refused_unless_forced(campaign, tmp_path):
    src = returned(campaign, "U001", tmp_path / "in" / "U002_第二党支部.xlsx")  # U001's workbook, U002's name
    collect(campaign, [str(src)], workers=1)
    sha = row(campaign, src.name).sha256
    refused = _cli("resolve", campaign.dir, sha[:12], "--unit", "U003")
    assert refused.exit_code == 2
    assert "U001 第一党支部" in refused.stderr and "--force" in refused.stderr
    assert rows_of(campaign)[src.name] == ("review", "identify.filename_mismatch", "")
    assert _cli("resolve", campaign.dir, sha[:12], "--unit", "U001").exit_code == 0  # what the carriers say
    forced = _cli("resolve", campaign.dir, sha[:12], "--unit", "U003", "--force", "--reason", "电话核实")
    assert forced.exit_code == 0, forced.output
    assert rows_of(campaign)[src.name] == ("accepted", "ledger.resolved_assign", "U003")
    assert "此前的决定" in forced.stdout and "U001" in forced.stdout  # the earlier decision is shown


def test_resolving_the_same_file_again_shows_the_earlier_decision(campaign, tmp_path):
    import json
    src = returned(campaign, "U001", tmp_path / "in" / "U002_第二党支部.xlsx")
    collect(campaign, [str(src)], workers=1)
    sha = row(campaign, src.name).sha256
    first = json.loads(_cli("resolve", campaign.dir, sha, "--unit", "U001", "--reason", "核实", "--json").stdout)
    assert "earlier" not in first
    again = json.loads(_cli("resolve", campaign.dir, sha, "--reject", "--json").stdout)
    assert (again["earlier"]["action"], again["earlier"]["unit_code"], again["earlier"]["reason"]) == (
        "assign", "U001", "核实")
    english = _cli("resolve", campaign.dir, sha, "--reject", "--lang", "en")
    assert "Earlier decision: rejected" in english.stdout


def test_resolve_onto_a_workbook_of_another_campaign_says_which_campaign(tmp_path, roster_csv, campaign):
    last = create_campaign(tmp_path / "last", str(MINI_SPEC), roster_csv, year=2025, name="2025年度考核")
    generate_outbox(last, workers=1)
    old = fill(outbox_file(last, "U001"), tmp_path / "in" / "U001.xlsx", {("基本信息", "C6"): 9})
    collect(campaign, [str(old)], workers=1)
    refused = _cli("resolve", campaign.dir, row(campaign, "U001.xlsx").sha256, "--unit", "U001")
    assert refused.exit_code == 2
    assert "2025年度考核 2025" in refused.stderr and "另一次考核" in refused.stderr
    assert _cli("resolve", campaign.dir, row(campaign, "U001.xlsx").sha256, "--unit", "U001", "--force").exit_code == 0
    assert rows_of(campaign)["U001.xlsx"] == ("accepted", "ledger.resolved_assign", "U001")


def test_templates_resaved_by_libreoffice_in_every_format_are_blank_returns(campaign, tmp_path):
    """tests/fixtures/lo/blank_U001.*: U001's generated workbook, nothing typed, re-saved by LibreOffice."""
    from conftest import FIXTURES

    typed = returned(campaign, "U001", tmp_path / "a" / "U001_第一党支部.xlsx")
    collect(campaign, [str(typed)], workers=1)
    blanks = [FIXTURES / "lo" / f"blank_U001.{fmt}" for fmt in ("xlsx", "xls", "ods")]
    collect(campaign, [str(p) for p in blanks], workers=1)
    rows = rows_of(campaign)
    assert rows["U001_第一党支部.xlsx"] == ("accepted", "", "U001")
    assert {rows[p.name] for p in blanks} == {("rejected", "read.blank_return", "U001")}


def test_a_blank_template_under_a_neighbours_name_is_blank_not_review(campaign, tmp_path):
    (tmp_path / "in").mkdir()
    openpyxl.load_workbook(outbox_file(campaign, "U001")).save(tmp_path / "in" / "U002_第二党支部.xlsx")
    collect(campaign, [str(tmp_path / "in")], workers=1)
    assert rows_of(campaign) == {"U002_第二党支部.xlsx": ("rejected", "read.blank_return", "")}


def test_resolve_of_a_blank_return_is_refused_unless_forced(campaign, tmp_path):
    typed = returned(campaign, "U001", tmp_path / "a" / "U001.xlsx")
    (tmp_path / "b").mkdir()
    openpyxl.load_workbook(outbox_file(campaign, "U001")).save(tmp_path / "b" / "U001_另存.xlsx")
    collect(campaign, [str(typed), str(tmp_path / "b")], workers=1)
    sha = row(campaign, "U001_另存.xlsx").sha256
    refused = _cli("resolve", campaign.dir, sha, "--unit", "U001")
    assert refused.exit_code == 2 and "未填写的表格" in refused.stderr and "--force" in refused.stderr
    assert rows_of(campaign)["U001.xlsx"] == ("accepted", "", "U001")
