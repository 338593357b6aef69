"""The report the office reads in the end: out/report.html, rendered from the out/*.csv files.

Read → summarise → chart → render. Every input is a contract CSV written by an earlier stage;
scores, score trace, values, totals, rectification and compare (year on year) files are optional and their sections are
left out when absent. The page is self-contained (inline CSS, inline SVG charts drawn by pygal,
no JavaScript, no external URL) and prints on A4.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import jinja2
from markupsafe import Markup

from ..i18n import define, locale_of, t
from .compare import compare_section
from .sections import (
    FONT_STACK,
    gaps_section,
    group_order,
    group_rows,
    issues_section,
    rate_rows,
    rectification_section,
    scored_codes,
    scores_section,
    status_section,
    totals_matrix,
)

__all__ = ["ReportInput", "render_report", "write_report", "compare_section", "FONT_STACK"]

_WORDS = define("report", {
    "title": ("{year}年度{name}情况报告", "{name} {year}: report"),
    "title_plain": ("{name}情况报告", "{name}: report"),
    "generated": ("生成日期：", "Generated on: "),
    "sec.status": ("报送情况", "Return status"),
    "sec.groups": ("各组汇总", "Totals and rates by group"),
    "sec.scores": ("得分分布与排名", "Score distribution and ranking"),
    "sec.grades": ("等次", "Grades"),
    "sec.gaps": ("失分最多的指标", "Indicators with the most points lost"),
    "sec.issues": ("常见问题", "Most frequent issues"),
    "sec.rect": ("整改进展", "Rectification progress"),
    "expected": ("应报单位", "Units expected"),
    "returned": ("已报送", "Returned"),
    "state.accepted": ("已接收", "Accepted"),
    "state.faulty": ("待补正", "To be corrected"),
    "state.review": ("待确认", "Awaiting review"),
    "state.unusable": ("无法使用", "Unusable"),
    "state.missing": ("未报送", "Missing"),
    "late": ("逾期报送", "Returned late"),
    "late_mark": ("（逾期）", " (late)"),
    "n_errors": ("{n} 个错误", "errors: {n}"),
    "merged": ("已汇总数据", "Data merged"),
    "chase": ("需跟进的单位", "Units to follow up"),
    "none_chase": ("所有单位均已报送且无错误。", "Every unit has returned without errors."),
    "group": ("组别", "Group"),
    "unit": ("单位", "Unit"),
    "contact": ("联系人", "Contact"),
    "phone": ("联系电话", "Phone"),
    "reason": ("原因", "Reason"),
    "state": ("状态", "State"),
    "errors": ("错误", "Errors"),
    "warnings": ("提示", "Warnings"),
    "units": ("单位数", "Units"),
    "return_rate": ("报送率", "Return rate"),
    "mean_score": ("平均分", "Mean score"),
    "all": ("合计", "All"),
    "metric": ("指标", "Metric"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "rate": ("比率", "Rate"),
    "totals": ("汇总数据", "Totals"),
    "rates": ("各项比率", "Rates"),
    "histogram": ("得分分布（每 {width} 分一段）", "Score distribution ({width}-point bins)"),
    "provisional": ("暂定", "provisional"),
    "prov_fmt": ("{x}（暂定）", "{x} (provisional)"),
    "scored_note": ("等次占比按参评单位（{n} 个）计算；待补正和未报送单位不计入。",
                    "Shares are of the {n} units scored; faulty and missing units are not counted."),
    "pending": ("待补正单位（暂定得分，不计入排名和统计）", "Faulty returns to be corrected (provisional totals, not counted)"),
    "pending_ranked": ("待补正单位（按评分细则暂定排名）", "Faulty returns to be corrected (ranked provisionally)"),
    "provisional_total": ("暂定总分", "Provisional total"),
    "ranking": ("排名", "Ranking"),
    "rank": ("名次", "Rank"),
    "group_rank": ("组内名次", "Group rank"),
    "total": ("总分", "Total"),
    "grade": ("等次", "Grade"),
    "vetoed": ("一票否决", "Vetoed"),
    "yes": ("是", "yes"),
    "count": ("数量", "Count"),
    "share": ("占比", "Share"),
    "indicator": ("指标", "Indicator"),
    "lost_sum": ("失分合计", "Points lost"),
    "lost_mean": ("平均失分", "Mean lost"),
    "units_losing": ("失分单位数", "Units losing points"),
    "max_points": ("分值", "Max points"),
    "code": ("问题代码", "Code"),
    "issue_title": ("问题", "Issue"),
    "severity": ("级别", "Severity"),
    "occurrences": ("出现次数", "Occurrences"),
    "units_affected": ("涉及单位", "Units affected"),
    "error": ("错误", "error"),
    "warning": ("提示", "warning"),
    "issue_totals": ("共 {errors} 个错误、{warnings} 个提示，涉及 {units} 个单位。",
                     "{errors} errors and {warnings} warnings in {units} units."),
    "item_count": ("问题总数", "Items"),
    "closed": ("已完成", "Closed"),
    "open": ("未完成", "Open"),
    "overdue": ("已逾期", "Overdue"),
    "close_rate": ("整改完成率", "Closure rate"),
    "overdue_items": ("逾期未完成事项", "Overdue open items"),
    "problem": ("问题", "Problem"),
    "oldest_open": ("时间最长的未完成事项", "Oldest open items"),
    "first_round": ("首次出现", "First round"),
    "st.open": ("未启动", "open"),
    "st.in_progress": ("整改中", "in progress"),
    "st.reopened": ("重新整改", "reopened"),
    "st.closed": ("已完成", "closed"),
    "st.not_closed": ("未销号（完成情况待补正）", "not signed off (to be corrected)"),
    "deadline": ("期限", "Deadline"),
    "round": ("轮次", "Round"),
    "item_no": ("整改编号", "Item no."),
    "signature": ("制表人：", "Prepared by:"),
    "reviewer": ("审核人：", "Reviewed by:"),
    "date": ("日期：", "Date:"),
    "sec.compare": ("年度对比", "Year on year"),
    "cmp.scored": ("两年均有得分", "Scored both years"),
    "cmp.improved": ("总分提高", "Total up"),
    "cmp.declined": ("总分下降", "Total down"),
    "cmp.grade_up": ("等次上升", "Grade up"),
    "cmp.grade_down": ("等次下降", "Grade down"),
    "cmp.new_units": ("新增单位", "New units"),
    "cmp.dissolved_units": ("撤销/合并单位", "Units dissolved or merged"),
    "cmp.old_total": ("上年总分", "Last year"),
    "cmp.new_total": ("本年总分", "This year"),
    "cmp.delta": ("变化", "Change"),
    "cmp.old_rank": ("上年名次", "Rank last year"),
    "cmp.new_rank": ("本年名次", "Rank this year"),
    "cmp.rank_change": ("名次变化", "Places moved"),
    "cmp.note": ("备注", "Note"),
    "cmp.not_returned": ("未报送", "not returned"),
    "cmp.faulty": ("待补正", "faulty"),
    "cmp.unrated": ("未参评", "not rated"),
    "cmp.new": ("新增", "new unit"),
    "cmp.dissolved": ("撤销/合并", "dissolved or merged"),
    "cmp.renamed": ("原名：{name}", "formerly {name}"),
    "cmp.up": ("上升", "up"),
    "cmp.down": ("下降", "down"),
    "cmp.same": ("持平", "same"),
    "cmp.changed": ("变动", "changed"),
    "cmp.matrix": ("等次变动情况", "Grade transitions"),
    "cmp.corner": ("上年＼本年", "Last year \\ this year"),
    "cmp.chart": ("总分变化最大的单位", "Largest changes in total"),
    "cmp.units": ("逐单位对比", "Unit by unit"),
    "cmp.with_move": ("{grades}（{move}）", "{grades} ({move})"),
    "page_counter": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
})


@dataclass
class ReportInput:
    """What the report needs besides the CSV files in *out_dir*."""

    campaign_name: str
    year: int
    generated_on: str  # ISO date given by the caller, so the output is deterministic
    out_dir: Path
    lang: str = "zh"
    indicator_titles: dict[str, str] = field(default_factory=dict)
    rates: list[dict] = field(default_factory=list)
    phones: dict[str, str] = field(default_factory=dict)  # unit code → phone, when status.csv has none
    reasons: dict[str, str] = field(default_factory=dict)  # unit code → why unusable / in review


def words(lang: str) -> dict[str, str]:
    """Every user-visible word of the report in *lang* (zh unless "en")."""
    return {key.removeprefix("report."): t(key, lang) for key in _WORDS}


# --- reading ---------------------------------------------------------------------------------

def read_table(path: Path) -> list[dict] | None:
    """The rows of a contract CSV (UTF-8 with or without BOM), or None when the file is absent."""
    if not path.is_file():
        return None
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(fh)]


def iter_table(path: Path) -> Iterator[dict] | None:
    """The rows of a contract CSV one at a time (a file with a row per value or per trace line is
    never held whole), or None when the file is absent or has no rows."""
    if not path.is_file():
        return None
    rows = _rows(path)
    first = next(rows, None)
    return None if first is None else itertools.chain([first], rows)


def _rows(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {k: (v or "").strip() for k, v in row.items() if k}


def distinct_units(path: Path) -> int | None:
    """How many units have rows in a contract CSV (its unit_code column), read a row at a time."""
    if not path.is_file():
        return None
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        head = next(reader, [])
        if "unit_code" not in head:
            return 0
        at = head.index("unit_code")
        return len({row[at].strip() for row in reader if len(row) > at})




# --- rendering -------------------------------------------------------------------------------

def report_title(inp: ReportInput, w: dict) -> str:
    """Campaign and year; the year is not repeated when the campaign name already carries it."""
    if str(inp.year) in inp.campaign_name:
        return w["title_plain"].format(name=inp.campaign_name)
    return w["title"].format(name=inp.campaign_name, year=inp.year)


def _faulty(scores: list[dict] | None, status: list[dict] | None) -> list[dict] | None:
    """scores.csv with each row's state: its own column, else status.csv's (one definition of faulty).

    Only a scores.csv that has the state column can rank a faulty unit provisionally; an older
    one ranked every unit, so a rank there proves nothing.
    """
    if scores is None:
        return None
    states = {r.get("unit_code"): r.get("state", "") for r in status or []}
    return [r if r.get("state") else dict(r, state=states.get(r.get("unit_code"), ""), provisional="false")
            for r in scores]


def _css_counter(lang: str) -> Markup:
    """The page footer as a CSS content value: the message with the page counters in its places."""
    return Markup('"' + t("report.page_counter", lang, page='" counter(page) "', pages='" counter(pages) "') + '"')


def build_context(inp: ReportInput) -> dict:
    """Everything the template shows; a section is None when its input file is absent."""
    w = words(inp.lang)
    out = Path(inp.out_dir)
    tables = {n: read_table(out / f"{n}.csv") for n in ("status", "scores", "rectification", "totals", "compare")}
    status = tables["status"]
    scores = _faulty(tables["scores"], status)
    scored = scored_codes(scores or [])
    order = group_order(status, scores)
    names = {r.get("unit_code"): r.get("unit_name") for r in (status or []) + (scores or [])}
    errors = {r.get("unit_code"): r.get("errors", "") for r in status or []}
    groups = None
    if status is not None or tables["totals"] or inp.rates:
        groups = {"table": group_rows(status, scores, scored, w) if status else None,
                  "totals": totals_matrix(tables["totals"], order, w) if tables["totals"] else None,
                  "rates": rate_rows(inp.rates)}
    # a row per value, trace line or issue: read as they are summarised, never held whole
    trace, issues = iter_table(out / "score_trace.csv"), iter_table(out / "issues.csv")
    return {
        "w": w, "lang": inp.lang, "html_lang": locale_of(inp.lang), "generated_on": inp.generated_on,
        "page_counter": _css_counter(inp.lang),
        "title": report_title(inp, w),
        "status": status_section(status, distinct_units(out / "values.csv"), inp.phones, inp.reasons, w)
        if status is not None else None,
        "groups": groups,
        "scores": scores_section(scores, order, errors, w) if scores else None,
        "gaps": gaps_section(trace, inp.indicator_titles, w, scored if scores is not None else None)
        if trace else None,
        "issues": issues_section(issues or (), inp.lang, w) if (out / "issues.csv").is_file() else None,
        "rect": rectification_section(tables["rectification"], names, w)
        if tables["rectification"] is not None else None,
        "compare": compare_section(tables["compare"], w) if tables["compare"] else None,
    }


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("toolkit.report", "templates"),
                              autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_report(inp: ReportInput) -> str:
    """The report as one self-contained HTML page."""
    return _environment().get_template("report.html.j2").render(**build_context(inp))


def write_report(inp: ReportInput) -> Path:
    """Write out_dir/report.html (atomically) and return its path."""
    path = Path(inp.out_dir) / "report.html"
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(render_report(inp), encoding="utf-8")
    tmp.replace(path)
    return path
