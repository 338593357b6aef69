"""The scoring-scheme model: :class:`ScoringScheme`, its indicators and grades, and the key tables.

The dataclasses are what :func:`toolkit.score.scheme.load_scheme` returns and :mod:`toolkit.score.engine`
reads; the key tables say which keys each level of a scheme file (and each rule) may have, and
are checked by :mod:`toolkit.score.scheme` and :mod:`toolkit.score.scheme_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field

from ..i18n import Words, pick

__all__ = ["RULES", "SPECIAL_AREAS", "FAULTY_MODES", "VETO_RANKS", "Indicator", "Grade", "ScoringScheme"]

RULES = ("checklist", "self_score", "fixed", "rate", "bands", "deduct", "bonus", "veto", "weights")
NUMBER_TYPES = (int, float)
TOP_KEYS = {"id": str, "title": str, "title_en": str, "template": str, "version": (str, int, float),
             "description": str, "from_checklist": bool, "quota_scope": str, "grades": list,
             "indicators": list, "faulty": str, "veto_rank": str}
FAULTY_MODES = ("hold", "score")  # a faulty unit is held out until corrected, or scored as provisional
VETO_RANKS = ("last", "unranked")  # a vetoed unit is ranked after all others, or not ranked
COMMON_KEYS = {"id": str, "title": str, "title_en": str, "area": str, "max": NUMBER_TYPES, "rule": str,
           "replace": (str, list), "note": str}
RULE_KEYS = {
    "checklist": {"rule": str, "areas": list, "column": str},
    "self_score": {"item": str, "column": str},
    "fixed": {"field": str, "value": str, "points": dict, "default": NUMBER_TYPES},
    "rate": {"value": str, "mode": str, "target": NUMBER_TYPES},
    "bands": {"value": str, "bands": list},
    "deduct": {"value": str, "per": NUMBER_TYPES, "floor": NUMBER_TYPES, "base": NUMBER_TYPES},
    "bonus": {"areas": list, "cap": NUMBER_TYPES, "column": str},
    "veto": {"areas": list, "column": str, "grade": str},
    "weights": {"weights": dict, "evaluation": str, "column": str},
}
GRADE_KEYS = {"grade": str, "min": NUMBER_TYPES, "quota": NUMBER_TYPES}
BAND_KEYS = {"min": NUMBER_TYPES, "points": NUMBER_TYPES}
SPECIAL_AREAS = {"bonus": "加分项", "deduction": "扣分项", "veto": "一票否决", "adjustment": "考核调整"}


@dataclass(frozen=True)
class Indicator:
    """One scored indicator: its rule, maximum, subtotal area and compiled rule parameters."""

    id: str
    title: str
    rule: str
    area: str
    max: float
    params: dict = dc_field(default_factory=dict, hash=False, compare=False)
    replaces: tuple[str, ...] = ()
    title_en: str | None = None

    def label(self, lang: str = "zh") -> str:
        """The indicator's title in *lang* (English only when the scheme gives ``title_en``)."""
        return pick(Words(self.title, self.title_en), lang)


@dataclass(frozen=True)
class Grade:
    """A grade: units with a total ≥ ``min`` (``None``: any total), at most ``quota`` of them."""

    grade: str
    min: float | None = None
    quota: float | None = None


@dataclass(frozen=True)
class ScoringScheme:
    """A compiled scoring scheme for one template."""

    id: str
    title: str
    template: str
    version: str
    indicators: tuple[Indicator, ...]
    grades: tuple[Grade, ...]
    quota_scope: str = "overall"
    faulty: str = "hold"
    veto_rank: str = "last"
    area_titles: dict = dc_field(default_factory=dict, hash=False, compare=False)
    description: str = ""
    path: str | None = dc_field(default=None, compare=False)

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)

    @property
    def max_total(self) -> float:
        """The base maximum: every indicator's max except bonus ones (bundled: 100)."""
        return sum(i.max for i in self.indicators if i.rule != "bonus")

    @property
    def bonus_max(self) -> float:
        return sum(i.max for i in self.indicators if i.rule == "bonus")
