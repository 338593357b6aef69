"""`toolkit score` on a real campaign: annual-assessment returns filled like a user would.

Five units in two groups return, one never does. Their totals are known by construction
(full marks minus what each unit was made to lose), so ranks, grades, the veto, office
adjustments and the scoring sheet can be asserted exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from clirun import cli
from conftest import fill_by_name, outbox_file, write_roster

from toolkit.campaign.folder import create_campaign
from toolkit.generate.outbox import generate_outbox
from toolkit.read.collect import collect
from toolkit.spec.load import TEMPLATES_DIR, load_spec
from toolkit.validate.stage import validate_campaign

SCORES_COLUMNS = ["unit_code", "unit_name", "group", "total", "rank", "group_rank", "grade", "vetoed", "state"]
TRACE_COLUMNS = ["unit_code", "indicator", "rule", "inputs", "points", "max_points", "note"]

ANNUAL_UNITS = [
    ("P01", "城东党支部", "乡镇", "张三", "13800000001"),
    ("P02", "城西党支部", "乡镇", "李四", "13800000002"),
    ("P03", "城南党支部", "乡镇", "王五", "13800000003"),
    ("Q01", "财政局机关党支部", "部门", "赵六", "13800000004"),
    ("Q02", "教育局机关党支部", "部门", "钱七", "13800000005"),
    ("Q03", "审计局机关党支部", "部门", "孙八", "13800000006"),  # never returns
]

# What each unit typed on top of a full-marks return, and the total that must come out.
RETURNS = {
    "P01": ({"f_b_1_self_score": 2, "f_b_1_evidence": "市级表彰文件"}, 102),
    "P02": ({"f_a1_1_self_score": 2}, 98),
    "P03": ({"f_a2_2_self_score": 2}, 98),
    # general_meetings 1 → band 2 of 5 (−3); theme_days 6 → 6/12 × 4 = 2 (−2); five items at 0 (−24)
    "Q01": ({"f_general_meetings": 1, "f_theme_days": 6, "f_a2_1_self_score": 0, "f_a3_2_self_score": 0,
             "f_a5_2_self_score": 0, "f_a6_1_self_score": 0, "f_a7_1_self_score": 0}, 71),
    "Q02": ({"f_v_1_occurred": "是", "f_v_1_note": "支部一名党员受到党内严重警告处分"}, 100),
}


def annual_values(campaign) -> dict[str, object]:
    """A complete, valid annual-assessment return by defined name: full marks, no bonus, no veto."""
    values: dict[str, object] = {
        "f_org_type": "党支部", "f_secretary": "周书记", "f_members": 30, "f_prob_members": 2,
        "f_new_members": 1, "f_general_meetings": 4, "f_committee_meetings": 12, "f_group_meetings": 12,
        "f_party_lectures": 4, "f_theme_days": 12, "f_last_election": dt.datetime(2025, 6, 18),
        "f_dues_collected": 5000.5, "f_contact_person": "吴填报", "f_contact_phone": "13912345678",
    }
    spec = campaign.template()
    for sheet in spec.sheets:
        for area in sheet.areas:
            for item in area.items:
                if area.kind == "veto":
                    values[f"f_{item.id}_occurred"] = "否"
                elif area.kind == "bonus":
                    values[f"f_{item.id}_self_score"] = 0
                else:
                    values[f"f_{item.id}_self_score"] = item.max_points
                    values[f"f_{item.id}_evidence"] = "支委会会议记录第3页"
    return values


def annual_campaign(root: Path, units=ANNUAL_UNITS, returns: dict | None = None):
    """An annual-assessment campaign whose units returned *returns* ({code: changed values}), validated."""
    roster = write_roster(root / "roster.csv", units)
    campaign = create_campaign(root / "camp", "annual-assessment", roster, year=2026, deadline="2026-12-20",
                               name="2026年度党建考核（测试）")
    generate_outbox(campaign, workers=1)
    base = annual_values(campaign)
    paths = []
    for code, changes in (returns if returns is not None else {c: v for c, (v, _) in RETURNS.items()}).items():
        src = outbox_file(campaign, code)
        paths.append(fill_by_name(src, root / "returns" / src.name, {**base, **changes}))
    collect(campaign, [str(p) for p in paths], workers=1)
    validate_campaign(campaign, "zh")
    return campaign


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no BOM"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The campaign folder, filled, collected and validated once; tests work on copies."""
    campaign = annual_campaign(tmp_path_factory.mktemp("annual"))
    return campaign.dir


@pytest.fixture
def camp(built, tmp_path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "camp"))


@pytest.fixture
def scored(camp):
    """`toolkit score DIR` run once: (folder, scores by unit, trace rows, completed process)."""
    proc = cli("score", camp, "--json")
    assert proc.returncode == 0, proc.stderr
    _, scores = read_csv(camp / "out" / "scores.csv")
    _, trace = read_csv(camp / "out" / "score_trace.csv")
    return camp, {r["unit_code"]: r for r in scores}, trace, proc


def trace_sum(trace: list[dict], unit: str) -> float:
    return sum(float(r["points"]) for r in trace if r["unit_code"] == unit)


# --------------------------------------------------------------------------- scores.csv and score_trace.csv


def test_the_filled_returns_are_clean(built):
    _, issues = read_csv(built / "out" / "issues.csv")
    assert issues == []


def test_score_writes_the_contract_files(scored):
    camp, _, _, proc = scored
    assert read_csv(camp / "out" / "scores.csv")[0] == SCORES_COLUMNS
    assert read_csv(camp / "out" / "score_trace.csv")[0] == TRACE_COLUMNS
    assert (camp / "out" / "scoring-sheet.xlsx").is_file()
    summary = json.loads(proc.stdout)
    assert summary["scored"] == 5 and summary["vetoed"] == ["Q02"]


def test_totals_are_the_known_ones(scored):
    _, scores, _, _ = scored
    assert {code: float(scores[code]["total"]) for code in RETURNS} == {c: t for c, (_, t) in RETURNS.items()}


def test_ranks_are_competition_ranks_overall_and_in_the_group(scored):
    _, scores, _, _ = scored
    ranks = {c: (scores[c]["rank"], scores[c]["group_rank"]) for c in RETURNS}
    # 102, 98, 98, 71 → 1, 2, 2, 4, then Q02 (100, vetoed) after every unit not vetoed: 5;
    # groups: 乡镇 102, 98, 98 → 1, 2, 2; 部门 71 → 1, then the vetoed Q02 → 2
    assert ranks == {"P01": ("1", "1"), "P02": ("2", "2"), "P03": ("2", "2"), "Q01": ("4", "1"), "Q02": ("5", "2")}


def test_vetoed_and_grades(scored):
    _, scores, _, _ = scored
    assert {c: r["vetoed"] for c, r in scores.items()} == {
        "P01": "false", "P02": "false", "P03": "false", "Q01": "false", "Q02": "true"}
    # 优秀 needs ≥ 90 and at most floor(15% × 5) = 0 units; the vetoed unit is 较差 whatever its total
    assert {c: scores[c]["grade"] for c in RETURNS} == {"P01": "良好", "P02": "良好", "P03": "良好",
                                                        "Q01": "一般", "Q02": "较差"}


def test_the_veto_is_explained_in_the_trace(scored):
    _, _, trace, _ = scored
    veto = next(r for r in trace if r["unit_code"] == "Q02" and r["rule"] == "veto")
    assert "v.1" in veto["note"] and "较差" in veto["note"]


def test_the_trace_adds_up_to_the_total_for_every_unit(scored):
    _, scores, trace, _ = scored
    for code in RETURNS:
        assert trace_sum(trace, code) == pytest.approx(float(scores[code]["total"]), abs=1e-6), code


def test_trace_shows_rules_on_reported_numbers(scored):
    _, _, trace, _ = scored
    q01 = {r["indicator"]: r for r in trace if r["unit_code"] == "Q01"}
    assert (q01["a4_1_meetings"]["points"], q01["a4_1_meetings"]["max_points"]) == ("2", "5")
    assert "general_meetings=1" in q01["a4_1_meetings"]["inputs"]
    assert q01["a4_5_theme_days"]["points"] == "2"
    assert q01["a2_1"]["points"] == "0"


def test_a_missing_unit_is_not_scored_and_not_ranked(scored):
    _, scores, trace, _ = scored
    assert "Q03" not in scores  # scores.csv holds scored units only: state accepted or faulty (contract)
    assert {r["state"] for r in scores.values()} == {"accepted"}
    assert not [r for r in trace if r["unit_code"] == "Q03"]


def test_scoring_twice_changes_nothing(scored):
    camp, _, _, _ = scored
    before = [(camp / "out" / n).read_bytes() for n in ("scores.csv", "score_trace.csv")]
    assert cli("score", camp).returncode == 0
    assert [(camp / "out" / n).read_bytes() for n in ("scores.csv", "score_trace.csv")] == before


# --------------------------------------------------------------------------- adjustments.csv


def write_adjustments(camp: Path, rows: list[tuple], header=("unit_code", "indicator", "points", "reason")) -> Path:
    path = camp / "adjustments.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_adjustments_show_in_the_trace_and_change_the_total(camp):
    write_adjustments(camp, [("P03", "a1_2", "-1.5", "巡察发现支委会记录不全"), ("Q01", "", "2", "市级表彰补记")])
    proc = cli("score", camp)
    assert proc.returncode == 0, proc.stderr
    _, scores = read_csv(camp / "out" / "scores.csv")
    _, trace = read_csv(camp / "out" / "score_trace.csv")
    scores = {r["unit_code"]: r for r in scores}
    assert float(scores["P03"]["total"]) == 96.5 and float(scores["Q01"]["total"]) == 73
    adj = [r for r in trace if r["rule"] == "adjustment"]
    assert {(r["unit_code"], r["indicator"], r["points"], r["note"]) for r in adj} == {
        ("P03", "a1_2", "-1.5", "巡察发现支委会记录不全"), ("Q01", "adjustment", "2", "市级表彰补记")}
    for code in RETURNS:
        assert trace_sum(trace, code) == pytest.approx(float(scores[code]["total"]), abs=1e-6)
    # P03 fell behind P02: the tie is broken
    assert (scores["P02"]["rank"], scores["P03"]["rank"]) == ("2", "3")


def test_an_adjustment_for_a_unit_without_return_is_a_warning(camp):
    write_adjustments(camp, [("Q03", "", "1", "补报")])
    proc = cli("score", camp, "--json")
    assert proc.returncode == 0, proc.stderr
    warnings = json.loads(proc.stdout)["warnings"]
    assert len(warnings) == 1 and "Q03" in warnings[0]
    _, scores = read_csv(camp / "out" / "scores.csv")
    assert "Q03" not in {r["unit_code"] for r in scores}


@pytest.mark.parametrize("rows, header, needle", [
    ([("P01", "", "1", "表彰"), ("P02", "a1_1", "abc", "原因")], None, "row 3"),
    ([("P01", "", "1", "表彰"), ("P02", "a1_1", "-1", "")], None, "row 3"),
    ([("", "a1_1", "-1", "原因")], None, "row 2"),
    ([("P01", "", "1", "表彰"), ("ZZ9", "", "1", "原因")], None, "row 3"),
    ([("P01", "a9_9", "1", "原因")], None, "row 2"),
    ([("P01", "", "1", "表彰")], ("unit_code", "indicator", "pionts", "reason"), "row 1"),
])
def test_a_bad_adjustments_file_is_a_usage_error_naming_the_row(camp, rows, header, needle):
    write_adjustments(camp, rows, **({"header": header} if header else {}))
    proc = cli("score", camp)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "adjustments.csv" in proc.stderr and needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (camp / "out" / "scores.csv").exists()


def test_a_campaign_without_scoring_is_a_usage_error_naming_campaign_yaml(camp):
    yaml_path = camp / "campaign.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(text.replace("scoring: annual-assessment-scoring", "scoring: null"), encoding="utf-8")
    proc = cli("score", camp)
    assert proc.returncode == 2
    assert "campaign.yaml" in proc.stderr and "scoring" in proc.stderr
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- scoring-sheet.xlsx


@pytest.fixture
def sheet(scored):
    camp, scores, trace, _ = scored
    return openpyxl.load_workbook(camp / "out" / "scoring-sheet.xlsx"), scores, trace


def _cells(ws) -> list:
    return [v for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_scoring_sheet_has_an_overall_sheet_then_one_per_group(sheet):
    wb, _, _ = sheet
    assert wb.sheetnames[:3] == ["总表", "乡镇", "部门"]
    overall = wb["总表"]
    known = {u[0] for u in ANNUAL_UNITS}
    codes = [r[2] for r in overall.iter_rows(min_row=4, values_only=True) if r[2] in known]
    assert codes == ["P01", "P02", "P03", "Q01", "Q02", "Q03"]  # by rank, the vetoed Q02 after, the missing unit last
    q03 = next(r for r in overall.iter_rows(min_row=4, values_only=True) if r[2] == "Q03")
    assert q03[:2] == (None, None) and q03[-3] == "未报送"
    assert all(v is None for v in q03[5:-3])  # area subtotals empty, never zeros
    group = [r[2] for r in wb["部门"].iter_rows(min_row=4, values_only=True) if r[2]]
    assert group[:3] == ["Q01", "Q02", "Q03"]


def test_scoring_sheet_is_print_ready(sheet):
    wb, _, _ = sheet
    for name in ("总表", "乡镇", "部门"):
        ws = wb[name]
        assert "2026" in str(ws["A1"].value) and "评分表" in str(ws["A1"].value)
        assert str(ws.page_setup.paperSize) == "9"
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == "$1:$3"
        assert "&P" in (ws.oddFooter.center.text or "")
        assert any("签字" in str(v) for v in _cells(ws))


def test_one_score_card_per_scored_unit_matching_its_trace(sheet):
    wb, scores, trace = sheet
    cards = [n for n in wb.sheetnames if n.endswith("评分卡")]
    assert sorted(cards) == sorted(f"{c} 评分卡" for c in RETURNS)
    for code in RETURNS:
        ws = wb[f"{code} 评分卡"]
        assert code in str(ws["A1"].value)
        assert scores[code]["total"] in str(ws["A2"].value)
        rows = []
        for row in ws.iter_rows(min_row=4, values_only=True):
            if row[0] is None:
                break
            rows.append((float(row[3]), row[4] and float(row[4])))
        want = [(float(r["points"]), r["max_points"] and float(r["max_points"]))
                for r in trace if r["unit_code"] == code]
        assert rows == want
        assert any("签字" in str(v) for v in _cells(ws))
        assert ws.page_setup.orientation == "landscape" and "&P" in (ws.oddFooter.center.text or "")


def test_score_cards_repeat_a_valid_header_when_printed(sheet):
    """Regression: cards used to get the print titles $1:$0, which Excel reports as damaged."""
    wb, _, _ = sheet
    for name in wb.sheetnames:
        if name.endswith("评分卡"):
            assert wb[name].print_title_rows == "$1:$3"


def test_adjustments_get_their_own_column_and_card_rows(camp):
    write_adjustments(camp, [("P03", "a1_2", "-1.5", "巡察发现支委会记录不全")])
    assert cli("score", camp).returncode == 0
    wb = openpyxl.load_workbook(camp / "out" / "scoring-sheet.xlsx")
    card = [r for r in wb["P03 评分卡"].iter_rows(min_row=4, values_only=True) if r[1] == "考核调整（办公室加减分）"]
    title = next(i.content for s in load_spec(TEMPLATES_DIR / "annual-assessment.yaml").sheets for a in s.areas
                 for i in a.items if i.id == "a1_2")
    assert [(r[0], r[3], r[5]) for r in card] == [(title, -1.5, "巡察发现支委会记录不全")]


def test_scoring_sheet_in_english(camp):
    assert cli("score", camp, "--lang", "en").returncode == 0
    wb = openpyxl.load_workbook(camp / "out" / "scoring-sheet.xlsx")
    ws = wb.worksheets[0]
    assert ws.title == "All units"
    assert "Annual scoring sheet 2026" in str(ws["A1"].value)
    assert "Page &P" in ws.oddFooter.center.text
    assert any("signature" in str(v) for v in _cells(ws))
