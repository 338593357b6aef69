"""The compare workbook (out/compare.xlsx): per unit, per indicator, grade moves, new and dissolved units."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..i18n import define, texts
from ..model import UnitState
from ..output.figures import XLSX_AMOUNT, XLSX_POINTS
from .compare_read import UnitYear
from .comparison import Comparison, UnitChange

__all__ = ["write_compare_xlsx"]

define("rounds.compare", {
    "units": ("总体对比", "Units"),
    "indicators": ("指标变化", "Indicators"),
    "grades": ("等次变动", "Grade moves"),
    "changes": ("新增与撤销", "New and dissolved"),
    "detail": ("指标明细", "Indicator detail"),
    "title": ("{old}—{new}年度对比：{sheet}", "Year on year {old}–{new}: {sheet}"),
    "code": ("单位代码", "Unit code"),
    "name": ("单位名称", "Unit"),
    "old_name": ("{y}年单位名称", "Name in {y}"),
    "group": ("分组", "Group"),
    "total": ("{y}年总分", "Total {y}"),
    "delta": ("总分变化", "Change"),
    "rank": ("{y}年排名", "Rank {y}"),
    "rank_change": ("名次变化（正数为上升）", "Places moved (+ = up)"),
    "grade": ("{y}年等次", "Grade {y}"),
    "grade_move": ("等次变动", "Grade move"),
    "vetoed": ("{y}年一票否决", "Vetoed {y}"),
    "note": ("备注", "Note"),
    "not_returned": ("未报送", "not returned"),
    "faulty": ("待补正", "faulty"),
    "unrated": ("未参评", "not rated"),
    "new": ("新增单位", "new unit"),
    "dissolved": ("撤销/合并", "dissolved or merged"),
    "renamed": ("更名（原：{name}）", "renamed (was {name})"),
    "up": ("上升", "up"),
    "down": ("下降", "down"),
    "same": ("持平", "same"),
    "changed": ("变动", "changed"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "indicator": ("指标编号", "Indicator"),
    "ind_title": ("指标名称", "Title"),
    "max": ("{y}年分值", "Max {y}"),
    "units_n": ("对比单位数", "Units compared"),
    "mean": ("{y}年平均分", "Mean {y}"),
    "mean_delta": ("平均分变化", "Change in mean"),
    "improved": ("提高单位数", "Units improved"),
    "worse": ("下降单位数", "Units worse"),
    "same_n": ("持平单位数", "Units unchanged"),
    "flag": ("标记", "Flag"),
    "top_up": ("提高最多第{n}", "improved most #{n}"),
    "top_down": ("下降最多第{n}", "worse most #{n}"),
    "only": ("仅{y}年有此指标", "only in {y}"),
    "points": ("{y}年得分", "Points {y}"),
    "points_delta": ("得分变化", "Change"),
    "corner": ("{old}年等次＼{new}年等次", "{old} \\ {new}"),
    "sum": ("合计", "Total"),
    "change": ("变动", "Change"),
    "year": ("年度", "Year"),
    "total1": ("总分", "Total"),
    "rank1": ("排名", "Rank"),
    "grade1": ("等次", "Grade"),
    "sign": ("制表人：＿＿＿＿＿＿＿＿    审核人：＿＿＿＿＿＿＿＿    日期：＿＿＿＿年＿＿月＿＿日",
             "Prepared by: ____________    Reviewed by: ____________    Date: ____________"),
    "footer": ("&C第 &P 页，共 &N 页", "&CPage &P of &N"),
})


def _total(y: UnitYear | None, w: dict):
    """A unit's total in a year: empty when absent that year, 待补正 (faulty) or 未报送 when not
    scored (never 0)."""
    if y is None:
        return None
    return y.total if y.scored else _absent(y, w)


def _absent(y: UnitYear, w: dict) -> str:
    return w["faulty"] if y.state == UnitState.FAULTY else w["not_returned"]


def _yes(y: UnitYear | None, w: dict) -> str:
    return "" if y is None else w["yes" if y.vetoed else "no"]


def _note(u: UnitChange, w: dict) -> str:
    if u.presence != "both":
        return w[u.presence]
    return w["renamed"].format(name=u.old.name) if u.renamed else ""


def _units_sheet(c: Comparison, w: dict) -> tuple[list[str], list[list]]:
    a, b = c.old.year, c.new.year
    headers = [w["code"], w["name"], w["old_name"].format(y=a), w["group"], w["total"].format(y=a),
               w["total"].format(y=b), w["delta"], w["rank"].format(y=a), w["rank"].format(y=b),
               w["rank_change"], w["grade"].format(y=a), w["grade"].format(y=b), w["grade_move"],
               w["vetoed"].format(y=a), w["vetoed"].format(y=b), w["note"]]
    rows = [[u.unit_code, u.unit_name, u.old.name if u.old else "", u.group,
             _total(u.old, w), _total(u.new, w), u.delta,
             u.old and u.old.rank, u.new and u.new.rank, u.rank_change, u.old.grade if u.old else "",
             u.new.grade if u.new else "", w.get(u.grade_move, ""), _yes(u.old, w), _yes(u.new, w), _note(u, w)]
            for u in c.units]
    return headers, rows


def _round2(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _indicators_sheet(c: Comparison, w: dict) -> tuple[list[str], list[list]]:
    a, b = c.old.year, c.new.year
    headers = [w["indicator"], w["ind_title"], w["max"].format(y=a), w["max"].format(y=b), w["units_n"],
               w["mean"].format(y=a), w["mean"].format(y=b), w["mean_delta"], w["improved"], w["worse"],
               w["same_n"], w["flag"]]
    flags = {i.indicator: w["top_up"].format(n=n) for n, i in enumerate(c.improved_most, 1)}
    flags.update({i.indicator: w["top_down"].format(n=n) for n, i in enumerate(c.worse_most, 1)})
    flags.update({i.indicator: w["only"].format(y=a if i.only == "old" else b) for i in c.indicators if i.only})
    rows = [[i.indicator, i.title, i.old_max, i.new_max, i.units, _round2(i.old_mean), _round2(i.new_mean),
             _round2(i.delta),
             *((i.improved, i.worse, i.same) if i.units else (None, None, None)), flags.get(i.indicator, "")]
            for i in c.indicators]
    return headers, rows


def _grades_sheet(c: Comparison, w: dict) -> tuple[list[str], list[list]]:
    label = {g: g or w["unrated"] for g in c.grades}
    headers = [w["corner"].format(old=c.old.year, new=c.new.year), *(label[g] for g in c.grades), w["sum"]]
    rows = []
    for o in c.grades:
        counts = [c.transitions.get((o, n), 0) for n in c.grades]
        rows.append([label[o], *counts, sum(counts)])
    if rows:
        sums = [sum(r[k] for r in rows) for k in range(1, len(headers))]
        rows.append([w["sum"], *sums])
    return headers, rows


def _changes_sheet(c: Comparison, w: dict) -> tuple[list[str], list[list]]:
    headers = [w["code"], w["name"], w["group"], w["change"], w["year"], w["total1"], w["rank1"], w["grade1"]]
    rows = []
    for u in c.by_presence("new") + c.by_presence("dissolved"):
        y, year = (u.new, c.new.year) if u.presence == "new" else (u.old, c.old.year)
        rows.append([u.unit_code, y.name, y.group, w[u.presence], year, _total(y, w), y.rank, y.grade])
    return headers, rows


def _detail_sheet(c: Comparison, w: dict) -> tuple[list[str], list[list]]:
    a, b = c.old.year, c.new.year
    headers = [w["code"], w["name"], w["indicator"], w["ind_title"], w["points"].format(y=a),
               w["points"].format(y=b), w["points_delta"]]
    titles = {i.indicator: i.title for i in c.indicators}
    rows = [[r["unit"].unit_code, r["unit"].unit_name, r["indicator"], titles.get(r["indicator"], ""),
             r["old"] if r["unit"].old.scored else _absent(r["unit"].old, w),
             r["new"] if r["unit"].new.scored else _absent(r["unit"].new, w), r["delta"]] for r in c.unit_points]
    return headers, rows


# Number formats per sheet and column: totals, means and points with two decimals and separators,
# maxima as amounts; a number keeps its value, the cell shows it the way the report does.
_FORMATS = {"units": {4: XLSX_POINTS, 5: XLSX_POINTS, 6: XLSX_POINTS},
            "indicators": {2: XLSX_AMOUNT, 3: XLSX_AMOUNT, 5: XLSX_POINTS, 6: XLSX_POINTS, 7: XLSX_POINTS},
            "changes": {5: XLSX_POINTS},
            "detail": {4: XLSX_POINTS, 5: XLSX_POINTS, 6: XLSX_POINTS}}


def _number_formats(wb, ws, rows: list[list], formats: dict[int, str], first: int) -> None:
    """Write the numbers of the *formats* columns again with their number format."""
    made = {f: wb.add_format({"border": 1, "valign": "vcenter", "num_format": f}) for f in set(formats.values())}
    for n, values in enumerate(rows):
        for c, f in formats.items():
            v = values[c] if c < len(values) else None
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(first + n, c, v, made[f])


def write_compare_xlsx(path: Path, comparison: Comparison, lang: str = "zh") -> Path:
    """compare.xlsx: 总体对比, 指标变化, 等次变动, 新增与撤销, 指标明细; A4 landscape, print-ready."""
    from ..output.xlsxfile import new_workbook, write_table

    w = texts("rounds.compare", lang)
    c = comparison
    wb = new_workbook(path)
    wb.set_properties({"title": w["title"].format(old=c.old.year, new=c.new.year, sheet="").rstrip("：: "),
                       "author": "toolkit", "created": dt.datetime(c.new.year, 1, 1)})
    sheets = (("units", _units_sheet), ("indicators", _indicators_sheet), ("grades", _grades_sheet),
              ("changes", _changes_sheet), ("detail", _detail_sheet))
    for key, build in sheets:
        headers, rows = build(c, w)
        ws = wb.add_worksheet(w[key])
        title = w["title"].format(old=c.old.year, new=c.new.year, sheet=w[key])
        end = write_table(wb, ws, headers, rows, title=title)
        _number_formats(wb, ws, rows, _FORMATS.get(key, {}), end - len(rows))
        if key == "units":
            ws.write_string(end + 1, 0, w["sign"])
        ws.set_paper(9)
        ws.set_landscape()
        ws.repeat_rows(0, 1)
        ws.fit_to_pages(1, 0)
        ws.set_footer(w["footer"])
    wb.close()
    return path


