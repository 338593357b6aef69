"""Scoring a real campaign with a faulty return, and the scoring sheet as it prints.

A return with errors would be rank 2 and take one of two 优秀 places: it is held out (待补正) and
the next unit takes the place, or, with `faulty: score`, ranked as provisional (暂定). The scoring
sheet is read back with openpyxl: row heights from wrapped text, print setup, the veto column as
是/—, totals with two decimals, and score cards in plain words.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml
from test_scoring_stage import ANNUAL_UNITS, annual_campaign, cli, read_csv

from toolkit.score.sheet import LINE_HEIGHT, sheet_name, text_lines
from toolkit.spec.load import TEMPLATES_DIR

# P02 typed more probationary members than members (an error) and would otherwise total 100
FAULTY_RETURNS = {
    "P01": {"f_b_1_self_score": 2, "f_b_1_evidence": "市级表彰文件"},  # 102
    "P02": {"f_prob_members": 40},                                    # 100, faulty
    "P03": {"f_a2_2_self_score": 2},                                  # 98
    "Q01": {"f_general_meetings": 1, "f_theme_days": 6, "f_a2_1_self_score": 0},  # 88
    "Q02": {"f_a1_1_self_score": 1, "f_v_2_occurred": "是", "f_v_2_note": "意识形态工作出现重大失误"},  # 97, vetoed
}


def with_scheme(camp: Path, **top) -> None:
    """The bundled scheme with 优秀 for at most half of the ranked units, and *top* keys, as my-scoring.yaml."""
    raw = yaml.safe_load((TEMPLATES_DIR / "annual-assessment-scoring.yaml").read_text(encoding="utf-8"))
    raw["grades"][0]["quota"] = 0.5
    raw.update(top)
    (camp / "my-scoring.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    path = camp / "campaign.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("scoring: annual-assessment-scoring",
                                                             "scoring: my-scoring.yaml"), encoding="utf-8")


@pytest.fixture(scope="module")
def faulty_camp(tmp_path_factory) -> Path:
    return annual_campaign(tmp_path_factory.mktemp("faulty"), returns=FAULTY_RETURNS).dir


def score(camp: Path, *args) -> dict[str, dict]:
    proc = cli("score", camp, *args)
    assert proc.returncode == 0, proc.stderr
    return {r["unit_code"]: r for r in read_csv(camp / "out" / "scores.csv")[1]}


def test_the_faulty_return_has_an_error_and_only_that_one(faulty_camp):
    assert cli("status", faulty_camp).returncode == 0
    _, status = read_csv(faulty_camp / "out" / "status.csv")
    assert {r["unit_code"] for r in status if r["state"] == "faulty"} == {"P02"}


def test_a_faulty_unit_gets_no_rank_grade_or_quota_place_and_the_next_unit_does(faulty_camp):
    with_scheme(faulty_camp)
    s = score(faulty_camp)
    p02 = s["P02"]
    assert (p02["total"], p02["rank"], p02["group_rank"], p02["grade"], p02["state"]) == ("100", "", "", "", "faulty")
    # ranked: P01 102, P03 98, Q01 88, then Q02 (97, vetoed) after them; 50% of 4 ranked units = 2 places
    assert {c: (s[c]["rank"], s[c]["grade"]) for c in ("P01", "P03", "Q01", "Q02")} == {
        "P01": ("1", "优秀"), "P03": ("2", "优秀"), "Q01": ("3", "良好"), "Q02": ("4", "较差")}
    assert (s["P03"]["group_rank"], s["P01"]["state"], "Q03" in s) == ("2", "accepted", False)


def test_without_the_error_it_would_have_been_rank_2_and_优秀(tmp_path):
    camp = annual_campaign(tmp_path, returns={**FAULTY_RETURNS, "P02": {}}).dir
    with_scheme(camp)
    s = score(camp)
    assert (s["P02"]["rank"], s["P02"]["grade"], s["P03"]["grade"]) == ("2", "优秀", "良好")


def test_the_scoring_sheet_lists_the_faulty_unit_as_待补正(faulty_camp):
    with_scheme(faulty_camp)
    score(faulty_camp)
    ws = openpyxl.load_workbook(faulty_camp / "out" / "scoring-sheet.xlsx")["总表"]
    head = [c.value for c in ws[3]]
    rows = {r[2]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[2] in {u[0] for u in ANNUAL_UNITS}}
    p02 = dict(zip(head, rows["P02"]))
    assert (p02["总排名"], p02["组内排名"], p02["总分"], p02["等次"]) == (None, None, 100, "待补正")
    assert "待补正" in p02["备注"]
    order = [r[2] for r in ws.iter_rows(min_row=4, values_only=True) if r[2] in rows]
    assert order == ["P01", "P03", "Q01", "Q02", "P02", "Q03"]
    assert any("待补正" in str(c) for row in ws.iter_rows(values_only=True) for c in row if c and "注" in str(c))


def test_faulty_score_ranks_it_as_provisional_everywhere(faulty_camp):
    with_scheme(faulty_camp, faulty="score")
    s = score(faulty_camp)
    assert (s["P02"]["rank"], s["P02"]["grade"], s["P02"]["state"]) == ("2", "优秀", "faulty")
    assert (s["P03"]["rank"], s["P03"]["grade"]) == ("3", "良好")
    wb = openpyxl.load_workbook(faulty_camp / "out" / "scoring-sheet.xlsx")
    ws = wb["总表"]
    head = [c.value for c in ws[3]]
    p02 = dict(zip(head, next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[2] == "P02")))
    assert (p02["总排名"], p02["等次"]) == (2, "优秀（暂定）") and "暂定" in p02["备注"]
    assert "暂定" in str(wb["P02 评分卡"]["A2"].value)


def test_veto_is_是_or_a_dash_with_the_reason_and_ranked_last(faulty_camp):
    with_scheme(faulty_camp)
    score(faulty_camp)
    ws = openpyxl.load_workbook(faulty_camp / "out" / "scoring-sheet.xlsx")["总表"]
    head = [c.value for c in ws[3]]
    col = head.index("九、一票否决项")
    values = {r[2]: r[col] for r in ws.iter_rows(min_row=4, values_only=True) if r[2] in {"P01", "P03", "Q01", "Q02"}}
    assert values == {"P01": "—", "P03": "—", "Q01": "—", "Q02": "是"}
    q02 = dict(zip(head, next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[2] == "Q02")))
    assert "v.2 意识形态工作出现重大失误" in q02["备注"] and q02["总排名"] == 4
    assert "一票否决" not in head  # no second column of its own: the veto area says it


def test_veto_rank_unranked_leaves_the_vetoed_unit_without_rank(faulty_camp):
    with_scheme(faulty_camp, veto_rank="unranked")
    s = score(faulty_camp)
    assert (s["Q02"]["rank"], s["Q02"]["group_rank"], s["Q02"]["grade"]) == ("", "", "较差")


def test_totals_show_two_decimals_and_keep_their_exact_value(faulty_camp, tmp_path):
    (faulty_camp / "adjustments.csv").write_text("unit_code,indicator,points,reason\nP01,,-0.3333,督查扣分\n",
                                                 encoding="utf-8")
    try:
        with_scheme(faulty_camp)
        score(faulty_camp)
    finally:
        (faulty_camp / "adjustments.csv").unlink()
    ws = openpyxl.load_workbook(faulty_camp / "out" / "scoring-sheet.xlsx")["总表"]
    head = [c.value for c in ws[3]]
    cell = next(row[head.index("总分")] for row in ws.iter_rows(min_row=4) if row[2].value == "P01")
    assert cell.value == pytest.approx(101.6667) and cell.number_format == "0.00"
    area = next(row[head.index("一、责任落实（12分）")] for row in ws.iter_rows(min_row=4) if row[2].value == "P01")
    assert area.number_format == "0.00"


def test_headers_and_wrapped_rows_get_their_height(faulty_camp):
    with_scheme(faulty_camp)
    score(faulty_camp)
    wb = openpyxl.load_workbook(faulty_camp / "out" / "scoring-sheet.xlsx")
    ws = wb["总表"]
    header = "四、组织生活（三会一课、主题党日）（25分）"
    col = [c.value for c in ws[3]].index(header)
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(col + 1)].width
    lines = text_lines(header, width)
    assert lines >= 3 and ws.row_dimensions[3].height >= lines * LINE_HEIGHT
    assert ws.cell(3, col + 1).alignment.wrap_text
    q02 = next(c.row for c in ws["C"] if c.value == "Q02")
    assert ws.row_dimensions[q02].height >= 2 * LINE_HEIGHT  # the veto reason wraps in 备注
    card = wb["Q01 评分卡"]
    long_row = next(r for r in range(4, card.max_row) if len(str(card.cell(r, 1).value or "")) > 40)
    assert card.row_dimensions[long_row].height >= 2 * LINE_HEIGHT


def test_print_setup(faulty_camp):
    with_scheme(faulty_camp)
    score(faulty_camp)
    wb = openpyxl.load_workbook(faulty_camp / "out" / "scoring-sheet.xlsx")
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == "9", ws.title
        assert ws.print_title_rows == "$1:$3", ws.title
        assert ws.page_setup.orientation == "landscape", ws.title  # every sheet here is wider than portrait
        # fitToWidth is left out of the file when it is 1, the default of the format
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1), ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title


def test_a_score_card_speaks_plain_chinese(faulty_camp):
    with_scheme(faulty_camp)
    score(faulty_camp)
    ws = openpyxl.load_workbook(faulty_camp / "out" / "scoring-sheet.xlsx")["Q01 评分卡"]
    assert [c.value for c in ws[3]] == ["指标", "计分规则", "本单位填报数据", "得分", "分值", "说明"]
    rows = {str(r[0]): r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
    committee = next(r for t, r in rows.items() if t.startswith("支部委员会会议召开次数"))
    assert committee[1] == "按次数扣分：满分5分，每1次扣0.5分，最多扣5分"
    assert committee[2].startswith("支部委员会会议召开次数：12；党员总数：30")
    meetings = next(r for t, r in rows.items() if t.startswith("支部党员大会召开次数"))
    assert "支部党员大会召开次数：1" == meetings[2] and meetings[3:5] == (2, 5)
    text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    for machine in ("a4_2_committee", "self_score", "committee_meetings=", "bands", "deduct", "floor="):
        assert machine not in text


def test_a_score_card_in_english(faulty_camp):
    with_scheme(faulty_camp)
    score(faulty_camp, "--lang", "en")
    wb = openpyxl.load_workbook(faulty_camp / "out" / "scoring-sheet.xlsx")
    ws = wb["Q01 Card"]
    assert [c.value for c in ws[3]] == ["Indicator", "Rule", "The unit's values", "Points", "Max", "Note"]
    text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert "deduction from 5 points: 0.5 off for each one, at most 5 off" in text
    assert "Branch committee meetings held: 12" in text and "General member meetings held: 1" in text
    assert "Branch committee meetings held (one a month, 0.5 off for each one missed" in text  # title_en
    p02 = dict(zip([c.value for c in wb["All units"][3]],
                   next(r for r in wb["All units"].iter_rows(min_row=4, values_only=True) if r[2] == "P02")))
    assert p02["Grade"] == "to correct"


def test_group_names_that_are_not_legal_sheet_names_do_not_stop_score(tmp_path):
    units = [("P01", "城东党支部", "'组'", "张三", "13800000001"), ("P02", "城西党支部", "a/b:c", "李四", "13800000002"),
             ("P03", "城南党支部", "History", "王五", "13800000003")]
    camp = annual_campaign(tmp_path, units=units, returns={"P01": {}, "P02": {}, "P03": {}}).dir
    proc = cli("score", camp)
    assert proc.returncode == 0, proc.stderr
    names = openpyxl.load_workbook(camp / "out" / "scoring-sheet.xlsx").sheetnames
    assert names[:4] == ["总表", "组", "abc", "History_"]


@pytest.mark.parametrize("text, want", [
    ("'组'", "组"), ("''", "sheet"), ("[a]:b*?/\\c", "abc"), ("x" * 40, "x" * 31), ("a\x0bb", "ab"),
    ("history", "history_"), ("'" + "组" * 30 + "'", "组" * 30),
])
def test_sheet_names_are_legal(text, want):
    assert sheet_name(text, set()) == want


def test_sheet_names_are_unique_whatever_their_case():
    used: set[str] = set()
    assert [sheet_name(t, used) for t in ("A组", "a组", "A组")] == ["A组", "a组_2", "A组_3"]


def test_many_units_share_one_card_sheet_a_card_a_page(faulty_camp, monkeypatch):
    import toolkit.score.cards as cards
    from toolkit.campaign.folder import load_campaign
    from toolkit.score.stage import score_campaign
    with_scheme(faulty_camp)
    monkeypatch.setattr(cards, "CARD_SHEET_LIMIT", 2)
    score_campaign(load_campaign(faulty_camp))
    wb = openpyxl.load_workbook(faulty_camp / "out" / "scoring-sheet.xlsx")
    assert wb.sheetnames == ["总表", "乡镇", "部门", "评分卡"]
    ws = wb["评分卡"]
    titles = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.endswith("— 评分卡")]
    assert len(titles) == 5 and len(ws.row_breaks.brk) == 5
    assert ws.page_setup.orientation == "landscape"
    # Excel ignores manual page breaks under "fit to page": the card sheet prints at a fixed scale
    assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
    assert 60 <= int(ws.page_setup.scale) <= 100
    long_row = next(c.row for c in ws["A"] if len(str(c.value or "")) > 40 and "评分卡" not in str(c.value))
    assert ws.row_dimensions[long_row].height >= 2 * LINE_HEIGHT
