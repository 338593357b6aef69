"""The report's sections: each turns the rows of one out/*.csv file into what the page shows.

Summaries and charts only; words come from :func:`toolkit.report.words`. Charts are drawn by
pygal as static inline SVG (no JavaScript).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pygal
from markupsafe import Markup
from pygal.style import Style

FONT_STACK = "Noto Sans CJK SC, Microsoft YaHei, SimHei, sans-serif"
GRADE_ORDER = ("优秀", "良好", "一般", "较差", "excellent", "good", "fair", "poor")
CLOSED_STATES = {"已完成", "已整改", "已销号", "closed", "done", "completed"}
TRUE_WORDS = {"true", "1", "yes", "y", "是", "t"}
TOP_N = 10


def _num(text) -> float | None:
    try:
        x = float(text)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _fmt(x: float | None, digits: int = 2) -> str:
    if x is None:
        return ""
    x = round(x, digits)
    return str(int(x)) if x == int(x) else f"{x:.{digits}f}".rstrip("0")


def _pct(num: float, den: float) -> str:
    return f"{100 * num / den:.1f}%" if den else "—"


def _order(values) -> list[str]:
    """Distinct values in order of first appearance."""
    return list(dict.fromkeys(values))


# --- charts ----------------------------------------------------------------------------------

def _style(colors: tuple[str, ...]) -> Style:
    return Style(font_family=FONT_STACK, background="white", plot_background="white",
                 foreground="#333", foreground_strong="#111", foreground_subtle="#ddd",
                 colors=colors, title_font_size=15, label_font_size=12,
                 major_label_font_size=12, legend_font_size=12, value_font_size=11)


def _chart(kind, chart_id: str, title: str, colors=("#2e6da4",), **opts):
    """A pygal chart set up for static, print-friendly, reproducible SVG."""
    base = dict(disable_xml_declaration=True, js=[], style=_style(colors), width=760, height=340,
                print_values=True, print_zeroes=False, show_y_guides=True, legend_at_bottom=True,
                legend_at_bottom_columns=4, truncate_label=-1, margin=12, margin_bottom=28)
    chart = kind(title=title, **{**base, **opts})
    chart.uuid = chart_id  # pygal scopes its CSS by a random id; a fixed one keeps output stable
    chart.add_xml_filter(_static_svg)
    return chart


def _static_svg(root):
    """Drop pygal's config <script> and its comments (today's date, URLs): a static, stable SVG."""
    for parent in list(root.iter()):
        for child in list(parent):
            if callable(child.tag) or str(child.tag).rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def _wide_extra(labels: list[str], font_size: int) -> int:
    """Extra left margin for CJK labels: pygal sizes text as if every character were narrow."""
    return int(max((sum(1 for ch in lab if ord(ch) > 0x2E7F) for lab in labels), default=0) * font_size * 0.45)


def _svg(chart) -> Markup:
    """The chart as inline SVG text."""
    return Markup(chart.render(is_unicode=True))


# --- sections --------------------------------------------------------------------------------

def status_section(status: list[dict], values: list[dict] | None, w: dict) -> dict:
    """Counts returned/faulty/missing, a chart by group, and who must be chased, by group."""
    states = Counter(r.get("state", "") for r in status)
    groups = _order(r.get("group", "") for r in status)
    chart = _chart(pygal.StackedBar, "status", w["sec.status"],
                   colors=("#2e8b57", "#e67e22", "#c0392b"), x_labels=groups or [""], height=300)
    for state in ("accepted", "faulty", "missing"):
        chart.add(w[state], [sum(1 for r in status if r.get("group", "") == g
                                 and r.get("state") == state) or None for g in groups])
    rank = {"missing": 0, "faulty": 1}
    chase = sorted((r for r in status if r.get("state") in rank),
                   key=lambda r: (groups.index(r.get("group", "")), rank[r["state"]], r.get("unit_code", "")))
    by_group = [{"group": g, "rows": [dict(r, state_label=w[r["state"]]) for r in chase
                                      if r.get("group", "") == g]} for g in groups]
    return {"expected": len(status), "returned": states["accepted"] + states["faulty"],
            "accepted": states["accepted"], "faulty": states["faulty"], "missing": states["missing"],
            "merged": len({r.get("unit_code") for r in values}) if values is not None else None,
            "chart": _svg(chart), "chase": [g for g in by_group if g["rows"]]}


def group_rows(status: list[dict], scores: list[dict] | None, w: dict) -> list[dict]:
    """One row per group (and a total row): units, returned, faulty, missing, return rate, mean."""
    totals = {s.get("unit_code"): _num(s.get("total")) for s in scores or []}

    def row(label: str, rows: list[dict]) -> dict:
        n = len(rows)
        c = Counter(r.get("state") for r in rows)
        returned = c["accepted"] + c["faulty"]
        pts = [t for t in (totals.get(r.get("unit_code")) for r in rows) if t is not None]
        return {"group": label, "units": n, "returned": returned, "accepted": c["accepted"],
                "faulty": c["faulty"], "missing": c["missing"], "rate": _pct(returned, n),
                "mean": _fmt(sum(pts) / len(pts), 1) if pts else ""}

    groups = _order(r.get("group", "") for r in status)
    out = [row(g, [r for r in status if r.get("group", "") == g]) for g in groups]
    return out + [dict(row(w["all"], status), is_total=True)]


def totals_matrix(totals: list[dict], w: dict) -> dict:
    """totals.csv pivoted: one row per metric, one column per group."""
    groups = _order(r.get("group", "") for r in totals)
    cells = {(r.get("metric", ""), r.get("group", "")): r.get("value", "") for r in totals}
    metrics = _order(r.get("metric", "") for r in totals)
    return {"groups": [g or w["all"] for g in groups],
            "rows": [{"metric": m, "cells": [cells.get((m, g), "") for g in groups]} for m in metrics]}


def rate_rows(rates: list[dict]) -> list[dict]:
    """The caller's extra rate rows; a missing rate is numerator / denominator (a fraction 0–1)."""
    out = []
    for r in rates:
        num, den, rate = _num(r.get("numerator")), _num(r.get("denominator")), _num(r.get("rate"))
        if rate is None and num is not None and den:
            rate = num / den
        out.append({"group": r.get("group", ""), "metric": r.get("metric", ""),
                    "numerator": _fmt(num), "denominator": _fmt(den),
                    "rate": f"{100 * rate:.1f}%" if rate is not None else "—"})
    return out


def score_histogram(totals: list[float], w: dict) -> Markup:
    """Units per 10-point bin; the top edge is closed so a full score falls in the last bin."""
    lo = math.floor(min(totals) / 10) * 10
    hi = max(math.ceil(max(totals) / 10) * 10, lo + 10)
    n = (hi - lo) // 10
    counts = [0] * n
    for t in totals:
        counts[min(int((t - lo) // 10), n - 1)] += 1
    labels = [f"{lo + 10 * i}–{lo + 10 * (i + 1)}" for i in range(n)]
    chart = _chart(pygal.Bar, "scores", w["histogram"], x_labels=labels, show_legend=False,
                   print_values_position="top")
    chart.add(w["units"], [c or None for c in counts])
    return _svg(chart)


def scores_section(scores: list[dict], w: dict) -> dict:
    """Histogram, ranking table (by rank) and grade counts (overall and by group)."""
    def key(r):
        rank = _num(r.get("rank"))
        return (rank if rank is not None else math.inf, r.get("unit_code", ""))

    ranking = [dict(r, is_vetoed=r.get("vetoed", "").lower() in TRUE_WORDS) for r in sorted(scores, key=key)]
    totals = [t for t in (_num(r.get("total")) for r in scores) if t is not None]
    groups = _order(r.get("group", "") for r in ranking)
    present = _order(r.get("grade", "") for r in ranking if r.get("grade"))
    grades = [g for g in GRADE_ORDER if g in present] + [g for g in present if g not in GRADE_ORDER]
    by = Counter((r.get("grade"), r.get("group", "")) for r in ranking)
    grade_rows = [{"grade": g, "count": sum(by[(g, x)] for x in groups),
                   "share": _pct(sum(by[(g, x)] for x in groups), len(ranking)),
                   "by_group": [by[(g, x)] for x in groups]} for g in grades]
    return {"histogram": score_histogram(totals, w) if totals else None, "ranking": ranking,
            "groups": groups, "grades": grade_rows}


def gap_rows(trace: list[dict], titles: dict[str, str]) -> list[dict]:
    """Points lost per indicator (max_points − points), summed and averaged over units; top 10."""
    lost: dict[str, float] = defaultdict(float)
    units: dict[str, set] = defaultdict(set)
    losing: dict[str, set] = defaultdict(set)
    top: dict[str, float] = defaultdict(float)
    for r in trace:
        pts, mx = _num(r.get("points")), _num(r.get("max_points"))
        ind = r.get("indicator", "")
        if pts is None or mx is None or not ind:
            continue
        gap = max(0.0, mx - pts)
        lost[ind] += gap
        units[ind].add(r.get("unit_code"))
        top[ind] = max(top[ind], mx)
        if gap > 0:
            losing[ind].add(r.get("unit_code"))
    ranked = sorted((i for i in lost if lost[i] > 0), key=lambda i: (-lost[i], i))[:TOP_N]
    return [{"indicator": i, "title": titles.get(i, ""), "sum": _fmt(lost[i]), "sum_value": lost[i],
             "mean": _fmt(lost[i] / len(units[i])), "units": len(losing[i]), "max": _fmt(top[i])}
            for i in ranked]


def gaps_section(trace: list[dict], titles: dict[str, str], w: dict) -> dict:
    rows = gap_rows(trace, titles)
    chart = None
    if rows:
        labels = [f"{r['indicator']} {r['title']}".strip()[:16] for r in reversed(rows)]
        c = _chart(pygal.HorizontalBar, "gaps", w["sec.gaps"], colors=("#c0392b",), x_labels=labels,
                   show_legend=False, height=max(240, 40 * len(rows) + 80),
                   margin_left=12 + _wide_extra(labels, 12), print_values_position="top")
        c.add(w["lost_sum"], [r["sum_value"] for r in reversed(rows)])
        chart = _svg(c)
    return {"rows": rows, "chart": chart}


def issues_section(issues: list[dict], lang: str, w: dict) -> dict:
    """The most frequent issue codes, with their catalogue titles and how many units they touch."""
    counts = Counter(r.get("code", "") for r in issues)
    units: dict[str, set] = defaultdict(set)
    severity: dict[str, str] = {}
    for r in issues:
        units[r.get("code", "")].add(r.get("unit_code", ""))
        severity.setdefault(r.get("code", ""), r.get("severity", ""))
    ranked = sorted(counts, key=lambda c: (-counts[c], c))[:TOP_N]
    rows = [{"code": c, "title": _issue_title(c, lang), "count": counts[c], "units": len(units[c]),
             "severity": w.get(severity[c], severity[c])} for c in ranked]
    sev = Counter(r.get("severity") for r in issues)
    summary = w["issue_totals"].format(errors=sev["error"], warnings=sev["warning"],
                                       units=len({r.get("unit_code") for r in issues}))
    return {"rows": rows, "summary": summary}


def _issue_title(code: str, lang: str) -> str:
    try:
        from .catalogue import title
        return title(code, lang)
    except Exception:  # an unknown code or a catalogue not built yet: the code alone is shown
        return ""


def rectification_section(items: list[dict], names: dict[str, str], w: dict) -> dict:
    """Open, overdue and closed items per unit (laggards first) and overall; overdue items listed."""
    latest: dict[tuple, dict] = {}
    for r in sorted(items, key=lambda r: _num(r.get("round")) or 0):
        latest[(r.get("unit_code", ""), r.get("item_id", ""))] = r
    per_unit: dict[str, Counter] = defaultdict(Counter)
    overdue_items, open_items = [], []
    for (unit, _), r in latest.items():
        closed = r.get("status", "").lower() in CLOSED_STATES or bool(r.get("closed_on"))
        late = not closed and r.get("overdue", "").lower() in TRUE_WORDS
        per_unit[unit].update(items=1, closed=int(closed), open=int(not closed), overdue=int(late))
        if late:
            overdue_items.append(dict(r, unit_name=names.get(unit, unit), status=_status_word(r, w)))
        if not closed:
            open_items.append(dict(r, unit_name=names.get(unit, unit), status=_status_word(r, w)))

    def row(label: str, c: Counter) -> dict:
        return {"unit": label, "items": c["items"], "closed": c["closed"], "open": c["open"],
                "overdue": c["overdue"], "rate": _pct(c["closed"], c["items"])}

    units = sorted(per_unit, key=lambda u: (-per_unit[u]["overdue"], -per_unit[u]["open"], u))
    overall = sum(per_unit.values(), Counter())
    overdue_items.sort(key=lambda r: (r.get("deadline", ""), r.get("unit_code", ""), r.get("item_id", "")))
    open_items.sort(key=lambda r: (r.get("first_round", ""), r.get("deadline", "") or "9999", r.get("unit_code", "")))
    return {"rows": [row(names.get(u, u), per_unit[u]) for u in units],
            "overall": row(w["all"], overall), "overdue_items": overdue_items, "oldest_open": open_items[:TOP_N]}


def _status_word(r: dict, w: dict) -> str:
    status = r.get("status", "")
    return w.get(f"st.{status}", status)


def _signed(x: float | None, digits: int = 2) -> str:
    return "" if x is None else ("+" if x > 0 else "") + _fmt(x, digits)


def _compare_row(r: dict, w: dict) -> dict:
    """One unit of compare.csv for display: a year without a score says so, never 0."""
    presence = r.get("presence") or "both"
    blank = {"new": ("old",), "dissolved": ("new",)}.get(presence, ())
    row = {"unit": r.get("unit_name", ""), "group": r.get("group", ""), "move": r.get("grade_move", ""),
           "move_label": w.get(f"cmp.{r.get('grade_move')}", ""), "delta": _signed(_num(r.get("delta"))),
           "rank_change": _signed(_num(r.get("rank_change")), 0), "presence": presence}
    for side in ("old", "new"):
        total = _num(r.get(f"{side}_total"))
        absent = side in blank
        row[f"{side}_total"] = "" if absent else (_fmt(total) if total is not None else w["cmp.not_returned"])
        row[f"{side}_scored"] = total is not None
        row[f"{side}_rank"], row[f"{side}_grade"] = r.get(f"{side}_rank", ""), r.get(f"{side}_grade", "")
    old_name = r.get("old_unit_name", "")
    note = w[f"cmp.{presence}"] if presence != "both" else (
        w["cmp.renamed"].format(name=old_name) if old_name and old_name != row["unit"] else "")
    row["note"] = note
    if presence == "both":
        row["grades"] = " → ".join(row[f"{s}_grade"] or (w["cmp.not_returned"] if not row[f"{s}_scored"] else "—")
                                   for s in ("old", "new"))
    else:
        row["grades"] = row["old_grade"] or row["new_grade"]
    if row["move_label"]:
        row["grades"] = w["cmp.with_move"].format(grades=row["grades"], move=row["move_label"])
    return row


def _grade_matrix(rows: list[dict], w: dict) -> dict | None:
    """Old grade × new grade counts over units in both years; "" (not returned) last."""
    counts = Counter((r.get("old_grade", ""), r.get("new_grade", "")) for r in rows)
    present = {g for key in counts for g in key}
    if not present - {""}:
        return None
    axes = [g for g in GRADE_ORDER if g in present] + sorted(present - set(GRADE_ORDER) - {""})
    axes += [""] if "" in present else []
    labels = [g or w["cmp.not_returned"] for g in axes]
    return {"labels": labels, "rows": [{"grade": labels[i], "counts": [counts[(o, n)] for n in axes]}
                                       for i, o in enumerate(axes)]}


def _movers_chart(rows: list[dict], w: dict) -> Markup | None:
    """The units whose total rose or fell most (up to 5 each way)."""
    moved = sorted(((d, r) for r in rows if (d := _num(r.get("delta"))) not in (None, 0)),
                   key=lambda p: (-p[0], p[1].get("unit_code", "")))
    picked = [p for p in moved if p[0] > 0][:5] + [p for p in moved if p[0] < 0][-5:]
    if not picked:
        return None
    labels = [r.get("unit_name", "")[:16] for _, r in reversed(picked)]
    chart = _chart(pygal.HorizontalBar, "compare", w["cmp.chart"], colors=("#2e6da4",), x_labels=labels,
                   show_legend=False, height=max(240, 40 * len(picked) + 80),
                   margin_left=12 + _wide_extra(labels, 12), print_values_position="top")
    chart.add(w["cmp.delta"], [d for d, _ in reversed(picked)])
    return _svg(chart)


def compare_section(rows: list[dict], w: dict) -> dict:
    """Year on year from compare.csv: counts, grade transitions, biggest movers, every unit."""
    both = [r for r in rows if (r.get("presence") or "both") == "both"]
    deltas = [d for d in (_num(r.get("delta")) for r in both) if d is not None]
    moves = Counter(r.get("grade_move", "") for r in both)
    presence = Counter(r.get("presence", "") for r in rows)
    cards = [(w["cmp.scored"], len(deltas)), (w["cmp.improved"], sum(d > 0 for d in deltas)),
             (w["cmp.declined"], sum(d < 0 for d in deltas)), (w["cmp.grade_up"], moves["up"]),
             (w["cmp.grade_down"], moves["down"]), (w["cmp.new_units"], presence["new"]),
             (w["cmp.dissolved_units"], presence["dissolved"])]
    return {"cards": cards, "matrix": _grade_matrix(both, w), "chart": _movers_chart(both, w),
            "rows": [_compare_row(r, w) for r in rows]}
