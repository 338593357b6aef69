"""`toolkit export --parquet` and `toolkit rollup`: three small campaigns of the annual assessment,
rolled up; the totals are checked against sums this test computes from the values it typed."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import MINI_SPEC, fill_by_name, outbox_file, write_roster
from test_scoring_stage import annual_values
from typer.testing import CliRunner

from toolkit.campaign.folder import create_campaign
from toolkit.cli import app
from toolkit.generate.outbox import generate_outbox

runner = CliRunner()


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


FAULTY = {"f_a1_1_self_score": 999}  # above the item's maximum: an error, so the return is faulty

# campaign → units (code, name, group) and what each returned (None: nothing)
CAMPAIGNS = {
    "east": [(("E01", "东一支部", "乡镇"), {"f_members": 30, "f_prob_members": 3, "f_new_members": 2,
                                          "f_dues_collected": 1200.5}),
             (("E02", "东二支部", "乡镇"), {"f_members": 12, "f_prob_members": 1, "f_new_members": 0,
                                          "f_dues_collected": 300, "f_a1_1_self_score": 2}),
             (("E03", "东三支部", "部门"), {**FAULTY, "f_members": 99, "f_prob_members": 9})],
    "west": [(("W01", "西一支部", "乡镇"), {"f_members": 45, "f_prob_members": 5, "f_new_members": 4,
                                          "f_dues_collected": 800}),
             (("W02", "西二支部", "部门"), {"f_members": 8, "f_prob_members": 0, "f_new_members": 1,
                                          "f_dues_collected": 99.25, "f_b_1_self_score": 2,
                                          "f_b_1_evidence": "表彰文件"}),
             (("W03", "西三支部", "部门"), None)],
    "north": [(("N01", "北一支部", "部门"), {"f_members": 21, "f_prob_members": 2, "f_new_members": 1,
                                           "f_dues_collected": 410}),
              (("N02", "北二支部", "乡镇"), None)],
}


def build(root: Path, name: str, units: list, template: str = "annual-assessment") -> Path:
    """A campaign whose units returned what *units* says, run through to the report."""
    roster = write_roster(root / f"{name}-roster.csv", [(c, n, g, "联系人", "13800000000") for (c, n, g), _ in units])
    campaign = create_campaign(root / name, template, roster, year=2026, deadline="2026-12-20",
                               name=f"2026年度考核（{name}）")
    generate_outbox(campaign, workers=1)
    inbox = root / f"{name}-inbox"
    inbox.mkdir()
    base = annual_values(campaign) if template == "annual-assessment" else {}
    for (code, _, _), changes in units:
        if changes is not None:
            src = outbox_file(campaign, code)
            fill_by_name(src, inbox / src.name, {**base, **changes})
    result = cli("run", campaign.dir, inbox)
    assert result.exit_code == 0, result.output
    return campaign.dir


@pytest.fixture(scope="module")
def campaigns(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("provinces")
    return {name: build(root, name, units) for name, units in CAMPAIGNS.items()}


def returned_values(name: str, accepted_only: bool = True) -> list[dict]:
    """What each unit of a campaign typed (the full-marks base under its changes), valid returns only."""
    out = []
    for (code, _, group), changes in CAMPAIGNS[name]:
        if changes is None or (accepted_only and changes.get("f_a1_1_self_score") == 999):
            continue
        base = {"f_members": 30, "f_prob_members": 2, "f_new_members": 1, "f_dues_collected": 5000.5}
        out.append({"code": code, "group": group, **base, **changes})
    return out


def table(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


@pytest.fixture(scope="module")
def rolled(campaigns, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("national") / "out"
    result = cli("rollup", out, *campaigns.values(), "--json")
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def totals_of(out: Path) -> dict[tuple, float]:
    return {(r["level"], r["campaign"] or r["group"] or "", r["key"]): r["value"]
            for r in table(out / "rollup.parquet" / "totals.parquet")}


def test_rollup_sums_per_campaign_group_and_overall_are_the_ones_typed(rolled):
    out, summary = rolled
    assert summary["campaigns"] == ["east", "west", "north"]
    given_order = [r["campaign"] for r in table(out / "rollup.parquet" / "campaigns.parquet")]
    assert given_order == ["east", "west", "north"]
    totals = totals_of(out)
    everyone = [v for name in CAMPAIGNS for v in returned_values(name)]
    for field in ("members", "prob_members", "new_members", "dues_collected"):
        for name in CAMPAIGNS:
            assert totals[("campaign", name, field)] == pytest.approx(sum(v[f"f_{field}"] for v in returned_values(name)))
        for group in ("乡镇", "部门"):
            assert totals[("group", group, field)] == pytest.approx(
                sum(v[f"f_{field}"] for v in everyone if v["group"] == group))
        assert totals[("all", "", field)] == pytest.approx(sum(v[f"f_{field}"] for v in everyone))
    share = sum(v["f_prob_members"] for v in everyone) / sum(v["f_members"] for v in everyone)
    assert totals[("all", "", "rate:probationary_share")] == pytest.approx(share)


def test_rollup_counts_states_and_return_rates(rolled):
    totals = totals_of(rolled[0])
    assert [totals[("campaign", "east", k)] for k in ("units", "accepted", "faulty", "missing")] == [3, 2, 1, 0]
    assert [totals[("campaign", "west", k)] for k in ("units", "accepted", "faulty", "missing")] == [3, 2, 0, 1]
    assert [totals[("all", "", k)] for k in ("units", "accepted", "faulty", "missing", "returned")] == [8, 5, 1, 2, 6]
    assert totals[("all", "", "return_rate")] == pytest.approx(6 / 8)
    assert totals[("group", "部门", "units")] == 4


def test_the_faulty_units_values_never_count(rolled):
    totals = totals_of(rolled[0])
    assert totals[("campaign", "east", "members")] == 42  # E03 typed 99 but its return has an error


def test_ranks_across_campaigns_are_competition_ranks_of_the_campaigns_own_totals(rolled, campaigns):
    scores = []
    for name, folder in campaigns.items():
        with open(folder / "out" / "scores.csv", encoding="utf-8-sig", newline="") as fh:
            scores += [(name, r) for r in csv.DictReader(fh) if r["rank"]]
    key = [(r["vetoed"] == "true", -float(r["total"])) for _, r in scores]
    expected = {(name, r["unit_code"]): 1 + sum(k < key[i] for k in key) for i, (name, r) in enumerate(scores)}
    ranks = table(rolled[0] / "rollup.parquet" / "ranks.parquet")
    assert {(r["campaign"], r["unit_code"]): r["rank"] for r in ranks} == expected
    assert ("east", "E03") not in expected  # the faulty unit is not ranked


def test_grade_shares_and_who_is_missing_where(rolled, campaigns):
    out = rolled[0]
    grades = [r for r in table(out / "rollup.parquet" / "grades.parquet") if r["level"] == "all"]
    assert sum(r["units"] for r in grades) == 5 and sum(r["share"] for r in grades) == pytest.approx(1)
    missing = {(r["campaign"], r["unit_code"], r["state"]) for r in table(out / "rollup.parquet" / "missing.parquet")}
    assert missing == {("west", "W03", "missing"), ("north", "N02", "missing")}


def test_the_workbook_and_the_page_say_where_the_full_tables_are(rolled):
    out = rolled[0]
    wb = openpyxl.load_workbook(out / "rollup.xlsx", read_only=True)
    assert wb.sheetnames == ["说明", "考核任务", "汇总", "排名", "等级分布", "未报送", "单位代码重复"]
    notes = [row[0] for row in wb["说明"].iter_rows(values_only=True) if row[0]]
    assert any("rollup.parquet" in n and ".parquet 文件" in n for n in notes)
    page = (out / "rollup.html").read_text(encoding="utf-8")
    assert "各任务汇总" in page and "跨任务排名" in page and "北二支部" in page and 'lang="zh-CN"' in page


def test_a_table_too_long_for_a_sheet_is_left_out_with_a_note(rolled, monkeypatch, tmp_path, campaigns):
    from toolkit.scale import rollup_report
    from toolkit.scale.rollup import roll_up, write_tables

    monkeypatch.setattr(rollup_report, "SHEET_ROWS", 5)  # the totals table has more rows than this
    up = roll_up([str(p) for p in campaigns.values()])
    folder = write_tables(up, tmp_path)
    path, left_out = rollup_report.write_workbook(up, tmp_path, folder)
    assert "totals" in left_out
    wb = openpyxl.load_workbook(path, read_only=True)
    assert "汇总" not in wb.sheetnames
    notes = " ".join(row[0] for row in wb["说明"].iter_rows(values_only=True) if row[0])
    assert "表“汇总”有" in notes and str(folder / "totals.parquet") in notes


def test_rollup_in_english(campaigns, tmp_path):
    result = cli("rollup", tmp_path / "out", *campaigns.values(), "--lang", "en")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "rollup.html").read_text(encoding="utf-8")
    assert "Totals per campaign" in page and "return rate" in page
    assert openpyxl.load_workbook(tmp_path / "out" / "rollup.xlsx").sheetnames[0] == "Notes"


def test_rollup_takes_a_glob(campaigns, tmp_path):
    pattern = str(next(iter(campaigns.values())).parent / "*t")  # east, west
    result = cli("rollup", tmp_path / "out", pattern, "--json")
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.stdout)["campaigns"]) == ["east", "west"]


def test_campaigns_of_different_templates_are_refused_naming_both(campaigns, tmp_path):
    other = build(tmp_path, "mini", [(("M01", "迷你支部", "部门"), None)], template=str(MINI_SPEC))
    result = cli("rollup", tmp_path / "out", campaigns["east"], other)
    assert result.exit_code == 2
    assert "不同模板或版本" in result.output and "east" in result.output and "mini" in result.output
    assert "annual-assessment" in result.output


def test_campaigns_of_different_versions_are_refused_naming_both(tmp_path):
    spec = yaml.safe_load(MINI_SPEC.read_text(encoding="utf-8"))
    spec["version"] = "2"
    newer = tmp_path / "mini-v2.yaml"
    newer.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    one = build(tmp_path, "v1", [(("M01", "一支部", "部门"), None)], template=str(MINI_SPEC))
    two = build(tmp_path, "v2", [(("M02", "二支部", "部门"), None)], template=str(newer))
    result = cli("rollup", tmp_path / "out", one, two, "--lang", "en")
    assert result.exit_code == 2
    assert "v1 (" in result.output and "version 1" in result.output
    assert "v2 (" in result.output and "version 2" in result.output


def test_a_unit_code_in_two_campaigns_is_reported_never_merged(campaigns, tmp_path):
    twin = build(tmp_path, "twin", [(("E01", "另一个东一支部", "乡镇"), {"f_members": 7, "f_prob_members": 1})])
    result = cli("rollup", tmp_path / "out", campaigns["east"], twin, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["duplicate_unit_codes"] == {"E01": ["east", "twin"]}
    assert "单位代码 E01 出现在多个考核任务中" in result.stderr
    out = tmp_path / "out" / "rollup.parquet"
    assert [(r["campaign"], r["unit_name"]) for r in table(out / "duplicates.parquet")] == \
        [("east", "东一支部"), ("twin", "另一个东一支部")]
    ranked = [r for r in table(out / "ranks.parquet") if r["unit_code"] == "E01"]
    assert sorted(r["campaign"] for r in ranked) == ["east", "twin"]  # two units, each in its own campaign
    totals = totals_of(tmp_path / "out")
    assert totals[("all", "", "members")] == 30 + 12 + 7 and totals[("all", "", "units")] == 4
    assert "单位代码重复" in (tmp_path / "out" / "rollup.html").read_text(encoding="utf-8")


def test_export_writes_typed_tables(campaigns):
    folder = campaigns["east"]
    result = cli("export", folder, "--parquet", "--json")
    assert result.exit_code == 0, result.output
    tables = folder / "out" / "parquet"
    values = pq.read_table(tables / "values.parquet")
    assert str(values.schema.field("number").type) == "double"
    assert str(values.schema.field("date").type) == "date32[day]"
    rows = values.to_pylist()
    members = {r["unit_code"]: r for r in rows if r["field"] == "members"}
    assert members["E01"]["number"] == 30 and members["E01"]["field_type"] == "int"
    assert members["E01"]["group"] == "乡镇" and members["E01"]["state"] == "accepted"
    assert members["E03"]["state"] == "faulty" and members["E01"]["template_version"] == "2026.1"
    elected = next(r for r in rows if r["field"] == "last_election" and r["unit_code"] == "E01")
    assert elected["date"] == dt.date(2025, 6, 18) and elected["field_type"] == "date"
    scores = pq.read_table(tables / "scores.parquet")
    assert str(scores.schema.field("rank").type) == "int32" and str(scores.schema.field("vetoed").type) == "bool"
    status = {r["unit_code"]: r for r in table(tables / "status.parquet")}
    assert status["E03"]["state"] == "faulty" and isinstance(status["E03"]["errors"], int)
    assert {r["status"] for r in table(tables / "ledger.parquet")} == {"accepted"}
    errors = [(r["unit_code"], r["field"]) for r in table(tables / "issues.parquet") if r["severity"] == "error"]
    assert errors == [("E03", "a1_1.self_score")]


def test_export_before_the_campaign_was_run_is_a_usage_error(tmp_path):
    roster = write_roster(tmp_path / "roster.csv", [("U1", "一", "部门", "a", "1")])
    create_campaign(tmp_path / "camp", str(MINI_SPEC), roster, year=2026)
    result = cli("export", tmp_path / "camp", "--parquet")
    assert result.exit_code == 2 and "toolkit run" in result.output


def test_without_the_scale_extra_the_message_says_how_to_install_it(campaigns, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb now raises ImportError
    result = cli("rollup", tmp_path / "out", campaigns["east"])
    assert result.exit_code == 2
    assert "[scale]" in result.output and "pip install" in result.output and "duckdb" in result.output


def test_export_without_a_format_says_which_one(campaigns):
    result = cli("export", campaigns["north"], "--lang", "en")
    assert result.exit_code == 2 and "toolkit export DIR --parquet" in result.output


def test_collect_on_a_cluster_without_the_extra_says_how_to_install_it(campaigns, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.txt").write_text("x", encoding="utf-8")
    result = cli("collect", campaigns["north"], tmp_path / "in", "--dask", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2
    assert "[scale]" in result.output and "distributed" in result.output


def test_help_names_the_extra_and_is_in_chinese():
    result = runner.invoke(app, ["rollup", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "需要可选组件 [scale]" in result.output and "汇总结果的输出文件夹" in result.output
    english = runner.invoke(app, ["export", "--help", "--lang", "en"], env={"COLUMNS": "200"})
    assert "Needs the optional extra [scale]" in english.output
