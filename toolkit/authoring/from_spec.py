"""A compiled template spec as the rows of the authoring workbook (one list of rows per sheet).

Rows are plain dicts keyed by the spec keys of :data:`toolkit.authoring.vocab.COLUMNS`; values
are text, numbers or booleans. Only what differs from the loader's defaults is written, so the
workbook reads the way a person would fill it in, and reading it back gives the same spec.
"""

from __future__ import annotations

import re

import yaml

from ..model import Severity
from ..spec.model import Area, Field, Sheet, TemplateSpec
from .vocab import AREA_KINDS, FIELD_TYPES, SEVERITIES, SHEET_KINDS, join_list, word

__all__ = ["spec_rows", "flow_yaml", "AREA_ROW"]

AREA_ROW = "_area"  # marks a heading row of the 考核指标 sheet (styled apart by the writer)


def flow_yaml(value) -> str:
    """A mapping written in one cell as YAML flow text ({sheet: gaps, columns: {…}})."""
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, sort_keys=False, width=10_000).strip()


def spec_rows(spec: TemplateSpec, lang: str = "zh") -> dict[str, list[dict]]:
    """Every sheet of the authoring workbook as rows, in the order the spec holds them."""
    rows: dict[str, list[dict]] = {"template": _template_rows(spec), "sheets": [], "fields": [], "items": [],
                                   "rules": [], "summary": [], "grades": []}
    for sheet in spec.sheets:
        rows["sheets"].append(_sheet_row(sheet, lang))
        for fld in sheet.fields + sheet.columns:
            rows["fields"].append({"sheet": sheet.name, **_field_row(fld, lang)})
        for area in sheet.areas:
            if area.columns != sheet.columns:  # an area with its own columns (veto: 是否存在)
                for fld in area.columns:
                    rows["fields"].append({"sheet": sheet.name, "area": area.id, **_field_row(fld, lang)})
            rows["items"].extend(_area_rows(sheet, area, lang))
        for rule in sheet.row_rules:
            rows["rules"].append({"sheet": sheet.name, **_rule_row(rule, lang)})
    rows["rules"].extend(_rule_row(rule, lang) for rule in spec.rules)
    rows["summary"] = [{"id": r.id, "label": r.label, "label_en": r.label_en, "numerator": r.numerator,
                        "denominator": r.denominator} for r in spec.summary]
    return rows


def _template_rows(spec: TemplateSpec) -> list[dict]:
    values = {"id": spec.id, "version": spec.version, "title": spec.title, "title_en": spec.title_en,
              "description": spec.description or None, "scoring": spec.scoring,
              "return_key": join_list(spec.return_key) if spec.return_key else None}
    return [{"key": key, "value": value} for key, value in values.items()]


def _sheet_row(sheet: Sheet, lang: str) -> dict:
    row = {"id": sheet.id, "kind": word(SHEET_KINDS[sheet.kind], lang), "name": sheet.name,
           "title": sheet.title if sheet.title != sheet.name else None, "text": sheet.text or None}
    if sheet.kind == "table":
        row["rows"] = sheet.rows
    if sheet.key:
        row["key"] = join_list(sheet.key)
    row["carry_if"] = sheet.carry_if
    if sheet.carry_from is not None:
        cf = sheet.carry_from
        row["carry_from"] = flow_yaml({"sheet": cf.sheet, "columns": dict(cf.columns)}
                                      | ({"if": cf.condition} if cf.condition else {}))
    if sheet.lifecycle is not None:
        lc = sheet.lifecycle
        d = {"status": lc.status, "closed": list(lc.closed)}
        d |= {"in_progress": list(lc.in_progress)} if lc.in_progress else {}
        d |= {k: getattr(lc, k) for k in ("closed_on", "deadline", "problem", "reason") if getattr(lc, k)}
        row["lifecycle"] = flow_yaml(d)
    return row


def _field_row(fld: Field, lang: str) -> dict:
    row = {"id": fld.id, "label": fld.label, "label_en": fld.label_en,
           "type": word(FIELD_TYPES[fld.type], lang) if fld.type != "text" else None,
           "required": fld.required or None, "min": fld.min, "max": fld.max, "unit": fld.unit,
           "choices": join_list(fld.choices) if fld.choices else None,
           "synonyms": _synonyms_text(fld) if fld.synonyms else None,
           "pattern": fld.pattern, "pattern_hint": fld.pattern_hint, "help": fld.help, "prefill": fld.prefill,
           "formula": fld.formula, "required_if": fld.required_if, "width": fld.width,
           "carry": fld.carry or None, "in_period": fld.in_period or None,
           "scale": fld.scale if fld.scale != 100 else None}
    return row


_SYN_SEP = re.compile(r"[、，,；;：:\n]")


def _synonyms_text(fld: Field) -> str:
    """One line per choice, "已完成：完成、已整改"; YAML flow text when a word holds a separator."""
    grouped: dict[str, list[str]] = {}
    for syn, choice in fld.synonyms:
        grouped.setdefault(choice, []).append(syn)
    if any(_SYN_SEP.search(w) for c, syns in grouped.items() for w in [c, *syns]):
        return flow_yaml(grouped)
    return "\n".join(f"{choice}：{'、'.join(syns)}" for choice, syns in grouped.items())


def _area_rows(sheet: Sheet, area: Area, lang: str) -> list[dict]:
    head = {AREA_ROW: True, "sheet": sheet.name, "area": area.id, "title": area.title,
            "title_en": getattr(area, "title_en", None),
            "kind": word(AREA_KINDS[area.kind], lang), "cap": area.cap}
    items = [{"id": it.id, "content": it.content, "standard": it.standard or None,
              "max": it.max_points if it.max_points or area.kind != "veto" else None, "evidence": it.evidence}
             for it in area.items]
    return [head, *items]


def _rule_row(rule, lang: str) -> dict:
    return {"id": rule.id, "expr": rule.expr, "message": rule.message, "message_en": rule.message_en,
            "severity": word(SEVERITIES[rule.severity], lang) if rule.severity != Severity.ERROR else None,
            "fields": join_list(rule.fields) if rule.fields else None}
