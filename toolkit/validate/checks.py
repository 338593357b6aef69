"""The checks: small functions in an explicit list, each yielding issues.

A check receives a :class:`Return` (one accepted return, its fields
normalised) and yields :class:`Issue` objects. Adding a rule means adding a
function to :data:`toolkit.validate.checklist.CHECKS` and its code to :mod:`toolkit.catalogue.checks`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterator

from ..catalogue.checks import CODES
from ..codes import CATALOGUE, Words
from ..expr.language import ExpressionError, evaluate, names_in
from ..i18n import define, pick, t
from ..model import Entry, Issue, Return, Severity

__all__ = ["Issue", "Entry", "Return", "CODES", "new_issue", "check_structure", "check_parse", "check_required",
           "check_bounds", "check_pattern", "check_period", "check_required_if", "check_table_keys",
           "check_row_rules", "check_rules"]



def new_issue(code: str, e: Entry, variant: str = "", **params: Any) -> Issue:
    label_en = (e.field.label_en or "") if e.label == e.field.label else ""  # a checklist item's label is its own
    return Issue(code, CATALOGUE[code].severity, e.sheet, e.cell, e.field_id if e.row is None else
                 f"{e.field_id}[{e.row}]", e.label, "" if e.raw is None else e.raw, params, label_en, variant)


# A reading finding carries one piece of text; it names this parameter of its code's template.
_FINDING_PARAM = {"structure.sheet_missing": "sheet_id", "structure.sheet_renamed": "sheet",
                  "structure.field_missing": "label", "structure.item_missing": "content",
                  "structure.header_missing": "sheet"}


def check_structure(ret: Return) -> Iterator[Issue]:
    for f in ret.findings:
        params = {_FINDING_PARAM.get(f.code, "found"): f.detail} if f.detail else {}
        yield Issue(f.code, CATALOGUE[f.code].severity, f.sheet, f.cell, f.field_id, params=params)


def check_parse(ret: Return) -> Iterator[Issue]:
    yield from ret.parse_issues


def check_required(ret: Return) -> Iterator[Issue]:
    """Required inputs left blank (blank table rows never reach the entries: a started row must be complete)."""
    for e in ret.entries.values():
        if e.field.required and e.field.is_input and e.value is None and _blank(e.raw):
            yield new_issue("value.required", e)


def _blank(raw: Any) -> bool:
    """Nothing typed: an empty cell, or only spaces (full-width, NBSP and zero-width ones too).

    Not a value that failed to parse ("约12", "#N/A"): that has its own issue already.
    """
    from ..normalise.values import Parsed, parse_text
    return raw is None or (isinstance(raw, str) and parse_text(raw) == Parsed())


def check_bounds(ret: Return) -> Iterator[Issue]:
    for e in ret.entries.values():
        v, f = e.value, e.field
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            continue
        if f.type == "score" and e.item_max is not None:
            if v > e.item_max:
                yield new_issue("value.score_over_max", e, max_points=_number_text(e.item_max))
            elif v < 0:
                yield new_issue("value.out_of_range", e, bounds=f"0..{_number_text(e.item_max)}")
            continue
        lo = f.min if f.min is not None else (0 if f.type == "percent" else None)
        hi = f.max if f.max is not None else ((100 if f.scale == 100 else 1) if f.type == "percent" else None)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            bounds = f"{_number_text(lo) if lo is not None else ''}..{_number_text(hi) if hi is not None else ''}"
            # a computed value is not typed by the unit: the values it is computed from are what to check
            yield new_issue("value.out_of_range", e, "computed" if f.formula else "", bounds=bounds)


def check_pattern(ret: Return) -> Iterator[Issue]:
    for e in ret.entries.values():
        if e.field.pattern and isinstance(e.value, str) and e.value and not re.fullmatch(e.field.pattern, e.value):
            yield new_issue("value.pattern_mismatch", e, pattern=e.field.pattern_hint or e.field.pattern)


def check_period(ret: Return) -> Iterator[Issue]:
    import datetime as dt
    if not ret.period:
        return
    start, end = ret.period
    for e in ret.entries.values():
        if e.field.in_period and isinstance(e.value, dt.date) and not start <= e.value <= end:
            yield new_issue("value.date_out_of_period", e, start=str(start), end=str(end))


# What people type to say "nothing here": where a condition requires an answer, these are no answer.
_PLACEHOLDERS = frozenset({"无", "没有", "暂无", "略", "空", "/", "\\", "-", "--", "—", "——", "…", "...",
                           "n/a", "na", "none", "nil", "null"})


def _placeholder(raw: Any) -> bool:
    if not isinstance(raw, str) or len(raw) > 12:  # an answer of any length is not a placeholder
        return False
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    if text and set(text) <= set("-—_/\\.…*。"):  # only dashes, slashes, dots
        return True
    return text.rstrip("。.").strip() in _PLACEHOLDERS


def check_required_if(ret: Return) -> Iterator[Issue]:
    for (fid, row), e in ret.entries.items():
        cond = e.field.required_if
        if not cond or not ((e.value in (None, "") and _blank(e.raw)) or _placeholder(e.raw)):
            continue
        names = _row_names(ret, e)
        try:
            needed = evaluate(cond, names)
        except ExpressionError:
            continue
        if needed:
            if "evid" in e.field.id or "佐证" in e.field.label:
                yield new_issue("value.evidence_required", e)
            else:
                yield new_issue("value.required", e, condition=_condition_words(cond, ret))


# How a required_if condition's operators and constants read (a name not here is a field id or kept as written).
_CONDITION_WORDS = define("validate.condition", {
    "==": ("为", "is"), "!=": ("不为", "is not"), "and": ("且", "and"), "or": ("或", "or"), "not": ("非", "not"),
    "True": ("是", "yes"), "False": ("否", "no"), "true": ("是", "yes"), "false": ("否", "no"),
    "None": ("空", "None"), "none": ("空", "none"),
})
define("validate", {"condition_field": ("「{label}」", "'{label}'")})


def _condition_words(cond: str, ret: Return) -> Words:
    """A required_if condition as the unit reads it: fields by their labels, 为/且/或 for ==/and/or."""
    fields = {e.field.id: e.field for e in ret.entries.values()}

    def words(lang: str):
        def one(m: re.Match) -> str:
            word = m.group(0)
            if word in fields:
                return t("validate.condition_field", lang, label=pick(Words(fields[word].label, fields[word].label_en), lang))
            key = f"validate.condition.{word}"
            return t(key, lang) if key in _CONDITION_WORDS else word
        return re.sub(r"==|!=|[A-Za-z_][A-Za-z0-9_]*", one, cond)
    return Words(words("zh"), words("en"))


def _row_names(ret: Return, e: Entry) -> dict[str, Any]:
    """Names an expression on a checklist/table row sees: that row's columns, plus form fields."""
    names = ret.names()
    if "." in e.field_id:
        names.update(ret.item_names(e.field_id.split(".", 1)[0]))
    elif e.row is not None:
        names.update(ret.names(e.row, e.sheet_id))
    return names


def check_table_keys(ret: Return) -> Iterator[Issue]:
    for sheet in ret.spec.sheets:
        if sheet.kind != "table" or not sheet.key:
            continue
        seen: dict[tuple, Entry] = {}
        rows = sorted({r for (fid, r), e in ret.entries.items() if e.sheet_id == sheet.id and r is not None})
        for row in rows:
            key = tuple(_key_text(ret.entries.get((k, row)).value) if ret.entries.get((k, row)) else None
                        for k in sheet.key)
            if all(k in (None, "") for k in key):
                continue
            e = ret.entries[(sheet.key[0], row)]
            if key in seen:
                first = f"{seen[key].sheet}!{seen[key].cell}"
                yield new_issue("table.duplicate_key", e, first=first)
            else:
                seen[key] = e


def _key_text(value: Any) -> Any:
    """A table key as compared: "ZG－01 " and "zg-01" are the same item (full-width, spaces, case)."""
    if not isinstance(value, str):
        return value
    return " ".join(unicodedata.normalize("NFKC", value).split()).casefold()


def check_row_rules(ret: Return) -> Iterator[Issue]:
    for sheet in ret.spec.sheets:
        if sheet.kind != "table" or not sheet.row_rules:
            continue
        rows = sorted({r for (fid, r), e in ret.entries.items() if e.sheet_id == sheet.id and r is not None})
        for row in rows:
            names = {c.id: None for c in sheet.columns} | ret.names(row, sheet.id)
            for rule in sheet.row_rules:
                yield from _rule_issue(ret, rule, names, row)


def check_rules(ret: Return) -> Iterator[Issue]:
    names = {f.id: None for f in ret.spec.form_fields.values()} | ret.names()
    for rule in ret.spec.rules:
        yield from _rule_issue(ret, rule, names, None)


def _rule_issue(ret: Return, rule, names, row) -> Iterator[Issue]:
    if _involves_flagged(ret, rule, row):  # the wrong cell already has its own error: say it once, there
        return
    try:
        ok = evaluate(rule.expr, names)
    except ExpressionError:
        return
    if ok is None or ok:
        return
    target = rule.fields[0] if rule.fields else next(iter(sorted(names)), "")
    e = ret.entries.get((target, row))
    code = "rule.failed" if rule.severity == Severity.ERROR else "rule.warning"
    from dataclasses import replace
    if e is None:
        issue = Issue(code, CATALOGUE[code].severity, field=rule.id)
    else:
        issue = new_issue(code, e)
    yield replace(issue, params={"message": Words(rule.message, rule.message_en or rule.message)})


def _involves_flagged(ret: Return, rule, row) -> bool:
    """True when a field the rule reads (directly or through a computed field) has an error of its own."""
    if not ret.flagged:
        return False
    seen: set[str] = set()
    todo = list(rule.fields) + sorted(_names(rule.expr))
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if (name if row is None else f"{name}[{row}]") in ret.flagged:
            return True
        e = ret.entries.get((name, row))
        if e is not None and e.field.formula:
            todo.extend(_names(e.field.formula))
    return False


def _names(expr: str) -> set[str]:
    try:
        return names_in(expr)
    except ExpressionError:
        return set()


def _number_text(x) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
