"""Score, rank and grade units against a scoring scheme (评分细则), every point traced.

Data flows in one way: a :class:`~toolkit.score.scheme.ScoringScheme` (see docs/scoring.md), the
template spec, one :class:`UnitInput` per roster unit (the normalised values of its accepted
return) and optional office :class:`Adjustment` rows → a :class:`ScoreResult` whose ``scores``
and ``trace`` are the rows of out/scores.csv and out/score_trace.csv.

Scheme format in brief (YAML, validated with key paths and "did you mean")::

    id: annual-assessment-scoring          # title, template (the template id), version
    from_checklist: true                   # or an indicator {rule: checklist, areas: [a1, …]}
    quota_scope: overall                   # or group
    faulty: hold                           # or score: rank faulty returns as provisional
    veto_rank: last                        # or unranked
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
- A faulty unit (its accepted return has errors) is scored but, unless the scheme says
  ``faulty: score``, gets no rank, group rank, grade or quota place and does not count in quotas.
- Ranks are competition ranks (1, 2, 2, 4) on the total rounded to 2 decimals, overall and in the
  group; vetoed units come after every unit that is not vetoed (or get no rank with
  ``veto_rank: unranked``); grade minimums are compared on the same rounded total.
- Grades are handed out best first. Vetoed units get their veto grade first. A quota grade goes
  to at most floor(quota × ranked units in scope) units with total ≥ min, best first; a block of
  tied units that would overflow the quota is excluded whole. Units that miss a grade fall to the
  next grade they qualify for.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from ..errors import ConfigError
from ..i18n import Msg
from ..model import UnitState
from ..spec.errors import did_you_mean
from ..spec.model import TemplateSpec
from .adjustments import Adjustment, load_adjustments
from .rules import MISSING_NOTE, RULE_FUNCTIONS, RuleContext, TraceRow, UnitInput, trace_value
from .scheme import ScoringScheme, load_scheme
from .trace import Trace

__all__ = ["UnitInput", "Adjustment", "ScoreResult", "ScoringScheme", "load_scheme", "load_adjustments",
           "score_units", "competition_ranks", "ranks_vetoed_last", "SCORES_COLUMNS", "TRACE_COLUMNS", "MISSING_NOTE"]

SCORES_COLUMNS = ("unit_code", "unit_name", "group", "total", "rank", "group_rank", "grade", "vetoed", "state")
TRACE_COLUMNS = ("unit_code", "indicator", "rule", "inputs", "points", "max_points", "note")


@dataclass
class ScoreResult:
    """Rows of out/scores.csv and out/score_trace.csv, and what the scoring sheet and report need.

    ``faulty``: codes of the units whose accepted return has errors, in scores order; of them,
    ``provisional`` are ranked and graded anyway (scheme ``faulty: score``), the others are held
    out (no rank, group rank, grade or quota place). ``vetoes``: unit code → the veto reason
    (Chinese, as in the trace note). Each score row also carries ``provisional`` (bool) and
    ``veto_reason``, which out/scores.csv leaves out.
    """

    scores: list[dict]
    trace: Trace  # reads as the list of trace rows; Trace.unit(code) gives one unit's
    areas: dict[str, dict[str, float]]
    area_titles: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    faulty: list[str] = field(default_factory=list)
    provisional: list[str] = field(default_factory=list)
    vetoes: dict[str, str] = field(default_factory=dict)

    @property
    def held_out(self) -> list[str]:
        """Faulty units that are not ranked: 待补正 until a corrected return arrives."""
        return [c for c in self.faulty if c not in self.provisional]


# --------------------------------------------------------------------------- scoring


def score_units(scheme: ScoringScheme, spec: TemplateSpec, units: list[UnitInput],
                adjustments: Iterable[Adjustment] = ()) -> ScoreResult:
    """Score every returned unit, rank and grade the accepted ones; unreturned units stay unscored.

    A faulty unit (``UnitInput.faulty``) keeps its provisional total but is not ranked, graded or
    counted for quotas, unless the scheme says ``faulty: score`` (then it is, as provisional).
    """
    adjustments = list(adjustments)
    warnings = _check_inputs(scheme, spec, units, adjustments)
    returned = [u for u in units if u.returned]
    ranked = [u for u in returned if not u.faulty or scheme.faulty == "score"]
    ctx = RuleContext(scheme, spec, ranked)  # a held-out return never sets the best rate
    by_unit: dict[str, list[Adjustment]] = {}
    for adj in adjustments:
        by_unit.setdefault(adj.unit_code, []).append(adj)
    titles = dict(scheme.area_titles)
    if adjustments:
        titles["adjustment"] = "考核调整"
    trace, totals, vetoes, reasons, subtotals = Trace(), {}, {}, {}, {}
    for u in returned:  # a unit's rows are summed up and packed before the next unit is scored
        rows = _unit_rows(ctx, u, by_unit.get(u.unit_code, []))
        code = u.unit_code
        totals[code] = round(math.fsum(r.points for r in rows), 4)
        vetoes[code] = _veto_grade(scheme, rows)
        if vetoes[code]:
            reasons[code] = _veto_reason(rows)
        subtotals[code] = _area_points(titles, rows)
        trace.add(code, rows)
    keys = {u.unit_code: round(totals[u.unit_code], 2) for u in ranked}
    vetoed = {u.unit_code for u in ranked if vetoes[u.unit_code]}
    ranks = ranks_vetoed_last(keys, vetoed, scheme.veto_rank)
    group_ranks = {}
    for group in dict.fromkeys(u.group for u in ranked):
        in_group = {u.unit_code: keys[u.unit_code] for u in ranked if u.group == group}
        group_ranks.update(ranks_vetoed_last(in_group, vetoed, scheme.veto_rank))
    grades = _assign_grades(scheme, ranked, keys, {c: vetoes[c] for c in vetoed})
    scores = [_score_row(u, totals, ranks, group_ranks, grades, vetoes, reasons, scheme) for u in units]
    scores.sort(key=_scores_order)
    areas = {u.unit_code: subtotals.get(u.unit_code, {}) for u in units}
    faulty = [r["unit_code"] for r in scores if r["state"] == UnitState.FAULTY]
    provisional = [r["unit_code"] for r in scores if r["provisional"]]
    return ScoreResult(scores, trace, areas, titles, warnings + ctx.warnings, faulty, provisional, reasons)


def _scores_order(row: dict):
    """Ranked units by rank, then unranked vetoed, then held-out faulty units by total, then unreturned."""
    if row["rank"] is not None:
        return (0, row["rank"], 0)
    if row["total"] is None:
        return (3, 0, 0)
    return (2 if row["state"] == UnitState.FAULTY else 1, 0, -row["total"])


def _check_inputs(scheme, spec, units, adjustments) -> list[str]:
    if scheme.template != spec.id:
        raise ConfigError(Msg("score.adjust.wrong_scheme", {"scheme": scheme.id, "path": scheme.path, "template": repr(scheme.template),
                                                            "spec": repr(spec.id), "spec_id": spec.id}))
    seen = set()
    for u in units:
        if u.unit_code in seen:
            raise ConfigError(Msg("score.adjust.unit_twice", {"unit": u.unit_code}))
        seen.add(u.unit_code)
    returned = {u.unit_code for u in units if u.returned}
    known = {i.id for i in scheme.indicators} | set(scheme.area_titles)
    warnings = []
    for a in adjustments:
        where = a.source or f"adjustment for {a.unit_code}"
        if a.unit_code not in seen:
            raise ConfigError(Msg("score.adjust.unknown_unit", {"where": where, "unit": repr(a.unit_code),
                                                                "hint": did_you_mean(a.unit_code, seen)}))
        if a.indicator and a.indicator not in known:
            raise ConfigError(Msg("score.adjust.unknown_indicator", {"where": where, "indicator": repr(a.indicator),
                                                                     "hint": did_you_mean(a.indicator, known), "scheme": scheme.id}))
        if a.unit_code not in returned:
            warnings.append(f"{where}: unit {a.unit_code} has no accepted return; adjustment not applied")
    return warnings


def _unit_rows(ctx: RuleContext, unit: UnitInput, adjustments: list[Adjustment]) -> list[TraceRow]:
    """The unit's trace: every indicator's rows, then its adjustments; points rounded to 4 decimals."""
    rows = []
    for ind in ctx.indicators:
        for row in RULE_FUNCTIONS[ind.rule](ctx, ind, unit):
            row.points = round(row.points, 4) + 0.0
            row.area = row.area or ind.area
            rows.append(row)
    rows.extend(TraceRow(adj.indicator or "adjustment", "adjustment", f"points={trace_value(adj.points)}",
                     round(float(adj.points), 4), None, (("text", {"text": adj.reason}),), "adjustment")
                for adj in adjustments)
    return rows


def _veto_grade(scheme: ScoringScheme, rows: list[TraceRow]) -> str | None:
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


def ranks_vetoed_last(keys: dict[str, float], vetoed: set[str], mode: str = "last") -> dict[str, int]:
    """Competition ranks of the units not vetoed, then (mode ``last``) the vetoed ones after them,
    ranked among themselves by total; with mode ``unranked`` vetoed units get no rank."""
    clean = {c: k for c, k in keys.items() if c not in vetoed}
    ranks = competition_ranks(clean)
    if mode == "last":
        after = competition_ranks({c: k for c, k in keys.items() if c in vetoed})
        ranks.update({c: len(clean) + r for c, r in after.items()})
    return ranks


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


def _score_row(u: UnitInput, totals, ranks, group_ranks, grades, vetoes, reasons, scheme) -> dict:
    code = u.unit_code
    state = UnitState.MISSING if not u.returned else UnitState.FAULTY if u.faulty else UnitState.ACCEPTED
    return {"unit_code": code, "unit_name": u.unit_name, "group": u.group, "total": totals.get(code),
            "rank": ranks.get(code), "group_rank": group_ranks.get(code), "grade": grades.get(code),
            "vetoed": bool(vetoes.get(code)), "state": state,
            "provisional": state == UnitState.FAULTY and scheme.faulty == "score", "veto_reason": reasons.get(code, "")}


def _veto_reason(rows: list[TraceRow]) -> str:
    return "；".join(r.note for r in rows if r.veto_grade)


def _area_points(titles: dict[str, str], rows: list[TraceRow]) -> dict[str, float]:
    """A unit's points per area (every area of the scheme, 0 where it scored nothing)."""
    sub = dict.fromkeys(titles, 0.0)
    for r in rows:
        sub[r.area] = round(sub.get(r.area, 0.0) + r.points, 4)
    return sub
