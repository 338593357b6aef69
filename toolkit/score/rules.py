"""Scoring rules (评分规则): one function per rule, each turning one indicator of one unit into trace rows.

Every rule takes ``(ctx, indicator, unit)`` and returns :class:`TraceRow` objects whose points, inputs
and note become rows of out/score_trace.csv; :data:`RULE_FUNCTIONS` maps a scheme's ``rule`` to
its function. Here too are the :class:`UnitInput` they score and the :class:`RuleContext` shared
by every unit. Expressions go through :func:`toolkit.expr.language.evaluate`. The engine that sums, ranks
and grades the rows is :mod:`toolkit.score.engine`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..expr.language import evaluate, names_in
from ..normalise.values import display
from ..spec.model import TemplateSpec
from .scheme import Indicator, ScoringScheme, expression_names
from .words import MISSING_NOTE, item_number, note_text

__all__ = ["UnitInput", "RULE_FUNCTIONS", "MISSING_NOTE"]

@dataclass
class UnitInput:
    """One roster unit and the normalised values of its accepted return.

    ``values``: form field id → value, checklist values keyed ``"<item_id>.<column_id>"``.
    ``evaluations``: evaluator role → the values of one evaluation return, or a list of them.
    ``faulty``: the accepted return has errors (status state ``faulty``).
    """

    unit_code: str
    unit_name: str
    group: str
    values: dict[str, Any]
    evaluations: dict[str, Any] = field(default_factory=dict)
    returned: bool = True
    faulty: bool = False  # the accepted return has errors: scored, but held out of ranks (scheme `faulty`)


@dataclass
class TraceRow:
    """One trace row. ``notes`` are (key, parameters) of :data:`toolkit.score.words.NOTES`, rendered
    in the reader's language; ``values`` are the unit's own values used, (value key, value), with
    ``"="`` for a computed value: the score card shows them with their field labels."""

    indicator: str
    rule: str
    inputs: str
    points: float
    max_points: float | None
    notes: tuple = ()
    area: str = ""
    veto_grade: str | None = None
    values: tuple = ()

    @property
    def note(self) -> str:
        return note_text(self.notes, "zh")


def _note(key: str, **params) -> tuple:
    """One note: its catalogue key and parameters."""
    return ((key, params),)


class RuleContext:
    """What rules need beyond one unit: expression names and the best rate per indicator."""

    def __init__(self, scheme: ScoringScheme, spec: TemplateSpec, returned: list[UnitInput]):
        self.names = expression_names(spec)
        self.warnings: list[str] = []
        self.best = {i.id: _best_rate(self, i, returned) for i in scheme.indicators
                     if i.rule == "rate" and i.params["mode"] == "best"}
        self.indicators = scheme.indicators

    def namespace(self, unit: UnitInput) -> dict[str, Any]:
        return {name: unit.values.get(key) for name, key in self.names.items()}


def _best_rate(ctx: RuleContext, ind: Indicator, returned: list[UnitInput]) -> float | None:
    rates = [v for u in returned if _is_number(v := evaluate(ind.params["value"], ctx.namespace(u)))]
    return max(rates) if rates else None


# --------------------------------------------------------------------------- helpers for rules


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def trace_value(value: Any) -> str:
    """A value for the trace: numbers to at most 4 decimals, booleans 是/否, empty as 空."""
    if value is None:
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if _is_number(value):
        return display(round(value, 4) + 0)
    return display(value)


def _expression(ctx: RuleContext, source: str, unit: UnitInput, numeric: bool = True) -> tuple[Any, str, tuple, tuple]:
    """Evaluate *source* for a unit: (value, inputs text, notes when it cannot be scored, values used).

    A value is missing (note 未填报) when any field the expression names is empty.
    """
    space = ctx.namespace(unit)
    used = sorted(names_in(source) & set(space))
    value = evaluate(source, space)
    inputs = "; ".join(f"{n}={trace_value(space[n])}" for n in used)
    values = tuple((ctx.names[n], space[n]) for n in used)
    missing = [n for n in used if space[n] in (None, "")]
    if missing:
        return None, inputs, _note("missing_fields", fields="、".join(missing)), values
    computed = used != [source.strip()]
    inputs += f"; value={trace_value(value)}" if computed else ""
    values += (("=", value),) if computed else ()
    if numeric and not _is_number(value) or value is None:
        return None, inputs, _note("no_value"), values
    return value, inputs, (), values


# --------------------------------------------------------------------------- rules: (ctx, indicator, unit) → rows


def _self_score(ctx: RuleContext, ind: Indicator, unit: UnitInput) -> list[TraceRow]:
    key, mx = ind.params["key"], ind.max
    value = unit.values.get(key)
    row = TraceRow(ind.id, "self_score", f"{key}={trace_value(value)}; max={trace_value(mx)}", 0.0, mx, values=((key, value),))
    if value in (None, ""):
        row.notes = _note("missing")
    elif not _is_number(value):
        row.notes = _note("not_a_number")
    else:
        row.points = min(max(float(value), 0.0), mx)
        row.notes = _note("over_max", max=trace_value(mx)) if value > mx else _note("negative") if value < 0 else ()
    return [row]


def _fixed(ctx: RuleContext, ind: Indicator, unit: UnitInput) -> list[TraceRow]:
    p = ind.params
    if p["field"]:
        value = unit.values.get(p["field"])
        inputs, values = f"{p['field']}={trace_value(value)}", ((p["field"], value),)
        notes = _note("missing") if value in (None, "") else ()
    else:
        value, inputs, notes, values = _expression(ctx, p["value"], unit, numeric=False)
    row = TraceRow(ind.id, "fixed", inputs, 0.0, ind.max, notes, values=values)
    if not notes:
        points = next((pts for key, pts in p["points"] if key == display(value)), None)
        if points is None:
            row.points, row.notes = float(p["default"]), _note("not_in_table", points=trace_value(p["default"]))
        else:
            row.points = float(points)
    return [row]


def _rate(ctx: RuleContext, ind: Indicator, unit: UnitInput) -> list[TraceRow]:
    p = ind.params
    rate, inputs, notes, values = _expression(ctx, p["value"], unit)
    row = TraceRow(ind.id, "rate", inputs, 0.0, ind.max, notes, values=values)
    if notes:
        return [row]
    if p["mode"] == "target":
        row.inputs = f"{inputs}; target={trace_value(p['target'])}; max={trace_value(ind.max)}"
        row.points = ind.max * min(1.0, max(rate, 0) / p["target"])
        return [row]
    best = ctx.best.get(ind.id)
    row.inputs = f"{inputs}; best={trace_value(best)}; max={trace_value(ind.max)}"
    if best is None or best <= 0:
        row.notes = _note("best_zero")
    else:  # a unit outside the ranked pool (held out as faulty) may pass the best: capped at max
        row.points = ind.max * min(1.0, max(rate, 0) / best)
    return [row]


def _bands(ctx: RuleContext, ind: Indicator, unit: UnitInput) -> list[TraceRow]:
    value, inputs, notes, values = _expression(ctx, ind.params["value"], unit)
    row = TraceRow(ind.id, "bands", inputs, 0.0, ind.max, notes, values=values)
    if notes:
        return [row]
    band = next(((low, pts) for low, pts in ind.params["bands"] if value >= low), None)
    if band is None:
        row.notes = _note("below_bands")
    else:
        row.inputs, row.points = f"{inputs}; band≥{trace_value(band[0])}", float(band[1])
    return [row]


def _deduct(ctx: RuleContext, ind: Indicator, unit: UnitInput) -> list[TraceRow]:
    p = ind.params
    count, inputs, notes, values = _expression(ctx, p["value"], unit)
    if notes:
        return [TraceRow(ind.id, "deduct", inputs, 0.0, ind.max, notes, values=values)]
    deducted = min(p["per"] * max(count, 0), p["floor"])
    text = f"{inputs}; per={trace_value(p['per'])}; floor={trace_value(p['floor'])}" + (f"; base={trace_value(p['base'])}" if p["base"] else "")
    notes = _note("deducted_cap" if p["per"] * count > p["floor"] else "deducted", points=trace_value(deducted))
    return [TraceRow(ind.id, "deduct", text, p["base"] - deducted, ind.max, notes, values=values)]


def _bonus(ctx: RuleContext, ind: Indicator, unit: UnitInput) -> list[TraceRow]:
    parts, total, notes, values = [], 0.0, (), ()
    for key, mx in ind.params["items"]:
        value = unit.values.get(key)
        parts.append(f"{key}={trace_value(value)}")
        values += ((key, value),)
        if _is_number(value):
            total += min(max(float(value), 0.0), mx)
            notes += _note("item_over_max", item=item_number(key.split(".")[0]), max=trace_value(mx)) if value > mx else ()
        elif value in (None, ""):
            notes += _note("item_missing", item=item_number(key.split(".")[0]))
    cap = ind.params["cap"]
    notes += _note("bonus_capped", total=trace_value(total), cap=trace_value(cap)) if total > cap else ()
    return [TraceRow(ind.id, "bonus", "; ".join(parts + [f"cap={trace_value(cap)}"]), min(total, cap), float(cap), notes,
                 values=values)]


def _veto(ctx: RuleContext, ind: Indicator, unit: UnitInput) -> list[TraceRow]:
    keys = ind.params["keys"]
    hits = [k for k in keys if unit.values.get(k) is True]
    inputs = "; ".join(f"{k}={trace_value(unit.values.get(k))}" for k in keys)
    values = tuple((k, unit.values.get(k)) for k in keys)
    if not hits:
        missing = sum(unit.values.get(k) is None for k in keys)
        return [TraceRow(ind.id, "veto", inputs, 0.0, 0.0, _note("veto_missing", n=missing) if missing else (), values=values)]
    grade, titles = ind.params["grade"], ind.params.get("items", {})
    items = "；".join(f"{item_number(k.split('.')[0])} {titles.get(k, '').rstrip('。.')}".strip() for k in hits)
    return [TraceRow(ind.id, "veto", inputs, 0.0, 0.0, _note("vetoed", items=items, grade=grade), veto_grade=grade,
                 values=values)]


def _weights(ctx: RuleContext, ind: Indicator, unit: UnitInput) -> list[TraceRow]:
    weights = ind.params["weights"]
    if not unit.evaluations:
        return [TraceRow(ind.id, "weights", "", 0.0, ind.max, _note("no_evaluation"))]
    extra = sorted(set(unit.evaluations) - set(weights))
    if extra:
        ctx.warnings.append(f"{unit.unit_code}: evaluation roles {', '.join(extra)} have no weight in {ind.id}")
    rows = []
    for role, weight in weights.items():
        returns = unit.evaluations.get(role) or []
        returns = [returns] if isinstance(returns, dict) else list(returns)
        totals = [min(_evaluation_total(ind, r), ind.max) for r in returns]
        if not totals:
            rows.append(TraceRow(ind.id, "weights", f"{role}: 无; weight={trace_value(weight)}", 0.0, ind.max * weight,
                             _note("role_missing", role=role), values=((f"role:{role}", None),)))
            continue
        mean = math.fsum(totals) / len(totals)
        text = f"{role}: {', '.join(trace_value(t) for t in totals)}; mean={trace_value(mean)}; weight={trace_value(weight)}"
        rows.append(TraceRow(ind.id, "weights", text, weight * mean, ind.max * weight,
                         values=tuple((f"role:{role}", t) for t in totals) + (("mean", mean),)))
    return rows


def _evaluation_total(ind: Indicator, values: dict[str, Any]) -> float:
    items, column = ind.params["items"], ind.params["column"]
    if items is None:
        return math.fsum(v for k, v in values.items() if k.endswith("." + column) and _is_number(v))
    return math.fsum(min(max(float(v), 0.0), mx) for k, mx in items if _is_number(v := values.get(k)))


RULE_FUNCTIONS = {"self_score": _self_score, "fixed": _fixed, "rate": _rate, "bands": _bands,
                  "deduct": _deduct, "bonus": _bonus, "veto": _veto, "weights": _weights}
