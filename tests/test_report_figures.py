"""The report counts only valid returns, names every state, and shows figures the way people read them."""

from __future__ import annotations

import re

from test_report import RECT, SCORES, STATUS, TRACE, report, write_table

SCORES_STATE = SCORES + ("state",)
STATUS_NEW = STATUS + ("phone", "late", "reason")


def section(html: str, anchor: str, end: str = "</table>") -> str:
    return html.split(anchor, 1)[1].split(end, 1)[0]


def faulty_out(tmp_path, provisional: bool = False, with_state: bool = True):
    """U002's accepted return has errors: held out (or ranked provisionally by its scheme)."""
    out = tmp_path / "out"
    write_table(out / "status.csv", STATUS, [
        ("U001", "第一党支部", "县委", "张三", "accepted", 0, 0, "a.xlsx"),
        ("U002", "第二党支部", "县委", "李四", "faulty", 7, 0, "b.xlsx"),
        ("U004", "第四党支部", "部门", "赵六", "accepted", 0, 0, "d.xlsx")])
    rank, grade = ("1", "优秀") if provisional else ("", "")
    rows = [("U001", "第一党支部", "县委", "92.5", "2" if provisional else "1", "1", "良好", "false", "accepted"),
            ("U002", "第二党支部", "县委", "99", rank, rank, grade, "false", "faulty"),
            ("U004", "第四党支部", "部门", "80", "3" if provisional else "2", "1", "良好", "false", "accepted")]
    if with_state:
        write_table(out / "scores.csv", SCORES_STATE, rows)
    else:  # a scores.csv written before the state column: ranks everyone, status.csv says who is faulty
        write_table(out / "scores.csv", SCORES, [r[:-1] if r[0] != "U002" else r[:4] + ("1", "1", "优秀", "false")
                                                 for r in rows])
    write_table(out / "score_trace.csv", TRACE, [
        ("U001", "A1", "self_score", "", "8", "10", ""), ("U004", "A1", "self_score", "", "10", "10", ""),
        ("U002", "A1", "self_score", "", "0", "10", ""),
        ("U001", "bonus", "bonus", "", "0", "5", ""), ("U004", "bonus", "bonus", "", "1", "5", "")])
    return out


def test_faulty_unit_is_held_out_of_ranking_grades_means_and_gaps(tmp_path):
    html = report(faulty_out(tmp_path))
    ranking = section(html, 'id="ranking"')
    assert "第二党支部" not in ranking
    grades = section(html, 'id="grades"')
    assert re.search(r"<td>良好</td><td class=\"n\">2</td><td class=\"n\">100\.0%</td>", grades)
    assert "优秀" not in grades
    groups = section(html, 'id="group-status"')
    assert re.search(r"<td>县委</td>.*?<td class=\"n\">92\.50</td></tr>", groups, re.S)  # not (92.5 + 99) / 2
    gaps = section(html, 'id="gap-list"')
    assert re.search(r"<td>A1 三会一课落实情况</td><td class=\"n\">10</td>\s*<td class=\"n\">2\.00</td>", gaps)


def test_faulty_unit_is_listed_as_pending_with_its_provisional_total(tmp_path):
    pending = section(report(faulty_out(tmp_path)), 'id="pending"')
    row = re.search(r"<td>第二党支部</td>.*?</tr>", pending, re.S).group(0)
    assert "99.00" in row and "待补正" in row and ">7<" in row
    assert "暂定）" not in row  # not ranked


def test_faulty_from_status_when_scores_has_no_state_column(tmp_path):
    html = report(faulty_out(tmp_path, with_state=False))
    assert "第二党支部" not in section(html, 'id="ranking"')
    assert "第二党支部" in section(html, 'id="pending"')


def test_scheme_scoring_faulty_units_marks_them_provisional(tmp_path):
    html = report(faulty_out(tmp_path, provisional=True))
    row = re.search(r"<tr class=\"provisional\">.*?</tr>", section(html, 'id="ranking"'), re.S).group(0)
    assert "第二党支部" in row and "暂定" in row and "优秀（暂定）" in row
    assert "按评分细则暂定排名" in html
    assert "1（暂定）" in section(html, 'id="pending"')


def test_bonus_points_not_earned_are_not_lost_points(tmp_path):
    gaps = section(report(faulty_out(tmp_path)), 'id="gaps"', "</section>")
    assert "bonus" not in gaps and "加分" not in gaps


def test_gap_chart_labels_are_indicator_titles(tmp_path):
    chart = section(report(faulty_out(tmp_path)), 'id="gaps"', "</svg>")
    assert "三会一课落实情况" in chart
    assert "A1 三会" not in chart and ">A1<" not in chart


def test_grade_shares_are_over_scored_units_not_the_roster(tmp_path):
    out = faulty_out(tmp_path)
    write_table(out / "scores.csv", SCORES_STATE, [
        ("U001", "第一党支部", "县委", "92.5", "1", "1", "优秀", "false", "accepted"),
        ("U004", "第四党支部", "部门", "80", "2", "1", "良好", "false", "accepted"),
        ("U005", "第五党支部", "部门", "", "", "", "", "false", ""),  # did not return
        ("U006", "第六党支部", "部门", "", "", "", "", "false", "")])
    grades = section(report(out), 'id="grades"')
    assert re.search(r"<td>优秀</td><td class=\"n\">1</td><td class=\"n\">50\.0%</td>", grades)


def test_group_columns_follow_the_roster_in_every_table(tmp_path):
    out = faulty_out(tmp_path)
    write_table(out / "scores.csv", SCORES_STATE, [  # the 部门 unit ranks first
        ("U001", "第一党支部", "县委", "70", "2", "1", "一般", "false", "accepted"),
        ("U004", "第四党支部", "部门", "95", "1", "1", "优秀", "false", "accepted")])
    write_table(out / "totals.csv", ("group", "metric", "value"), [
        ("部门", "征求意见数", "80"), ("县委", "征求意见数", "120"), ("全部", "征求意见数", "200")])
    html = report(out)
    for anchor in ('id="grades"', 'id="totals"', 'id="group-status"'):
        head = section(html, anchor)
        assert head.index("县委") < head.index("部门"), anchor


def test_follow_up_list_names_every_state_with_reason_and_phone(tmp_path):
    out = tmp_path / "out"
    write_table(out / "status.csv", STATUS_NEW, [
        ("U001", "第一党支部", "县委", "张三", "accepted", 0, 0, "a.xlsx", "13800000001", "false", ""),
        ("U002", "第二党支部", "县委", "李四", "unusable", 0, 0, "b.docx", "13800000002", "false",
         "不是可读取的 Excel 表格：Word 文档"),
        ("U003", "第三党支部", "部门", "王五", "review", 0, 0, "c.xlsx", "13800000003", "false", "文件名与表内单位不一致"),
        ("U004", "第四党支部", "部门", "赵六", "missing", 0, 0, "", "13800000004", "false", ""),
        ("U005", "第五党支部", "部门", "钱七", "faulty", 3, 0, "e.xlsx", "13800000005", "false", "")])
    html = report(out)
    chase = section(html, "需跟进的单位")
    for name, label, extra in (("第二党支部", "无法使用", "Word 文档"), ("第三党支部", "待确认", "不一致"),
                               ("第四党支部", "未报送", "13800000004"), ("第五党支部", "待补正", "3 个错误")):
        row = re.search(rf"<td>{name}</td>.*?</tr>", chase, re.S).group(0)
        assert label in row and extra in row, name
    assert re.search(r"<td>第二党支部</td>.*?13800000002", chase, re.S)
    cards = section(html, 'class="cards"', "</div>\n  <div")
    assert "无法使用" in cards and "待确认" in cards and "已接收" in cards
    groups = section(html, 'id="group-status"')
    assert "无法使用" in groups and "待确认" in groups


def test_a_late_return_is_counted_and_followed_up_as_late(tmp_path):
    out = tmp_path / "out"
    write_table(out / "status.csv", STATUS_NEW, [
        ("U001", "第一党支部", "县委", "张三", "accepted", 0, 0, "a.xlsx", "13800000001", "false", ""),
        ("U002", "第二党支部", "县委", "李四", "accepted", 0, 0, "b.xlsx", "13800000002", "true", "")])
    html = report(out)
    chase = section(html, "需跟进的单位")
    row = re.search(r"<td>第二党支部</td>.*?</tr>", chase, re.S).group(0)
    assert "已接收（逾期）" in row and "13800000002" in row
    assert "第一党支部" not in chase  # on time: nothing to follow up
    cards = section(html, 'class="cards"', "</div>\n  <div")
    assert re.search(r'<span class="v">1</span>逾期报送', cards)


def test_follow_up_list_takes_phones_from_the_roster_when_status_has_none(tmp_path):
    out = tmp_path / "out"
    write_table(out / "status.csv", STATUS, [("U003", "机关党支部", "部门", "王五", "missing", 0, 0, "")])
    chase = section(report(out, phones={"U003": "0571-88000000"}), "需跟进的单位")
    assert "0571-88000000" in chase


def test_english_state_labels(tmp_path):
    out = tmp_path / "out"
    write_table(out / "status.csv", STATUS_NEW, [
        ("U002", "Unit 2", "A", "Li", "unusable", 0, 0, "b.docx", "1", "false", "a Word file"),
        ("U003", "Unit 3", "A", "Wang", "review", 0, 0, "c.xlsx", "2", "false", "")])
    html = report(out, lang="en")
    assert "Unusable" in html and "Awaiting review" in html and "未报送" not in html


def test_histogram_bins_are_chosen_from_the_data():
    from toolkit.report.sections import histogram_counts

    totals = [61.0, 72.5] + [90 + 0.3 * i for i in range(31)]
    labels, counts = histogram_counts(totals)
    assert sum(counts) == 33 and len(labels) == len(counts)
    assert max(counts) <= 17 and sum(c > 0 for c in counts) >= 4  # a 10-point bar would hold 31 of the 33


def test_histogram_title_says_the_bin_width(tmp_path):
    out = faulty_out(tmp_path)
    write_table(out / "scores.csv", SCORES_STATE, [
        (f"U{n:03}", f"单位{n}", "县委", str(90 + 0.3 * n), str(n), str(n), "", "false", "accepted")
        for n in range(1, 32)] + [("U100", "单位100", "县委", "61", "32", "32", "", "false", "accepted")])
    html = report(out)
    assert "每 10 分一段" not in html and re.search(r"得分分布（每 [\d.]+ 分一段）", html)


def test_amounts_and_rates_are_formatted(tmp_path):
    out = faulty_out(tmp_path)
    write_table(out / "totals.csv", ("group", "metric", "value"), [
        ("县委", "党费收缴金额", "12345.678"), ("县委", "单位数", "12345")])
    write_table(out / "totals.csv", ("group", "metric", "value", "display"), [
        ("县委", "党费收缴金额", "12345.678", ""), ("县委", "单位数", "12345", ""),
        ("县委", "报送率", "0.9333", "93.3%")])
    totals = section(report(out, rates=[{"group": "县委", "metric": "整改完成率", "rate": 0.9333}]), 'id="totals"')
    assert "12,345.68" in totals and "12,345<" in totals and "93.3%" in totals and "0.9333" not in totals


def test_rectification_lists_show_the_units_own_item_numbers(tmp_path):
    out = faulty_out(tmp_path)
    write_table(out / "rectification.csv", RECT + ("item_no",), [
        ("U001", "2025r1-3", "2025r1", "2025r1", "台账不规范", "2025-01-31", "in_progress", "", "true", "巡察-07")])
    rect = section(report(out), 'id="rectification"', "</section>")
    assert "巡察-07" in section(rect, "逾期未完成事项")
    assert "巡察-07" in section(rect, "时间最长的未完成事项")


def test_year_on_year_matrix_counts_units_missing_in_one_year(tmp_path):
    out = faulty_out(tmp_path)
    cols = ("unit_code", "unit_name", "group", "old_total", "new_total", "delta", "old_rank", "new_rank",
            "rank_change", "old_grade", "new_grade", "grade_move", "old_unit_name", "old_vetoed", "new_vetoed",
            "presence", "old_state", "new_state")
    write_table(out / "compare.csv", cols, [
        ("U001", "一", "县委", "80", "90", "10", "2", "1", "1", "良好", "优秀", "up", "一", "false", "false", "both",
         "accepted", "accepted"),
        ("U002", "二", "县委", "85", "", "", "1", "", "", "优秀", "", "", "二", "false", "", "both",
         "accepted", "faulty"),
        ("U007", "七", "县委", "", "88", "", "", "2", "", "", "良好", "", "", "", "false", "new", "", "accepted"),
        ("U008", "八", "县委", "70", "", "", "3", "", "", "一般", "", "", "八", "false", "", "dissolved",
         "accepted", "")])
    html = report(out)
    matrix = section(html, 'id="grade-moves"')
    assert "未参评" in matrix
    row = re.search(r"<tr><td>未参评</td>(.*?)</tr>", matrix, re.S).group(1)
    assert re.findall(r'<td class="n">(\d+)</td>', row)[-1] == "1"  # U007: new this year
    total = re.search(r'<tr class="total">(.*?)</tr>', matrix, re.S).group(1)
    assert re.findall(r'<td class="n">(\d+)</td>', total)[-1] == "4"  # every unit of either year
    units = section(html, 'id="compare-units"')
    assert re.search(r"<td>二</td>.*?待补正", units, re.S)


def test_an_item_whose_closing_failed_validation_counts_as_open(tmp_path):
    out = faulty_out(tmp_path)
    write_table(out / "rectification.csv", RECT + ("item_no",), [
        ("U001", "2026r1-2", "2026r1", "2026r1", "称已完成但无佐证", "2026-06-30", "not_closed", "2026-05-21", "false",
         "巡察-02")])
    rect = section(report(out), 'id="rectification"', "</section>")
    overall = re.search(r'<tr class="total"><td>合计</td>(.*?)</tr>', rect, re.S).group(1)
    assert re.findall(r'<td class="n">(.*?)</td>', overall)[:3] == ["1", "0", "1"]
    assert "未销号" in rect


def test_follow_up_list_takes_reasons_given_beside_status_csv(tmp_path):
    out = tmp_path / "out"
    write_table(out / "status.csv", STATUS, [("U003", "机关党支部", "部门", "王五", "unusable", 0, 0, "c.pdf")])
    chase = section(report(out, reasons={"U003": "不是可读取的 Excel 表格：PDF 文档"}), "需跟进的单位")
    assert "PDF 文档" in chase and "无法使用" in chase


def test_report_of_a_campaign_shows_the_reason_of_an_unusable_unit(tmp_path):
    from conftest import DEFAULT_UNITS, MINI_SPEC, write_roster

    from toolkit.campaign.folder import create_campaign
    from toolkit.campaign.status import unit_statuses, write_status
    from toolkit.generate.outbox import generate_outbox
    from toolkit.read.collect import collect
    from toolkit.report.stage import report_campaign

    c = create_campaign(tmp_path / "camp", str(MINI_SPEC), write_roster(tmp_path / "r.csv", DEFAULT_UNITS), year=2026)
    generate_outbox(c, workers=1)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "U002_第二党支部.xlsx").write_bytes(b"%PDF-1.4 not a workbook")
    collect(c, [str(tmp_path / "in")], workers=1)
    write_status(c, unit_statuses(c))
    html = report_campaign(c).read_text(encoding="utf-8")
    row = re.search(r"<td>第二党支部</td>.*?</tr>", section(html, "需跟进的单位"), re.S).group(0)
    assert "无法使用" in row and "PDF" in row and "13800000002" in row


def test_totals_matrix_leaves_the_state_counts_to_the_group_table(tmp_path):
    out = faulty_out(tmp_path)
    write_table(out / "totals.csv", ("group", "metric", "value", "display", "key"), [
        ("县委", "需退回修改", "1", "1", "faulty"), ("县委", "党员总数", "30", "30", "members")])
    totals = section(report(out), 'id="totals"')
    assert "党员总数" in totals and "需退回修改" not in totals


def test_provisional_marks_in_english(tmp_path):
    html = report(faulty_out(tmp_path, provisional=True), lang="en")
    assert "优秀 (provisional)" in html and "1 (provisional)" in html and "（" not in html
