"""Score, rank and grade units against a scoring scheme (评分细则), every point traced.

Data flows in one way: a :class:`~toolkit.scheme.ScoringScheme` (see docs/scoring.md), the
template spec, one :class:`UnitInput` per roster unit (the normalised values of its accepted
return) and optional office :class:`Adjustment` rows → a :class:`ScoreResult` whose ``scores``
and ``trace`` are the rows of out/scores.csv and out/score_trace.csv.

Scheme format in brief (YAML, validated with key paths and "did you mean")::

    id: annual-assessment-scoring          # title, template (the template id), version
    from_checklist: true                   # or an indicator {rule: checklist, areas: [a1, …]}
    quota_scope: overall                   # or group
    indicators:                            # each: id, title, rule, max, area, replace + parameters
      - {rule: checklist, areas: [a1, a2]} # one self_score indicator per item (id = item id)
      - {id: s1, title: …, rule: self_score, item: a1_1}            # self score capped to [0, max]
      - {id: f1, title: …, rule: fixed, field: org_type, points: {党支部: 2, 党总支: 1}}
      - {id: r1, title: …, rule: rate, value: theme_days / 12, mode: target, target: 1, max: 4}
      - {id: b1, title: …, rule: bands, value: general_meetings, bands: [{min: 4, points: 5}, …]}
      - {id: d1, title: …, rule: deduct, value: 12 - committee_meetings, per: 0.5, floor: 5, base: 0}
      - {id: bonus, title: 加分项, rule: bonus, areas: [bonus], cap: 5}
      - {id: veto, title: 一票否决, rule: veto, areas: [veto], grade: 较差}
      - {id: ev, title: …, rule: weights, weights: {自评: 0.2, 互评: 0.3, 点评: 0.5}, evaluation: evaluation}
    grades: [{grade: 优秀, min: 90, quota: 0.15}, {grade: 良好, min: 80}, {grade: 一般, min: 60}, {grade: 较差}]

Rules of the game:
- A missing value scores 0 with the note 未填报. A unit with ``returned=False`` gets an empty
  total, rank and grade and no trace rows: it is never ranked as a zero.
- Points of every trace row are rounded to 4 decimals and the total is their sum, so the trace
  always adds up to the total.
- Ranks are competition ranks (1, 2, 2, 4) on the total rounded to 2 decimals, overall and in the
  group; grade minimums are compared on the same rounded total.
- Grades are handed out best first. Vetoed units get their veto grade first. A quota grade goes
  to at most floor(quota × ranked units in scope) units with total ≥ min, best first; a block of
  tied units that would overflow the quota is excluded whole. Units that miss a grade fall to the
  next grade they qualify for.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from .errors import ConfigError
from .expr import evaluate, names_in
from .normalise import display, parse_number
from .scheme import Indicator, ScoringScheme, did_you_mean, expression_names, load_scheme
from .spec import TemplateSpec

__all__ = ["UnitInput", "Adjustment", "ScoreResult", "ScoringScheme", "load_scheme", "load_adjustments",
           "score_units", "competition_ranks", "SCORES_COLUMNS", "TRACE_COLUMNS", "MISSING_NOTE"]

SCORES_COLUMNS = ("unit_code", "unit_name", "group", "total", "rank", "group_rank", "grade", "vetoed")
TRACE_COLUMNS = ("unit_code", "indicator", "rule", "inputs", "points", "max_points", "note")
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
class Adjustment:
    """An office adjustment (考核调整): points added (or, negative, taken) with the reason."""

    unit_code: str
    indicator: str
    points: float
    reason: str
    source: str = ""  # where it came from, e.g. "adjustments.csv row 3"


@dataclass
class ScoreResult:
    """Rows of out/scores.csv and out/score_trace.csv, and subtotals for the scoring sheet."""

    scores: list[dict]
    trace: list[dict]
    areas: dict[str, dict[str, float]]
    area_titles: dict[str, str]
    warnings: list[str] = field(default_factory=list)


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


# --------------------------------------------------------------------------- adjustments

_ADJ_HEADERS = {"unit_code": ("unit_code", "单位代码"), "indicator": ("indicator", "指标", "指标编号"),
                "points": ("points", "分值", "调整分值", "加减分"), "reason": ("reason", "原因", "理由", "调整原因")}


def load_adjustments(path: Path) -> list[Adjustment]:
    """Read office adjustments from a CSV (UTF-8 or GBK): unit_code, indicator, points, reason.

    ``indicator`` may be empty (a general adjustment). Raises :class:`ConfigError` naming the
    file and row (rows count like a spreadsheet: the header is row 1).
    """
    path = Path(path)
    rows = _csv_rows(path)
    if not rows:
        raise ConfigError(f"{path}: empty; expected a header row: unit_code, indicator, points, reason")
    cols = _adjustment_columns(path, rows[0])
    out = []
    for n, row in enumerate(rows[1:], start=2):
        cells = {k: (row[i].strip() if i < len(row) else "") for k, i in cols.items()}
        if any(cells.values()):
            out.append(_adjustment(path, n, cells))
    return out


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read adjustments file {path}: {exc.strerror}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(io.StringIO(data.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise ConfigError(f"{path}: not UTF-8 or GBK text; save it as CSV UTF-8")


def _adjustment_columns(path: Path, header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    cols = {}
    for key, aliases in _ADJ_HEADERS.items():
        found = next((names.index(a) for a in aliases if a in names), None)
        if found is None:
            raise ConfigError(f"{path} row 1: missing column {key!r}{did_you_mean(key, names)}; "
                              f"expected the columns unit_code, indicator, points, reason")
        cols[key] = found
    return cols


def _adjustment(path: Path, n: int, cells: dict[str, str]) -> Adjustment:
    where = f"{path.name} row {n}"
    if not cells["unit_code"]:
        raise ConfigError(f"{path} row {n}: unit_code is empty; give the unit's code")
    points = parse_number(cells["points"]).value
    if points is None or isinstance(points, bool):
        raise ConfigError(f"{path} row {n}: points {cells['points']!r} is not a number; write e.g. -2 or 1.5")
    if not cells["reason"]:
        raise ConfigError(f"{path} row {n}: reason is empty; every adjustment needs its reason (调整原因)")
    return Adjustment(cells["unit_code"], cells["indicator"], float(points), cells["reason"], where)


# --------------------------------------------------------------------------- scoring


def score_units(scheme: ScoringScheme, spec: TemplateSpec, units: list[UnitInput],
                adjustments: Iterable[Adjustment] = ()) -> ScoreResult:
    """Score every returned unit, rank and grade them; unreturned units stay unscored."""
    adjustments = list(adjustments)
    warnings = _check_inputs(scheme, spec, units, adjustments)
    ctx = _Context(scheme, spec, [u for u in units if u.returned])
    by_unit: dict[str, list[Adjustment]] = {}
    for adj in adjustments:
        by_unit.setdefault(adj.unit_code, []).append(adj)
    rows = {u.unit_code: _unit_rows(ctx, u, by_unit.get(u.unit_code, [])) for u in units if u.returned}
    totals = {code: round(math.fsum(r.points for r in rs), 4) for code, rs in rows.items()}
    vetoes = {code: _veto_grade(scheme, rs) for code, rs in rows.items()}
    ranked = [u for u in units if u.returned]
    keys = {u.unit_code: round(totals[u.unit_code], 2) for u in ranked}
    ranks = competition_ranks(keys)
    group_ranks = {}
    for group in dict.fromkeys(u.group for u in ranked):
        group_ranks.update(competition_ranks({u.unit_code: keys[u.unit_code] for u in ranked if u.group == group}))
    grades = _assign_grades(scheme, ranked, keys, {c: g for c, g in vetoes.items() if g})
    scores = [_score_row(u, totals, ranks, group_ranks, grades, vetoes) for u in units]
    scores.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
    trace = [{"unit_code": u.unit_code, **_trace_dict(r)} for u in units for r in rows.get(u.unit_code, [])]
    areas, titles = _areas(scheme, units, rows, bool(adjustments))
    return ScoreResult(scores, trace, areas, titles, warnings + ctx.warnings)


def _check_inputs(scheme, spec, units, adjustments) -> list[str]:
    if scheme.template != spec.id:
        raise ConfigError(f"scoring scheme {scheme.id} ({scheme.path}) applies to template {scheme.template!r}, "
                          f"not to {spec.id!r}; set `scoring:` in campaign.yaml to a scheme for {spec.id}")
    seen = set()
    for u in units:
        if u.unit_code in seen:
            raise ConfigError(f"unit {u.unit_code} appears twice in the units to score")
        seen.add(u.unit_code)
    returned = {u.unit_code for u in units if u.returned}
    known = {i.id for i in scheme.indicators} | set(scheme.area_titles)
    warnings = []
    for a in adjustments:
        where = a.source or f"adjustment for {a.unit_code}"
        if a.unit_code not in seen:
            raise ConfigError(f"{where}: unknown unit_code {a.unit_code!r}{did_you_mean(a.unit_code, seen)}")
        if a.indicator and a.indicator not in known:
            raise ConfigError(f"{where}: unknown indicator {a.indicator!r}{did_you_mean(a.indicator, known)}; "
                              f"use an indicator or area id of {scheme.id}, or leave it empty")
        if a.unit_code not in returned:
            warnings.append(f"{where}: unit {a.unit_code} has no accepted return; adjustment not applied")
    return warnings


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


def _unit_rows(ctx: _Context, unit: UnitInput, adjustments: list[Adjustment]) -> list[_Row]:
    """The unit's trace: every indicator's rows, then its adjustments; points rounded to 4 decimals."""
    rows = []
    for ind in ctx.indicators:
        for row in RULE_FUNCTIONS[ind.rule](ctx, ind, unit):
            row.points = round(row.points, 4) + 0.0
            row.area = row.area or ind.area
            rows.append(row)
    rows.extend(_Row(adj.indicator or "adjustment", "adjustment", f"points={_num(adj.points)}",
                     round(float(adj.points), 4), None, adj.reason, "adjustment") for adj in adjustments)
    return rows


def _veto_grade(scheme: ScoringScheme, rows: list[_Row]) -> str | None:
    """The lowest veto grade triggered, or None."""
    order = [g.grade for g in scheme.grades]
    triggered = [r.veto_grade for r in rows if r.veto_grade]
    return max(triggered, key=order.index) if triggered else None


def competition_ranks(keys: dict[str, float]) -> dict[str, int]:
    """Competition ranks (1, 2, 2, 4) by key, highest first."""
    first: dict[float, int] = {}
    for pos, key in enumerate(sorted(keys.values(), reverse=True), start=1):
        first.setdefault(key, pos)
    return {code: first[key] for code, key in keys.items()}


def _assign_grades(scheme, ranked, keys, vetoed: dict[str, str]) -> dict[str, str]:
    grades = dict(vetoed)
    scopes = [ranked] if scheme.quota_scope == "overall" else \
        [[u for u in ranked if u.group == g] for g in dict.fromkeys(u.group for u in ranked)]
    for pool in scopes:
        for grade in scheme.grades:
            fits = [u.unit_code for u in pool if u.unit_code not in grades
                    and (grade.min is None or keys[u.unit_code] >= grade.min)]
            fits.sort(key=lambda c: -keys[c])
            if grade.quota is not None:
                fits = within_quota(fits, keys, quota_size(grade.quota, len(pool)))
            grades.update({c: grade.grade for c in fits})
    return grades


def quota_size(share: float, ranked: int) -> int:
    """floor(share × ranked), computed in decimal so 0.29 × 100 is 29, not 28."""
    return math.floor(Decimal(str(share)) * ranked)


def within_quota(codes: list[str], keys: dict[str, float], limit: int) -> list[str]:
    """The best *codes* (sorted best first) up to *limit*; a tied block that overflows is left out whole."""
    taken = []
    for _, block in itertools.groupby(codes, key=keys.get):
        block = list(block)
        if len(taken) + len(block) > limit:
            break
        taken.extend(block)
    return taken


def _score_row(u: UnitInput, totals, ranks, group_ranks, grades, vetoes) -> dict:
    code = u.unit_code
    return {"unit_code": code, "unit_name": u.unit_name, "group": u.group, "total": totals.get(code),
            "rank": ranks.get(code), "group_rank": group_ranks.get(code), "grade": grades.get(code),
            "vetoed": bool(vetoes.get(code))}


def _trace_dict(r: _Row) -> dict:
    return {"indicator": r.indicator, "rule": r.rule, "inputs": r.inputs, "points": r.points,
            "max_points": r.max_points, "note": r.note}


def _areas(scheme, units, rows, with_adjustments: bool):
    titles = dict(scheme.area_titles)
    if with_adjustments:
        titles["adjustment"] = "考核调整"
    areas = {}
    for u in units:
        if u.unit_code not in rows:
            areas[u.unit_code] = {}
            continue
        sub = dict.fromkeys(titles, 0.0)
        for r in rows[u.unit_code]:
            sub[r.area] = round(sub.get(r.area, 0.0) + r.points, 4)
        areas[u.unit_code] = sub
    return areas, titles


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
