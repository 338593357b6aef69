"""Template specs: declarative YAML, loaded, validated and compiled into plain objects.

A spec describes one template (id, version, title) and its sheets. Sheet kinds:
``instructions``, ``form``, ``checklist`` and ``table``. See docs/spec-format.md.
Validation errors name the file, the key path (``sheets[2].fields[5].type``),
what was expected and, for a misspelt key or value, "did you mean …".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import SpecError, ToolkitError
from .errors import found_zh

__all__ = [
    "FIELD_TYPES", "SHEET_KINDS", "SummaryRate", "Field", "Item", "Area", "Rule", "Sheet", "TemplateSpec",
    "load_spec", "parse_spec", "bundled_templates", "find_template", "TEMPLATES_DIR",
]

# Package data found through importlib.resources, so that an installed wheel finds it as the source
# tree does; a Path because a scheme names its template relative to its own folder (pip installs unzipped).
TEMPLATES_DIR = Path(str(resources.files("toolkit") / "templates"))
FIELD_TYPES = ("text", "int", "number", "percent", "date", "bool", "choice", "score")
SHEET_KINDS = ("instructions", "form", "checklist", "table")
AREA_KINDS = ("normal", "bonus", "veto")
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,40}$")
TEMPLATE_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,60}$")
# libyaml's loader where PyYAML was built with it: the same documents, about 7x faster to parse
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)




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


# --------------------------------------------------------------------------- loading


def _yaml(text: str) -> Any:
    """The document in libyaml (:data:`_YAML_LOADER`); a file libyaml refuses, or with a tab (which libyaml
    takes where PyYAML does not), is read by PyYAML, so what is refused and the message saying why stay the same."""
    if "\t" not in text:
        try:
            return yaml.load(text, Loader=_YAML_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def bundled_templates() -> list[TemplateSpec]:
    """All specs bundled in toolkit/templates/ (files named ``*.yaml`` with a ``sheets`` key)."""
    out = []
    for path in sorted(TEMPLATES_DIR.glob("*.yaml")):
        raw = _yaml(path.read_text(encoding="utf-8"))
        if isinstance(raw, dict) and "sheets" in raw:
            out.append(parse_spec(raw, str(path)))
    if not out:  # an install without its package data: say so instead of listing nothing
        raise ToolkitError(f"no bundled templates in {TEMPLATES_DIR}: the installation is incomplete; "
                           f"reinstall the package (pip install --force-reinstall assessment-toolkit)",
                           zh=f"{TEMPLATES_DIR} 中没有内置模板：安装不完整，请重新安装本工具"
                              f"（pip install --force-reinstall assessment-toolkit）")
    return out


def find_template(ref: str, base: Path | None = None) -> TemplateSpec:
    """A bundled template by id, or a spec file by path (relative to *base*)."""
    candidate = Path(ref)
    if base is not None and not candidate.is_absolute():
        candidate = base / candidate
    if ref.endswith((".yaml", ".yml")) or candidate.is_file():
        if not candidate.is_file():
            raise SpecError(f"template spec file not found: {candidate}", zh=f"找不到模板定义文件：{candidate}")
        return load_spec(candidate)
    path = TEMPLATES_DIR / f"{ref}.yaml"
    if path.is_file():
        return load_spec(path)
    known = [p.stem for p in TEMPLATES_DIR.glob("*.yaml") if not p.stem.endswith("-scoring")]
    hint = suggest_names(ref, known)
    raise SpecError(f"unknown template {ref!r}{hint}; run `toolkit templates` to list them, or give a path to a .yaml spec",
                    zh=f"没有名为 {ref!r} 的内置模板{found_zh(hint) if hint else ''}；"
                       f"可用 `toolkit templates` 列出内置模板，或给出 .yaml 模板定义文件的路径")


_LOADED: dict[tuple[str, int, int], TemplateSpec] = {}


def load_spec(path: str | Path) -> TemplateSpec:
    """Load and validate a spec file, once per process while the file stays the same (specs are frozen)."""
    path = Path(path)
    try:
        info = path.stat()
        key = (str(path.resolve()), info.st_mtime_ns, info.st_size)
    except OSError:
        key = None  # read_yaml says what is wrong
    if key is not None and key in _LOADED:
        return _LOADED[key]
    spec = parse_spec(read_yaml(path, "template spec"), str(path))
    if key is not None:
        _LOADED[key] = spec
    return spec


def read_yaml(path: Path, what: str) -> Any:
    """A YAML file's content; unreadable or invalid YAML is a :class:`SpecError` naming the line."""
    try:
        return _yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", exc)
        where_zh = f" 第 {mark.line + 1} 行" if mark else ""
        raise SpecError(f"{path}{where}: not valid YAML: {problem}",
                        zh=f"{path}{where_zh}：不是有效的 YAML（{problem}）") from None
    except OSError as exc:
        what_zh = {"template spec": "模板定义文件", "scoring scheme": "评分细则"}.get(what, what)
        raise SpecError(f"cannot read {what} {path}: {exc.strerror}",
                        zh=f"无法读取{what_zh} {path}（{exc.strerror}）") from None


def parse_spec(raw: Any, source: str = "<spec>") -> TemplateSpec:
    """Validate a parsed YAML mapping and compile it to a :class:`TemplateSpec` (see :mod:`toolkit.spec.parse`)."""
    from .parse import parse_spec as parse
    return parse(raw, source)


def suggest_names(value: str, options) -> str:
    from .parse import suggest_names as suggest
    return suggest(value, options)
