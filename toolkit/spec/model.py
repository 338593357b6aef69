"""Template specs as plain objects: a template (id, version, title) and its sheets.

Sheet kinds: ``instructions``, ``form``, ``checklist`` and ``table``. See docs/spec-format.md.
:mod:`toolkit.spec.parse` validates a YAML mapping and compiles it into these objects;
:mod:`toolkit.spec.load` finds and reads spec files (the bundled templates among them).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from dataclasses import field as dc_field

__all__ = [
    "FIELD_TYPES", "SHEET_KINDS", "SummaryRate", "Field", "Item", "Area", "Rule", "Sheet", "TemplateSpec",
    "structure_labels",
]

FIELD_TYPES = ("text", "int", "number", "percent", "date", "bool", "choice", "score")
SHEET_KINDS = ("instructions", "form", "checklist", "table")
AREA_KINDS = ("normal", "bonus", "veto")
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,40}$")
TEMPLATE_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,60}$")


@dataclass(frozen=True)
class Field:
    """One input: a form field, a checklist input column or a table column."""

    id: str
    label: str
    type: str = "text"
    required: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()  # (synonym, choice)
    pattern: str | None = None
    pattern_hint: str | None = None
    help: str | None = None
    prefill: str | None = None
    formula: str | None = None
    unit: str | None = None
    scale: int = 100
    carry: bool = False
    required_if: str | None = None
    width: float | None = None
    in_period: bool = False
    label_en: str | None = None

    @property
    def is_input(self) -> bool:
        """True when the unit types this value (not prefilled, not computed)."""
        return self.prefill is None and self.formula is None

    def __eq__(self, other) -> bool:  # identity first: the normaliser's cache compares fields often
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self.__dataclass_fields__)

    def __hash__(self) -> int:  # fields key the normaliser's cache: hash once, not per lookup
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, f) for f in self.__dataclass_fields__))
            object.__setattr__(self, "_hash", cached)
        return cached


@dataclass(frozen=True)
class Item:
    """A checklist indicator row."""

    id: str
    content: str
    standard: str
    max_points: float
    area_id: str
    evidence: str | None = None


@dataclass(frozen=True)
class Area:
    """A group of checklist items; bonus and veto areas are scored apart."""

    id: str
    title: str
    kind: str
    items: tuple[Item, ...]
    columns: tuple[Field, ...]
    cap: float | None = None


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: an expression that must hold."""

    id: str
    expr: str
    message: str
    fields: tuple[str, ...]
    severity: str = "error"
    message_en: str | None = None


@dataclass(frozen=True)
class CarryFrom:
    """Rows of another table of the previous return become prefilled rows here (gap list → sprint list)."""

    sheet: str
    columns: tuple[tuple[str, str], ...]  # (this table's column, source table's column)
    condition: str | None = None


@dataclass(frozen=True)
class Lifecycle:
    """How a table's rows are items with a status across rounds (整改台账)."""

    status: str
    closed: tuple[str, ...]
    in_progress: tuple[str, ...] = ()
    closed_on: str | None = None
    deadline: str | None = None
    problem: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Sheet:
    """One sheet of a template."""

    id: str
    kind: str
    name: str
    title: str
    text: str = ""
    fields: tuple[Field, ...] = ()
    columns: tuple[Field, ...] = ()
    areas: tuple[Area, ...] = ()
    rows: int = 0
    key: tuple[str, ...] = ()
    row_rules: tuple[Rule, ...] = ()
    carry_if: str | None = None
    carry_from: CarryFrom | None = None
    lifecycle: Lifecycle | None = None

    @property
    def carries(self) -> bool:
        """True when rows of this table are carried into the next round."""
        return self.kind == "table" and (self.carry_from is not None or any(c.carry for c in self.columns))

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for a in self.areas for i in a.items)

    def column(self, column_id: str) -> Field:
        return next(c for c in self.columns if c.id == column_id)


@dataclass(frozen=True)
class SummaryRate:
    """A rate the consolidation computes per group and overall: sum(numerator) / sum(denominator)."""

    id: str
    label: str
    numerator: str
    denominator: str
    label_en: str | None = None


@dataclass(frozen=True)
class TemplateSpec:
    """A compiled template spec."""

    id: str
    version: str
    title: str
    sheets: tuple[Sheet, ...]
    rules: tuple[Rule, ...] = ()
    description: str = ""
    title_en: str | None = None
    scoring: str | None = None
    summary: tuple[SummaryRate, ...] = ()
    return_key: tuple[str, ...] = ()  # form fields telling apart several returns of one unit (evaluations)
    path: str | None = dc_field(default=None, compare=False)

    def sheet(self, sheet_id: str) -> Sheet:
        return next(s for s in self.sheets if s.id == sheet_id)

    @property
    def form_fields(self) -> dict[str, Field]:
        return {f.id: f for s in self.sheets if s.kind == "form" for f in s.fields}

    @property
    def fingerprint(self) -> str:
        """A hash of the labels a unit sees: sheet names, row labels, headers."""
        return hashlib.sha256("\n".join(structure_labels(self)).encode()).hexdigest()[:16]


def structure_labels(spec: TemplateSpec) -> list[str]:
    """The labels that make up the structure fingerprint, in order."""
    out = []
    for sheet in spec.sheets:
        out.append(f"sheet:{sheet.name}")
        out.extend(f"field:{f.label}" for f in sheet.fields)
        out.extend(f"column:{c.label}" for c in sheet.columns)
        out.extend(f"item:{i.id}:{i.content}" for i in sheet.items)
    return out
