"""Rounds: a three-round rectification story on one roster, carry-over prefill read back."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from conftest import DEFAULT_UNITS, write_roster
from typer.testing import CliRunner

from toolkit.campaign.folder import create_campaign, load_campaign
from toolkit.cli.commands import app
from toolkit.generate.outbox import generate_outbox
from toolkit.merge.stage import merge_campaign
from toolkit.read.collect import collect
from toolkit.validate.stage import validate_campaign

COLS = ["item_id", "source", "problem", "measure", "owner", "deadline", "status", "closed_on", "evidence",
        "delay_reason"]


def ledger_rows(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path)["整改台账"]
    out = []
    for row in ws.iter_rows(min_row=4, values_only=True):
        if row[0] and str(row[0]).startswith("#item:") or any(v not in (None, "") for v in row[1:]):
            out.append({"key": row[0], **dict(zip(COLS, row[1:]))})
    return out


def fill_ledger(src: Path, dst: Path, rows: dict[int, dict], secretary: str = "张三") -> Path:
    """Write table rows by position (1 = first data row) the way a unit would type them."""
    wb = openpyxl.load_workbook(src)
    ws = wb["整改台账"]
    for n, values in rows.items():
        for col, value in values.items():
            ws.cell(3 + n, 2 + COLS.index(col), value)
    form = wb["基本信息"]
    for r in range(4, 12):
        if form.cell(r, 1).value == "secretary":
            form.cell(r, 3, secretary)
        if form.cell(r, 1).value in ("filler", "filler_phone", "report_date"):
            form.cell(r, 3, {"filler": "李四", "filler_phone": "13800000000"}.get(form.cell(r, 1).value,
                                                                                dt.datetime(2026, 6, 1)))
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


def outbox(c, code: str) -> Path:
    return next(c.outbox.glob(f"{code}_*.xlsx"))


def issues(c) -> list[dict]:
    return list(csv.DictReader(open(c.out / "issues.csv", encoding="utf-8-sig")))


def rect(c) -> dict[tuple[str, str], dict]:
    rows = csv.DictReader(open(c.out / "rectification.csv", encoding="utf-8-sig"))
    return {(r["unit_code"], r["problem"]): r for r in rows}


def item(**kw) -> dict:
    base = {"source": "巡察反馈", "measure": "建立制度", "owner": "王五", "deadline": "2026-06-30", "status": "整改中"}
    return {**base, **kw}


def run_round(c, returns: Path) -> None:
    from toolkit.feedback.workbooks import write_feedback
    collect(c, [str(returns)], workers=1)
    write_feedback(c, validate_campaign(c))
    merge_campaign(c)


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rounds")
    roster = write_roster(tmp / "roster.csv", DEFAULT_UNITS)
    r1 = create_campaign(tmp / "r1", "rectification-ledger", roster, year=2026, deadline="2026-06-30")
    generate_outbox(r1, workers=1)
    # round 1: U001 reports A (open), B (closed), C (in progress); U002 reports D; U003 sends nothing
    fill_ledger(outbox(r1, "U001"), tmp / "in1" / "u1.xlsx", {
        1: item(item_id="巡察-01", problem="A 三会一课记录不全", status="未启动"),
        2: item(item_id="巡察-02", problem="B 党费收缴不及时", status="已完成", closed_on="2026-05-20",
                evidence="党费收缴台账"),
        3: item(item_id="自查-01", problem="C 主题党日流于形式")})
    fill_ledger(outbox(r1, "U002"), tmp / "in1" / "u2.xlsx", {1: item(item_id="督查-01", problem="D 换届超期")})
    run_round(r1, tmp / "in1")
    # round 2
    result = CliRunner().invoke(app, ["next", str(r1.dir), str(tmp / "r2"), "--deadline", "2026-09-30"])
    assert result.exit_code == 0, result.output
    r2 = load_campaign(tmp / "r2")
    carried2 = ledger_rows(outbox(r2, "U001"))
    # U001 closes A, deletes C, adds E (overdue by the time it is collected)
    rows = {n + 1: {} for n in range(len(carried2))}
    a = next(n for n, r in enumerate(carried2, 1) if str(r["problem"]).startswith("A"))
    rows[a] = {"status": "已完成", "closed_on": "2026-08-01", "evidence": "整改报告"}
    c_row = next(n for n, r in enumerate(carried2, 1) if str(r["problem"]).startswith("C"))
    src = fill_ledger(outbox(r2, "U001"), tmp / "tmp2.xlsx", {n: v for n, v in rows.items() if v})
    wb = openpyxl.load_workbook(src)
    wb["整改台账"].delete_rows(3 + c_row)
    wb.save(src)
    fill_ledger(src, tmp / "in2" / "u1.xlsx", {len(carried2): item(item_id="自查-02", problem="E 发展党员程序不规范",
                                                                     deadline="2026-01-15")})
    run_round(r2, tmp / "in2")
    # round 3: U001 reopens B (closed in round 1); U002 did not return round 2
    result = CliRunner().invoke(app, ["next", str(r2.dir), str(tmp / "r3"), "--deadline", "2026-12-20"])
    assert result.exit_code == 0, result.output
    r3 = load_campaign(tmp / "r3")
    carried3 = ledger_rows(outbox(r3, "U001"))
    fill_ledger(outbox(r3, "U001"), tmp / "in3" / "u1.xlsx", {
        len(carried3) + 1: item(item_id="巡察-02", problem="B 党费收缴不及时（复发）", deadline="2026-12-31")})
    run_round(r3, tmp / "in3")
    return {"r1": r1, "r2": r2, "r3": r3, "carried2": carried2, "carried3": carried3}


def test_round2_prefills_open_items_with_stable_hidden_ids(story):
    carried = story["carried2"]
    problems = [r["problem"] for r in carried if r["key"].startswith("#item:")]
    assert sorted(problems) == ["A 三会一课记录不全", "C 主题党日流于形式"]  # B was closed: not carried
    a = next(r for r in carried if r["problem"].startswith("A"))
    assert a["key"] == "#item:2026r1-1" and a["item_id"] == "巡察-01" and a["deadline"] == "2026-06-30"
    assert a["status"] == "未启动"  # last status, open for input
    assert a["closed_on"] is None and a["evidence"] is None


def test_round2_carried_columns_locked_status_open(story):
    ws = openpyxl.load_workbook(outbox(story["r2"], "U001"))["整改台账"]
    row = 4
    locked = {c: ws.cell(row, 2 + COLS.index(c)).protection.locked for c in COLS}
    assert all(locked[c] for c in ("item_id", "source", "problem", "measure", "owner", "deadline"))
    assert not any(locked[c] for c in ("status", "closed_on", "evidence", "delay_reason"))
    assert ws.column_dimensions["A"].hidden


def test_the_manifest_of_a_round_with_carried_items_lists_every_unit_and_its_own_file(story):
    """Units with carried items get workbooks of their own: the manifest still names each unit's file and bytes."""
    import hashlib
    r2 = story["r2"]
    rows = list(csv.DictReader(open(r2.outbox / "manifest.csv", encoding="utf-8-sig")))
    assert [r["unit_code"] for r in rows] == [u[0] for u in DEFAULT_UNITS]
    for r in rows:
        assert r["file"].startswith(f"{r['unit_code']}_")
        assert hashlib.sha256((r2.outbox / r["file"]).read_bytes()).hexdigest() == r["sha256"]


def test_unit_without_previous_items_gets_a_plain_workbook(story):
    rows = ledger_rows(outbox(story["r2"], "U003"))
    assert rows == []


def test_deleted_item_is_an_issue_and_stays_carried(story):
    found = [i for i in issues(story["r2"]) if i["code"] == "rectification.item_deleted"]
    assert [(i["unit_code"], i["field"]) for i in found] == [("U001", "2026r1-3")]
    problems3 = [r["problem"] for r in story["carried3"]]
    assert "C 主题党日流于形式" in problems3  # deleting a row does not close it


def test_closed_items_leave_and_overdue_items_flagged(story):
    r2 = rect(story["r2"])
    assert r2[("U001", "A 三会一课记录不全")]["status"] == "closed"
    assert r2[("U001", "A 三会一课记录不全")]["first_round"] == "2026r1"
    e = r2[("U001", "E 发展党员程序不规范")]
    assert e["status"] == "in_progress" and e["overdue"] == "true"
    assert "A 三会一课记录不全" not in [r["problem"] for r in story["carried3"]]


def test_unit_that_did_not_return_keeps_last_known_items_marked(story):
    r3 = story["r3"]
    rows = ledger_rows(outbox(r3, "U002"))
    assert [r["problem"] for r in rows] == ["D 换届超期"]
    ws = openpyxl.load_workbook(outbox(r3, "U002"))["整改台账"]
    assert "上一轮未报送" in ws["B1"].value
    r2 = rect(story["r2"])
    assert r2[("U002", "D 换届超期")]["round"] == "2026r1"  # last seen in round 1


def test_reopened_item_flagged_with_its_old_id(story):
    found = [i for i in issues(story["r3"]) if i["code"] == "rectification.reopened"]
    assert len(found) == 1 and found[0]["unit_code"] == "U001"
    r3 = rect(story["r3"])
    b = r3[("U001", "B 党费收缴不及时（复发）")]
    assert (b["status"], b["item_id"], b["first_round"]) == ("reopened", "2026r1-2", "2026r1")


def test_rectification_csv_columns(story):
    with open(story["r3"].out / "rectification.csv", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    assert header == ["unit_code", "item_id", "first_round", "round", "problem", "deadline", "status",
                      "closed_on", "overdue", "item_no"]


def test_rectification_csv_shows_the_units_own_item_numbers(story):
    a = rect(story["r1"])[("U001", "A 三会一课记录不全")]
    assert a["item_id"] == "2026r1-1" and a["item_no"] == "巡察-01"
    d = rect(story["r2"])[("U002", "D 换届超期")]  # not returned in round 2: its last known item
    assert d["item_no"] == "督查-01"


def _check_r2_variant(story, tmp_path, rows: dict[int, dict], received: dt.date):
    """Check one variant of U001's round-2 return against its carried items."""
    from toolkit.campaign.carried import read_carry
    from toolkit.read.locate import extract
    from toolkit.read.reader import read_workbook
    from toolkit.validate.stage import build_return, check_return

    r2 = story["r2"]
    path = fill_ledger(outbox(r2, "U001"), tmp_path / "v.xlsx", rows)
    sub = extract(r2.template(), read_workbook(path.read_bytes(), "xlsx"))
    context = {"carry": read_carry(r2)["U001"], "received_on": received}
    return check_return(build_return(r2.template(), sub, r2.period, context))


def test_deadline_moved_later_needs_a_reason(story, tmp_path):
    found = _check_r2_variant(story, tmp_path, {1: {"deadline": "2026-12-31"}}, dt.date(2026, 9, 1))
    moved = [i for i in found if i.code == "rectification.deadline_moved"]
    assert len(moved) == 1 and moved[0].cell == "G4" and "2026-06-30 → 2026-12-31" in moved[0].detail
    with_reason = _check_r2_variant(story, tmp_path, {1: {"deadline": "2026-12-31", "delay_reason": "需上级批复"}},
                                    dt.date(2026, 9, 1))
    assert not [i for i in with_reason if i.code == "rectification.deadline_moved"]


def test_closing_date_after_collection_is_an_error(story, tmp_path):
    found = _check_r2_variant(story, tmp_path, {1: {"status": "已完成", "closed_on": "2026-10-01",
                                                    "evidence": "整改报告"}}, dt.date(2026, 9, 1))
    late = [i for i in found if i.code == "rectification.closed_after_received"]
    assert len(late) == 1 and late[0].cell == "I4"


def test_feedback_of_a_carried_round_keeps_the_hidden_item_ids(story):
    path = next(story["r2"].feedback.glob("U001_*_退回修改.xlsx"))
    ws = openpyxl.load_workbook(path)["整改台账"]
    keys = [ws.cell(r, 1).value for r in range(4, 8)]
    assert "#item:2026r1-1" in keys


def test_gap_list_becomes_the_next_sprint_list(tmp_path):
    roster = write_roster(tmp_path / "roster.csv", DEFAULT_UNITS)
    c1 = create_campaign(tmp_path / "g1", "gap-sprint", roster, year=2026)
    generate_outbox(c1, workers=1)
    wb = openpyxl.load_workbook(outbox(c1, "U001"))
    ws = wb["差距清单"]
    for n, (no, section, gap) in enumerate([("C1", "学习教育", "理论学习覆盖面不足"), ("C2", "组织生活", "党小组会次数不够")]):
        for col, value in zip(range(2, 8), (no, section, "全覆盖", "80%", gap, "统筹不够")):
            ws.cell(4 + n, col, value)
    (tmp_path / "in").mkdir()
    wb.save(tmp_path / "in" / "u1.xlsx")
    collect(c1, [str(tmp_path / "in")], workers=1)
    result = CliRunner().invoke(app, ["next", str(c1.dir), str(tmp_path / "g2"), "--json"])
    assert result.exit_code == 0, result.output
    c2 = load_campaign(tmp_path / "g2")
    sprint = openpyxl.load_workbook(outbox(c2, "U001"))["冲刺清单"]
    header = [sprint.cell(3, c).value for c in range(1, 11)]
    gap_ref, gap_text = header.index("对应差距序号") + 1, header.index("差距内容") + 1
    rows = [(sprint.cell(r, 1).value, sprint.cell(r, gap_ref).value, sprint.cell(r, gap_text).value) for r in (4, 5)]
    assert rows == [("#item:2026r1-1", "C1", "理论学习覆盖面不足"), ("#item:2026r1-2", "C2", "党小组会次数不够")]
    assert sprint.cell(4, gap_text).protection.locked
    task = header.index("冲刺任务（必填）") + 1
    assert sprint.cell(4, task).value is None and not sprint.cell(4, task).protection.locked


def test_carried_values_shown_as_last_round(tmp_path):
    roster = write_roster(tmp_path / "roster.csv", DEFAULT_UNITS)
    c1 = create_campaign(tmp_path / "y1", "annual-assessment", roster, year=2026)
    generate_outbox(c1, workers=1)
    from conftest import fill_by_name
    fill_by_name(outbox(c1, "U002"), tmp_path / "in" / "u2.xlsx", {"f_members": "32人", "f_prob_members": 2})
    collect(c1, [str(tmp_path / "in")], workers=1)
    result = CliRunner().invoke(app, ["next", str(c1.dir), str(tmp_path / "y2"), "--year", "2027"])
    assert result.exit_code == 0, result.output
    c2 = load_campaign(tmp_path / "y2")
    assert c2.year == 2027 and c2.config["previous"] == str(c1.dir.resolve())
    ws = openpyxl.load_workbook(outbox(c2, "U002"))["基本信息"]
    assert ws["E3"].value.startswith("上年数")
    prior = {ws.cell(r, 1).value: ws.cell(r, 5).value for r in range(4, 25)}
    assert prior["members"] == "32" and prior["prob_members"] == "2" and prior["secretary"] is None
    assert ws["C8"].value is None  # this year's input stays empty
    plain = openpyxl.load_workbook(outbox(c2, "U001"))["基本信息"]  # no return last year: no prior values
    assert plain["E8"].value is None


def test_evaluation_returns_weighted_by_role(tmp_path):
    """Self, two peers and the leadership evaluate one unit: 20/30/50 with the peers averaged."""
    from conftest import fill_by_name

    roster = write_roster(tmp_path / "roster.csv", DEFAULT_UNITS)
    c = create_campaign(tmp_path / "ev", "evaluation", roster, year=2026)
    generate_outbox(c, workers=1)
    spec = c.template()
    items = [(i.id, i.max_points) for s in spec.sheets for i in s.items]
    def evaluation(role: str, who: str, share: float, name: str):
        values = {"f_evaluator_role": role, "f_evaluator": who, "f_evaluator_unit": who + "单位",
                  "f_evaluator_phone": "13800000000", "f_eval_date": dt.datetime(2026, 12, 1)}
        values.update({f"f_{item}_score": round(mx * share, 2) for item, mx in items})
        fill_by_name(outbox(c, "U001"), tmp_path / "in" / f"{name}.xlsx", values)
    evaluation("自评", "张三", 1.0, "self")
    evaluation("互评", "李四", 0.8, "peer1")
    evaluation("互评", "王五", 0.6, "peer2")
    evaluation("点评", "组织部", 0.9, "leader")
    result = collect(c, [str(tmp_path / "in")], workers=1)
    assert result.counts == {"accepted": 4}  # four returns of one unit, none superseded
    from toolkit.pipeline.stages import validated
    from toolkit.score.stage import score_campaign
    validated(c)  # the values stored as validate normalises them (score reads only those)
    scores = score_campaign(c)
    row = next(r for r in scores.scores if r["unit_code"] == "U001")
    total = sum(mx for _, mx in items)
    expected = 0.2 * total * 1.0 + 0.3 * total * (0.8 + 0.6) / 2 + 0.5 * total * 0.9
    assert abs(float(row["total"]) - expected) < 0.05
    roles = [t["inputs"].split(":")[0] for t in scores.trace if t["unit_code"] == "U001"]
    assert roles == ["自评", "互评", "点评"]


def test_report_has_the_rectification_section(story):
    from toolkit.report.stage import report_campaign

    html = report_campaign(story["r3"]).read_text(encoding="utf-8")
    assert "整改进展" in html and "时间最长的未完成事项" in html
    assert "B 党费收缴不及时（复发）" in html and "重新整改" in html  # the reopened item, in Chinese
    assert "D 换届超期" in html  # the stale unit's last known item
