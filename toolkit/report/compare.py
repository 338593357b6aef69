"""The report's year-on-year section, from NEW_DIR/out/compare.csv (written by `toolkit compare`).

A year in which a unit has no valid score (not returned, faulty, or not in that year's roster)
is shown as such, never as 0; the grade transition matrix counts every unit of either year,
with a row and a column for 未参评 (no grade that year).
"""

from __future__ import annotations

from collections import Counter

import pygal

from ..model import UnitState
from ..output.figures import as_number, points
from .charts import label_margin, new_chart, short_label, svg
from .sections import GRADE_ORDER

__all__ = ["compare_section"]


def _signed(x: float | None, digits: int = 2) -> str:
    if x is None:
        return ""
    return ("+" if x > 0 else "") + (points(x, digits) if digits else f"{int(x):,}")


def _absent_word(r: dict, side: str, w: dict) -> str:
    """Why a year has no total: a faulty return (待补正) or none at all (未报送)."""
    return w["cmp.faulty"] if r.get(f"{side}_state") == UnitState.FAULTY else w["cmp.not_returned"]


def _compare_row(r: dict, w: dict) -> dict:
    """One unit of compare.csv for display: a year without a score says so, never 0."""
    presence = r.get("presence") or "both"
    blank = {"new": ("old",), "dissolved": ("new",)}.get(presence, ())
    row = {"unit": r.get("unit_name", ""), "group": r.get("group", ""), "move": r.get("grade_move", ""),
           "move_label": w.get(f"cmp.{r.get('grade_move')}", ""), "delta": _signed(as_number(r.get("delta"))),
           "rank_change": _signed(as_number(r.get("rank_change")), 0), "presence": presence}
    for side in ("old", "new"):
        total = as_number(r.get(f"{side}_total"))
        absent = side in blank
        row[f"{side}_total"] = "" if absent else (points(total) if total is not None else _absent_word(r, side, w))
        row[f"{side}_scored"] = total is not None
        row[f"{side}_rank"], row[f"{side}_grade"] = r.get(f"{side}_rank", ""), r.get(f"{side}_grade", "")
    old_name = r.get("old_unit_name", "")
    note = w[f"cmp.{presence}"] if presence != "both" else (
        w["cmp.renamed"].format(name=old_name) if old_name and old_name != row["unit"] else "")
    row["note"] = note
    if presence == "both":
        row["grades"] = " → ".join(row[f"{s}_grade"] or (_absent_word(r, s, w) if not row[f"{s}_scored"] else "—")
                                   for s in ("old", "new"))
    else:
        row["grades"] = row["old_grade"] or row["new_grade"]
    if row["move_label"]:
        row["grades"] = w["cmp.with_move"].format(grades=row["grades"], move=row["move_label"])
    return row


def _grade_matrix(rows: list[dict], w: dict) -> dict | None:
    """Old grade × new grade over every unit of either year; "" (未参评: no grade that year) last."""
    counts = Counter((r.get("old_grade", ""), r.get("new_grade", "")) for r in rows)
    present = {g for key in counts for g in key}
    if not present - {""}:
        return None
    axes = [g for g in GRADE_ORDER if g in present] + sorted(present - set(GRADE_ORDER) - {""})
    axes += [""] if "" in present else []
    labels = [g or w["cmp.unrated"] for g in axes]
    body = [{"grade": labels[i], "counts": [counts[(o, n)] for n in axes],
             "total": sum(counts[(o, n)] for n in axes)} for i, o in enumerate(axes)]
    return {"labels": labels, "rows": body, "totals": [sum(counts[(o, n)] for o in axes) for n in axes],
            "total": len(rows)}


def _movers_chart(rows: list[dict], w: dict):
    """The units whose total rose or fell most (up to 5 each way)."""
    moved = sorted(((d, r) for r in rows if (d := as_number(r.get("delta"))) not in (None, 0)),
                   key=lambda p: (-p[0], p[1].get("unit_code", "")))
    picked = [p for p in moved if p[0] > 0][:5] + [p for p in moved if p[0] < 0][-5:]
    if not picked:
        return None
    labels = [short_label(r.get("unit_name", ""), 16) for _, r in reversed(picked)]
    chart = new_chart(pygal.HorizontalBar, "compare", w["cmp.chart"], colors=("#2e6da4",), x_labels=labels,
                      show_legend=False, height=max(240, 40 * len(picked) + 80),
                      margin_left=label_margin(labels), print_values_position="top")
    chart.add(w["cmp.delta"], [round(d, 2) for d, _ in reversed(picked)])
    return svg(chart)


def compare_section(rows: list[dict], w: dict) -> dict:
    """Year on year from compare.csv: counts, grade transitions, biggest movers, every unit."""
    both = [r for r in rows if (r.get("presence") or "both") == "both"]
    deltas = [d for d in (as_number(r.get("delta")) for r in both) if d is not None]
    moves = Counter(r.get("grade_move", "") for r in both)
    presence = Counter(r.get("presence", "") for r in rows)
    cards = [(w["cmp.scored"], len(deltas)), (w["cmp.improved"], sum(d > 0 for d in deltas)),
             (w["cmp.declined"], sum(d < 0 for d in deltas)), (w["cmp.grade_up"], moves["up"]),
             (w["cmp.grade_down"], moves["down"]), (w["cmp.new_units"], presence["new"]),
             (w["cmp.dissolved_units"], presence["dissolved"])]
    return {"cards": cards, "matrix": _grade_matrix(rows, w), "chart": _movers_chart(both, w),
            "rows": [_compare_row(r, w) for r in rows]}
