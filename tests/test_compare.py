"""Year on year (年度对比): two hand-made scored campaigns compared by unit code and indicator id."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pytest
from conftest import MINI_SPEC, write_roster

from toolkit.campaign.folder import create_campaign
from toolkit.errors import ConfigError
from toolkit.report.page import ReportInput, render_report
from toolkit.rounds.compare import COMPARE_COLUMNS, compare_campaigns

SCORES = ("unit_code", "unit_name", "group", "total", "rank", "group_rank", "grade", "vetoed")
TRACE = ("unit_code", "indicator", "rule", "inputs", "points", "max_points", "note")
MAX = {"A1": 40, "A2": 40, "A3": 10, "A4": 10, "V": 0, "B1": 5}

# 2025: U004 is dissolved by 2026; U005 did not return in 2025.
OLD_UNITS = [("U001", "第一党支部", "县委"), ("U002", "第二党支部", "县委"), ("U003", "机关党支部", "部门"),
             ("U004", "老干部党支部", "部门"), ("U005", "后勤党支部", "部门"), ("U007", "党校党支部", "部门")]
OLD_SCORES = [("U002", 90, 1, "优秀"), ("U001", 80, 2, "良好"), ("U003", 70, 3, "一般"),
              ("U007", 65, 4, "一般"), ("U004", 60, 5, "一般"), ("U005", "", "", "")]
OLD_POINTS = {"U001": {"A1": 30, "A2": 30, "A3": 10, "A4": 10}, "U002": {"A1": 35, "A2": 35, "A3": 10, "A4": 10},
              "U003": {"A1": 30, "A2": 20, "A3": 10, "A4": 10}, "U004": {"A1": 25, "A2": 25, "A3": 5, "A4": 5},
              "U007": {"A1": 25, "A2": 25, "A3": 10, "A4": 5}}
# 2026: U002 renamed, U006 new (vetoed), U003 did not return.
NEW_UNITS = [("U001", "第一党支部", "县委"), ("U002", "第二联合党支部", "县委"), ("U003", "机关党支部", "部门"),
             ("U005", "后勤党支部", "部门"), ("U006", "新建党支部", "部门"), ("U007", "党校党支部", "部门")]
NEW_SCORES = [("U001", 91, 1, "优秀"), ("U002", 84, 2, "良好"), ("U005", 75, 3, "一般"),
              ("U007", 66, 4, "一般"), ("U006", 50, 5, "较差"), ("U003", "", "", "")]
NEW_POINTS = {"U001": {"A1": 40, "A2": 36, "A3": 8, "A4": 8}, "U002": {"A1": 30, "A2": 35, "A3": 10, "A4": 8},
              "U005": {"A1": 30, "A2": 30, "A3": 5, "A4": 10, "B1": 0},
              "U007": {"A1": 26, "A2": 25, "A3": 10, "A4": 5}, "U006": {"A1": 20, "A2": 20, "A3": 5, "A4": 5, "V": 0}}
NEW_ADJUSTMENTS = [("U001", "A1", "adjustment", "points=-1", -1, "", "会议记录不全"),
                   ("U002", "adjustment", "adjustment", "points=1", 1, "", "通报表扬")]


def write_csv(path: Path, columns: tuple[str, ...], rows: list[tuple]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)


def make_campaign(root: Path, year: int, units, scores, points, extra_trace=()):
    """A campaign folder on the mini spec with out/scores.csv and out/score_trace.csv written by hand."""
    roster = write_roster(root / f"roster-{year}.csv",
                          [(c, n, g, "联系人", "13800000000") for c, n, g in units])
    camp = create_campaign(root / f"考核{year}", str(MINI_SPEC), roster, year=year, name=f"{year}年度考核")
    info = {c: (n, g) for c, n, g in units}
    write_csv(camp.out / "scores.csv", SCORES,
              [(c, *info[c], total, rank, rank, grade, "true" if grade == "较差" else "false")
               for c, total, rank, grade in scores])
    trace = [(c, ind, "self_score", "", pts, MAX[ind], "") for c, inds in points.items() for ind, pts in inds.items()]
    write_csv(camp.out / "score_trace.csv", TRACE, trace + list(extra_trace))
    return camp


@pytest.fixture
def pair(tmp_path):
    old = make_campaign(tmp_path, 2025, OLD_UNITS, OLD_SCORES, OLD_POINTS)
    new = make_campaign(tmp_path, 2026, NEW_UNITS, NEW_SCORES, NEW_POINTS, NEW_ADJUSTMENTS)
    return old, new


@pytest.fixture
def compared(pair):
    old, new = pair
    return old, new, compare_campaigns(old, new)


def read_compare_csv(camp) -> dict[str, dict]:
    raw = (camp.out / "compare.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(camp.out / "compare.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames[:12]) == COMPARE_COLUMNS[:12]
        return {r["unit_code"]: r for r in reader}


def test_totals_ranks_and_grade_moves(compared):
    _, new, _ = compared
    rows = read_compare_csv(new)
    u1, u2, u7 = rows["U001"], rows["U002"], rows["U007"]
    assert (u1["old_total"], u1["new_total"], u1["delta"]) == ("80", "91", "11")
    assert (u1["old_rank"], u1["new_rank"], u1["rank_change"]) == ("2", "1", "1")  # moved up one place
    assert (u1["old_grade"], u1["new_grade"], u1["grade_move"]) == ("良好", "优秀", "up")
    assert (u2["delta"], u2["rank_change"], u2["grade_move"]) == ("-6", "-1", "down")
    assert (u7["delta"], u7["rank_change"], u7["grade_move"]) == ("1", "0", "same")
    assert rows["U006"]["new_vetoed"] == "true" and rows["U001"]["new_vetoed"] == "false"


def test_renamed_unit_keeps_its_history(compared):
    _, new, summary = compared
    u2 = read_compare_csv(new)["U002"]
    assert (u2["unit_name"], u2["old_unit_name"], u2["presence"]) == ("第二联合党支部", "第二党支部", "both")
    assert u2["old_total"] == "90"
    assert summary["units"]["renamed"] == [{"unit_code": "U002", "old_name": "第二党支部", "new_name": "第二联合党支部"}]


def test_new_and_dissolved_units_are_listed(compared):
    _, new, summary = compared
    rows = read_compare_csv(new)
    assert [u["unit_code"] for u in summary["units"]["new"]] == ["U006"]
    assert [u["unit_code"] for u in summary["units"]["dissolved"]] == ["U004"]
    assert (rows["U006"]["presence"], rows["U006"]["old_total"], rows["U006"]["new_total"]) == ("new", "", "50")
    assert (rows["U004"]["presence"], rows["U004"]["old_total"], rows["U004"]["new_total"]) == ("dissolved", "60", "")
    assert list(rows)[-1] == "U004"  # dissolved units come after this year's ranking


def test_units_without_a_score_are_not_zero(compared):
    _, new, summary = compared
    rows = read_compare_csv(new)
    assert (rows["U003"]["old_total"], rows["U003"]["new_total"], rows["U003"]["delta"]) == ("70", "", "")
    assert (rows["U003"]["new_rank"], rows["U003"]["grade_move"]) == ("", "")
    assert (rows["U005"]["old_total"], rows["U005"]["new_total"], rows["U005"]["delta"]) == ("", "75", "")
    assert summary["units"]["not_returned_new"] == ["U003"]
    assert summary["units"]["not_returned_old"] == ["U005"]
    assert summary["units"]["scored_both_years"] == 3  # U001, U002, U007
    assert (summary["units"]["improved"], summary["units"]["declined"]) == (2, 1)


def test_indicators_improved_and_worse_most(compared):
    _, _, summary = compared
    up = summary["indicators"]["improved_most"]
    down = summary["indicators"]["worse_most"]
    assert [i["indicator"] for i in up] == ["A2", "A1"]
    assert [i["indicator"] for i in down] == ["A4", "A3"]
    a1 = up[1]  # U001 40 − 1 adjustment, U002 30, U007 26 against 30, 35, 25
    assert (a1["old_mean"], a1["new_mean"], a1["delta"]) == (30, 31.6667, 1.6667)
    assert (a1["units"], a1["improved"], a1["worse"]) == (3, 2, 1)
    assert (down[0]["old_mean"], down[0]["new_mean"], down[0]["worse"]) == (8.3333, 7, 2)
    assert "a1.1" not in {i["indicator"] for i in up + down}


def test_grade_transition_matrix(compared):
    matrix = compared[2]["grade_transitions"]
    assert matrix["grades"] == ["优秀", "良好", "一般", "较差", ""]  # "" = no grade that year (未参评)
    assert matrix["matrix"]["良好"]["优秀"] == 1
    assert matrix["matrix"]["优秀"]["良好"] == 1
    # U003 did not return in 2026, U004 was dissolved: both counted, in the 未参评 column
    assert matrix["matrix"]["一般"] == {"优秀": 0, "良好": 0, "一般": 1, "较差": 0, "": 2}
    assert matrix["matrix"][""]["一般"] == 1  # U005 did not return in 2025
    assert matrix["matrix"][""]["较差"] == 1  # U006 is new in 2026
    assert sum(sum(row.values()) for row in matrix["matrix"].values()) == 7  # every unit of either year


def test_workbook_sheets_and_cells(compared):
    _, new, summary = compared
    assert summary["outputs"]["xlsx"] == str(new.out / "compare.xlsx")
    wb = openpyxl.load_workbook(new.out / "compare.xlsx")
    assert wb.sheetnames[:4] == ["总体对比", "指标变化", "等次变动", "新增与撤销"]
    ws = wb["总体对比"]
    header = [c.value for c in ws[2]]
    assert header[:7] == ["单位代码", "单位名称", "2025年单位名称", "分组", "2025年总分", "2026年总分", "总分变化"]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    assert rows["U001"][4:13] == (80, 91, 11, 2, 1, 1, "良好", "优秀", "上升")
    assert rows["U002"][1:3] == ("第二联合党支部", "第二党支部")
    assert rows["U003"][5] == "未报送" and rows["U005"][4] == "未报送"  # never 0
    assert rows["U006"][15] == "新增单位" and rows["U004"][15] == "撤销/合并"
    ind = {r[0]: r for r in wb["指标变化"].iter_rows(min_row=3, values_only=True)}
    assert ind["A2"][11] == "提高最多第1" and ind["A4"][11] == "下降最多第1"
    assert ind["B1"][11] == "仅2026年有此指标" and ind["B1"][4] == 0
    grades = list(wb["等次变动"].iter_rows(min_row=2, values_only=True))
    assert grades[0] == ("2025年等次＼2026年等次", "优秀", "良好", "一般", "较差", "未参评", "合计")
    assert grades[2] == ("良好", 1, 0, 0, 0, 0, 1)
    assert grades[-1] == ("合计", 1, 1, 2, 1, 2, 7)
    changes = {r[0]: r for r in wb["新增与撤销"].iter_rows(min_row=3, values_only=True)}
    assert changes["U006"][3:6] == ("新增单位", 2026, 50) and changes["U004"][3:6] == ("撤销/合并", 2025, 60)


def test_workbook_in_english(pair):
    old, new = pair
    compare_campaigns(old, new, lang="en")
    wb = openpyxl.load_workbook(new.out / "compare.xlsx")
    assert wb.sheetnames[:4] == ["Units", "Indicators", "Grade moves", "New and dissolved"]
    assert [c.value for c in wb["Units"][2]][4:7] == ["Total 2025", "Total 2026", "Change"]


def test_rerun_changes_nothing(pair):
    old, new = pair
    first = compare_campaigns(old, new)
    csv_bytes = (new.out / "compare.csv").read_bytes()
    xlsx_cells = [list(ws.values) for ws in openpyxl.load_workbook(new.out / "compare.xlsx")]
    assert compare_campaigns(old, new) == first
    assert (new.out / "compare.csv").read_bytes() == csv_bytes
    assert [list(ws.values) for ws in openpyxl.load_workbook(new.out / "compare.xlsx")] == xlsx_cells


def render(camp, lang="zh") -> str:
    return render_report(ReportInput(camp.name, camp.year, "2026-12-31", camp.out, lang=lang))


def test_report_section_when_compare_csv_exists(compared):
    _, new, _ = compared
    html = render(new)
    assert "<h2>年度对比</h2>" in html
    section = html.split('id="compare"', 1)[1].split("</section>", 1)[0]
    u1 = re.search(r"<tr><td>第一党支部</td>.*?</tr>", section, re.S).group(0)
    assert re.findall(r'<td class="n">(.*?)</td>', u1)[:6] == ["80.00", "91.00", "+11.00", "2", "1", "+1"]
    assert "上升" in u1
    u3 = re.search(r"<tr><td>机关党支部</td>.*?</tr>", section, re.S).group(0)
    assert "未报送" in u3 and ">0<" not in u3
    assert "原名：第二党支部" in section and "撤销/合并" in section and "新增" in section
    grade_moves = section.split('id="grade-moves"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"<td>良好</td><td class=\"n\">1</td>", grade_moves)
    assert "<svg" in section and "<script" not in section


def test_report_section_in_english(compared):
    html = render(compared[1], lang="en")
    section = html.split('id="compare"', 1)[1].split("</section>", 1)[0]
    assert "<h2>Year on year</h2>" in html and "not returned" in section and "未报送" not in section


def test_report_without_compare_csv_has_no_section(pair):
    html = render(pair[1])
    assert 'id="compare"' not in html and "年度对比" not in html


@pytest.mark.parametrize("which", ["old", "new"])
def test_folder_without_scores_is_refused(pair, which):
    old, new = pair
    folder = old if which == "old" else new
    (folder.out / "scores.csv").unlink()
    with pytest.raises(ConfigError) as err:
        compare_campaigns(old, new)
    assert str(folder.dir) in str(err.value)
    assert f"run `toolkit score {folder.dir}` first" in str(err.value)
    assert not (new.out / "compare.csv").exists()


def test_same_folder_twice_is_refused(pair):
    _, new = pair
    with pytest.raises(ConfigError, match="same folder"):
        compare_campaigns(new, new)


def test_missing_trace_compares_units_and_warns(pair):
    old, new = pair
    (old.out / "score_trace.csv").unlink()
    summary = compare_campaigns(old, new)
    assert summary["indicators"]["improved_most"] == [] and summary["indicators"]["compared"] == 0
    assert any("score_trace.csv" in w for w in summary["warnings"])
    assert read_compare_csv(new)["U001"]["delta"] == "11"


def test_a_faulty_units_scores_are_not_compared(pair):
    old, new = pair
    rows = list(csv.DictReader(open(new.out / "scores.csv", encoding="utf-8-sig")))
    write_csv(new.out / "scores.csv", SCORES + ("state",),
              [tuple(r[c] for c in SCORES) + ("faulty" if r["unit_code"] == "U001" else "accepted",) for r in rows])
    summary = compare_campaigns(old, new)
    u1 = read_compare_csv(new)["U001"]
    assert (u1["new_total"], u1["delta"], u1["new_grade"], u1["new_state"]) == ("", "", "", "faulty")
    assert summary["grade_transitions"]["matrix"]["良好"][""] == 1  # U001 counts as 未参评 this year
    a1 = next(i for i in summary["indicators"]["improved_most"] + summary["indicators"]["worse_most"]
              if i["indicator"] == "A1")
    assert a1["units"] == 2  # U001's points are not compared
    ws = openpyxl.load_workbook(new.out / "compare.xlsx")["总体对比"]
    row = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == "U001")
    assert row[5] == "待补正"


def test_faulty_from_the_ledger_when_scores_has_no_state_column(pair, monkeypatch):
    import toolkit.rounds.compare_read as compare_read
    old, new = pair
    monkeypatch.setattr(compare_read, "_states", lambda c: {"U002": "faulty"} if c.year == 2026 else {})
    compare_campaigns(old, new)
    assert read_compare_csv(new)["U002"]["new_total"] == ""


def test_workbook_numbers_have_two_decimals_and_separators(compared):
    _, new, _ = compared
    ws = openpyxl.load_workbook(new.out / "compare.xlsx")["总体对比"]
    cell = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "U001")[4]
    assert cell.value == 80 and cell.number_format == "#,##0.00"
    ind = openpyxl.load_workbook(new.out / "compare.xlsx")["指标变化"]
    mean = next(r for r in ind.iter_rows(min_row=3) if r[0].value == "A1")[6]
    assert mean.number_format == "#,##0.00"
