"""The report's sections: each turns the rows of one out/*.csv file into what the page shows.

Summaries and charts only; words come from :func:`toolkit.report.page.words`. Only valid returns
count in the figures: a unit whose accepted return has errors (state ``faulty`` in status.csv
and scores.csv) is left out of every count, mean, chart and share, and listed apart as 待补正
with its provisional total. A scheme that scores faulty units anyway (``faulty: score``) gives
them a rank: they count, marked provisional. The year-on-year section is
:mod:`toolkit.report.compare`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Iterable

import pygal

from ..model import UnitState
from ..output.figures import amount, as_number, points, ratio
from .charts import FONT_STACK, histogram_bins, label_margin, new_chart, short_label, svg

__all__ = ["FONT_STACK", "STATES", "status_section", "group_rows", "totals_matrix", "rate_rows",
           "score_histogram", "histogram_counts", "scores_section", "scored_codes", "gap_rows", "gaps_section",
           "issues_section", "rectification_section", "GRADE_ORDER", "TRUE_WORDS"]

GRADE_ORDER = ("优秀", "良好", "一般", "较差", "excellent", "good", "fair", "poor")
CLOSED_STATES = {"已完成", "已整改", "已销号", "closed", "done", "completed"}
TRUE_WORDS = {"true", "1", "yes", "y", "是", "t"}
# Every state status.csv may hold, in the order the page shows them.
STATES = (UnitState.ACCEPTED, UnitState.FAULTY, UnitState.REVIEW, UnitState.UNUSABLE, UnitState.MISSING)
_NOT_LOST = {"bonus", "veto", "adjustment"}  # a bonus not earned, a veto, an office adjustment: no lost points
TOP_N = 10


def _order(values) -> list[str]:
    """Distinct values in order of first appearance."""
    return list(dict.fromkeys(values))


def group_order(status: list[dict] | None, *others: list[dict] | None) -> list[str]:
    """Groups in roster order (status.csv follows the roster), then any others as they come."""
    rows = [r for table in (status, *others) for r in (table or [])]
    return _order(r.get("group", "") for r in rows)


# --- return status ---------------------------------------------------------------------------

def _reason(r: dict, reasons: dict[str, str], w: dict) -> str:
    """Why the unit is in its state: the status reason, else the error count of a faulty return."""
    reason = r.get("reason", "") or reasons.get(r.get("unit_code", ""), "")
    if not reason and r.get("state") == UnitState.FAULTY and (as_number(r.get("errors")) or 0) > 0:
        reason = w["n_errors"].format(n=r.get("errors"))
    return reason


def status_section(status: list[dict], merged: int | None, phones: dict[str, str],
                   reasons: dict[str, str], w: dict) -> dict:
    """Counts per state, a chart by group, and every unit to follow up (with phone and reason).

    *merged*: how many units values.csv holds (None without a values.csv)."""
    states = Counter(r.get("state", "") for r in status)
    shown = [s for s in STATES if s in (UnitState.ACCEPTED, UnitState.FAULTY, UnitState.MISSING) or states[s]]
    groups = group_order(status)
    chart = new_chart(pygal.StackedBar, "status", w["sec.status"], height=300, x_labels=groups or [""],
                      colors=("#2e8b57", "#e67e22", "#2e6da4", "#8e44ad", "#c0392b"))
    for state in STATES:
        chart.add(w[f"state.{state}"], [sum(1 for r in status if r.get("group", "") == g
                                            and r.get("state") == state) or None for g in groups])
    rank = {s: n for n, s in enumerate((UnitState.MISSING, UnitState.UNUSABLE, UnitState.REVIEW, UnitState.FAULTY))}
    late = {r.get("unit_code") for r in status if str(r.get("late", "")).lower() == "true"}
    # A late return is followed up too: the instructions tell units that late returns count as not done.
    chase = sorted((r for r in status if r.get("state") in rank or r.get("unit_code") in late),
                   key=lambda r: (groups.index(r.get("group", "")), rank.get(r["state"], len(rank)),
                                  r.get("unit_code", "")))
    rows = [dict(r, state_label=w[f"state.{r['state']}"] + (w["late_mark"] if r.get("unit_code") in late else ""),
                 reason=_reason(r, reasons, w), phone=r.get("phone") or phones.get(r.get("unit_code", ""), ""))
            for r in chase]
    cards = [(s, w[f"state.{s}"], states[s]) for s in shown] + ([("late", w["late"], len(late))] if late else [])
    by_group = [{"group": g, "rows": [r for r in rows if r.get("group", "") == g]} for g in groups]
    return {"expected": len(status), "returned": states["accepted"] + states["faulty"],
            "cards": cards,
            "merged": merged,
            "chart": svg(chart), "chase": [g for g in by_group if g["rows"]]}


# --- groups ----------------------------------------------------------------------------------

def group_rows(status: list[dict], scores: list[dict] | None, scored: set[str], w: dict) -> dict:
    """One row per group (roster order) and a total row: units per state, return rate, mean score."""
    totals = {s.get("unit_code"): as_number(s.get("total")) for s in scores or []}
    present = Counter(r.get("state") for r in status)
    states = [s for s in STATES if s in (UnitState.ACCEPTED, UnitState.FAULTY, UnitState.MISSING) or present[s]]

    def row(label: str, rows: list[dict]) -> dict:
        c = Counter(r.get("state") for r in rows)
        returned = c["accepted"] + c["faulty"]
        pts = [totals[code] for r in rows if (code := r.get("unit_code")) in scored and totals.get(code) is not None]
        return {"group": label, "units": len(rows), "returned": returned, "counts": [c[s] for s in states],
                "rate": ratio(returned, len(rows)), "mean": points(sum(pts) / len(pts)) if pts else ""}

    out = [row(g, [r for r in status if r.get("group", "") == g]) for g in group_order(status)]
    return {"states": [w[f"state.{s}"] for s in states],
            "rows": out + [dict(row(w["all"], status), is_total=True)]}


_SHOWN_BY_STATE = {"units", "accepted", "faulty", "missing", "returned", "return_rate", "review", "unusable"}


def totals_matrix(totals: list[dict], order: list[str], w: dict) -> dict:
    """totals.csv pivoted: one row per metric, one column per group (roster order, overall last).

    The counts per state and the return rate are in the group table already (with the report's
    state labels), so they are left out here."""
    totals = [r for r in totals if r.get("key") not in _SHOWN_BY_STATE]
    found = _order(r.get("group", "") for r in totals)
    groups = [g for g in order if g in found] + [g for g in found if g not in order]
    cells = {(r.get("metric", ""), r.get("group", "")): r.get("display") or amount(r.get("value")) or r.get("value", "")
             for r in totals}
    metrics = _order(r.get("metric", "") for r in totals)
    return {"groups": [g or w["all"] for g in groups],
            "rows": [{"metric": m, "cells": [cells.get((m, g), "") for g in groups]} for m in metrics]}


def rate_rows(rates: list[dict]) -> list[dict]:
    """The caller's extra rate rows; a missing rate is numerator / denominator (a fraction 0–1)."""
    out = []
    for r in rates:
        num, den, rate = as_number(r.get("numerator")), as_number(r.get("denominator")), as_number(r.get("rate"))
        out.append({"group": r.get("group", ""), "metric": r.get("metric", ""),
                    "numerator": amount(num), "denominator": amount(den),
                    "rate": ratio(rate, 1) if rate is not None else (ratio(num, den) if num is not None and den else "—")})
    return out


# --- scores ----------------------------------------------------------------------------------

def _provisional(r: dict) -> bool:
    """A faulty unit that its scheme ranks anyway (``faulty: score``)."""
    if r.get("state") != UnitState.FAULTY:
        return False
    flag = r.get("provisional")
    return flag.lower() in TRUE_WORDS if flag else bool(r.get("rank"))


def scored_codes(scores: list[dict]) -> set[str]:
    """The units that count in the figures: a total, and not faulty unless ranked provisionally."""
    return {r.get("unit_code", "") for r in scores
            if as_number(r.get("total")) is not None and (r.get("state") != UnitState.FAULTY or _provisional(r))}


def _edge(x: float) -> str:
    return amount(x, 1)


def histogram_counts(totals: list[float]) -> tuple[list[str], list[int]]:
    """Bin labels and units per bin, bins chosen from the data; the top edge is closed so a full
    score is counted in the last bin."""
    start, width, n = histogram_bins(totals)
    counts = [0] * n
    for t in totals:
        counts[min(int((t - start) // width), n - 1)] += 1
    return [f"{_edge(start + width * i)}–{_edge(start + width * (i + 1))}" for i in range(n)], counts


def score_histogram(totals: list[float], w: dict):
    """The score distribution as a bar chart, its bin width in the title."""
    labels, counts = histogram_counts(totals)
    width = histogram_bins(totals)[1]
    chart = new_chart(pygal.Bar, "scores", w["histogram"].format(width=_edge(width)), x_labels=labels,
                      show_legend=False, print_values_position="top")
    chart.add(w["units"], [c or None for c in counts])
    return svg(chart)


def _ranking_row(r: dict, w: dict) -> dict:
    return dict(r, is_vetoed=r.get("vetoed", "").lower() in TRUE_WORDS, total_text=points(r.get("total")),
                provisional=_provisional(r))


def scores_section(scores: list[dict], order: list[str], errors: dict[str, str], w: dict) -> dict:
    """Histogram, ranking (by rank), grade counts over scored units, and the faulty units (待补正)."""
    def key(r):
        rank = as_number(r.get("rank"))
        return (rank if rank is not None else math.inf, r.get("unit_code", ""))

    scored = scored_codes(scores)
    faulty = [r for r in scores if r.get("state") == UnitState.FAULTY]
    ranking = [_ranking_row(r, w) for r in sorted(scores, key=key)
               if r.get("state") != UnitState.FAULTY or r.get("unit_code") in scored]
    counted = [r for r in ranking if r.get("unit_code") in scored]
    totals = [as_number(r.get("total")) for r in counted]
    groups = [g for g in order if any(r.get("group", "") == g for r in scores)] + \
        [g for g in _order(r.get("group", "") for r in scores) if g not in order]
    present = _order(r.get("grade", "") for r in counted if r.get("grade"))
    grades = [g for g in GRADE_ORDER if g in present] + [g for g in present if g not in GRADE_ORDER]
    by = Counter((r.get("grade"), r.get("group", "")) for r in counted)
    grade_rows = [{"grade": g, "count": sum(by[(g, x)] for x in groups),
                   "share": ratio(sum(by[(g, x)] for x in groups), len(counted)),
                   "by_group": [by[(g, x)] for x in groups]} for g in grades]
    pending = [dict(_ranking_row(r, w), errors=errors.get(r.get("unit_code", ""), "")) for r in faulty]
    return {"histogram": score_histogram(totals, w) if totals else None, "ranking": ranking,
            "groups": groups, "grades": grade_rows, "scored": len(counted), "pending": pending}


# --- the office's gap list -------------------------------------------------------------------

def gap_rows(trace: Iterable[dict], titles: dict[str, str], scored: set[str] | None = None) -> list[dict]:
    """Points lost per indicator (max_points − points) over the scored units; top 10.

    Bonus items not earned are no loss (their points are extra), nor are vetoes or adjustments.
    """
    lost: dict[str, float] = defaultdict(float)
    units: dict[str, set] = defaultdict(set)
    losing: dict[str, set] = defaultdict(set)
    top: dict[str, float] = defaultdict(float)
    for r in trace:
        pts, mx = as_number(r.get("points")), as_number(r.get("max_points"))
        ind, unit = r.get("indicator", ""), r.get("unit_code")
        if pts is None or mx is None or not ind or r.get("rule") in _NOT_LOST or (scored is not None and unit not in scored):
            continue
        gap = max(0.0, mx - pts)
        lost[ind] += gap
        units[ind].add(unit)
        top[ind] = max(top[ind], mx)
        if gap > 0:
            losing[ind].add(unit)
    ranked = sorted((i for i in lost if lost[i] > 0), key=lambda i: (-lost[i], i))[:TOP_N]
    return [{"indicator": i, "title": titles.get(i, ""), "sum": points(lost[i]), "sum_value": round(lost[i], 2),
             "mean": points(lost[i] / len(units[i])), "units": len(losing[i]), "max": amount(top[i])}
            for i in ranked]


def gaps_section(trace: Iterable[dict], titles: dict[str, str], w: dict, scored: set[str] | None = None) -> dict:
    rows = gap_rows(trace, titles, scored)
    chart = None
    if rows:
        labels = [short_label(r["title"] or r["indicator"]) for r in reversed(rows)]
        c = new_chart(pygal.HorizontalBar, "gaps", w["sec.gaps"], colors=("#c0392b",), x_labels=labels,
                      show_legend=False, height=max(240, 40 * len(rows) + 80),
                      margin_left=label_margin(labels), print_values_position="top")
        c.add(w["lost_sum"], [r["sum_value"] for r in reversed(rows)])
        chart = svg(c)
    return {"rows": rows, "chart": chart}


# --- issues ----------------------------------------------------------------------------------

def issues_section(issues: Iterable[dict], lang: str, w: dict) -> dict:
    """The most frequent issue codes, with their catalogue titles and how many units they touch.

    *issues* is read once, a row at a time (issues.csv is never held whole)."""
    counts: Counter = Counter()
    sev: Counter = Counter()
    units: dict[str, set] = defaultdict(set)
    severity: dict[str, str] = {}
    for r in issues:
        code = r.get("code", "")
        counts[code] += 1
        sev[r.get("severity")] += 1
        units[code].add(r.get("unit_code", ""))
        severity.setdefault(code, r.get("severity", ""))
    ranked = sorted(counts, key=lambda c: (-counts[c], c))[:TOP_N]
    rows = [{"code": c, "title": _issue_title(c, lang), "count": counts[c], "units": len(units[c]),
             "severity": w.get(severity[c], severity[c])} for c in ranked]
    summary = w["issue_totals"].format(errors=sev["error"], warnings=sev["warning"],
                                       units=len(set().union(*units.values())))
    return {"rows": rows, "summary": summary}


def _issue_title(code: str, lang: str) -> str:
    try:
        from ..codes import title
        return title(code, lang)
    except Exception:  # an unknown code or a catalogue not built yet: the code alone is shown
        return ""


# --- rectification ---------------------------------------------------------------------------

def rectification_section(items: list[dict], names: dict[str, str], w: dict) -> dict:
    """Open, overdue and closed items per unit (laggards first) and overall; overdue items listed
    with the unit's own item number (整改编号)."""
    latest: dict[tuple, dict] = {}
    for r in sorted(items, key=lambda r: as_number(r.get("round")) or 0):
        latest[(r.get("unit_code", ""), r.get("item_id", ""))] = r
    per_unit: dict[str, Counter] = defaultdict(Counter)
    overdue_items, open_items = [], []
    for (unit, _), r in latest.items():
        status = r.get("status", "").lower()  # a closing that failed validation is not a closing
        closed = status in CLOSED_STATES or (bool(r.get("closed_on")) and status != "not_closed")
        late = not closed and r.get("overdue", "").lower() in TRUE_WORDS
        per_unit[unit].update(items=1, closed=int(closed), open=int(not closed), overdue=int(late))
        shown = dict(r, unit_name=names.get(unit, unit), status=_status_word(r, w), item_no=r.get("item_no", ""))
        if late:
            overdue_items.append(shown)
        if not closed:
            open_items.append(shown)

    def row(label: str, c: Counter) -> dict:
        return {"unit": label, "items": c["items"], "closed": c["closed"], "open": c["open"],
                "overdue": c["overdue"], "rate": ratio(c["closed"], c["items"])}

    units = sorted(per_unit, key=lambda u: (-per_unit[u]["overdue"], -per_unit[u]["open"], u))
    overall = sum(per_unit.values(), Counter())
    overdue_items.sort(key=lambda r: (r.get("deadline", ""), r.get("unit_code", ""), r.get("item_id", "")))
    open_items.sort(key=lambda r: (r.get("first_round", ""), r.get("deadline", "") or "9999", r.get("unit_code", "")))
    return {"rows": [row(names.get(u, u), per_unit[u]) for u in units],
            "overall": row(w["all"], overall), "overdue_items": overdue_items, "oldest_open": open_items[:TOP_N]}


def _status_word(r: dict, w: dict) -> str:
    status = r.get("status", "")
    return w.get(f"st.{status}", status)
