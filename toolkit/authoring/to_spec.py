"""An authoring workbook read back into a spec: raw YAML mapping, loaded by the spec loader.

Each row becomes one mapping of the spec (a sheet, a field, an area, an item, a rule); the
row's place is recorded under the mapping's key path, so an error of the loader comes back
as 工作表!单元格 (:class:`toolkit.authoring.places.Places`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import SpecError
from ..i18n import define
from ..spec.model import TemplateSpec
from ..spec.parse import parse_spec
from .cells import Reader, listed, text_of
from .places import SOURCE, Places, Row, said
from .read import SheetCells
from .vocab import (
    AREA_KINDS,
    FIELD_TYPES,
    SEVERITIES,
    SHEET_KINDS,
    SHEETS,
    TEMPLATE_KEYS,
    did_you_mean,
    lookup,
    spellings,
)

__all__ = ["Authored", "is_authoring_workbook", "read_authoring", "load_authored"]

define("authoring", {
    "template_key": ("应为以下项目之一：{options}，实际为“{label}”{hint}", "expected one of {options}, got {label!r}{hint}"),
    "sheet_ref": ("应为“工作表”表中列出的工作表名称（{names}），实际为“{got}”{hint}",
                  "expected the name of a sheet listed on the Sheets sheet ({names}), got {got!r}{hint}"),
    "no_area": ("应先写一行指标区（指标区编号和标题），再写其下的指标，实际没有",
                "expected an area row (area id and title) above the first indicator, got none"),
    "area_ref": ("应为工作表“{sheet}”的指标区编号（{known}），实际为“{area_id}”{hint}",
                 "expected an area id of sheet {sheet} ({known}), got {area_id!r}{hint}"),
})

_TEXT_KEYS = ("label", "label_en", "unit", "pattern", "pattern_hint", "help", "prefill", "formula", "required_if")


@dataclass
class Authored:
    """What an authoring workbook says: the raw spec, the grades for a scheme, where each part came from."""

    raw: dict
    places: Places
    grades: list[dict] = field(default_factory=list)
    total: float | None = None
    total_row: Row | None = None


def _find(sheets: list[SheetCells], key: str) -> SheetCells | None:
    names = {n.lower() for n in SHEETS[key]}
    return next((s for s in sheets if s.name.strip().lower() in names), None)


def is_authoring_workbook(sheets: list[SheetCells]) -> bool:
    """True when the workbook has the 模板 and 工作表 sheets of an authoring workbook."""
    return _find(sheets, "template") is not None and _find(sheets, "sheets") is not None


def read_authoring(sheets: list[SheetCells], file: str, lang: str = "zh") -> Authored:
    """The raw spec of an authoring workbook (not yet loaded: see :func:`load_authored`)."""
    places = Places(file, lang)
    rd = Reader(places, lang)
    top = _template(rd, _find(sheets, "template"), places)
    out = Authored(top["raw"], places, total=top["total"], total_row=top["total_row"])
    raw = out.raw
    raw["sheets"] = []
    by_ref: dict[str, int] = {}
    for row in rd.rows(_find(sheets, "sheets"), "sheets"):
        n = len(raw["sheets"])
        raw["sheets"].append(_sheet(rd, row))
        places.add(f"sheets[{n}]", row)
        for ref in (raw["sheets"][n].get("id"), raw["sheets"][n].get("name")):
            if ref:
                by_ref.setdefault(str(ref).strip().lower(), n)
    areas = _items(rd, _find(sheets, "items"), raw, by_ref, places) if _find(sheets, "items") else {}
    if _find(sheets, "fields"):
        _fields(rd, _find(sheets, "fields"), raw, by_ref, areas, places)
    if _find(sheets, "rules"):
        _rules(rd, _find(sheets, "rules"), raw, by_ref, places)
    if _find(sheets, "summary"):
        for n, row in enumerate(rd.rows(_find(sheets, "summary"), "summary")):
            raw.setdefault("summary", []).append(_clean({k: rd.ident(row, k) if k in ("id", "numerator", "denominator")
                                                         else rd.text(row, k) for k in row.columns}))
            places.add(f"summary[{n}]", row)
    if _find(sheets, "grades"):
        for n, row in enumerate(rd.rows(_find(sheets, "grades"), "grades")):
            places.add(f"grades[{n}]", row)
            out.grades.append(_clean({"grade": rd.ident(row, "grade"), "min": rd.number(row, "min"),
                                      "quota": rd.number(row, "quota")}))
    return out


def load_authored(authored: Authored) -> TemplateSpec:
    """The spec through the spec loader; its errors come back at their cells."""
    try:
        spec = parse_spec(authored.raw, SOURCE)
    except SpecError as exc:
        raise authored.places.translate(exc) from None
    from .checks import check_points
    check_points(authored, spec)
    return spec


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _template(rd: Reader, sheet: SheetCells, places: Places) -> dict:
    """The 模板 sheet: one row per top-level key (label in column A, value in column B)."""
    head, cols, _ = rd.header(sheet, "template")
    raw: dict = {}
    total, total_row = None, None
    for r in range(head + 1, sheet.n_rows):
        label = text_of(sheet.get(r, cols.get("key", 0)))
        if label is None:
            continue
        vcol = cols.get("value", 1)
        row = Row("template", sheet.name, r, {"key": cols.get("key", 0), "value": vcol}, {vcol: label.strip()},
                  {"value": sheet.get(r, vcol)})
        key = lookup(TEMPLATE_KEYS, label)
        if key is None:
            names = listed([p[0] for p in TEMPLATE_KEYS.values()], [p[1] for p in TEMPLATE_KEYS.values()])
            places.fail(row, "key", said("template_key", options=names, label=label,
                                         hint=did_you_mean(label, spellings(TEMPLATE_KEYS))))
        places.add(key, Row("template", sheet.name, r, {key: vcol}, {vcol: label.strip()}, {}))
        if key == "total":
            total, total_row = rd.number(row, "value"), Row("template", sheet.name, r, {"total": vcol}, {vcol: label.strip()})
        elif key == "return_key":
            raw[key] = rd.listing(row, "value")
        elif key in ("id", "version", "scoring"):
            raw[key] = rd.ident(row, "value")
        else:
            raw[key] = rd.text(row, "value")
    return {"raw": _clean(raw), "total": total, "total_row": total_row}


def _sheet(rd: Reader, row: Row) -> dict:
    return _clean({"id": rd.ident(row, "id"), "kind": rd.choice(row, "kind", SHEET_KINDS), "name": rd.ident(row, "name"),
                   "name_en": rd.text(row, "name_en"), "title": rd.text(row, "title"), "text": rd.text(row, "text"),
                   "rows": rd.number(row, "rows", whole=True), "key": rd.listing(row, "key"),
                   "carry_if": rd.text(row, "carry_if"), "carry_from": rd.mapping(row, "carry_from"),
                   "lifecycle": rd.mapping(row, "lifecycle")})


def _sheet_of(rd: Reader, row: Row, ref: str | None, by_ref: dict, raw: dict) -> int:
    if ref is None or ref.lower() not in by_ref:
        names = [s.get("name", "") for s in raw["sheets"]]
        got = ref or ""
        rd.places.fail(row, "sheet", said("sheet_ref", names=listed(names, names), got=got,
                                          hint=did_you_mean(got, names) if ref else ""))
    return by_ref[ref.lower()]


def _items(rd: Reader, sheet: SheetCells, raw: dict, by_ref: dict, places: Places) -> dict:
    """Areas and items; an area row starts an area, item rows below belong to it (sheet and area carry down)."""
    areas: dict[tuple[int, str], tuple[int, int]] = {}  # (sheet no, area id) → (sheet no, area no)
    current_sheet, current = None, None
    for row in rd.rows(sheet, "items"):
        ref = rd.ident(row, "sheet") or current_sheet
        s_no = _sheet_of(rd, row, ref, by_ref, raw)
        current_sheet = ref
        area_id = rd.ident(row, "area")
        has_area = any(rd.text(row, k) is not None for k in ("area", "title", "title_en", "kind", "cap"))
        if has_area and (current is None or area_id != current[2] or rd.text(row, "title") is not None
                         or current[0] != s_no):
            area_list = raw["sheets"][s_no].setdefault("areas", [])
            area = _clean({"id": area_id, "title": rd.text(row, "title"), "title_en": rd.text(row, "title_en"),
                           "kind": rd.choice(row, "kind", AREA_KINDS), "cap": rd.number(row, "cap")})
            area["items"] = []
            area_list.append(area)
            a_no = len(area_list) - 1
            cols = {k: row.columns[c] for k, c in (("id", "area"), ("title", "title"), ("title_en", "title_en"),
                                                    ("kind", "kind"), ("cap", "cap")) if c in row.columns}
            places.add(f"sheets[{s_no}].areas[{a_no}]", Row("items", row.sheet, row.row, cols, row.heads,
                                                            {"id": area_id}))
            current = (s_no, a_no, area_id)
            if area_id:
                areas[(s_no, area_id.lower())] = (s_no, a_no)
        if any(rd.text(row, k) is not None for k in ("id", "content", "standard", "max", "evidence")):
            if current is None or current[0] != s_no:
                rd.places.fail(row, "content", said("no_area"))
            items = raw["sheets"][current[0]]["areas"][current[1]]["items"]
            items.append(_clean({"id": rd.ident(row, "id"), "content": rd.text(row, "content"),
                                 "standard": rd.text(row, "standard"), "max": rd.number(row, "max"),
                                 "evidence": rd.text(row, "evidence")}))
            cols = {k: row.columns[k] for k in ("id", "content", "standard", "max", "evidence") if k in row.columns}
            places.add(f"sheets[{current[0]}].areas[{current[1]}].items[{len(items) - 1}]",
                       Row("items", row.sheet, row.row, cols, row.heads, {"id": rd.ident(row, "id")}))
    return areas


def _fields(rd: Reader, sheet: SheetCells, raw: dict, by_ref: dict, areas: dict, places: Places) -> None:
    current_sheet = None
    for row in rd.rows(sheet, "fields"):
        ref = rd.ident(row, "sheet") or current_sheet
        s_no = _sheet_of(rd, row, ref, by_ref, raw)
        current_sheet = ref
        target = raw["sheets"][s_no]
        area_id = rd.ident(row, "area")
        if area_id:
            if (s_no, area_id.lower()) not in areas:
                known = [a.get("id", "") for a in target.get("areas", [])]
                places.fail(row, "area", said("area_ref", sheet=target.get("name"), known=listed(known, known),
                                              area_id=area_id, hint=did_you_mean(area_id, known)))
            _, a_no = areas[(s_no, area_id.lower())]
            path, lst = f"sheets[{s_no}].areas[{a_no}].columns", target["areas"][a_no].setdefault("columns", [])
        else:
            key = "fields" if target.get("kind") == "form" else "columns"
            path, lst = f"sheets[{s_no}].{key}", target.setdefault(key, [])
        places.add(f"{path}[{len(lst)}]", row)
        lst.append(_field(rd, row))


def _field(rd: Reader, row: Row) -> dict:
    d = {"id": rd.ident(row, "id"), **{k: rd.text(row, k) for k in _TEXT_KEYS},
         "type": rd.choice(row, "type", FIELD_TYPES), "required": rd.flag(row, "required"),
         "min": rd.number(row, "min"), "max": rd.number(row, "max"), "choices": rd.listing(row, "choices"),
         "synonyms": rd.synonyms(row, "synonyms"), "width": rd.number(row, "width"),
         "scale": rd.number(row, "scale", whole=True), "carry": rd.flag(row, "carry"),
         "in_period": rd.flag(row, "in_period")}
    for key in ("required", "carry", "in_period"):
        if d[key] is False:
            d[key] = None  # 否 is the default: the spec stays as a person would write it
    return _clean(d)


def _rules(rd: Reader, sheet: SheetCells, raw: dict, by_ref: dict, places: Places) -> None:
    for row in rd.rows(sheet, "rules"):
        rule = _clean({"id": rd.ident(row, "id"), "expr": rd.text(row, "expr"), "message": rd.text(row, "message"),
                       "message_en": rd.text(row, "message_en"), "severity": rd.choice(row, "severity", SEVERITIES),
                       "fields": rd.listing(row, "fields")})
        ref = rd.ident(row, "sheet")
        if ref is None:
            lst, path = raw.setdefault("rules", []), "rules"
        else:
            s_no = _sheet_of(rd, row, ref, by_ref, raw)
            lst, path = raw["sheets"][s_no].setdefault("row_rules", []), f"sheets[{s_no}].row_rules"
        places.add(f"{path}[{len(lst)}]", row)
        lst.append(rule)

