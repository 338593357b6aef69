"""Scoring schemes (评分细则): declarative YAML, loaded, validated and compiled.

A scheme applies to one template and lists its ``indicators`` (each scored by one rule) and its
``grades``. The format is documented in docs/scoring.md and in :mod:`toolkit.score`; scoring
itself lives in :mod:`toolkit.score`. Validation errors name the file, the key path
(``indicators[3].bands[1].points``), what was expected and, for a misspelt key or value,
"did you mean …", like template specs (:mod:`toolkit.spec`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError
from .expr import ExpressionError, names_in
from .normalise import display, parse_bool
from .spec import ID_RE, TEMPLATES_DIR, Field, TemplateSpec, find_template
from .spec_parse import _Ctx as SpecContext, _did_you_mean

__all__ = ["RULES", "Indicator", "Grade", "ScoringScheme", "load_scheme", "parse_scheme",
           "expression_names", "value_fields"]

RULES = ("checklist", "self_score", "fixed", "rate", "bands", "deduct", "bonus", "veto", "weights")
_NUM = (int, float)
_TOP_KEYS = {"id": str, "title": str, "title_en": str, "template": str, "version": (str, int, float),
             "description": str, "from_checklist": bool, "quota_scope": str, "grades": list,
             "indicators": list}
_COMMON = {"id": str, "title": str, "title_en": str, "area": str, "max": _NUM, "rule": str,
           "replace": (str, list), "note": str}
_RULE_KEYS = {
    "checklist": {"rule": str, "areas": list, "column": str},
    "self_score": {"item": str, "column": str},
    "fixed": {"field": str, "value": str, "points": dict, "default": _NUM},
    "rate": {"value": str, "mode": str, "target": _NUM},
    "bands": {"value": str, "bands": list},
    "deduct": {"value": str, "per": _NUM, "floor": _NUM, "base": _NUM},
    "bonus": {"areas": list, "cap": _NUM, "column": str},
    "veto": {"areas": list, "column": str, "grade": str},
    "weights": {"weights": dict, "evaluation": str, "column": str},
}
_GRADE_KEYS = {"grade": str, "min": _NUM, "quota": _NUM}
_BAND_KEYS = {"min": _NUM, "points": _NUM}
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


# --------------------------------------------------------------------------- loading


def load_scheme(ref: str | Path, base: Path | None = None, *, spec: TemplateSpec | None = None) -> ScoringScheme:
    """Load a scheme: a bundled scheme id (``templates/<id>.yaml``) or a path (relative to *base*).

    The scheme's ``template`` is loaded too (relative to the scheme's folder) unless *spec* is
    given, in which case the scheme must apply to it. Raises :class:`SpecError`.
    """
    path = _scheme_path(str(ref), base)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise SpecError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except OSError as exc:
        raise SpecError(f"cannot read scoring scheme {path}: {exc.strerror}") from None
    return parse_scheme(raw, str(path), spec=spec, base=path.parent)


def _scheme_path(ref: str, base: Path | None) -> Path:
    candidate = Path(ref)
    if base is not None and not candidate.is_absolute():
        candidate = base / candidate
    if ref.endswith((".yaml", ".yml")) or candidate.is_file():
        if not candidate.is_file():
            raise SpecError(f"scoring scheme file not found: {candidate}")
        return candidate
    path = TEMPLATES_DIR / f"{ref}.yaml"
    if path.is_file():
        return path
    known = [p.stem for p in TEMPLATES_DIR.glob("*-scoring.yaml")]
    raise SpecError(f"unknown scoring scheme {ref!r}{did_you_mean(ref, known)}; "
                    f"bundled schemes: {', '.join(known) or 'none'}; or give a path to a .yaml file")


def parse_scheme(raw: Any, source: str = "<scheme>", *, spec: TemplateSpec | None = None,
                 base: Path | None = None) -> ScoringScheme:
    """Validate a parsed YAML mapping and compile it against its template."""
    ctx = _Ctx(source, base)
    top = ctx.mapping(raw, "", _TOP_KEYS, required=("id", "title", "template", "version"))
    ref = top["template"]
    if spec is None or ref.endswith((".yaml", ".yml")):
        loaded = _template(ctx, ref)
    else:
        loaded = spec if ref == spec.id else None
    if spec is not None and (loaded is None or loaded.id != spec.id):
        ctx.fail("template", f"the id of the campaign's template ({spec.id})", repr(ref))
    ctx.spec = spec or loaded
    entries = list(top.get("indicators") or [])
    if top.get("from_checklist"):
        entries.insert(0, {"rule": "checklist"})
    if not entries:
        ctx.fail("indicators", "at least one indicator (or from_checklist: true)", "none")
    offset = 1 if top.get("from_checklist") else 0
    indicators = _indicators(ctx, entries, offset)
    grades = _grades(ctx, top.get("grades"))
    _check_veto_grades(ctx, indicators, grades)
    scope = ctx.choice(top.get("quota_scope", "overall"), "quota_scope", ("overall", "group"))
    return ScoringScheme(
        id=str(top["id"]), title=top["title"], template=ctx.spec.id, version=str(top["version"]),
        indicators=tuple(indicators), grades=grades, quota_scope=scope,
        area_titles=_area_titles(ctx.spec, indicators), description=top.get("description", ""),
        path=source)


def _template(ctx: "_Ctx", ref: str) -> TemplateSpec:
    try:
        return find_template(ref, ctx.base)
    except SpecError as exc:
        ctx.fail("template", "a bundled template id or a path to a template spec", str(exc))


def _indicators(ctx: "_Ctx", entries: list, offset: int) -> list[Indicator]:
    """Compile every entry; checklist entries expand, replacing indicators take their item's place."""
    compiled = []
    for n, entry in enumerate(entries):
        path = f"indicators[{n - offset}]" if n >= offset else "from_checklist"
        compiled.extend(_compile_entry(ctx, entry, path))
    replacers: dict[str, Indicator] = {}
    for ind in compiled:
        for item_id in ind.replaces:
            if item_id in replacers:
                ctx.fail(f"{ind.params['path']}.replace", "each checklist item replaced at most once",
                         f"{item_id!r}, already replaced by {replacers[item_id].id!r}")
            replacers[item_id] = ind
    generated = {i.params["item"] for i in compiled if i.params.get("generated")}
    out, placed = [], set()
    for ind in compiled:
        if ind.params.get("generated") and ind.params["item"] in replacers:
            ind = replacers[ind.params["item"]]
            if ind.id in placed:
                continue
        elif set(ind.replaces) & generated:
            continue  # placed where the first item it replaces would have been
        out.append(ind)
        placed.add(ind.id)
    seen = set()
    for ind in out:
        if ind.id in seen:
            ctx.fail(f"{ind.params['path']}.id",
                     "each indicator id once (generated checklist indicators use the item ids)", f"{ind.id!r} twice")
        seen.add(ind.id)
    return out


def _grades(ctx: "_Ctx", raw: Any) -> tuple[Grade, ...]:
    if not isinstance(raw, list) or not raw:
        ctx.fail("grades", "a list of grades, best first, e.g. [{grade: 优秀, min: 90, quota: 0.15}, …]",
                 "nothing" if raw is None else type(raw).__name__)
    out = []
    for n, entry in enumerate(raw):
        path = f"grades[{n}]"
        d = ctx.mapping(entry, path, _GRADE_KEYS, required=("grade",))
        last = n == len(raw) - 1
        if last and "min" in d:
            ctx.fail(f"{path}.min", "no min on the last grade: it takes every unit below the others",
                     repr(d["min"]))
        if not last and d.get("min") is None:
            ctx.fail(f"{path}.min", "a minimum total (only the last grade has none)", "nothing")
        if out and d.get("min") is not None and d["min"] >= out[-1].min:
            ctx.fail(f"{path}.min", f"a minimum below the previous grade's ({out[-1].min})", repr(d["min"]))
        quota = d.get("quota")
        if quota is not None and not (0 < quota <= 1) or (last and quota is not None):
            ctx.fail(f"{path}.quota", "a share between 0 and 1 (0.15 = 15%), not on the last grade", repr(quota))
        if d["grade"] in [g.grade for g in out]:
            ctx.fail(f"{path}.grade", "each grade once", repr(d["grade"]))
        out.append(Grade(str(d["grade"]), d.get("min"), quota))
    return tuple(out)


def _check_veto_grades(ctx: "_Ctx", indicators, grades) -> None:
    names = [g.grade for g in grades]
    for ind in indicators:
        if ind.rule != "veto":
            continue
        grade = ind.params.get("grade") or names[-1]
        if grade not in names:
            ctx.fail(f"{ind.params['path']}.grade", f"one of the grades {', '.join(names)}",
                     f"{grade!r}{did_you_mean(grade, names)}")
        if grade == names[0] and len(names) > 1:
            ctx.fail(f"{ind.params['path']}.grade", "a grade below the top one: vetoed units are never top", repr(grade))
        ind.params["grade"] = grade


def _area_titles(spec: TemplateSpec, indicators) -> dict[str, str]:
    titles = {a.id: a.title for s in spec.sheets for a in s.areas}
    out = {}
    for ind in indicators:
        if ind.area not in out:
            out[ind.area] = titles.get(ind.area) or SPECIAL_AREAS.get(ind.area) or ind.title
    return out


# --------------------------------------------------------------------------- rules


def _compile_entry(ctx: "_Ctx", entry: Any, path: str) -> list[Indicator]:
    """One ``indicators`` entry: a checklist expansion, or one indicator of any other rule."""
    if not isinstance(entry, dict):
        ctx.fail(path, "a mapping (key: value)", type(entry).__name__)
    rule = ctx.choice(entry.get("rule"), f"{path}.rule", RULES)
    if rule == "checklist":
        return _checklist(ctx, ctx.mapping(entry, path, _RULE_KEYS[rule]), path)
    d = ctx.mapping(entry, path, {**_COMMON, **_RULE_KEYS[rule]}, required=("id", "title"))
    if not ID_RE.match(d["id"]):
        ctx.fail(f"{path}.id", "an id of letters, digits and _ starting with a letter", repr(d["id"]))
    replaces = _replaces(ctx, d, path)
    params = {"path": path}
    given = d.get("max", sum(ctx.items[i][0].max_points for i in replaces) if replaces else None)
    mx = _COMPILERS[rule](ctx, d, path, params, given)
    if mx is None:
        ctx.fail(f"{path}.max", "the indicator's maximum points (required for this rule)", "nothing")
    default_area = params.pop("default_area", None)
    area = d.get("area") or (ctx.items[replaces[0]][1].id if replaces else default_area) or d["id"]
    return [Indicator(d["id"], d["title"], rule, area, float(mx), params, replaces)]


def _replaces(ctx: "_Ctx", d: dict, path: str) -> tuple[str, ...]:
    raw = d.get("replace") or []
    ids = [raw] if isinstance(raw, str) else raw
    for item_id in ids:
        if item_id not in ctx.items or ctx.items[item_id][1].kind != "normal":
            normal = [i for i, (_, a) in ctx.items.items() if a.kind == "normal"]
            ctx.fail(f"{path}.replace", "ids of checklist items in normal areas",
                     f"{item_id!r}{did_you_mean(item_id, normal)}")
    return tuple(ids)


def _need(ctx: "_Ctx", d: dict, key: str, path: str) -> Any:
    if d.get(key) in (None, ""):
        ctx.fail(f"{path}.{key}", f"a value (required for rule {d.get('rule')})", "nothing")
    return d[key]


def _score_column(ctx: "_Ctx", area, column: str | None, path: str) -> str:
    ids = [c.id for c in area.columns]
    if column is None:
        column = next((c.id for c in area.columns if c.type == "score"), None)
        if column is None:
            ctx.fail(f"{path}.column", f"a column of area {area.id} (it has no score column)", "nothing")
    if column not in ids:
        ctx.fail(f"{path}.column", f"a column of area {area.id}: {', '.join(ids)}",
                 f"{column!r}{did_you_mean(column, ids)}")
    return column


def _areas(ctx: "_Ctx", d: dict, path: str, kind: str) -> list:
    by_id = {a.id: a for s in ctx.spec.sheets for a in s.areas}
    ids = d.get("areas") or [a.id for a in by_id.values() if a.kind == kind]
    if not ids:
        ctx.fail(f"{path}.areas", f"the template to have an area of kind {kind}", "none")
    for n, aid in enumerate(ids):
        if aid not in by_id or by_id[aid].kind != kind:
            fit = [a for a in by_id if by_id[a].kind == kind]
            ctx.fail(f"{path}.areas[{n}]", f"ids of {kind} areas of {ctx.spec.id}: {', '.join(fit)}",
                     f"{aid!r}{did_you_mean(str(aid), fit)}")
    return [by_id[a] for a in ids]


def _checklist(ctx: "_Ctx", d: dict, path: str) -> list[Indicator]:
    out = []
    for area in _areas(ctx, d, path, "normal"):
        column = _score_column(ctx, area, d.get("column"), path)
        out.extend(Indicator(item.id, item.content, "self_score", area.id, item.max_points,
                             {"key": f"{item.id}.{column}", "item": item.id, "generated": True, "path": path})
                   for item in area.items)
    return out


def _c_self_score(ctx, d, path, p, mx):
    item_id = _need(ctx, d, "item", path)
    if item_id not in ctx.items:
        ctx.fail(f"{path}.item", "the id of a checklist item", f"{item_id!r}{did_you_mean(item_id, ctx.items)}")
    item, area = ctx.items[item_id]
    p.update(item=item_id, key=f"{item_id}.{_score_column(ctx, area, d.get('column'), path)}", default_area=area.id)
    return item.max_points if mx is None else mx


def _c_fixed(ctx, d, path, p, mx):
    fields = value_fields(ctx.spec)
    if ("field" in d) == ("value" in d):
        ctx.fail(path, "either `field` (a field id) or `value` (an expression)", "both" if "field" in d else "neither")
    if "field" in d and d["field"] not in fields:
        ctx.fail(f"{path}.field", f"a field id of {ctx.spec.id} (checklist values: item.column)",
                 f"{d['field']!r}{did_you_mean(d['field'], fields)}")
    p["field"] = d.get("field")
    p["value"] = ctx.expr(d["value"], f"{path}.value") if "value" in d else None
    answers = _need(ctx, d, "points", path)
    p["points"] = [(ctx.answer_key(k, fields.get(d.get("field")), f"{path}.points.{k}"), v)
                   for k, v in answers.items()]
    p["default"] = d.get("default", 0)
    mx = max([v for _, v in p["points"]] + [p["default"]]) if mx is None else mx
    for key, value in list(answers.items()) + [("default", p["default"])]:
        if not isinstance(value, _NUM) or isinstance(value, bool) or value > mx:
            ctx.fail(f"{path}.points.{key}", f"a number of points ≤ max ({mx})", repr(value))
    return mx


def _c_rate(ctx, d, path, p, mx):
    p["value"] = ctx.expr(_need(ctx, d, "value", path), f"{path}.value")
    p["mode"] = ctx.choice(d.get("mode", "target"), f"{path}.mode", ("target", "best"))
    if p["mode"] == "target" and not (d.get("target") or 0) > 0:
        ctx.fail(f"{path}.target", "a positive target rate (mode target), e.g. 0.9", repr(d.get("target")))
    p["target"] = d.get("target")
    return mx


def _c_bands(ctx, d, path, p, mx):
    p["value"] = ctx.expr(_need(ctx, d, "value", path), f"{path}.value")
    raw = _need(ctx, d, "bands", path)
    bands = [ctx.mapping(b, f"{path}.bands[{n}]", _BAND_KEYS, required=("min", "points")) for n, b in enumerate(raw)]
    mx = max(b["points"] for b in bands) if mx is None else mx
    for n, band in enumerate(bands):
        if band["points"] > mx:
            ctx.fail(f"{path}.bands[{n}].points", f"points ≤ max ({mx})", repr(band["points"]))
    p["bands"] = sorted(((b["min"], b["points"]) for b in bands), reverse=True)
    return mx


def _c_deduct(ctx, d, path, p, mx):
    p["value"] = ctx.expr(_need(ctx, d, "value", path), f"{path}.value")
    for key in ("per", "floor"):
        if not _need(ctx, d, key, path) > 0:
            ctx.fail(f"{path}.{key}", "a positive number (points per unit; the most deducted)", repr(d[key]))
    if d.get("base", 0) < 0:
        ctx.fail(f"{path}.base", "0 or more: the points before deductions", repr(d["base"]))
    if "max" in d:
        ctx.fail(f"{path}.max", "no max for rule deduct: give `base` (points before deductions)", repr(d["max"]))
    p.update(per=d["per"], floor=d["floor"], base=d.get("base", 0))
    p["default_area"] = "deduction" if not p["base"] else None
    return mx if mx is not None else p["base"]


def _c_bonus(ctx, d, path, p, mx):
    areas = _areas(ctx, d, path, "bonus")
    p["items"] = [(f"{i.id}.{_score_column(ctx, a, d.get('column'), path)}", i.max_points)
                  for a in areas for i in a.items]
    default = sum(a.cap if a.cap is not None else sum(i.max_points for i in a.items) for a in areas)
    p["cap"] = d.get("cap", default)
    if p["cap"] < 0:
        ctx.fail(f"{path}.cap", "0 or more", repr(p["cap"]))
    p["default_area"] = "bonus"
    return p["cap"]


def _c_veto(ctx, d, path, p, mx):
    areas = _areas(ctx, d, path, "veto")
    p["keys"] = []
    for area in areas:
        ids = [c.id for c in area.columns]
        column = d.get("column", "occurred")
        if column not in ids:
            ctx.fail(f"{path}.column", f"a column of area {area.id}: {', '.join(ids)}",
                     f"{column!r}{did_you_mean(column, ids)}")
        p["keys"].extend(f"{i.id}.{column}" for i in area.items)
    p.update(grade=d.get("grade"), default_area="veto")
    return 0


def _c_weights(ctx, d, path, p, mx):
    weights = _need(ctx, d, "weights", path)
    for role, w in weights.items():
        if not isinstance(w, _NUM) or isinstance(w, bool) or w < 0:
            ctx.fail(f"{path}.weights.{role}", "a weight of 0 or more", repr(w))
    total = sum(weights.values())
    if not (abs(total - 1) < 1e-9 or abs(total - 100) < 1e-9):
        ctx.fail(f"{path}.weights", "weights that add up to 1 (or 100, as percentages)", f"a sum of {total:g}")
    p["weights"] = {str(r): w / total for r, w in weights.items()}
    p["column"], p["items"] = d.get("column", "score"), None
    if d.get("evaluation"):
        try:
            form = find_template(d["evaluation"], ctx.base)
        except SpecError as exc:
            ctx.fail(f"{path}.evaluation", "a bundled template id or a path to the evaluation form", str(exc))
        p["items"] = [(f"{i.id}.{_score_column(ctx, a, d.get('column'), path)}", i.max_points)
                      for s in form.sheets for a in s.areas if a.kind == "normal" for i in a.items]
    return 100 if mx is None else mx


_COMPILERS = {"self_score": _c_self_score, "fixed": _c_fixed, "rate": _c_rate, "bands": _c_bands,
              "deduct": _c_deduct, "bonus": _c_bonus, "veto": _c_veto, "weights": _c_weights}


# --------------------------------------------------------------------------- template lookups


def value_fields(spec: TemplateSpec) -> dict[str, Field]:
    """Every value key of a return: form field ids and checklist keys ``<item_id>.<column_id>``."""
    out = dict(spec.form_fields)
    for sheet in spec.sheets:
        for area in sheet.areas:
            for item in area.items:
                out.update({f"{item.id}.{c.id}": c for c in area.columns})
    return out


def expression_names(spec: TemplateSpec) -> dict[str, str]:
    """Names usable in scheme expressions → value keys: form field ids, and ``<item>_<column>``."""
    return {k.replace(".", "_"): k for k in value_fields(spec)}


did_you_mean = _did_you_mean


class _Ctx(SpecContext):
    """Validation context: the file, the template, and error formatting (shared with template specs)."""

    def __init__(self, source: str, base: Path | None):
        self.source, self.base = source, base
        self.spec: TemplateSpec | None = None

    @functools.cached_property
    def items(self) -> dict:
        """Checklist item id → (item, area) of the template (set ``spec`` first)."""
        return {i.id: (i, a) for s in self.spec.sheets for a in s.areas for i in a.items}

    def expr(self, source: str, path: str) -> str:
        try:
            used = names_in(source)
        except ExpressionError as exc:
            self.fail(path, "a valid expression", str(exc))
        known = expression_names(self.spec)
        for name in sorted(used - set(known) - {"true", "false", "none", "null", "True", "False", "None"}):
            self.fail(path, f"names of fields in the template {self.spec.id}",
                      f"unknown name {name!r}{did_you_mean(name, known)}")
        return source

    def answer_key(self, key: Any, fld: Field | None, path: str) -> str:
        """A ``fixed`` answer as :func:`display` writes it: "true"/"false" for yes/no (是/否), else text."""
        if isinstance(key, bool) or (fld is not None and fld.type == "bool") or str(key) in ("是", "否"):
            parsed = parse_bool(key)
            if parsed.value is None:
                self.fail(path, "是 or 否 (true/false) for a yes/no field", repr(key))
            return display(parsed.value)
        text = display(key)
        if fld is not None and fld.type == "choice" and text not in fld.choices:
            self.fail(path, f"one of the choices {', '.join(fld.choices)}", f"{text!r}{did_you_mean(text, fld.choices)}")
        return text
