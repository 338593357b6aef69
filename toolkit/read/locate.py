"""Locate a template's fields in a returned workbook (:func:`extract`), one function per sheet kind.

Rows are found by the hidden key column first and by labels second, so a
re-save that lost formatting, a copy into a new workbook, or rows inserted
by the unit never move a value onto the wrong field.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from ..i18n import LANGS, t
from ..normalise.values import display
from ..returned import item_field
from ..spec import layout
from ..spec.model import Sheet, TemplateSpec
from .reader import CellValue, Finding, Grid, RawWorkbook, Submission

__all__ = ["LOCATORS", "extract", "find_sheet", "norm_label", "locate_form", "locate_checklist", "locate_table", "item_field"]

_REQUIRED_MARK = re.compile(r"[（(]必填[)）]|\(required\)|\*$")


def norm_label(text: Any) -> str:
    """A label compared loosely: required marks, spaces and full-width forms folded."""
    if text is None or text == "":
        return ""
    return _norm_label(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=65536)
def _norm_label(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = _REQUIRED_MARK.sub("", s)
    return re.sub(r"\s+", "", s)


def find_sheet(raw: RawWorkbook, sheet: Sheet, taken: set[str]) -> tuple[Grid | None, bool]:
    """The grid for a template sheet: by name, else by its row keys or labels (renamed)."""
    if sheet.name in raw.sheets:
        return raw.sheets[sheet.name], False
    wanted = _sheet_keys(sheet)
    best, best_score = None, 0.0
    for name, grid in raw.sheets.items():
        if name in taken or name.startswith("_"):
            continue
        present = {norm_label(v) for row in grid.rows[:400] for v in row[:12] if v not in (None, "")}
        score = len(wanted & present) / max(1, len(wanted))
        if score > best_score:
            best, best_score = grid, score
    return (best, True) if best_score >= 0.6 else (None, False)


def _sheet_keys(sheet: Sheet) -> set[str]:
    if sheet.kind == "form":
        return {norm_label(f.label) for f in sheet.fields}
    if sheet.kind == "checklist":
        return {norm_label(i.content) for i in sheet.items}
    if sheet.kind == "table":
        return {norm_label(c.label) for c in sheet.columns}
    return {norm_label(sheet.title)}


def extract(spec: TemplateSpec, raw: RawWorkbook) -> Submission:
    """Locate every field of *spec* in *raw*; what cannot be found becomes a finding."""
    sub = Submission(spec.id, spec.version, date1904=raw.date1904)
    taken: set[str] = set()
    for sheet in spec.sheets:
        if sheet.kind == "instructions":
            continue
        grid, renamed = find_sheet(raw, sheet, taken)
        if grid is None:
            sub.findings.append(Finding("structure.sheet_missing", sheet.name, detail=sheet.id))
            continue
        taken.add(grid.name)
        if renamed:
            sub.findings.append(Finding("structure.sheet_renamed", grid.name, detail=sheet.name))
        LOCATORS[sheet.kind](sheet, grid, sub)
    return sub


def _key_rows(grid: Grid) -> dict[str, int]:
    rows: dict[str, int] = {}
    if grid.col0 > layout.KEY_COL:
        return rows
    for n, row in enumerate(grid.rows):
        key = row[layout.KEY_COL - grid.col0] if row else None
        if isinstance(key, str) and key and key not in rows:
            rows[key] = grid.row0 + n
    return rows


def _find_label(grid: Grid, label: str, max_col: int = 8) -> tuple[int, int] | None:
    want = norm_label(label)
    for r in range(grid.n_rows):
        for c in range(min(grid.n_cols, max_col)):
            if norm_label(grid.get(r, c)) == want and want:
                return r, c
    return None


def _labels(*keys: str) -> set[str]:
    """A fixed header of the generated sheets as it reads in every language."""
    return {norm_label(t(key, lang)) for key in keys for lang in LANGS}


_FORM_LABEL, _FORM_VALUE = _labels("form.header"), _labels("form.value")
_FORM_HEADERS = _FORM_LABEL | _FORM_VALUE | _labels("form.help", "form.prior")
_CHECK_HEADERS = _labels("check.no", "check.content", "check.standard", "check.max", "survey.question", "survey.hint")


def _extra_columns(grid: Grid, header: int, known: set[str], sub: Submission, skip=()) -> None:
    """A header cell the template does not have: a column the unit added (its content is not counted)."""
    for c in range(1, grid.n_cols):
        label = grid.get(header, c)
        if label is not None and c not in skip and norm_label(label) not in known:
            sub.findings.append(Finding("structure.extra_column", grid.name, layout.cell_ref(header, c),
                                        detail=str(label)[:40]))


def _form_columns(grid: Grid, keys: dict[str, int], sub: Submission) -> tuple[int, int] | None:
    """The label and value columns found by their headers (a column inserted before them moves them)."""
    header = keys.get("#header", layout.HEADER_ROW)
    found = {norm_label(grid.get(header, c)): c for c in range(grid.n_cols - 1, 0, -1)}  # leftmost wins
    value_col = next((found[h] for h in _FORM_VALUE if h in found), None)
    if value_col is None:
        return None
    _extra_columns(grid, header, _FORM_HEADERS, sub)
    return next((found[h] for h in _FORM_LABEL if h in found), value_col - 1), value_col


def _field_labels(f) -> set[str]:
    """A field's label as a workbook generated in either language shows it (`generate --lang en`
    writes label_en); the headers of the generated sheets are accepted in both languages too."""
    return {norm_label(f.label)} | ({norm_label(f.label_en)} if f.label_en else set())


def locate_form(sheet: Sheet, grid: Grid, sub: Submission) -> None:
    keys = _key_rows(grid)
    label_col, value_col = _form_columns(grid, keys, sub) or (layout.FORM_LABEL_COL, layout.FORM_VALUE_COL)
    for f in sheet.fields:
        row, col = keys.get(f.id), value_col
        if row is not None:
            if norm_label(grid.get(row, label_col)) not in _field_labels(f):
                sub.findings.append(Finding("structure.label_edited", grid.name,
                                            layout.cell_ref(row, label_col), f.id, f.label))
        else:
            hit = _find_label(grid, f.label) or (_find_label(grid, f.label_en) if f.label_en else None)
            if hit is None:
                sub.findings.append(Finding("structure.field_missing", grid.name, field_id=f.id, detail=f.label))
                continue
            row, col = hit[0], (value_col if value_col > hit[1] else hit[1] + 1)
        sub.values.append(CellValue(sheet.id, f.id, None, grid.name, layout.cell_ref(row, col), grid.get(row, col)))


def _header_row(grid: Grid, labels: list[str]) -> int | None:
    keys = _key_rows(grid)
    if "#header" in keys:
        return keys["#header"]
    want = {norm_label(x) for x in labels}
    best, best_hits = None, 0
    for r in range(min(grid.n_rows, 30)):
        hits = sum(1 for c in range(grid.n_cols) if norm_label(grid.get(r, c)) in want)
        if hits > best_hits:
            best, best_hits = r, hits
    return best if best_hits >= max(1, len(want) // 2) else None


def _column_positions(grid: Grid, header: int | None, labels: dict[str, str], default: dict[str, int]) -> dict[str, int]:
    """Column id → position, by header label where the header is found, else the default."""
    if header is None:
        return dict(default)
    found = {norm_label(grid.get(header, c)): c for c in range(grid.n_cols) if grid.get(header, c) is not None}
    return {cid: found.get(norm_label(label), default[cid]) for cid, label in labels.items()}


def locate_checklist(sheet: Sheet, grid: Grid, sub: Submission) -> None:
    keys = _key_rows(grid)
    header = _header_row(grid, [c.label for c in sheet.columns])
    default = {c.id: layout.CHECK_FIRST_INPUT_COL + j for j, c in enumerate(sheet.columns)}
    positions = _column_positions(grid, header, {c.id: c.label for c in sheet.columns}, default)
    if header is not None:
        _extra_columns(grid, header, _CHECK_HEADERS | {norm_label(c.label) for c in sheet.columns}
                       | {norm_label(c.label_en) for c in sheet.columns if c.label_en}, sub)
    shift = positions[sheet.columns[0].id] - layout.CHECK_FIRST_INPUT_COL
    item_rows = []
    for area in sheet.areas:
        same_columns = area.columns == sheet.columns  # compared once per area, not per value
        for item in area.items:
            row = keys.get(item.id)
            if row is None:
                hit = _find_label(grid, item.content, 5)
                row = hit[0] if hit else None
            if row is None:
                sub.findings.append(Finding("structure.item_missing", grid.name, field_id=item.id,
                                            detail=item.content))
                continue
            item_rows.append(row)
            if norm_label(grid.get(row, layout.CHECK_CONTENT_COL)) != norm_label(item.content):
                sub.findings.append(Finding("structure.label_edited", grid.name, layout.cell_ref(row, layout.CHECK_CONTENT_COL),
                                            item.id, item.content))
            for j, col in enumerate(area.columns):
                c = positions.get(col.id, default.get(col.id)) if same_columns \
                    else layout.CHECK_FIRST_INPUT_COL + j + shift
                sub.values.append(CellValue(sheet.id, f"{item.id}.{col.id}", None, grid.name,
                                            layout.cell_ref(row, c), grid.get(row, c)))
    _inserted_rows(sheet, grid, sub, item_rows, set(keys.values()))


def _inserted_rows(sheet: Sheet, grid: Grid, sub: Submission, item_rows: list[int], keyed: set[int]) -> None:
    """Rows with content the template does not have, from the first item to the end of the sheet.

    The template's own area and total rows are known by their key, or by their text where the
    hidden key column was cleared; numbers show as typed (3, not 3.0).
    """
    if not item_rows:
        return
    width = layout.CHECK_FIRST_INPUT_COL + layout.input_columns(sheet)
    located = set(item_rows)
    own = [norm_label(a.title) for a in sheet.areas] + [h for h in _labels("check.total", "check.total_plain")]
    for r in range(min(item_rows), grid.n_rows):
        if r in keyed or r in located:
            continue
        cells = [grid.get(r, c) for c in range(1, width)]
        if all(v is None for v in cells):
            continue
        first = norm_label(next(v for v in cells if v is not None))
        if any(title and first.startswith(title) for title in own):
            continue
        text = " ".join(display(v) for v in cells if v is not None)
        sub.findings.append(Finding("structure.row_inserted", grid.name, layout.cell_ref(r, 1), detail=text[:80]))


def locate_table(sheet: Sheet, grid: Grid, sub: Submission) -> None:
    header = _header_row(grid, [c.label for c in sheet.columns])
    if header is None:
        sub.findings.append(Finding("structure.header_missing", grid.name, detail=sheet.name))
        return
    default = layout.table_columns(sheet)
    positions = _column_positions(grid, header, {c.id: c.label for c in sheet.columns}, default)
    _extra_columns(grid, header, {norm_label(c.label) for c in sheet.columns}, sub, set(positions.values()))
    seq = 0
    for r in range(header + 1, grid.n_rows):
        key = grid.get(r, layout.KEY_COL)
        item = key[6:] if isinstance(key, str) and key.startswith("#item:") else None
        if isinstance(key, str) and key.startswith("#") and key != "#row" and item is None:
            break
        cells = {cid: grid.get(r, c) for cid, c in positions.items()}
        if item is None and all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        seq += 1
        for cid, value in cells.items():
            sub.values.append(CellValue(sheet.id, cid, seq, grid.name, layout.cell_ref(r, positions[cid]), value))
        if item is not None:  # a carried item: its stable id rides in the hidden key column
            sub.values.append(CellValue(sheet.id, item_field(sheet.id), seq, grid.name, layout.cell_ref(r, layout.KEY_COL), item))


LOCATORS = {"form": locate_form, "checklist": locate_checklist, "table": locate_table}
