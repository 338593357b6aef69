"""Faults of a return reported where they are: a blank required self score is an error, and a
value that breaks a rule is reported once, at its own cell, not again at the correct cells it is
compared with."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import DEFAULT_UNITS, fill_by_name, outbox_file, write_roster
from test_validate import BLANK, found, run, submit

from toolkit.campaign.folder import create_campaign
from toolkit.campaign.status import unit_statuses
from toolkit.generate.outbox import generate_outbox

ANNUAL_GOOD = {
    "f_org_type": "党支部", "f_secretary": "张三", "f_members": 30, "f_prob_members": 2, "f_new_members": 1,
    "f_general_meetings": 4, "f_committee_meetings": 12, "f_group_meetings": 12, "f_party_lectures": 4,
    "f_theme_days": 12, "f_last_election": dt.date(2025, 1, 1), "f_dues_collected": 1200,
    "f_contact_person": "李四", "f_contact_phone": "13800000000",
    "f_v_1_occurred": "否", "f_v_2_occurred": "否", "f_v_3_occurred": "否",
}


@pytest.fixture
def annual(tmp_path):
    roster = write_roster(tmp_path / "roster.csv", DEFAULT_UNITS)
    c = create_campaign(tmp_path / "annual", "annual-assessment", roster, year=2026, deadline="2026-12-20")
    generate_outbox(c, workers=1)
    return c


def _annual_return(campaign, tmp_path, **changes):
    return fill_by_name(outbox_file(campaign, "U002"), tmp_path / "returns" / "U002.xlsx",
                        {**ANNUAL_GOOD, **changes})


def test_blank_required_self_scores_are_errors_and_the_unit_is_faulty(annual, tmp_path):
    """Every self score left blank: one value.required error per indicator row, and status says faulty."""
    result = run(annual, _annual_return(annual, tmp_path))
    spec = annual.template()
    items = [i for s in spec.sheets for a in s.areas if a.kind != "veto" for i in a.items]
    rows = [r for r in result.rows if r["field"].endswith(".self_score")]
    assert {r["field"] for r in rows} == {f"{i.id}.self_score" for i in items}
    assert {(r["code"], r["severity"]) for r in rows} == {("value.required", "error")}
    state = {s.unit_code: s.state for s in unit_statuses(annual)}
    assert state["U002"] == "faulty"


def test_a_blank_self_score_is_no_score_of_zero(campaign, tmp_path):
    result = run(campaign, submit(campaign, tmp_path, changes={("考核指标", "F5"): BLANK, ("考核指标", "G5"): BLANK}))
    assert found(result) == {("value.required", "考核指标", "F5")}
    ret = next(iter(result.returns.values()))
    assert ret.entries[("a1_1.self_score", None)].value is None


def test_a_value_out_of_its_bounds_is_not_also_a_rule_failure_at_the_correct_cells(campaign, tmp_path):
    """members = −5 breaks its own bound; `prob <= members` is not reported at the correct 预备党员 cell."""
    result = run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C6"): -5}))
    assert found(result) == {("value.out_of_range", "基本信息", "C6")}


def test_annual_negative_member_count_is_reported_once_at_its_own_cell(annual, tmp_path):
    """党员总数 −5: the rules comparing it with 预备党员数 and 发展党员数, and the warning on the computed
    正式党员数 (which reads it), stay silent; the bound check at C8 says it."""
    scores = {f"f_{i.id}_self_score": 0 for s in annual.template().sheets for a in s.areas if a.kind != "veto"
              for i in a.items}
    result = run(annual, _annual_return(annual, tmp_path, f_members=-5, **scores))
    assert found(result) == {("value.out_of_range", "基本信息", "C8")}


def test_a_rule_over_valid_values_is_reported_once_at_its_target(annual, tmp_path):
    """Both counts valid on their own, contradicting each other: one issue, at the field the rule names first."""
    scores = {f"f_{i.id}_self_score": 0 for s in annual.template().sheets for a in s.areas if a.kind != "veto"
              for i in a.items}
    result = run(annual, _annual_return(annual, tmp_path, f_members=30, f_prob_members=40, f_new_members=1,
                                        **scores))
    rule_rows = [r for r in result.rows if r["code"].startswith("rule.")]
    assert [(r["code"], r["cell"], r["field"]) for r in rule_rows] == [("rule.failed", "C9", "prob_members")]
