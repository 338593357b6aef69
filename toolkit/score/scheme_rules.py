"""Compiling a scoring scheme's indicators: one compiler per rule, and the validation context.

:func:`compile_entry` turns one ``indicators`` entry into :class:`~toolkit.score.scheme_model.Indicator`
objects through the rule's compiler in ``_COMPILERS``; :class:`SchemeContext` carries the file, the template
and the error formatting shared with template specs (:mod:`toolkit.spec.parse`). Loading and the
checks across indicators live in :mod:`toolkit.score.scheme`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..expr.language import ExpressionError, names_in
from ..i18n import Words
from ..normalise.values import display, parse_bool
from ..spec.errors import did_you_mean, expected, found, type_name
from ..spec.load import find_template
from ..spec.model import ID_RE, Field, TemplateSpec
from ..spec.parse import ParseContext, near
from .scheme_model import BAND_KEYS, COMMON_KEYS, NUMBER_TYPES, RULE_KEYS, RULES, Indicator

__all__ = ["value_fields", "expression_names"]


# --------------------------------------------------------------------------- rules


def compile_entry(ctx: "SchemeContext", entry: Any, path: str) -> list[Indicator]:
    """One ``indicators`` entry: a checklist expansion, or one indicator of any other rule."""
    if not isinstance(entry, dict):
        ctx.fail(path, expected("mapping"), type_name(entry))
    rule = ctx.choice(entry.get("rule"), f"{path}.rule", RULES)
    if rule == "checklist":
        return _checklist(ctx, ctx.mapping(entry, path, RULE_KEYS[rule]), path)
    d = ctx.mapping(entry, path, {**COMMON_KEYS, **RULE_KEYS[rule]}, required=("id", "title"))
    if not ID_RE.match(d["id"]):
        ctx.fail(f"{path}.id", expected("id"), repr(d["id"]))
    replaces = _replaces(ctx, d, path)
    params = {"path": path}
    given = d.get("max", sum(ctx.items[i][0].max_points for i in replaces) if replaces else None)
    mx = _COMPILERS[rule](ctx, d, path, params, given)
    if mx is None:
        ctx.fail(f"{path}.max", expected("max_points"), found("nothing"))
    default_area = params.pop("default_area", None)
    area = d.get("area") or (ctx.items[replaces[0]][1].id if replaces else default_area) or d["id"]
    return [Indicator(d["id"], d["title"], rule, area, float(mx), params, replaces, d.get("title_en"))]


def _replaces(ctx: "SchemeContext", d: dict, path: str) -> tuple[str, ...]:
    raw = d.get("replace") or []
    ids = [raw] if isinstance(raw, str) else raw
    for item_id in ids:
        if item_id not in ctx.items or ctx.items[item_id][1].kind != "normal":
            normal = [i for i, (_, a) in ctx.items.items() if a.kind == "normal"]
            ctx.fail(f"{path}.replace", expected("normal_items"), near(item_id, normal))
    return tuple(ids)


def _need(ctx: "SchemeContext", d: dict, key: str, path: str) -> Any:
    if d.get(key) in (None, ""):
        ctx.fail(f"{path}.{key}", expected("required_for_rule", rule=d.get("rule")), found("nothing"))
    return d[key]


def _score_column(ctx: "SchemeContext", area, column: str | None, path: str) -> str:
    ids = [c.id for c in area.columns]
    if column is None:
        column = next((c.id for c in area.columns if c.type == "score"), None)
        if column is None:
            ctx.fail(f"{path}.column", expected("area_column_none", area=area.id), found("nothing"))
    if column not in ids:
        ctx.fail(f"{path}.column", expected("area_column", area=area.id, ids=", ".join(ids)), near(column, ids))
    return column


def _areas(ctx: "SchemeContext", d: dict, path: str, kind: str) -> list:
    by_id = {a.id: a for s in ctx.spec.sheets for a in s.areas}
    ids = d.get("areas") or [a.id for a in by_id.values() if a.kind == kind]
    if not ids:
        ctx.fail(f"{path}.areas", expected("area_kind", kind=kind), found("none"))
    for n, aid in enumerate(ids):
        if aid not in by_id or by_id[aid].kind != kind:
            fit = [a for a in by_id if by_id[a].kind == kind]
            ctx.fail(f"{path}.areas[{n}]", expected("area_ids", kind=kind, template=ctx.spec.id, ids=", ".join(fit)),
                     near(aid, fit))
    return [by_id[a] for a in ids]


def _checklist(ctx: "SchemeContext", d: dict, path: str) -> list[Indicator]:
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
        ctx.fail(f"{path}.item", expected("item"), near(item_id, ctx.items))
    item, area = ctx.items[item_id]
    p.update(item=item_id, key=f"{item_id}.{_score_column(ctx, area, d.get('column'), path)}", default_area=area.id)
    return item.max_points if mx is None else mx


def _c_fixed(ctx, d, path, p, mx):
    fields = value_fields(ctx.spec)
    if ("field" in d) == ("value" in d):
        ctx.fail(path, expected("field_or_value"), found("both" if "field" in d else "neither"))
    if "field" in d and d["field"] not in fields:
        ctx.fail(f"{path}.field", expected("field_of", template=ctx.spec.id), near(d["field"], fields))
    p["field"] = d.get("field")
    p["value"] = ctx.expr(d["value"], f"{path}.value") if "value" in d else None
    answers = _need(ctx, d, "points", path)
    p["points"] = [(ctx.answer_key(k, fields.get(d.get("field")), f"{path}.points.{k}"), v)
                   for k, v in answers.items()]
    p["default"] = d.get("default", 0)
    mx = max([v for _, v in p["points"]] + [p["default"]]) if mx is None else mx
    for key, value in list(answers.items()) + [("default", p["default"])]:
        if not isinstance(value, NUMBER_TYPES) or isinstance(value, bool) or value > mx:
            ctx.fail(f"{path}.points.{key}", expected("points_max", max=mx), repr(value))
    return mx


def _c_rate(ctx, d, path, p, mx):
    p["value"] = ctx.expr(_need(ctx, d, "value", path), f"{path}.value")
    p["mode"] = ctx.choice(d.get("mode", "target"), f"{path}.mode", ("target", "best"))
    if p["mode"] == "target" and not (d.get("target") or 0) > 0:
        ctx.fail(f"{path}.target", expected("target"), repr(d.get("target")))
    p["target"] = d.get("target")
    return mx


def _c_bands(ctx, d, path, p, mx):
    p["value"] = ctx.expr(_need(ctx, d, "value", path), f"{path}.value")
    raw = _need(ctx, d, "bands", path)
    bands = [ctx.mapping(b, f"{path}.bands[{n}]", BAND_KEYS, required=("min", "points")) for n, b in enumerate(raw)]
    mx = max(b["points"] for b in bands) if mx is None else mx
    for n, band in enumerate(bands):
        if band["points"] > mx:
            ctx.fail(f"{path}.bands[{n}].points", expected("band_points", max=mx), repr(band["points"]))
    p["bands"] = sorted(((b["min"], b["points"]) for b in bands), reverse=True)
    return mx


def _c_deduct(ctx, d, path, p, mx):
    p["value"] = ctx.expr(_need(ctx, d, "value", path), f"{path}.value")
    for key in ("per", "floor"):
        if not _need(ctx, d, key, path) > 0:
            ctx.fail(f"{path}.{key}", expected("per"), repr(d[key]))
    if d.get("base", 0) < 0:
        ctx.fail(f"{path}.base", expected("base"), repr(d["base"]))
    if "max" in d:
        ctx.fail(f"{path}.max", expected("no_max"), repr(d["max"]))
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
        ctx.fail(f"{path}.cap", expected("zero_or_more"), repr(p["cap"]))
    p["default_area"] = "bonus"
    return p["cap"]


def _c_veto(ctx, d, path, p, mx):
    areas = _areas(ctx, d, path, "veto")
    p["keys"] = []
    for area in areas:
        ids = [c.id for c in area.columns]
        column = d.get("column", "occurred")
        if column not in ids:
            ctx.fail(f"{path}.column", expected("area_column", area=area.id, ids=", ".join(ids)), near(column, ids))
        p["keys"].extend(f"{i.id}.{column}" for i in area.items)
        p.setdefault("items", {}).update({f"{i.id}.{column}": i.content for i in area.items})
    p.update(grade=d.get("grade"), default_area="veto")
    return 0


def _c_weights(ctx, d, path, p, mx):
    weights = _need(ctx, d, "weights", path)
    for role, w in weights.items():
        if not isinstance(w, NUMBER_TYPES) or isinstance(w, bool) or w < 0:
            ctx.fail(f"{path}.weights.{role}", expected("weight"), repr(w))
    total = sum(weights.values())
    if not (abs(total - 1) < 1e-9 or abs(total - 100) < 1e-9):
        ctx.fail(f"{path}.weights", expected("weights"), found("sum", sum=f"{total:g}"))
    p["weights"] = {str(r): w / total for r, w in weights.items()}
    p["column"], p["items"] = d.get("column", "score"), None
    if d.get("evaluation"):
        try:
            form = find_template(d["evaluation"], ctx.base)
        except SpecError as exc:
            ctx.fail(f"{path}.evaluation", expected("evaluation"), Words(exc.zh or str(exc), str(exc)))
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




class SchemeContext(ParseContext):
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
            self.fail(path, expected("expression"), exc.message)
        known = expression_names(self.spec)
        for name in sorted(used - set(known) - {"true", "false", "none", "null", "True", "False", "None"}):
            self.fail(path, expected("field_names_of", template=self.spec.id),
                      found("unknown_name", name=repr(name), hint=did_you_mean(name, known)))
        return source

    def answer_key(self, key: Any, fld: Field | None, path: str) -> str:
        """A ``fixed`` answer as :func:`display` writes it: "true"/"false" for yes/no (是/否), else text."""
        if isinstance(key, bool) or (fld is not None and fld.type == "bool") or str(key) in ("是", "否"):
            parsed = parse_bool(key)
            if parsed.value is None:
                self.fail(path, expected("yes_no"), repr(key))
            return display(parsed.value)
        text = display(key)
        if fld is not None and fld.type == "choice" and text not in fld.choices:
            self.fail(path, expected("choices", choices=", ".join(fld.choices)), near(text, fld.choices))
        return text
