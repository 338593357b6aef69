"""`toolkit score`: score every unit's accepted return against the campaign's scheme.

Writes out/scores.csv, out/score_trace.csv and out/scoring-sheet.xlsx (年度考核评分表).
Office adjustments are read from DIR/adjustments.csv when it exists
(unit_code, indicator, points, reason).
"""

from __future__ import annotations

from ..campaign.folder import Campaign
from ..errors import ConfigError
from ..i18n import Msg, define
from ..merge.stage import load_merged
from ..model import UnitState
from .engine import SCORES_COLUMNS, TRACE_COLUMNS, ScoreResult, UnitInput, load_adjustments, score_units
from .scheme import load_scheme

__all__ = ["score_campaign", "unit_inputs"]

define("score", {"no_scheme": ("{path}：没有设置评分细则（`scoring:`）；请加上如 `scoring: annual-assessment-scoring`，或评分细则 .yaml 文件的路径",
                             "{path}: no `scoring:` scheme is set; add e.g. `scoring: annual-assessment-scoring` or a path to a scheme .yaml")})


def _single_values(ret) -> dict:
    return {fid: e.value for (fid, row), e in ret.entries.items() if row is None}


def unit_inputs(merged, role_field: str | None = None) -> list[UnitInput]:
    """One input per roster unit: the normalised values of its accepted return (faulty ones too,
    flagged by the status computation's state ``faulty``: errors in the accepted return).

    With *role_field* (an evaluation template's first return key, e.g. evaluator_role) every
    accepted return of the unit is also grouped by role for the ``weights`` rule.
    """
    out = []
    for mu in merged.loaded():  # one return in memory at a time: a unit keeps only its single values
        values = {} if mu.ret is None else _single_values(mu.ret)
        evaluations: dict[str, list] = {}
        if role_field:
            for _, ret in mu.returns:
                vals = _single_values(ret)
                evaluations.setdefault(str(vals.get(role_field) or ""), []).append(vals)
        out.append(UnitInput(mu.unit.code, mu.unit.name, mu.unit.group, values, evaluations,
                             returned=mu.ret is not None, faulty=mu.ret is not None and mu.status.state == UnitState.FAULTY))
    return out


def score_campaign(campaign: Campaign, lang: str = "zh", merged=None) -> ScoreResult:
    from ..output.csvfile import write_csv
    from .sheet import write_scoring_sheet

    if not campaign.scoring:
        raise ConfigError(Msg("score.no_scheme", {"path": campaign.dir / "campaign.yaml"}))
    spec = campaign.template()
    scheme = load_scheme(campaign.scoring, campaign.dir, spec=spec)
    adjustments_file = campaign.dir / "adjustments.csv"
    adjustments = load_adjustments(adjustments_file) if adjustments_file.is_file() else []
    merged = merged or load_merged(campaign)
    weighted = any(i.rule == "weights" for i in scheme.indicators)
    role_field = spec.return_key[0] if weighted and spec.return_key else None
    result = score_units(scheme, spec, unit_inputs(merged, role_field), adjustments)
    # scores.csv holds the scored units only (state accepted or faulty, as the contract says); a unit
    # that sent nothing usable is `missing`/`unusable` in status.csv and on the scoring sheet.
    write_csv(campaign.out / "scores.csv", SCORES_COLUMNS, [r for r in result.scores if r["state"] != UnitState.MISSING])
    write_csv(campaign.out / "score_trace.csv", TRACE_COLUMNS, result.trace)
    write_scoring_sheet(campaign, scheme, result, lang)
    return result
