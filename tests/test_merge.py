"""`toolkit merge`: out/values.csv, out/totals.csv and out/consolidated.xlsx from accepted returns only.

One mini campaign (3 units in 2 groups) is collected in two runs: U001 sends a first return
and then a corrected one (the first is superseded), U001's return is also sent under U003's
name (review) and a Word file arrives under U003's name (rejected); U002's return lacks a
required value (faulty); U003 never really returns (missing).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import DEFAULT_UNITS, MINI_SPEC, write_roster
from test_scoring_stage import annual_campaign, cli, read_csv
from test_validate import BLANK, Text, submit

from toolkit.campaign.folder import create_campaign
from toolkit.campaign.ledger import Ledger
from toolkit.generate.outbox import generate_outbox
from toolkit.merge.stage import merge_campaign
from toolkit.read.collect import collect
from toolkit.validate.stage import validate_campaign

VALUES_COLUMNS = ["unit_code", "template_id", "sheet", "field", "row", "value", "raw"]

# U001's corrected return: typed the way people type.
CORRECTED = {
    ("基本信息", "C6"): "12人", ("基本信息", "C7"): "１", ("基本信息", "C12"): "2026.3.5",
    ("考核指标", "F6"): 30.0, ("考核指标", "G5"): Text("=1+1"),
    ("台账", "B5"): Text('=HYPERLINK("http://example.org","点我")'), ("台账", "C5"): "整改中",
}


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"/>')
        zf.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.'
                    'org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>报告</w:t></w:r></w:p></w:body>'
                    '</w:document>')
    return buf.getvalue()


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    root = tmp_path_factory.mktemp("merge")
    roster = write_roster(root / "roster.csv", DEFAULT_UNITS)
    campaign = create_campaign(root / "camp", str(MINI_SPEC), roster, year=2026, deadline="2026-12-20")
    generate_outbox(campaign, workers=1)
    first = submit(campaign, root / "run1", "U001", changes={("基本信息", "C6"): 40})
    collect(campaign, [str(first)], workers=1)
    run2 = root / "run2"
    submit(campaign, run2, "U001", changes=CORRECTED)
    submit(campaign, run2, "U001", changes={("基本信息", "C6"): 77}, name="U003_机关党支部.xlsx")
    submit(campaign, run2, "U002", changes={("基本信息", "C6"): BLANK})
    (run2 / "returns" / "U003_机关党支部_迷你表.xlsx").write_bytes(docx_bytes())
    collect(campaign, [str(run2 / "returns")], workers=1)
    validate_campaign(campaign, "zh")
    summary = merge_campaign(campaign, "zh")
    return campaign, summary


def values(campaign, unit: str | None = None) -> list[dict]:
    _, rows = read_csv(campaign.out / "values.csv")
    return [r for r in rows if unit is None or r["unit_code"] == unit]


def by_field(campaign, unit: str) -> dict[tuple[str, str], dict]:
    return {(r["field"], r["row"]): r for r in values(campaign, unit)}


def consolidated(campaign):
    return openpyxl.load_workbook(campaign.out / "consolidated.xlsx")


def rows_of(ws) -> dict[str, list]:
    """Data rows by unit code (first row per unit), with the header row under ''."""
    out: dict[str, list] = {}
    for n, row in enumerate(ws.iter_rows(values_only=True)):
        out.setdefault("" if n == 0 else row[0], list(row))
    return out


# --------------------------------------------------------------------------- values.csv


def test_values_csv_has_the_contract_columns_and_a_bom(merged):
    campaign, summary = merged
    header, rows = read_csv(campaign.out / "values.csv")
    assert header == VALUES_COLUMNS
    assert summary == {"units": 3, "returned": 2, "values": len(rows)}
    assert {r["template_id"] for r in rows} == {"mini"}


def test_one_row_per_single_field_and_per_table_cell(merged):
    campaign, _ = merged
    rows = values(campaign, "U001")
    keys = [(r["sheet"], r["field"], r["row"]) for r in rows]
    assert len(keys) == len(set(keys))
    form = ["unit_code", "unit_name", "members", "prob", "formal", "rate", "held", "kind", "elected"]
    checklist = ["a1_1.self_score", "a1_1.evidence", "a1_2.self_score", "a1_2.evidence", "b_1.self_score",
                 "b_1.evidence", "v_1.occurred"]
    table = [(c, str(n)) for n in (1, 2) for c in ("problem", "status", "closed_on")]
    assert set(keys) == ({("基本信息", f, "") for f in form} | {("考核指标", f, "") for f in checklist}
                         | {("台账", f, n) for f, n in table})


def test_values_are_normalised_and_raw_is_as_typed(merged):
    campaign, _ = merged
    got = {k: (r["value"], r["raw"]) for k, r in by_field(campaign, "U001").items()}
    assert got[("members", "")] == ("12", "12人")
    assert got[("prob", "")] == ("1", "１")
    assert got[("formal", "")][0] == "11"  # recomputed by the toolkit
    assert got[("elected", "")] == ("2026-03-05", "2026.3.5")
    assert got[("held", "")] == ("true", "是")
    assert got[("v_1.occurred", "")] == ("false", "否")
    assert got[("a1_2.self_score", "")] == ("30", "30")  # typed 30.0: plain, never "30.0"
    assert got[("closed_on", "1")] == ("2026-05-01", "2026-05-01")
    assert got[("status", "2")] == ("整改中", "整改中")
    assert got[("closed_on", "2")] == ("", "")


def test_only_accepted_returns_count(merged):
    campaign, _ = merged
    with Ledger(campaign.db_path) as ledger:
        states = sorted((Path(f.source).name, f.status, f.reason_code) for f in ledger.files())
    assert states == [
        ("U001_第一党支部_迷你表.xlsx", "accepted", ""),
        ("U001_第一党支部_迷你表.xlsx", "superseded", "ledger.superseded"),
        ("U002_第二党支部_迷你表.xlsx", "accepted", ""),
        ("U003_机关党支部.xlsx", "review", "identify.filename_mismatch"),
        ("U003_机关党支部_迷你表.xlsx", "rejected", "intake.not_a_workbook"),
    ]
    assert {r["unit_code"] for r in values(campaign)} == {"U001", "U002"}
    members = {r["unit_code"]: r["value"] for r in values(campaign) if r["field"] == "members"}
    assert members == {"U001": "12", "U002": ""}  # neither the superseded 40 nor the review file's 77


# --------------------------------------------------------------------------- consolidated.xlsx


def test_summary_sheet_first_with_groups_overall_and_a_native_chart(merged):
    campaign, _ = merged
    wb = consolidated(campaign)
    assert wb.sheetnames == ["汇总", "基本信息", "考核指标", "台账"]
    ws = wb["汇总"]
    assert ws._charts, "the summary sheet has no chart"
    with zipfile.ZipFile(campaign.out / "consolidated.xlsx") as zf:
        assert "xl/charts/chart1.xml" in zf.namelist()
    head = [c.value for c in ws[3]]
    assert head[:7] == ["分组", "单位数", "已报送", "其中合格", "其中需退回修改", "未报送", "报送率"]
    table = {row[0]: row for row in ws.iter_rows(min_row=4, values_only=True) if row[0]}
    assert table["县委"][1:6] == (2, 2, 1, 1, 0) and table["县委"][6] == 1
    assert table["部门"][1:6] == (1, 0, 0, 0, 1) and table["部门"][6] == 0
    assert table["全部"][1:6] == (3, 2, 1, 1, 1) and table["全部"][6] == pytest.approx(2 / 3)
    members = head.index("党员人数")
    assert table["县委"][members] == 12 and table["部门"][members] is None  # no return: empty, not 0
    assert ws.freeze_panes


def test_template_sheets_carry_the_unit_first_and_provenance_last(merged):
    campaign, _ = merged
    wb = consolidated(campaign)
    with Ledger(campaign.db_path) as ledger:
        accepted = {f.unit_code: f for f in ledger.accepted()}
    for name in ("基本信息", "考核指标", "台账"):
        ws = wb[name]
        head = [c.value for c in ws[1]]
        assert head[:4] == ["单位代码", "单位名称", "分组", "状态"], name
        assert head[-3:] == ["来源文件", "sha256", "收到时间"], name
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), name
        assert ws.freeze_panes == "D2", name
        u001 = rows_of(ws)["U001"]
        f = accepted["U001"]
        assert u001[:4] == ["U001", "第一党支部", "县委", "已报送"]
        assert u001[-3:] == [f.source, f.sha256, f.received_at]
    form = rows_of(wb["基本信息"])
    head = form[""]
    assert form["U001"][head.index("党员人数")] == 12
    assert form["U001"][head.index("换届时间")] == dt.datetime(2026, 3, 5)
    table = [r for r in wb["台账"].iter_rows(min_row=2, values_only=True) if r[0] == "U001"]
    assert [(r[4], r[5]) for r in table] == [(1, "组织生活不规范"), (2, '=HYPERLINK("http://example.org","点我")')]


def test_a_missing_unit_appears_as_missing_with_empty_cells(merged):
    campaign, _ = merged
    wb = consolidated(campaign)
    for name in ("基本信息", "考核指标", "台账"):
        u003 = rows_of(wb[name])["U003"]  # a file named U003's waits in review: not returned, not plain 未报送
        assert u003[:4] == ["U003", "机关党支部", "部门", "待人工确认"], name
        assert all(v is None for v in u003[4:]), (name, u003)  # empty, never zeros
    assert not values(campaign, "U003")


def test_a_faulty_unit_is_flagged(merged):
    campaign, _ = merged
    wb = consolidated(campaign)
    for name in ("基本信息", "考核指标", "台账"):
        assert rows_of(wb[name])["U002"][3] == "需退回修改", name
    form = rows_of(wb["基本信息"])
    assert form["U002"][form[""].index("党员人数")] is None  # the blank stays blank
    assert form["U002"][form[""].index("预备党员")] == 2


def test_text_like_a_formula_stays_text(merged):
    campaign, _ = merged
    wb = consolidated(campaign)
    texts = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    texts[cell.value] = cell.data_type
    assert texts == {"=1+1": "s", '=HYPERLINK("http://example.org","点我")': "s"}
    got = by_field(campaign, "U001")
    assert got[("a1_1.evidence", "")]["raw"] == "'=1+1"  # CSV cells that would start a formula get a '
    assert got[("problem", "2")]["value"].startswith("'=HYPERLINK")


# --------------------------------------------------------------------------- totals.csv and re-runs


def test_totals_csv(merged):
    campaign, _ = merged
    header, rows = read_csv(campaign.out / "totals.csv")
    assert header == ["group", "metric", "value", "display", "key"]
    got = {(r["group"], r["metric"]): r["value"] for r in rows}
    assert got[("县委", "单位数")] == "2" and got[("县委", "已报送")] == "2" and got[("县委", "报送率")] == "1"
    assert got[("部门", "未报送")] == "1" and got[("部门", "报送率")] == "0"
    assert got[("全部", "报送率")] == "0.6667" and got[("全部", "需退回修改")] == "1"
    assert got[("县委", "党员人数")] == "12"
    assert ("部门", "党员人数") not in got  # nobody returned: no sum at all rather than 0


def test_merging_again_changes_nothing(merged):
    campaign, _ = merged
    before = {n: (campaign.out / n).read_bytes() for n in ("values.csv", "totals.csv")}
    merge_campaign(campaign, "zh")
    assert {n: (campaign.out / n).read_bytes() for n in before} == before


def test_merge_cli_json(merged, tmp_path):
    campaign, _ = merged
    copy = shutil.copytree(campaign.dir, tmp_path / "camp")
    proc = cli("merge", copy, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"status": "ok", "exit_code": 0, "units": 3, "returned": 2,
                                      "values": len(values(campaign))}
    assert (Path(copy) / "out" / "values.csv").read_bytes() == (campaign.out / "values.csv").read_bytes()


def test_consolidated_in_english(merged, tmp_path):
    campaign, _ = merged
    copy = shutil.copytree(campaign.dir, tmp_path / "camp")
    assert cli("merge", copy, "--lang", "en").returncode == 0
    wb = openpyxl.load_workbook(Path(copy) / "out" / "consolidated.xlsx")
    assert wb.sheetnames[0] == "Summary"
    head = [c.value for c in wb["基本信息"][1]]
    assert head[:4] == ["Unit code", "Unit", "Group", "State"] and head[-3:] == ["Source file", "sha256", "Received"]
    states = {r[0]: r[3] for r in wb["基本信息"].iter_rows(min_row=2, values_only=True)}
    assert states == {"U001": "accepted", "U002": "faulty", "U003": "under review"}


# --------------------------------------------------------------------------- the template's summary rates


RATE_UNITS = [
    ("P01", "城东党支部", "乡镇", "张三", "13800000001"),
    ("P02", "城西党支部", "乡镇", "李四", "13800000002"),
    ("Q01", "财政局机关党支部", "部门", "赵六", "13800000004"),
    ("Q02", "教育局机关党支部", "部门", "钱七", "13800000005"),
    ("Q03", "审计局机关党支部", "部门", "孙八", "13800000006"),
]


@pytest.fixture(scope="module")
def rates(tmp_path_factory):
    campaign = annual_campaign(tmp_path_factory.mktemp("rates"), RATE_UNITS, {
        "P01": {"f_members": 20, "f_prob_members": 2, "f_new_members": 1},
        "P02": {"f_members": 30, "f_prob_members": 4, "f_new_members": 2},
        "Q01": {"f_members": 40, "f_prob_members": 2, "f_new_members": 0},
        # total left empty: the unit is faulty and its 6 probationary members have nothing to divide by
        "Q02": {"f_members": None, "f_prob_members": 6, "f_new_members": 0},
    })
    merge_campaign(campaign, "zh")
    return campaign


def test_summary_rates_are_computed_per_group(rates):
    _, rows = read_csv(rates.out / "totals.csv")
    got = {(r["group"], r["metric"]): r["value"] for r in rows}
    # 预备党员占比 = sum(prob_members) / sum(members); 年度发展党员比例 = sum(new_members) / sum(members)
    assert got[("乡镇", "预备党员占比")] == "0.12"  # (2 + 4) / (20 + 30)
    assert got[("乡镇", "年度发展党员比例")] == "0.06"  # (1 + 2) / 50
    assert got[("部门", "预备党员占比")] == "0.05"  # 2 / 40: Q02 gave no total, so its 6 do not count
    assert got[("部门", "年度发展党员比例")] == "0"
    assert got[("全部", "预备党员占比")] == "0.0889"  # 8 / 90
    assert got[("全部", "年度发展党员比例")] == "0.0333"  # 3 / 90
    assert got[("部门", "党员总数")] == "40" and got[("全部", "党员总数")] == "90"


def test_summary_rates_in_the_consolidated_summary_sheet(rates):
    ws = openpyxl.load_workbook(rates.out / "consolidated.xlsx").worksheets[0]
    head = [c.value for c in ws[3]]
    table = {row[0]: row for row in ws.iter_rows(min_row=4, values_only=True) if row[0]}
    share, recruited = head.index("预备党员占比"), head.index("年度发展党员比例")
    assert table["乡镇"][share] == pytest.approx(0.12) and table["乡镇"][recruited] == pytest.approx(0.06)
    assert table["部门"][share] == pytest.approx(0.05) and table["部门"][recruited] == 0
    assert table["全部"][share] == pytest.approx(8 / 90) and table["全部"][recruited] == pytest.approx(3 / 90)
    assert table["部门"][1:7] == (3, 2, 1, 1, 1, pytest.approx(2 / 3))
    assert len(ws._charts) == 2  # returns by group, and the rates


def test_the_faulty_unit_in_the_rates_campaign_is_flagged(rates):
    from toolkit.campaign.status import unit_statuses
    assert {s.unit_code: s.state for s in unit_statuses(rates)} == {
        "P01": "accepted", "P02": "accepted", "Q01": "accepted", "Q02": "faulty", "Q03": "missing"}


def test_totals_csv_shows_rates_as_percentages_and_amounts_with_separators(merged):
    campaign, _ = merged
    _, rows = read_csv(campaign.out / "totals.csv")
    shown = {(r["group"], r["metric"]): r["display"] for r in rows}
    assert {(r["group"], r["key"]): r["metric"] for r in rows}[("全部", "return_rate")] == "报送率"
    assert shown[("全部", "报送率")] == "66.7%" and shown[("县委", "报送率")] == "100.0%"
    assert shown[("全部", "单位数")] == "3" and shown[("县委", "党员人数")] == "12"


def test_a_faulty_units_values_are_not_in_the_totals(rates):
    _, rows = read_csv(rates.out / "totals.csv")
    got = {(r["group"], r["metric"]): r["value"] for r in rows}
    # Q02's return is faulty: its 6 probationary members wait for the corrected return
    assert got[("部门", "预备党员数")] == "2" and got[("全部", "预备党员数")] == "8"
    assert got[("部门", "需退回修改")] == "1"


def test_units_in_review_or_unusable_are_also_counted_apart(merged):
    from toolkit.merge.stage import group_totals, load_merged

    campaign, _ = merged
    m = load_merged(campaign)
    m.units[2].status.state = "unusable"  # U003 sent only a Word file
    overall = group_totals(m)[-1]
    assert overall["unusable"] == 1 and overall["missing"] == 1 and overall["returned"] == 2
