"""Scoring rules (评分规则): one function per rule, each turning one indicator of one unit into trace rows.

Every rule takes ``(ctx, indicator, unit)`` and returns :class:`_Row` objects whose points, inputs
and note become rows of out/score_trace.csv; :data:`RULE_FUNCTIONS` maps a scheme's ``rule`` to
its function. Here too are the :class:`UnitInput` they score and the :class:`_Context` shared
by every unit. Expressions go through :func:`toolkit.expr.evaluate`. The engine that sums, ranks
and grades the rows is :mod:`toolkit.score`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .expr import evaluate, names_in
from .normalise import display
from .scheme import Indicator, ScoringScheme, expression_names
from .spec import TemplateSpec

__all__ = ["UnitInput", "RULE_FUNCTIONS", "MISSING_NOTE"]

MISSING_NOTE = "未填报"


@dataclass
class UnitInput:
    """One roster unit and the normalised values of its accepted return.

    ``values``: form field id → value, checklist values keyed ``"<item_id>.<column_id>"``.
    ``evaluations``: evaluator role → the values of one evaluation return, or a list of them.
    """

    unit_code: str
    unit_name: str
    group: str
    values: dict[str, Any]
    evaluations: dict[str, Any] = field(default_factory=dict)
    returned: bool = True


@dataclass
class _Row:
    indicator: str
    rule: str
    inputs: str
    points: float
    max_points: float | None
    note: str = ""
    area: str = ""
    veto_grade: str | None = None


class _Context:
    """What rules need beyond one unit: expression names and the best rate per indicator."""

    def __init__(self, scheme: ScoringScheme, spec: TemplateSpec, returned: list[UnitInput]):
        self.names = expression_names(spec)
        self.warnings: list[str] = []
        self.best = {i.id: _best_rate(self, i, returned) for i in scheme.indicators
                     if i.rule == "rate" and i.params["mode"] == "best"}
        self.indicators = scheme.indicators

    def namespace(self, unit: UnitInput) -> dict[str, Any]:
        return {name: unit.values.get(key) for name, key in self.names.items()}


def _best_rate(ctx: _Context, ind: Indicator, returned: list[UnitInput]) -> float | None:
    rates = [v for u in returned if _is_number(v := evaluate(ind.params["value"], ctx.namespace(u)))]
    return max(rates) if rates else None


# --------------------------------------------------------------------------- helpers for rules


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _num(value: Any) -> str:
    """A value for the trace: numbers to at most 4 decimals, booleans 是/否, empty as 空."""
    if value is None:
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if _is_number(value):
        return display(round(value, 4) + 0)
    return display(value)


def _expression(ctx: _Context, source: str, unit: UnitInput, numeric: bool = True) -> tuple[Any, str, str]:
    """Evaluate *source* for a unit: (value, inputs text, note when it cannot be scored).

    A value is missing (note 未填报) when any field the expression names is empty.
    """
    space = ctx.namespace(unit)
    used = sorted(names_in(source) & set(space))
    value = evaluate(source, space)
    inputs = "; ".join(f"{n}={_num(space[n])}" for n in used)
    missing = [n for n in used if space[n] in (None, "")]
    if missing:
        return None, inputs, f"{MISSING_NOTE}：{'、'.join(missing)}"
    inputs += f"; value={_num(value)}" if used != [source.strip()] else ""
    if numeric and not _is_number(value) or value is None:
        return None, inputs, "无法计算（如分母为0），按0分计"
    return value, inputs, ""


# --------------------------------------------------------------------------- rules: (ctx, indicator, unit) → rows


def _self_score(ctx: _Context, ind: Indicator, unit: UnitInput) -> list[_Row]:
    key, mx = ind.params["key"], ind.max
    value = unit.values.get(key)
    inputs = f"{key}={_num(value)}; max={_num(mx)}"
    if value in (None, ""):
        return [_Row(ind.id, "self_score", inputs, 0.0, mx, MISSING_NOTE)]
    if not _is_number(value):
        return [_Row(ind.id, "self_score", inputs, 0.0, mx, "不是数字，按0分计")]
    points = min(max(float(value), 0.0), mx)
    note = f"超过分值，按{_num(mx)}分计" if value > mx else "负数按0分计" if value < 0 else ""
    return [_Row(ind.id, "self_score", inputs, points, mx, note)]


def _fixed(ctx: _Context, ind: Indicator, unit: UnitInput) -> list[_Row]:
    p = ind.params
    if p["field"]:
        value, inputs = unit.values.get(p["field"]), f"{p['field']}={_num(unit.values.get(p['field']))}"
        note = MISSING_NOTE if value in (None, "") else ""
    else:
        value, inputs, note = _expression(ctx, p["value"], unit, numeric=False)
    if note:
        return [_Row(ind.id, "fixed", inputs, 0.0, ind.max, note)]
    points = next((pts for key, pts in p["points"] if key == display(value)), None)
    if points is None:
        return [_Row(ind.id, "fixed", inputs, float(p["default"]), ind.max, f"答案不在计分表中，按{_num(p['default'])}分计")]
    return [_Row(ind.id, "fixed", inputs, float(points), ind.max)]


def _rate(ctx: _Context, ind: Indicator, unit: UnitInput) -> list[_Row]:
    p = ind.params
    rate, inputs, note = _expression(ctx, p["value"], unit)
    if note:
        return [_Row(ind.id, "rate", inputs, 0.0, ind.max, note)]
    if p["mode"] == "target":
        points = ind.max * min(1.0, max(rate, 0) / p["target"])
        return [_Row(ind.id, "rate", f"{inputs}; target={_num(p['target'])}; max={_num(ind.max)}", points, ind.max)]
    best = ctx.best.get(ind.id)
    text = f"{inputs}; best={_num(best)}; max={_num(ind.max)}"
    if best is None or best <= 0:
        return [_Row(ind.id, "rate", text, 0.0, ind.max, "所有单位比率均为0，按0分计")]
    return [_Row(ind.id, "rate", text, ind.max * max(rate, 0) / best, ind.max)]


def _bands(ctx: _Context, ind: Indicator, unit: UnitInput) -> list[_Row]:
    value, inputs, note = _expression(ctx, ind.params["value"], unit)
    if note:
        return [_Row(ind.id, "bands", inputs, 0.0, ind.max, note)]
    band = next(((low, pts) for low, pts in ind.params["bands"] if value >= low), None)
    if band is None:
        return [_Row(ind.id, "bands", inputs, 0.0, ind.max, "低于最低档，按0分计")]
    return [_Row(ind.id, "bands", f"{inputs}; band≥{_num(band[0])}", float(band[1]), ind.max)]


def _deduct(ctx: _Context, ind: Indicator, unit: UnitInput) -> list[_Row]:
    p = ind.params
    count, inputs, note = _expression(ctx, p["value"], unit)
    if note:
        return [_Row(ind.id, "deduct", inputs, 0.0, ind.max, note)]
    deducted = min(p["per"] * max(count, 0), p["floor"])
    text = f"{inputs}; per={_num(p['per'])}; floor={_num(p['floor'])}" + (f"; base={_num(p['base'])}" if p["base"] else "")
    note = f"扣{_num(deducted)}分" + ("（已达扣分上限）" if p["per"] * count > p["floor"] else "")
    return [_Row(ind.id, "deduct", text, p["base"] - deducted, ind.max, note)]


def _bonus(ctx: _Context, ind: Indicator, unit: UnitInput) -> list[_Row]:
    parts, total, notes = [], 0.0, []
    for key, mx in ind.params["items"]:
        value = unit.values.get(key)
        parts.append(f"{key}={_num(value)}")
        if _is_number(value):
            total += min(max(float(value), 0.0), mx)
            notes += [f"{key.split('.')[0]}超过分值，按{_num(mx)}分计"] if value > mx else []
        elif value in (None, ""):
            notes.append(f"{key.split('.')[0]}{MISSING_NOTE}")
    cap = ind.params["cap"]
    notes += [f"合计{_num(total)}分，封顶{_num(cap)}分"] if total > cap else []
    return [_Row(ind.id, "bonus", "; ".join(parts + [f"cap={_num(cap)}"]), min(total, cap), float(cap), "；".join(notes))]


def _veto(ctx: _Context, ind: Indicator, unit: UnitInput) -> list[_Row]:
    keys = ind.params["keys"]
    hits = [k.split(".")[0] for k in keys if unit.values.get(k) is True]
    inputs = "; ".join(f"{k}={_num(unit.values.get(k))}" for k in keys)
    if not hits:
        missing = sum(unit.values.get(k) is None for k in keys)
        return [_Row(ind.id, "veto", inputs, 0.0, 0.0, f"{missing}项{MISSING_NOTE}，视为否" if missing else "")]
    grade = ind.params["grade"]
    return [_Row(ind.id, "veto", inputs, 0.0, 0.0, f"一票否决（{'、'.join(hits)}），等次定为{grade}", veto_grade=grade)]


def _weights(ctx: _Context, ind: Indicator, unit: UnitInput) -> list[_Row]:
    weights = ind.params["weights"]
    if not unit.evaluations:
        return [_Row(ind.id, "weights", "", 0.0, ind.max, "无评价表（自评/互评/点评），本项跳过")]
    extra = sorted(set(unit.evaluations) - set(weights))
    if extra:
        ctx.warnings.append(f"{unit.unit_code}: evaluation roles {', '.join(extra)} have no weight in {ind.id}")
    rows = []
    for role, weight in weights.items():
        returns = unit.evaluations.get(role) or []
        returns = [returns] if isinstance(returns, dict) else list(returns)
        totals = [min(_evaluation_total(ind, r), ind.max) for r in returns]
        if not totals:
            rows.append(_Row(ind.id, "weights", f"{role}: 无; weight={_num(weight)}", 0.0, ind.max * weight,
                             f"未收到{role}，按0分计"))
            continue
        mean = math.fsum(totals) / len(totals)
        text = f"{role}: {', '.join(_num(t) for t in totals)}; mean={_num(mean)}; weight={_num(weight)}"
        rows.append(_Row(ind.id, "weights", text, weight * mean, ind.max * weight))
    return rows


def _evaluation_total(ind: Indicator, values: dict[str, Any]) -> float:
    items, column = ind.params["items"], ind.params["column"]
    if items is None:
        return math.fsum(v for k, v in values.items() if k.endswith("." + column) and _is_number(v))
    return math.fsum(min(max(float(v), 0.0), mx) for k, mx in items if _is_number(v := values.get(k)))


RULE_FUNCTIONS = {"self_score": _self_score, "fixed": _fixed, "rate": _rate, "bands": _bands,
                  "deduct": _deduct, "bonus": _bonus, "veto": _veto, "weights": _weights}
