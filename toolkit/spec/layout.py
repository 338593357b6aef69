"""Where everything sits in a generated workbook.

The generator writes by this layout and the reader reads by it, so the two
can never disagree. Every sheet has a hidden key column A whose cells name
what each row holds (a field id, an item id, ``#header`` …); the reader
finds rows by these keys (and, when a re-save or a copy lost them, by
labels), never by position alone, so inserted rows do not shift values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..i18n import t
from .model import Sheet, TemplateSpec

__all__ = [
    "TITLE_ROW", "CODE_ROW", "HEADER_ROW", "FIRST_ROW", "KEY_COL", "CodeLine", "code_line",
    "parse_code_line", "col_letter", "cell_ref", "form_rows", "checklist_rows", "ChecklistRow",
    "input_columns", "table_columns", "META_SHEET", "LISTS_SHEET", "defined_name",
    "FORM_LABEL_COL", "FORM_VALUE_COL", "CHECK_CONTENT_COL", "CHECK_FIRST_INPUT_COL", "CHECK_MAX_COL", "is_survey",
]

TITLE_ROW = 0          # zero-based rows and columns throughout
CODE_ROW = 1
HEADER_ROW = 2
FIRST_ROW = 3
KEY_COL = 0
FORM_LABEL_COL = 1
FORM_VALUE_COL = 2
FORM_HELP_COL = 3
FORM_PRIOR_COL = 4   # 上年数: last round's value, only in rounds that carry values over
CHECK_CONTENT_COL = 2       # 考核内容: the item's text
CHECK_MAX_COL = 4           # 分值: hidden on a survey, "—" on a veto item
CHECK_FIRST_INPUT_COL = 5   # after key, 编号, 考核内容, 评分标准, 分值
META_SHEET = "_meta"
LISTS_SHEET = "_lists"

_CODE_RE = re.compile(r"TK\|([A-Za-z][\w-]*)\|([^|\s]+)\|([^|\s]*)")


@dataclass(frozen=True)
class CodeLine:
    template_id: str
    version: str
    unit_code: str


def code_line(spec: TemplateSpec, unit_code: str, unit_name: str, lang: str = "zh") -> str:
    """The visible identity line printed on row 2 of every sheet."""
    return t("code_line", lang, unit=unit_name, code=f"TK|{spec.id}|{spec.version}|{unit_code}")


def parse_code_line(text) -> CodeLine | None:
    """Find a code line in a cell's text; ``None`` when there is none."""
    if not isinstance(text, str):
        return None
    m = _CODE_RE.search(text)
    return CodeLine(m.group(1), m.group(2), m.group(3)) if m else None


@lru_cache(maxsize=4096)
def col_letter(col: int) -> str:
    """Zero-based column number to Excel letters (0 → A)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@lru_cache(maxsize=65536)
def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    """Zero-based row/column to an A1 reference."""
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def defined_name(*parts: str) -> str:
    """``f_<field>`` or ``f_<item>_<column>``; dots never appear (ids exclude them)."""
    return "f_" + "_".join(parts)


def form_rows(sheet: Sheet) -> dict[str, int]:
    """Field id → zero-based row on a form sheet."""
    return {f.id: FIRST_ROW + n for n, f in enumerate(sheet.fields)}


@dataclass(frozen=True)
class ChecklistRow:
    """One row of a generated checklist: an area heading, an item or the total."""

    kind: str          # "area", "item", "total"
    key: str           # value in the hidden key column
    area_id: str
    item_id: str | None = None


def checklist_rows(sheet: Sheet) -> list[ChecklistRow]:
    """The rows of a checklist in order, starting at :data:`FIRST_ROW`."""
    rows = []
    for area in sheet.areas:
        rows.append(ChecklistRow("area", f"#area:{area.id}", area.id))
        rows.extend(ChecklistRow("item", item.id, area.id, item.id) for item in area.items)
    rows.append(ChecklistRow("total", "#total", ""))
    return rows


def is_survey(sheet: Sheet) -> bool:
    """A checklist of questions without points (a satisfaction survey): it prints no 分值 and no total."""
    return (sheet.kind == "checklist" and all(c.type != "score" for c in sheet.columns)
            and all(a.kind == "normal" and not any(i.max_points for i in a.items) for a in sheet.areas))


def input_columns(sheet: Sheet) -> int:
    """How many input columns the widest area of a checklist has."""
    return max(len(a.columns) for a in sheet.areas)


def table_columns(sheet: Sheet) -> dict[str, int]:
    """Column id → zero-based sheet column of a table (after the key column)."""
    return {c.id: 1 + n for n, c in enumerate(sheet.columns)}

