"""Scoring: every rule, ranks with ties, grades with quotas, veto, weights, adjustments, the trace,
and scheme validation errors. Units are built by hand; the template is the real bundled one."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ConfigError, SpecError
from toolkit.score.engine import (
    Adjustment,
    UnitInput,
    competition_ranks,
    load_adjustments,
    load_scheme,
    score_units,
)
from toolkit.score.scheme import parse_scheme
from toolkit.spec.load import TEMPLATES_DIR, bundled_templates, load_spec

SPEC = load_spec(TEMPLATES_DIR / "annual-assessment.yaml")
NORMAL = [i for s in SPEC.sheets for a in s.areas if a.kind == "normal" for i in a.items]
BONUS = [i for s in SPEC.sheets for a in s.areas if a.kind == "bonus" for i in a.items]
VETO = [i for s in SPEC.sheets for a in s.areas if a.kind == "veto" for i in a.items]
GRADES = [{"grade": "优秀", "min": 90, "quota": 0.15}, {"grade": "良好", "min": 80},
          {"grade": "一般", "min": 60}, {"grade": "较差"}]


def full_values(**overrides) -> dict:
    """A return with full marks everywhere, no bonus, no veto; overrides use '__' for '.'."""
    values = {"members": 20, "prob_members": 2, "new_members": 2, "general_meetings": 4,
              "committee_meetings": 12, "group_meetings": 24, "party_lectures": 4, "theme_days": 12,
              "org_type": "党支部"}
    values.update({f"{i.id}.self_score": i.max_points for i in NORMAL})
    values.update({f"{i.id}.self_score": 0 for i in BONUS})
    values.update({f"{i.id}.occurred": False for i in VETO})
    values.update({k.replace("__", "."): v for k, v in overrides.items()})
    return values


def unit(code: str, group: str = "县委", returned: bool = True, evaluations=None, **overrides) -> UnitInput:
    return UnitInput(code, f"{code}党支部", group, full_values(**overrides) if returned else {},
                     evaluations or {}, returned)


def scheme(indicators: list, grades=None, **top):
    raw = {"id": "t", "title": "测试细则", "template": "annual-assessment", "version": "1",
           "indicators": indicators, "grades": grades or GRADES, **top}
    return parse_scheme(raw, "test.yaml", spec=SPEC)


def only(result, code: str, indicator: str | None = None) -> list[dict]:
    return [r for r in result.trace if r["unit_code"] == code and (indicator is None or r["indicator"] == indicator)]


def by_code(result) -> dict[str, dict]:
    return {r["unit_code"]: r for r in result.scores}


def assert_traced(result) -> None:
    for row in result.scores:
        rows = only(result, row["unit_code"])
        if row["total"] is None:
            assert rows == []
        else:
            assert math.isclose(sum(r["points"] for r in rows), row["total"], abs_tol=1e-9)
            assert math.isclose(sum(result.areas[row["unit_code"]].values()), row["total"], abs_tol=1e-6)


def with_totals(totals: dict[str, float], groups: dict[str, str] | None = None, **top):
    """Score units whose totals are exactly *totals* (one self_score indicator worth 200)."""
    groups = groups or {}
    sch = scheme([{"id": "s", "title": "总分", "rule": "self_score", "item": "a1_1", "max": 200}], **top)
    units = [UnitInput(c, c, groups.get(c, "县委"), {"a1_1.self_score": t}) for c, t in totals.items()]
    return score_units(sch, SPEC, units)


# --------------------------------------------------------------------------- the bundled scheme


def test_bundled_scheme_loads_and_is_not_a_template():
    sch = load_scheme("annual-assessment-scoring")
    assert (sch.template, sch.max_total, sch.bonus_max) == ("annual-assessment", 100, 5)
    raw = yaml.safe_load((TEMPLATES_DIR / "annual-assessment-scoring.yaml").read_text(encoding="utf-8"))
    assert "sheets" not in raw
    assert "annual-assessment-scoring" not in [t.id for t in bundled_templates()]
    rules = {i.rule for i in sch.indicators}
    assert {"self_score", "rate", "bands", "deduct", "bonus", "veto"} <= rules
    assert sch.grades[0].quota == 0.15 and sch.indicator("veto").params["grade"] == "较差"
    replaced = {r for i in sch.indicators for r in i.replaces}
    assert replaced == {"a4_1", "a4_2", "a4_5"} and not replaced & {i.id for i in sch.indicators}


def test_bundled_scheme_full_marks_and_a_realistic_unit():
    sch = load_scheme("annual-assessment-scoring", spec=SPEC)
    units = [unit("U1", b_1__self_score=3, b_2__self_score=2, b_3__self_score=2),
             unit("U2", a1_1__self_score=3, general_meetings=3, committee_meetings=9, theme_days=9),
             unit("U3", returned=False)]
    res = score_units(sch, SPEC, units)
    scores = by_code(res)
    assert scores["U1"]["total"] == 105  # 100 + bonus capped at 5
    # a1_1 −1; a4_1 3 meetings → 4 (−1); a4_2 3 missing × 0.5 → −1.5; a4_5 9/12 × 4 = 3 (−1)
    assert scores["U2"]["total"] == pytest.approx(100 - 1 - 1 - 1.5 - 1)
    assert scores["U3"]["total"] is None
    assert res.areas["U2"]["a4"] == pytest.approx(25 - 3.5)
    assert res.area_titles["a4"].startswith("四、组织生活")
    assert_traced(res)


# --------------------------------------------------------------------------- rules


def test_self_score_capped_at_max_and_zero_and_missing_is_未填报():
    sch = scheme([{"rule": "checklist", "areas": ["a1"]}])
    res = score_units(sch, SPEC, [unit("U1", a1_1__self_score=6, a1_2__self_score=-1, a1_3__self_score=None),
                                  unit("U2", a1_1__self_score=3.5, a1_2__self_score="abc")])
    rows = {r["indicator"]: r for r in only(res, "U1")}
    assert (rows["a1_1"]["points"], rows["a1_1"]["max_points"]) == (4, 4)
    assert rows["a1_1"]["inputs"] == "a1_1.self_score=6; max=4" and "超过分值" in rows["a1_1"]["note"]
    assert rows["a1_2"]["points"] == 0 and rows["a1_3"]["points"] == 0
    assert rows["a1_3"]["note"] == "未填报" and rows["a1_1"]["rule"] == "self_score"
    assert by_code(res)["U2"]["total"] == 3.5 + 0 + 4


def test_from_checklist_generates_one_indicator_per_normal_item():
    sch = scheme([], from_checklist=True)
    assert [i.id for i in sch.indicators] == [i.id for i in NORMAL]
    assert sch.max_total == 100


def test_replace_puts_the_indicator_in_the_item_place_and_ignores_its_self_score():
    sch = scheme([{"rule": "checklist"},
                  {"id": "gm", "title": "党员大会", "rule": "bands", "replace": "a4_1", "value": "general_meetings",
                   "bands": [{"min": 4, "points": 5}, {"min": 2, "points": 2}]}])
    ids = [i.id for i in sch.indicators]
    assert ids[ids.index("a3_3") + 1] == "gm" and "a4_1" not in ids
    assert sch.indicator("gm").area == "a4" and sch.indicator("gm").max == 5 and sch.max_total == 100
    res = score_units(sch, SPEC, [unit("U1", a4_1__self_score=0, general_meetings=5)])
    assert by_code(res)["U1"]["total"] == 100


def test_fixed_points_per_answer_for_choice_and_bool():
    sch = scheme([{"id": "t", "title": "类别", "rule": "fixed", "field": "org_type",
                   "points": {"党支部": 2, "党总支": 1}},
                  {"id": "v", "title": "否决项1", "rule": "fixed", "field": "v_1.occurred",
                   "points": {"否": 1, "是": 0}}])
    assert sch.indicator("t").max == 2
    res = score_units(sch, SPEC, [unit("U1"), unit("U2", org_type="基层党委", v_1__occurred=True),
                                  unit("U3", org_type=None)])
    points = {(r["unit_code"], r["indicator"]): r["points"] for r in res.trace}
    assert points == {("U1", "t"): 2, ("U1", "v"): 1, ("U2", "t"): 0, ("U2", "v"): 0,
                      ("U3", "t"): 0, ("U3", "v"): 1}
    assert "不在计分表" in only(res, "U2", "t")[0]["note"] and only(res, "U3", "t")[0]["note"] == "未填报"


def test_fixed_on_an_expression():
    sch = scheme([{"id": "t", "title": "主题党日全覆盖", "rule": "fixed", "value": "theme_days >= 12",
                   "points": {"是": 2, "否": 0}},
                  {"id": "n", "title": "党课次数", "rule": "fixed", "value": "party_lectures", "points": {4: 1, 5: 1.5},
                   "default": 0.5}])
    res = score_units(sch, SPEC, [unit("U1"), unit("U2", theme_days=11, party_lectures=5),
                                  unit("U3", party_lectures=9)])
    assert [r["points"] for r in res.trace] == [2, 1, 0, 1.5, 2, 0.5]
    assert res.trace[0]["inputs"] == "theme_days=12; value=是"


def test_rate_target_mode_caps_at_target_and_traces_its_inputs():
    sch = scheme([{"id": "r", "title": "主题党日", "rule": "rate", "value": "theme_days / 12",
                   "target": 1, "max": 4}])
    res = score_units(sch, SPEC, [unit("U1", theme_days=9), unit("U2", theme_days=15), unit("U3", theme_days=None)])
    assert [r["points"] for r in res.trace] == [3, 4, 0]
    assert res.trace[0]["inputs"] == "theme_days=9; value=0.75; target=1; max=4"
    assert res.trace[2]["note"].startswith("未填报")


def test_rate_best_mode_is_proportional_to_the_best_unit_and_zero_division_scores_0():
    sch = scheme([{"id": "r", "title": "发展党员比例", "rule": "rate", "value": "new_members / members",
                   "mode": "best", "max": 6}])
    res = score_units(sch, SPEC, [unit("U1", new_members=2, members=20), unit("U2", new_members=1, members=20),
                                  unit("U3", new_members=0, members=0)])
    assert [r["points"] for r in res.trace] == [6, 3, 0]
    assert "best=0.1" in res.trace[1]["inputs"] and "无法计算" in res.trace[2]["note"]


def test_bands_highest_matching_band_wins():
    total = "general_meetings + committee_meetings + group_meetings + party_lectures"
    sch = scheme([{"id": "b", "title": "三会一课", "rule": "bands", "value": total,
                   "bands": [{"min": 20, "points": 3}, {"min": 40, "points": 5}, {"min": 30, "points": 4}]}])
    res = score_units(sch, SPEC, [unit("U1"), unit("U2", group_meetings=10), unit("U3", group_meetings=0),
                                  unit("U4", group_meetings=0, committee_meetings=0)])
    assert [r["points"] for r in res.trace] == [5, 4, 3, 0]
    assert "band≥40" in res.trace[0]["inputs"] and "最低档" in res.trace[3]["note"]


def test_deduct_gives_negative_points_down_to_the_floor():
    sch = scheme([{"rule": "checklist", "areas": ["a4"]},
                  {"id": "d", "title": "支委会不足", "rule": "deduct", "value": "max(12 - committee_meetings, 0)",
                   "per": 0.5, "floor": 3}])
    ind = sch.indicator("d")
    assert (ind.area, ind.max) == ("deduction", 0)
    res = score_units(sch, SPEC, [unit("U1"), unit("U2", committee_meetings=10), unit("U3", committee_meetings=0)])
    assert [r["points"] for r in res.trace if r["indicator"] == "d"] == [0, -1, -3]
    assert "扣分上限" in only(res, "U3", "d")[0]["note"]
    assert by_code(res)["U3"]["total"] == 25 - 3 and res.areas["U3"]["deduction"] == -3


def test_deduct_with_base_is_full_marks_minus_deductions():
    sch = load_scheme("annual-assessment-scoring", spec=SPEC)
    res = score_units(sch, SPEC, [unit("U1", committee_meetings=0), unit("U2", committee_meetings=0, members=6,
                                                                          prob_members=1)])
    assert [r["points"] for r in res.trace if r["indicator"] == "a4_2_committee"] == [0, 5]


def test_bonus_sum_of_self_scores_capped():
    sch = scheme([{"id": "bonus", "title": "加分项", "rule": "bonus"}])
    assert sch.indicator("bonus").max == 5  # the template's cap
    res = score_units(sch, SPEC, [unit("U1", b_1__self_score=3, b_2__self_score=2, b_3__self_score=2),
                                  unit("U2", b_1__self_score=9, b_2__self_score=None, b_3__self_score=0)])
    assert [r["points"] for r in res.trace] == [5, 3]
    assert "合计7分，封顶5分" in res.trace[0]["note"] and "cap=5" in res.trace[0]["inputs"]
    # items are named by the 编号 the unit's workbook prints (b.1), not by their ids (b_1)
    assert res.trace[1]["note"].startswith("b.1超过分值，按3分计") and "b.2未填报" in res.trace[1]["note"]
    sch3 = scheme([{"id": "bonus", "title": "加分项", "rule": "bonus", "cap": 3}])
    assert score_units(sch3, SPEC, [unit("U1", b_1__self_score=2, b_2__self_score=2)]).scores[0]["total"] == 3


def test_veto_forces_the_grade_scores_0_and_is_never_top():
    sch = load_scheme("annual-assessment-scoring", spec=SPEC)
    units = [unit(f"U{n}") for n in range(1, 21)]
    units[0].values["v_2.occurred"] = True
    res = score_units(sch, SPEC, units)
    u1 = by_code(res)["U1"]
    # tied at 100 with 19 units that are not vetoed, it is ranked after all of them
    assert (u1["total"], u1["vetoed"], u1["grade"], u1["rank"]) == (100, True, "较差", 20)
    row = only(res, "U1", "veto")[0]
    assert row["points"] == 0 and "一票否决" in row["note"] and "v_2.occurred=是" in row["inputs"]
    # 15% of 20 ranked units = 3, but the 20 are tied at 100 … all excluded: nobody 优秀
    assert {r["grade"] for r in res.scores if r["unit_code"] != "U1"} == {"良好"}
    assert not any(r["vetoed"] for r in res.scores if r["unit_code"] != "U1")


def test_vetoed_unit_never_takes_an_excellent_place():
    sch = scheme([{"id": "s", "title": "总分", "rule": "self_score", "item": "a1_1", "max": 200},
                  {"id": "veto", "title": "否决", "rule": "veto"}])
    units = [UnitInput(f"U{n}", "", "g", {"a1_1.self_score": 100 - n, "v_1.occurred": n == 0}) for n in range(10)]
    res = by_code(score_units(sch, SPEC, units))
    assert res["U0"]["grade"] == "较差" and res["U1"]["grade"] == "优秀"  # floor(0.15 × 10) = 1


def test_weights_20_30_50_with_several_peer_returns():
    sch = scheme([{"id": "ev", "title": "综合评价", "rule": "weights", "weights": {"自评": 20, "互评": 30, "点评": 50},
                   "evaluation": "evaluation"}])
    evals = {"自评": {"e1_1.score": 10, "e1_2.score": 80},  # 80 capped at 10 → 20
             "互评": [{"e1_1.score": 9}, {"e1_1.score": 7}],  # mean 8
             "点评": {"e1_1.score": 6, "e4_3.score": 4}}  # 10
    res = score_units(sch, SPEC, [unit("U1", evaluations=evals), unit("U2")])
    rows = only(res, "U1")
    assert [r["points"] for r in rows] == [pytest.approx(4), pytest.approx(2.4), pytest.approx(5)]
    assert rows[1]["inputs"] == "互评: 9, 7; mean=8; weight=0.3"
    assert by_code(res)["U1"]["total"] == pytest.approx(0.2 * 20 + 0.3 * 8 + 0.5 * 10)
    assert only(res, "U2")[0]["points"] == 0 and "跳过" in only(res, "U2")[0]["note"]
    assert_traced(res)


def test_weights_missing_role_scores_0_and_unknown_role_warns():
    sch = scheme([{"id": "ev", "title": "综合评价", "rule": "weights",
                   "weights": {"自评": 0.2, "互评": 0.3, "点评": 0.5}}])
    res = score_units(sch, SPEC, [unit("U1", evaluations={"自评": {"e1_1.score": 90}, "他评": {"e1_1.score": 1}})])
    assert [r["points"] for r in res.trace] == [pytest.approx(18), 0, 0]
    assert res.trace[1]["note"] == "未收到互评，按0分计"
    assert any("他评" in w for w in res.warnings)


# --------------------------------------------------------------------------- adjustments


def test_adjustments_are_traced_with_their_reason(tmp_path):
    path = tmp_path / "adj.csv"
    path.write_text("unit_code,indicator,points,reason\nU1,a1_1,-2,督查发现会议记录不全\nU2,,1.5,通报表扬\n",
                    encoding="utf-8-sig")
    adjustments = load_adjustments(path)
    assert adjustments[0] == Adjustment("U1", "a1_1", -2.0, "督查发现会议记录不全", "adj.csv row 2")
    sch = scheme([{"rule": "checklist", "areas": ["a1"]}])
    res = score_units(sch, SPEC, [unit("U1"), unit("U2")], adjustments)
    row = only(res, "U1")[-1]
    assert (row["indicator"], row["rule"], row["points"], row["note"]) == ("a1_1", "adjustment", -2, "督查发现会议记录不全")
    assert by_code(res)["U1"]["total"] == 10 and by_code(res)["U2"]["total"] == 13.5
    assert res.areas["U1"]["adjustment"] == -2 and res.area_titles["adjustment"] == "考核调整"
    assert_traced(res)


def test_adjustments_gbk_and_chinese_headers(tmp_path):
    path = tmp_path / "adj.csv"
    path.write_bytes("单位代码,指标,分值,原因\nU1,bonus,+1,获市级表彰\n".encode("gbk"))
    assert load_adjustments(path) == [Adjustment("U1", "bonus", 1.0, "获市级表彰", "adj.csv row 2")]


@pytest.mark.parametrize("body, message", [
    ("U1,a1_1,-2,\n", "row 2: reason is empty"),
    ("U1,a1_1,-2,ok\nU2,a1_1,约2分,x\n", "row 3: points '约2分' is not a number"),
    (",a1_1,1,x\n", "row 2: unit_code is empty"),
])
def test_adjustment_errors_name_the_row(tmp_path, body, message):
    path = tmp_path / "adj.csv"
    path.write_text("unit_code,indicator,points,reason\n" + body, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_adjustments(path)


def test_adjustment_missing_column(tmp_path):
    path = tmp_path / "adj.csv"
    path.write_text("unit_code,indicator,point,reason\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="missing column 'points' \\(did you mean 'point'\\?\\)"):
        load_adjustments(path)


def test_adjustment_for_unknown_unit_or_indicator_and_unreturned_unit():
    sch = scheme([{"rule": "checklist", "areas": ["a1"]}])
    units = [unit("U001"), unit("U002", returned=False)]
    with pytest.raises(ConfigError, match="unknown unit_code 'U01'"):
        score_units(sch, SPEC, units, [Adjustment("U01", "", 1, "x")])
    with pytest.raises(ConfigError, match="did you mean 'a1_1'"):
        score_units(sch, SPEC, units, [Adjustment("U001", "a1_1x", 1, "x")])
    res = score_units(sch, SPEC, units, [Adjustment("U002", "", 1, "x", "adj.csv row 2")])
    assert by_code(res)["U002"]["total"] is None and "adj.csv row 2" in res.warnings[0]


# --------------------------------------------------------------------------- ranks


def test_competition_ranks():
    assert competition_ranks({"a": 90, "b": 85, "c": 85, "d": 80}) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_ranks_ties_overall_and_in_group_compared_at_two_decimals():
    res = with_totals({"A": 95, "B": 90.004, "C": 90.001, "D": 85, "E": 85, "F": 70},
                      {"A": "县委", "B": "部门", "C": "县委", "D": "部门", "E": "部门", "F": "县委"})
    s = by_code(res)
    assert [s[c]["rank"] for c in "ABCDEF"] == [1, 2, 2, 4, 4, 6]
    assert [s[c]["group_rank"] for c in "ABCDEF"] == [1, 1, 2, 2, 2, 3]
    assert [r["unit_code"] for r in res.scores][:2] == ["A", "B"]


def test_missing_unit_is_not_ranked_or_graded_and_does_not_count_for_quotas():
    totals = {f"U{n:02}": 95 - n for n in range(7)}  # 7 ranked → floor(1.05) = 1 优秀
    sch = scheme([{"id": "s", "title": "总分", "rule": "self_score", "item": "a1_1", "max": 200}])
    units = [UnitInput(c, c, "g", {"a1_1.self_score": t}) for c, t in totals.items()]
    units.append(UnitInput("X", "未报单位", "g", {}, returned=False))
    res = score_units(sch, SPEC, units)
    x = by_code(res)["X"]
    assert (x["total"], x["rank"], x["group_rank"], x["grade"], x["vetoed"]) == (None, None, None, None, False)
    assert res.scores[-1]["unit_code"] == "X" and res.areas["X"] == {}
    assert [r["grade"] for r in res.scores[:2]] == ["优秀", "良好"]


# --------------------------------------------------------------------------- grades and quotas


def test_quota_floor_and_fall_to_next_grade():
    res = with_totals({f"U{n:02}": 99 - n for n in range(20)})  # 99 … 80, all ≥ 90 for the first 10
    grades = [r["grade"] for r in res.scores]
    assert grades == ["优秀"] * 3 + ["良好"] * 17  # floor(0.15 × 20) = 3


def test_quota_boundary_ties_are_excluded_whole():
    totals = {"A": 98, "B": 97, "C": 95, "D": 95, **{f"U{n:02}": 85 for n in range(16)}}
    s = by_code(with_totals(totals))
    assert [s[c]["grade"] for c in "ABCD"] == ["优秀", "优秀", "良好", "良好"]  # 3 places, C and D tied for the 3rd
    s = by_code(with_totals({"A": 98, "B": 97, "C": 96, "D": 95, **{f"U{n:02}": 85 for n in range(16)}}))
    assert [s[c]["grade"] for c in "ABCD"] == ["优秀", "优秀", "优秀", "良好"]


def test_grade_minimums_on_the_rounded_total():
    s = by_code(with_totals({"A": 89.996, "B": 79.99, "C": 60, "D": 59.99, "E": -3,
                             **{f"Z{n}": 0 for n in range(10)}}))
    assert [s[c]["grade"] for c in "ABCDE"] == ["优秀", "一般", "一般", "较差", "较差"]


def test_small_groups_quota_overall_or_per_group():
    groups = {**{f"C{n}": "县委" for n in range(17)}, "D0": "部门", "D1": "部门", "D2": "部门"}
    totals = {**{f"C{n}": 91 + n * 0.1 for n in range(17)}, "D0": 99, "D1": 98, "D2": 97}
    overall = by_code(with_totals(totals, groups))
    assert [overall[c]["grade"] for c in ("D0", "D1", "D2")] == ["优秀"] * 3  # 3 of 20 overall, all to 部门
    per_group = by_code(with_totals(totals, groups, quota_scope="group"))
    assert [per_group[c]["grade"] for c in ("D0", "D1", "D2")] == ["良好"] * 3  # floor(0.15 × 3) = 0
    assert sum(per_group[c]["grade"] == "优秀" for c in groups if c.startswith("C")) == 2  # floor(2.55)


def test_quota_rounding_is_decimal():
    from toolkit.score.engine import quota_size
    assert (quota_size(0.29, 100), quota_size(0.15, 3), quota_size(0.15, 20), quota_size(1, 7)) == (29, 0, 3, 7)


# --------------------------------------------------------------------------- the trace adds up

_score = st.one_of(st.none(), st.floats(-2, 8, allow_nan=False), st.integers(-1, 6), st.just("满分?"))
_count = st.one_of(st.none(), st.integers(0, 30))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.lists(st.tuples(st.lists(_score, min_size=len(NORMAL) + len(BONUS), max_size=len(NORMAL) + len(BONUS)),
                               _count, _count, st.integers(0, 40), st.booleans(), st.booleans(),
                               st.floats(-5, 5, allow_nan=False), st.sampled_from(["县委", "部门"])),
                     min_size=1, max_size=12))
def test_trace_sums_to_total_for_every_unit(data):
    sch = load_scheme("annual-assessment-scoring", spec=SPEC)
    units, adjustments = [], []
    for n, (scores, meetings, theme, members, vetoed, returned, adj, group) in enumerate(data):
        values = {f"{i.id}.self_score": s for i, s in zip(NORMAL + BONUS, scores)}
        values.update(general_meetings=meetings, committee_meetings=meetings, theme_days=theme, members=members,
                      prob_members=0, **{"v_1.occurred": vetoed})
        units.append(UnitInput(f"U{n}", "", group, values, returned=returned))
        if returned:
            adjustments.append(Adjustment(f"U{n}", "", adj, "督查"))
    res = score_units(sch, SPEC, units, adjustments)
    assert_traced(res)
    for row in res.scores:
        assert (row["rank"] is None) == (row["total"] is None) == (row["grade"] is None)
        assert not (row["vetoed"] and row["grade"] == "优秀")


# --------------------------------------------------------------------------- scheme validation


@pytest.mark.parametrize("indicator, message", [
    ({"id": "x", "title": "x", "rule": "self_scor", "item": "a1_1"},
     "indicators[0].rule: expected one of checklist, self_score, .* got 'self_scor' \\(did you mean 'self_score'\\?\\)"),
    ({"id": "x", "title": "x", "rule": "self_score", "item": "a1_1", "maxx": 3},
     "indicators[0].maxx: expected one of the keys .* got unknown key 'maxx' \\(did you mean 'max'\\?\\)"),
    ({"id": "x", "title": "x", "rule": "rate", "value": "new_members / member", "target": 0.1, "max": 3},
     "indicators[0].value: expected names of fields in the template annual-assessment, "
     "got unknown name 'member' \\(did you mean 'members'\\?\\)"),
    ({"id": "x", "title": "x", "rule": "self_score", "item": "a1_11"}, "indicators[0].item: .*did you mean 'a1_1'"),
    ({"id": "x", "title": "x", "rule": "bands", "value": "theme_days", "max": 3,
      "bands": [{"min": 1, "points": 4}]}, "indicators[0].bands\\[0\\].points: expected points ≤ max \\(3\\)"),
    ({"id": "x", "title": "x", "rule": "rate", "value": "theme_days", "max": 3}, "indicators[0].target"),
    ({"id": "x", "title": "x", "rule": "rate", "value": "theme_days", "target": 1}, "indicators[0].max: expected"),
    ({"id": "x", "title": "x", "rule": "fixed", "field": "org_type", "points": {"支部": 1}},
     "indicators[0].points.支部: expected one of the choices .* \\(did you mean '党支部'\\?\\)"),
    ({"id": "x", "title": "x", "rule": "veto", "grade": "差"}, "indicators[0].grade: .*did you mean '较差'"),
    ({"id": "x", "title": "x", "rule": "veto", "grade": "优秀"}, "indicators[0].grade: expected a grade below the top"),
    ({"id": "x", "title": "x", "rule": "bonus", "areas": ["a1"]}, "indicators[0].areas\\[0\\]: expected ids of bonus"),
    ({"id": "x", "title": "x", "rule": "bands", "value": "theme_days", "replace": "a9_1",
      "bands": [{"min": 1, "points": 1}]}, "indicators[0].replace: .*did you mean"),
    ({"id": "x", "title": "x", "rule": "weights", "weights": {"自评": 0.2, "互评": 0.3}},
     "indicators[0].weights: expected weights that add up to 1"),
    ({"id": "x", "title": "x", "rule": "deduct", "value": "theme_days", "per": 0.5, "floor": -1},
     "indicators[0].floor: expected a positive number"),
    ({"title": "x", "rule": "bands", "value": "theme_days", "bands": []}, "indicators[0].id: expected a value"),
])
def test_indicator_errors_have_key_path_and_did_you_mean(indicator, message):
    with pytest.raises(SpecError, match="^test.yaml: " + message.replace("[0]", "\\[0\\]")):
        scheme([indicator])


@pytest.mark.parametrize("grades, message", [
    ([{"grade": "优秀", "min": 90, "quota": 1.5}, {"grade": "较差"}],
     "grades\\[0\\].quota: expected a share between 0 and 1"),
    ([{"grade": "优秀", "min": 90}, {"grade": "良好", "min": 95}, {"grade": "较差"}],
     "grades\\[1\\].min: expected a minimum below the previous grade's"),
    ([{"grade": "优秀", "min": 90}, {"grade": "较差", "min": 0}], "grades\\[1\\].min: expected no min on the last"),
    ([{"grade": "优秀", "min": 90, "quoat": 0.1}, {"grade": "较差"}], "grades\\[0\\].quoat: .*did you mean 'quota'"),
])
def test_grade_errors(grades, message):
    with pytest.raises(SpecError, match="^test.yaml: " + message):
        scheme([{"rule": "checklist"}], grades=grades)


def test_top_level_errors(tmp_path):
    with pytest.raises(SpecError, match="quota_scope: expected one of overall, group, got 'groups' "
                                        "\\(did you mean 'group'\\?\\)"):
        scheme([{"rule": "checklist"}], quota_scope="groups")
    with pytest.raises(SpecError, match="indicator: expected one of the keys .*did you mean 'indicators'"):
        parse_scheme({"id": "t", "title": "t", "template": "annual-assessment", "version": 1, "indicator": []},
                     "test.yaml", spec=SPEC)
    with pytest.raises(SpecError, match="unknown scoring scheme 'annual-assesment-scoring' "
                                        "\\(did you mean 'annual-assessment-scoring'\\?\\)"):
        load_scheme("annual-assesment-scoring")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError, match="bad.yaml line"):
        load_scheme(bad)
    other = tmp_path / "other.yaml"
    other.write_text("id: x\ntitle: x\ntemplate: evaluation\nversion: '1'\nfrom_checklist: true\n"
                     "grades: [{grade: 合格}]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="applies to template 'evaluation'"):
        score_units(load_scheme(other), SPEC, [unit("U1")])
    with pytest.raises(SpecError, match="template: expected the id of the campaign's template"):
        load_scheme(other, spec=SPEC)


def test_scheme_file_with_relative_template_path(tmp_path):
    (tmp_path / "my.yaml").write_text((TEMPLATES_DIR / "annual-assessment.yaml").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    (tmp_path / "my-scoring.yaml").write_text(
        "id: my\ntitle: 细则\ntemplate: my.yaml\nversion: '1'\nfrom_checklist: true\n"
        "grades: [{grade: 合格, min: 60}, {grade: 不合格}]\n", encoding="utf-8")
    sch = load_scheme("my-scoring.yaml", base=tmp_path)
    assert sch.template == "annual-assessment" and sch.max_total == 100


def test_duplicate_ids_and_double_replacement_are_refused():
    band = {"rule": "bands", "value": "theme_days", "bands": [{"min": 1, "points": 1}]}
    with pytest.raises(SpecError, match="indicators\\[1\\].id: expected each indicator id once.*'a1_1' twice"):
        scheme([{"rule": "checklist", "areas": ["a1"]}, {"id": "a1_1", "title": "x", **band}])
    with pytest.raises(SpecError, match="indicators\\[1\\].replace: expected each checklist item replaced at most "
                                        "once, got 'a4_1', already replaced by 'x'"):
        scheme([{"id": "x", "title": "x", "replace": "a4_1", **band}, {"id": "y", "title": "y", "replace": ["a4_1"], **band}])


# --------------------------------------------------------------------------- faulty returns and the veto's rank


def totals_units(totals: dict[str, float], faulty=(), vetoed=(), groups=None) -> list[UnitInput]:
    groups = groups or {}
    return [UnitInput(c, c, groups.get(c, "县委"), {"a1_1.self_score": t, "v_1.occurred": c in vetoed},
                      faulty=c in faulty) for c, t in totals.items()]


def totals_scheme(**top):
    return scheme([{"id": "s", "title": "总分", "rule": "self_score", "item": "a1_1", "max": 200},
                   {"id": "veto", "title": "一票否决项", "rule": "veto"}],
                  grades=[{"grade": "优秀", "min": 90, "quota": 0.3}, {"grade": "良好", "min": 80},
                          {"grade": "一般", "min": 60}, {"grade": "较差"}], **top)


EIGHT = {"A": 99, "F": 98, "B": 97, "C": 96, "D": 95, "E": 94, "G": 93, "H": 92}  # 30% of 8 or of 7: 2 places


def test_a_faulty_unit_is_held_out_and_the_next_unit_takes_its_rank_and_quota_place():
    res = score_units(totals_scheme(), SPEC, totals_units(EIGHT, faulty={"F"}))
    s = by_code(res)
    f = s["F"]
    assert (f["total"], f["rank"], f["group_rank"], f["grade"], f["state"]) == (98, None, None, None, "faulty")
    assert not f["provisional"]
    assert (s["B"]["rank"], s["B"]["group_rank"], s["B"]["grade"]) == (2, 2, "优秀")
    assert [s[c]["grade"] for c in "ABC"] == ["优秀", "优秀", "良好"]
    assert s["A"]["state"] == "accepted"
    assert res.faulty == ["F"] and res.held_out == ["F"] and res.provisional == []
    # held-out units come after every ranked unit, before units without a return
    assert [r["unit_code"] for r in res.scores][-1] == "F"
    assert_traced(res)


def test_without_the_faulty_unit_it_would_have_taken_rank_2_and_a_quota_place():
    s = by_code(score_units(totals_scheme(), SPEC, totals_units(EIGHT)))
    assert (s["F"]["rank"], s["F"]["grade"], s["B"]["grade"]) == (2, "优秀", "良好")


def test_quota_sizes_count_ranked_units_only():
    # 30% of 7 units = 2 places; with the 3 faulty units counted it would be 30% of 10 = 3
    totals = {**{f"U{n}": 99 - n for n in range(7)}, "X1": 50, "X2": 50, "X3": 50}
    s = by_code(score_units(totals_scheme(), SPEC, totals_units(totals, faulty={"X1", "X2", "X3"})))
    assert sum(r["grade"] == "优秀" for r in s.values()) == 2


def test_faulty_score_ranks_faulty_units_as_provisional():
    res = score_units(totals_scheme(faulty="score"), SPEC, totals_units(EIGHT, faulty={"F"}))
    f = by_code(res)["F"]
    assert (f["rank"], f["grade"], f["state"], f["provisional"]) == (2, "优秀", "faulty", True)
    assert res.faulty == ["F"] and res.provisional == ["F"] and res.held_out == []


def test_a_held_out_unit_never_sets_the_best_rate():
    sch = scheme([{"id": "r", "title": "发展党员比例", "rule": "rate", "value": "new_members / members",
                   "mode": "best", "max": 6}])
    units = [unit("U1", new_members=1, members=10), unit("U2", new_members=1, members=20)]
    units.append(UnitInput("X", "X", "县委", full_values(new_members=9, members=10), faulty=True))
    s = by_code(score_units(sch, SPEC, units))
    assert (s["U1"]["total"], s["U2"]["total"], s["X"]["total"]) == (6, 3, 6)  # X capped at max, not the best


def test_warnings_never_hold_a_unit_out():
    """Only errors make a return faulty: the input flag comes from the status state, never from warnings."""
    s = by_code(score_units(totals_scheme(), SPEC, totals_units(EIGHT)))
    assert {r["state"] for r in s.values()} == {"accepted"}


def test_a_vetoed_unit_is_ranked_after_every_unit_not_vetoed():
    totals = {"A": 95, "V": 99, "B": 90, "C": 90, "D": 80, "W": 70}
    groups = {"A": "县委", "V": "县委", "B": "部门", "C": "县委", "D": "部门", "W": "部门"}
    res = score_units(totals_scheme(), SPEC, totals_units(totals, vetoed={"V", "W"}, groups=groups))
    s = by_code(res)
    assert [s[c]["rank"] for c in ("A", "B", "C", "D", "V", "W")] == [1, 2, 2, 4, 5, 6]
    assert [s[c]["group_rank"] for c in ("A", "C", "V")] == [1, 2, 3]
    assert [s[c]["group_rank"] for c in ("B", "D", "W")] == [1, 2, 3]
    assert (s["V"]["grade"], s["V"]["vetoed"]) == ("较差", True)
    assert [r["unit_code"] for r in res.scores] == ["A", "B", "C", "D", "V", "W"]
    assert "v.1 党组织班子成员发生严重违纪违法问题" in res.vetoes["V"]


def test_veto_rank_unranked_leaves_vetoed_units_without_a_rank_but_graded():
    totals = {"A": 95, "V": 99, "B": 90}
    res = score_units(totals_scheme(veto_rank="unranked"), SPEC, totals_units(totals, vetoed={"V"}))
    s = by_code(res)
    assert (s["V"]["rank"], s["V"]["group_rank"], s["V"]["grade"]) == (None, None, "较差")
    assert (s["A"]["rank"], s["B"]["rank"]) == (1, 2)
    assert [r["unit_code"] for r in res.scores] == ["A", "B", "V"]
    # it still counts among the graded units for quotas: 30% of 3 = 0 places
    assert s["A"]["grade"] == "良好"


def test_the_veto_note_names_the_item():
    sch = load_scheme("annual-assessment-scoring", spec=SPEC)
    res = score_units(sch, SPEC, [unit("U1", v_2__occurred=True)])
    note = only(res, "U1", "veto")[0]["note"]
    assert note == "一票否决（v.2 意识形态工作出现重大失误，造成严重不良影响），等次定为较差"


@pytest.mark.parametrize("key, value, message", [
    ("faulty", "scor", "faulty: expected one of hold, score, got 'scor' (did you mean 'score'?)"),
    ("veto_rank", "none", "veto_rank: expected one of last, unranked"),
])
def test_faulty_and_veto_rank_options_are_validated(key, value, message):
    with pytest.raises(SpecError) as exc:
        totals_scheme(**{key: value})
    assert message in str(exc.value)


# --------------------------------------------------------------------------- plain words for the score cards


def test_rules_in_plain_chinese_and_english():
    from toolkit.score.scheme import expression_names
    from toolkit.score.words import rule_text, value_labels, values_text
    sch = load_scheme("annual-assessment-scoring", spec=SPEC)
    names, labels = expression_names(SPEC), value_labels(SPEC)
    words = {i.id: rule_text(i, names=names, labels=labels) for i in sch.indicators}
    assert words["a4_2_committee"] == "按次数扣分：满分5分，每1次扣0.5分，最多扣5分"
    assert words["a4_5_theme_days"] == "按比率计分：“主题党日开展次数 / 12”达到100%得满分4分，不足的按比例计分"
    assert words["a4_1_meetings"].startswith("按档次计分：“支部党员大会召开次数”达到4得5分、达到3得4分")
    assert words["a1_1"] == "按自评分计分，最高4分，最低0分"
    assert words["bonus"] == "加分项：各项按自评分计（不超过该项分值），合计封顶5分"
    assert words["veto"].startswith("一票否决：任一项为“是”即否决，等次定为较差，排在未被否决的单位之后")
    en = rule_text(sch.indicator("a4_2_committee"), "en", names=names, labels=value_labels(SPEC, "en"))
    assert en == "deduction from 5 points: 0.5 off for each one, at most 5 off"
    en = rule_text(sch.indicator("a4_5_theme_days"), "en", names=names, labels=value_labels(SPEC, "en"))
    assert en == "by rate (Themed party days held / 12): 100% or more earns the full 4 points, less earns its share"
    res = score_units(sch, SPEC, [unit("U1", committee_meetings=9)])
    row = only(res, "U1", "a4_2_committee")[0]
    assert values_text(row["values"], labels) == "支部委员会会议召开次数：9；党员总数：20；预备党员数：2；计算值：3"
    assert values_text(row["values"], value_labels(SPEC, "en"), "en") == (
        "Branch committee meetings held: 9; Party members (total): 20; Probationary members: 2; computed: 3")
    veto = only(res, "U1", "veto")[0]
    assert values_text(veto["values"], labels).startswith("v.1 是否存在：否；v.2 是否存在：否")


def test_a_missing_field_is_named_by_its_label_on_the_card():
    from toolkit.score.scheme import expression_names
    from toolkit.score.words import note_text, value_labels
    sch = load_scheme("annual-assessment-scoring", spec=SPEC)
    res = score_units(sch, SPEC, [unit("U1", general_meetings=None)])
    row = only(res, "U1", "a4_1_meetings")[0]
    assert row["note"] == "未填报：general_meetings"  # the trace keeps the field's name
    for lang, want in (("zh", "未填报：支部党员大会召开次数"), ("en", "not filled in: General member meetings held")):
        labels = value_labels(SPEC, lang)
        fields = {name: labels[key] for name, key in expression_names(SPEC).items()}
        assert note_text(row["notes"], lang, fields) == want
