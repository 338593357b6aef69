"""Validating a template spec: YAML mappings checked key by key and compiled to :mod:`toolkit.spec.model` objects.

Errors name the file, the key path (``sheets[2].fields[5].type``), what was expected and,
for a misspelt key or value, "did you mean …".
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import SpecError
from ..expr.language import ExpressionError, compile_expr
from ..i18n import Msg, Words
from ..output.names import sheet_name_problem
from ..states import Severity
from .errors import did_you_mean, error, expected, found, type_name, typed
from .model import (
    AREA_KINDS,
    FIELD_TYPES,
    ID_RE,
    SHEET_KINDS,
    TEMPLATE_ID_RE,
    Area,
    CarryFrom,
    Field,
    Item,
    Lifecycle,
    Rule,
    Sheet,
    SummaryRate,
    TemplateSpec,
)

__all__ = ["parse_spec", "ParseContext", "near"]


_FIELD_KEYS = {
    "id": str, "label": str, "label_en": str, "type": str, "required": bool, "min": (int, float),
    "max": (int, float), "choices": list, "synonyms": dict, "pattern": str, "help": str,
    "prefill": str, "formula": str, "unit": str, "scale": int, "carry": bool,
    "required_if": str, "width": (int, float), "in_period": bool, "pattern_hint": str,
}
_ITEM_KEYS = {"id": str, "content": str, "standard": str, "max": (int, float), "evidence": str}
_AREA_KEYS = {"id": str, "title": str, "title_en": str, "kind": str, "items": list,
              "columns": list, "cap": (int, float)}
_RULE_KEYS = {"id": str, "expr": str, "message": str, "message_en": str, "fields": list,
              "severity": str}
_SHEET_KEYS = {
    "id": str, "kind": str, "name": str, "title": str, "text": str, "fields": list,
    "columns": list, "areas": list, "rows": int, "key": list, "rules": list,
    "row_rules": list, "name_en": str, "carry_if": str, "carry_from": dict, "lifecycle": dict,
}
_CARRY_FROM_KEYS = {"sheet": str, "columns": dict, "if": str}
_LIFECYCLE_KEYS = {"status": str, "closed": list, "in_progress": list, "closed_on": str, "deadline": str,
                   "problem": str, "reason": str}
_TOP_KEYS = {"id": str, "version": (str, int, float), "title": str, "title_en": str,
             "description": str, "sheets": list, "rules": list, "scoring": str, "summary": list,
             "return_key": list}
_SUMMARY_KEYS = {"id": str, "label": str, "label_en": str, "numerator": str, "denominator": str}


def parse_spec(raw: Any, source: str = "<spec>") -> TemplateSpec:
    """Validate a parsed YAML mapping and compile it to a :class:`TemplateSpec`."""
    ctx = ParseContext(source)
    top = ctx.mapping(raw, "", _TOP_KEYS, required=("id", "version", "title", "sheets"))
    tid = top["id"]
    if not TEMPLATE_ID_RE.match(tid):
        ctx.fail("id", expected("template_id"), repr(tid))
    sheets = [_sheet(ctx, s, f"sheets[{n}]") for n, s in enumerate(top["sheets"])]
    if not sheets:
        ctx.fail("sheets", expected("sheets"), found("empty_list"))
    _unique(ctx, [s.id for s in sheets], "sheets", "sheet id")
    _unique(ctx, [s.name.lower() for s in sheets], "sheets", "sheet name (case-insensitive)")
    for n, s in enumerate(sheets):
        if s.name.lower() in ("_meta", "_lists"):
            ctx.fail(f"sheets[{n}].name", expected("not_reserved"), s.name)
    _unique_ids(ctx, sheets)
    _check_carry_sources(ctx, sheets)
    names = {f.id for s in sheets for f in s.fields}
    rules = tuple(_rule(ctx, r, f"rules[{n}]", names) for n, r in enumerate(top.get("rules") or []))
    for s_no, sheet in enumerate(sheets):
        for f_no, fld in enumerate(sheet.fields):
            if fld.formula:
                _check_expr(ctx, fld.formula, f"sheets[{s_no}].fields[{f_no}].formula", names)
        _check_required_if(ctx, sheet, f"sheets[{s_no}]", names)
    summary = tuple(_summary(ctx, r, f"summary[{n}]", names) for n, r in enumerate(top.get("summary") or []))
    for n, key in enumerate(top.get("return_key") or []):
        if key not in names:
            ctx.fail(f"return_key[{n}]", expected("form_field"), near(key, names))
    return TemplateSpec(
        summary=summary, return_key=tuple(top.get("return_key") or ()), id=tid, version=str(top["version"]), title=top["title"], sheets=tuple(sheets),
        rules=rules, description=top.get("description", ""), title_en=top.get("title_en"),
        scoring=top.get("scoring"), path=source,
    )


def _sheet(ctx: "ParseContext", raw: Any, path: str) -> Sheet:
    d = ctx.mapping(raw, path, _SHEET_KEYS, required=("id", "kind", "name"))
    kind = ctx.choice(d["kind"], f"{path}.kind", SHEET_KINDS)
    sid = ctx.ident(d["id"], f"{path}.id")
    name = d["name"]
    problem = sheet_name_problem(name)
    if problem:  # what Excel refuses: at most 31 characters, none of []:*?/\, no apostrophe at an edge
        ctx.fail(f"{path}.name", expected("sheet_name", chars="[]:*?/\\"), found("sheet_name", name=repr(name), problem=problem))
    fields = tuple(_field(ctx, f, f"{path}.fields[{n}]") for n, f in enumerate(d.get("fields") or []))
    columns = tuple(_field(ctx, c, f"{path}.columns[{n}]") for n, c in enumerate(d.get("columns") or []))
    areas = tuple(_area(ctx, a, f"{path}.areas[{n}]", columns) for n, a in enumerate(d.get("areas") or []))
    if kind == "form" and not fields:
        ctx.fail(f"{path}.fields", expected("form_sheet"), found("no_fields"))
    if kind == "checklist" and (not areas or not columns):
        ctx.fail(f"{path}", expected("checklist"), found("missing"))
    if kind == "table" and not columns:
        ctx.fail(f"{path}.columns", expected("table"), found("no_columns"))
    _unique(ctx, [c.id for c in columns], f"{path}.columns", "column id")
    _unique(ctx, [a.id for a in areas], f"{path}.areas", "area id")
    key = tuple(d.get("key") or ())
    for k in key:
        if k not in {c.id for c in columns}:
            ctx.fail(f"{path}.key", expected("column_ids"), near(k, [c.id for c in columns]))
    col_ids = {c.id for c in columns}
    row_rules = tuple(_rule(ctx, r, f"{path}.row_rules[{n}]", col_ids)
                      for n, r in enumerate(d.get("row_rules") or []))
    if "carry_if" in d:
        _check_expr(ctx, d["carry_if"], f"{path}.carry_if", col_ids)
    return Sheet(id=sid, kind=kind, name=name, title=d.get("title", name), text=d.get("text", ""),
                 fields=fields, columns=columns, areas=areas, rows=int(d.get("rows", 20)),
                 key=key, row_rules=row_rules, carry_if=d.get("carry_if"),
                 carry_from=_carry_from(ctx, d.get("carry_from"), f"{path}.carry_from", col_ids),
                 lifecycle=_lifecycle(ctx, d.get("lifecycle"), f"{path}.lifecycle", columns))


def _carry_from(ctx: "ParseContext", raw: Any, path: str, col_ids: set[str]) -> CarryFrom | None:
    if raw is None:
        return None
    d = ctx.mapping(raw, path, _CARRY_FROM_KEYS, required=("sheet", "columns"))
    for target in d["columns"]:
        if target not in col_ids:
            ctx.fail(f"{path}.columns", expected("column_keys"), near(target, col_ids))
    return CarryFrom(d["sheet"], tuple((str(k), str(v)) for k, v in d["columns"].items()), d.get("if"))


def _lifecycle(ctx: "ParseContext", raw: Any, path: str, columns: tuple[Field, ...]) -> Lifecycle | None:
    if raw is None:
        return None
    d = ctx.mapping(raw, path, _LIFECYCLE_KEYS, required=("status", "closed"))
    ids = {c.id for c in columns}
    for key in ("status", "closed_on", "deadline", "problem", "reason"):
        if d.get(key) is not None and d[key] not in ids:
            ctx.fail(f"{path}.{key}", expected("column_id"), near(d[key], ids))
    return Lifecycle(d["status"], tuple(map(str, d["closed"])), tuple(map(str, d.get("in_progress") or ())),
                     d.get("closed_on"), d.get("deadline"), d.get("problem"), d.get("reason"))


def _field(ctx: "ParseContext", raw: Any, path: str) -> Field:
    d = ctx.mapping(raw, path, _FIELD_KEYS, required=("id", "label"))
    ftype = ctx.choice(d.get("type", "text"), f"{path}.type", FIELD_TYPES)
    choices = tuple(str(c) for c in d.get("choices") or ())
    if ftype == "choice" and not choices:
        ctx.fail(f"{path}.choices", expected("choice_list"), found("none"))
    synonyms = []
    for choice, syns in (d.get("synonyms") or {}).items():
        if str(choice) not in choices:
            ctx.fail(f"{path}.synonyms", expected("choice_keys", choices=", ".join(choices)), near(choice, choices))
        synonyms.extend((str(s), str(choice)) for s in (syns if isinstance(syns, list) else [syns]))
    if "pattern" in d:
        try:
            re.compile(d["pattern"])
        except re.error as exc:
            ctx.fail(f"{path}.pattern", expected("regex"), f"{d['pattern']!r} ({exc})")
    if "min" in d and "max" in d and d["min"] > d["max"]:
        ctx.fail(f"{path}.min", expected("min_max", max=d["max"]), str(d["min"]))
    if d.get("scale", 100) not in (1, 100):
        ctx.fail(f"{path}.scale", expected("scale"), str(d.get("scale")))
    if "required_if" in d:
        _check_expr(ctx, d["required_if"], f"{path}.required_if", None)
    if "formula" in d:  # names are checked where the field's scope is known (form fields, below)
        _check_expr(ctx, d["formula"], f"{path}.formula", None)
    return Field(
        id=ctx.ident(d["id"], f"{path}.id"), label=d["label"], type=ftype,
        required=bool(d.get("required", False)), min=d.get("min"), max=d.get("max"),
        choices=choices, synonyms=tuple(synonyms), pattern=d.get("pattern"),
        pattern_hint=d.get("pattern_hint"), help=d.get("help"), prefill=d.get("prefill"),
        formula=d.get("formula"), unit=d.get("unit"), scale=int(d.get("scale", 100)),
        carry=bool(d.get("carry", False)), required_if=d.get("required_if"), width=d.get("width"),
        in_period=bool(d.get("in_period", False)), label_en=d.get("label_en"),
    )


def _area(ctx: "ParseContext", raw: Any, path: str, sheet_columns: tuple[Field, ...]) -> Area:
    d = ctx.mapping(raw, path, _AREA_KEYS, required=("id", "title", "items"))
    aid = ctx.ident(d["id"], f"{path}.id")
    kind = ctx.choice(d.get("kind", "normal"), f"{path}.kind", AREA_KINDS)
    columns = tuple(_field(ctx, c, f"{path}.columns[{n}]") for n, c in enumerate(d.get("columns") or []))
    _unique(ctx, [c.id for c in columns], f"{path}.columns", "column id")
    items = []
    for n, it in enumerate(d["items"]):
        ip = f"{path}.items[{n}]"
        di = ctx.mapping(it, ip, _ITEM_KEYS, required=("id", "content"))
        items.append(Item(id=ctx.ident(di["id"], f"{ip}.id"), content=di["content"],
                          standard=di.get("standard", ""), max_points=float(di.get("max", 0)),
                          area_id=aid, evidence=di.get("evidence")))
    if not items:
        ctx.fail(f"{path}.items", expected("items"), found("none"))
    return Area(id=aid, title=d["title"], kind=kind, items=tuple(items),
                columns=columns or sheet_columns, cap=d.get("cap"))


def _rule(ctx: "ParseContext", raw: Any, path: str, names: set[str] | None) -> Rule:
    d = ctx.mapping(raw, path, _RULE_KEYS, required=("id", "expr", "message"))
    _check_expr(ctx, d["expr"], f"{path}.expr", names)
    sev = ctx.choice(d.get("severity", "error"), f"{path}.severity", (Severity.ERROR, Severity.WARNING))
    return Rule(id=ctx.ident(d["id"], f"{path}.id"), expr=d["expr"], message=d["message"],
                fields=tuple(d.get("fields") or ()), severity=sev, message_en=d.get("message_en"))


def _check_required_if(ctx: "ParseContext", sheet: Sheet, path: str, names: set[str]) -> None:
    """`required_if` sees the form fields and the columns of its own row."""
    for f_no, fld in enumerate(sheet.fields):
        if fld.required_if:
            _check_expr(ctx, fld.required_if, f"{path}.fields[{f_no}].required_if", names)
    groups = [(f"{path}.columns", sheet.columns)] + [(f"{path}.areas[{n}].columns", a.columns)
                                                      for n, a in enumerate(sheet.areas)]
    for cpath, columns in groups:
        row_names = names | {c.id for c in columns}
        for c_no, col in enumerate(columns):
            if col.required_if:
                _check_expr(ctx, col.required_if, f"{cpath}[{c_no}].required_if", row_names)


def _summary(ctx: "ParseContext", raw: Any, path: str, names: set[str]) -> SummaryRate:
    d = ctx.mapping(raw, path, _SUMMARY_KEYS, required=("id", "label", "numerator", "denominator"))
    for key in ("numerator", "denominator"):
        if d[key] not in names:
            ctx.fail(f"{path}.{key}", expected("form_field"), near(d[key], names))
    return SummaryRate(ctx.ident(d["id"], f"{path}.id"), d["label"], d["numerator"], d["denominator"],
                       d.get("label_en"))


def _check_expr(ctx: "ParseContext", source: str, path: str, names: set[str] | None) -> None:
    from ..expr.language import names_in
    try:
        compile_expr(source)
        used = names_in(source)
    except ExpressionError as exc:
        ctx.fail(path, expected("expression"), exc.message)
    if names is not None:
        for name in sorted(used - names - {"true", "false", "none", "True", "False", "None"}):
            ctx.fail(path, expected("field_names"), found("unknown_name", name=repr(name), hint=did_you_mean(name, names)))


def _check_carry_sources(ctx: "ParseContext", sheets: list[Sheet]) -> None:
    tables = {s.id: s for s in sheets if s.kind == "table"}
    for n, sheet in enumerate(sheets):
        if sheet.carry_from is None:
            continue
        path = f"sheets[{n}].carry_from"
        source = tables.get(sheet.carry_from.sheet)
        if source is None:
            ctx.fail(f"{path}.sheet", expected("table_sheet"), near(sheet.carry_from.sheet, tables))
        ids = {c.id for c in source.columns}
        for _, src in sheet.carry_from.columns:
            if src not in ids:
                ctx.fail(f"{path}.columns", expected("column_values", source=source.id), near(src, ids))
        if sheet.carry_from.condition:
            _check_expr(ctx, sheet.carry_from.condition, f"{path}.if", ids)


def _unique_ids(ctx: "ParseContext", sheets: list[Sheet]) -> None:
    """Field, item and table column ids are unique across the template; the error names the second."""
    seen: dict[str, str] = {}
    for s_no, sheet in enumerate(sheets):
        places = [(f"sheets[{s_no}].fields[{n}].id", f.id) for n, f in enumerate(sheet.fields)]
        places += [(f"sheets[{s_no}].areas[{a}].items[{n}].id", i.id)
                   for a, area in enumerate(sheet.areas) for n, i in enumerate(area.items)]
        if sheet.kind == "table":
            places += [(f"sheets[{s_no}].columns[{n}].id", c.id) for n, c in enumerate(sheet.columns)]
        for path, ident in places:
            if ident in seen:
                ctx.fail(path, expected("unique_id"), found("used_at", value=repr(ident), path=seen[ident]))
            seen[ident] = path


def _unique(ctx: "ParseContext", values: list[str], path: str, what: str) -> None:
    seen = set()
    for v in values:
        if v in seen:
            ctx.fail(path, expected("once", what=what), found("twice", value=repr(v)))
        seen.add(v)


def near(value: Any, options) -> Msg:
    """A value that is not one of *options*, with the closest option when there is one."""
    return found("value", value=repr(value), hint=did_you_mean(str(value), options))


class ParseContext:
    """Validation context: knows the file and formats errors."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, path: str, expected: Msg, got: Msg | Words | str):
        """Stop loading: where, what was expected (a message of toolkit.spec.errors) and what was found."""
        raise SpecError(error(self.source, path, expected, got))

    def mapping(self, raw: Any, path: str, keys: dict, required=()) -> dict:
        """Check a mapping's keys (unknown → did you mean), value types and required keys."""
        if not isinstance(raw, dict):
            self.fail(path, expected("mapping"), type_name(raw))
        for key, value in raw.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in keys:
                self.fail(where, expected("keys", keys=", ".join(keys)),
                          found("unknown_key", key=repr(key), hint=did_you_mean(str(key), keys)))
            kind = keys[key]
            numeric = isinstance(kind, tuple) and float in kind
            if value is not None and (not isinstance(value, kind) or (numeric and isinstance(value, bool))):
                self.fail(where, expected(kind.__name__ if isinstance(kind, type) else "number" if numeric else "text_or_list"),
                          typed(value))
        for key in required:
            if raw.get(key) in (None, ""):
                self.fail(f"{path}.{key}" if path else key, expected("required"), found("nothing"))
        return raw

    def choice(self, value: Any, path: str, options) -> str:
        if value not in options:
            self.fail(path, expected("one_of", options=", ".join(options)), near(value, options))
        return value

    def ident(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not ID_RE.match(value):
            self.fail(path, expected("id_no_dots"), repr(value))
        return value
