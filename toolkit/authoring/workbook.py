"""Writing the authoring workbook (xlsxwriter): a guide, then one sheet per part of a template.

Header in row 1 (frozen), one row per sheet, field, indicator or rule below it, dropdowns for
the kinds and types, and references to sheets chosen from the 工作表 sheet's names.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from ..i18n import pick
from .from_spec import AREA_ROW
from .vocab import (
    AREA_KINDS,
    COLUMNS,
    FIELD_TYPES,
    SEVERITIES,
    SHEET_KINDS,
    TEMPLATE_KEYS,
    options,
    sheet_name,
    word,
)

__all__ = ["write_workbook"]

_DV_ROWS = 500  # dropdowns reach this far below the header

GUIDE = {
    "zh": [
        "用 Excel 编写考核模板",
        "本工作簿描述一张标准模板：填好后运行 toolkit spec-from-xlsx 本文件.xlsx -o 模板.yaml，即得到模板定义文件"
        "（考核指标有分值时，还会同时写出评分细则 模板-scoring.yaml）。",
        "“模板”表：模板编号（字母、数字、- 和 _）、版本、标题；“基础分合计”填写后，会核对基础指标分值之和。",
        "“工作表”表：每行一个工作表，类型从下拉列表选择（填报说明、表单、考核指标、台账）。",
        "“字段”表：每行一个填报项。“工作表”列写它所在的工作表名称；考核指标表的填报列（如自评分）也写在这里；"
        "只属于某个指标区的列（如一票否决的“是否存在”）在“指标区”列写该区编号。",
        "“考核指标”表：先写一行指标区（编号、标题、区类型、封顶），下面逐行写该区的指标（编号、考核内容、评分标准、分值、佐证材料）。"
        "区类型：基础、加分、一票否决。",
        "“规则”表：表达式必须成立，否则提示；“工作表”列留空为整表规则，写台账名称为逐行规则。",
        "“等次”表：评分细则的等次、最低分和名额比例（如 0.15 表示不超过15%）。",
        "每个表都已填好示例行：照着修改、增删即可。多个值（选项、主键、相关字段）每行一个，或用顿号分隔。",
        "出错时，提示会写明 工作表!单元格、错在哪里以及可能的正确写法。",
    ],
    "en": [
        "Write a template in Excel",
        "This workbook describes one standard template: fill it in, then run toolkit spec-from-xlsx THIS.xlsx -o "
        "template.yaml to get the template spec (and, when the indicators have points, its scoring scheme "
        "template-scoring.yaml).",
        "Template: the template id (letters, digits, - and _), version and title; with a base points total, the "
        "points of the normal indicators are checked against it.",
        "Sheets: one row per sheet; choose the kind from the list (instructions, form, checklist, table).",
        "Fields: one row per input. Sheet names the sheet it belongs to; a checklist's input columns (self score) "
        "are here too; a column of one area only (the veto question) names that area's id under Area.",
        "Indicators: an area row (id, title, kind, cap), then its indicators (id, content, standard, points, "
        "evidence). Area kinds: normal, bonus, veto.",
        "Rules: the expression must hold, else the message is shown; leave Sheet empty for a rule over the whole "
        "form, name a table for a rule on each of its rows.",
        "Grades: the scoring scheme's grades, minimum totals and quotas (0.15 = at most 15%).",
        "Every sheet holds filled example rows: edit, add or delete. Several values (choices, keys, fields): one "
        "per line, or separated by commas.",
        "A mistake is reported as Sheet!Cell, what is wrong and the likely right spelling.",
    ],
}


def write_workbook(rows: dict[str, list[dict]], path: str | Path, lang: str = "zh") -> Path:
    """Write *rows* (see :func:`toolkit.authoring.from_spec.spec_rows`) as the authoring workbook."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    fmt = {"head": wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                  "valign": "top"}),
           "cell": wb.add_format({"text_wrap": True, "valign": "top"}),
           "area": wb.add_format({"bold": True, "bg_color": "#FFF2CC", "text_wrap": True, "valign": "top"}),
           "title": wb.add_format({"bold": True, "font_size": 14}),
           "guide": wb.add_format({"text_wrap": True, "valign": "top"})}
    _guide(wb, fmt, lang)
    _template_sheet(wb, fmt, rows["template"], lang)
    for key in ("sheets", "fields", "items", "rules", "summary", "grades"):
        _table_sheet(wb, fmt, key, rows.get(key, []), lang)
    wb.close()
    return path


def _guide(wb, fmt, lang: str) -> None:
    ws = wb.add_worksheet(sheet_name("guide", lang))
    ws.set_column(0, 0, 110)
    _page(ws, repeat_header=False)
    lines = GUIDE[lang]
    ws.write_string(0, 0, lines[0], fmt["title"])
    for n, line in enumerate(lines[1:], start=2):
        ws.write_string(n, 0, line, fmt["guide"])


def _template_sheet(wb, fmt, rows: list[dict], lang: str) -> None:
    ws = wb.add_worksheet(sheet_name("template", lang))
    for col, (_, zh, en, width) in enumerate(COLUMNS["template"]):
        ws.write_string(0, col, pick((zh, en), lang), fmt["head"])
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    _page(ws)
    values = {r["key"]: r["value"] for r in rows}
    for n, key in enumerate(TEMPLATE_KEYS, start=1):
        ws.write_string(n, 0, word(TEMPLATE_KEYS[key], lang), fmt["head"])
        _write(ws, n, 1, values.get(key), fmt["cell"])


def _table_sheet(wb, fmt, key: str, rows: list[dict], lang: str) -> None:
    ws = wb.add_worksheet(sheet_name(key, lang))
    columns = COLUMNS[key]
    for col, (_, zh, en, width) in enumerate(columns):
        ws.write_string(0, col, pick((zh, en), lang), fmt["head"])
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    _page(ws)
    for r, row in enumerate(rows, start=1):
        style = fmt["area"] if row.get(AREA_ROW) else fmt["cell"]
        for col, (spec_key, *_rest) in enumerate(columns):
            value = row.get(spec_key)
            if value is True:
                value = word(("是", "yes"), lang)
            _write(ws, r, col, value, style)
    _dropdowns(ws, key, columns, lang)


def _page(ws, repeat_header: bool = True) -> None:
    """A4 landscape, one page wide, gridlines and the header row on every page: the rules print as a table."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(0)
    if repeat_header:
        ws.repeat_rows(0)


def _write(ws, row: int, col: int, value, style) -> None:
    if value is None or value is False:
        ws.write_blank(row, col, None, style)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, style)
    else:
        ws.write_string(row, col, str(value), style)


_LISTS = {("sheets", "kind"): SHEET_KINDS, ("fields", "type"): FIELD_TYPES, ("items", "kind"): AREA_KINDS,
          ("rules", "severity"): SEVERITIES}
_YES_NO = {("fields", "required"), ("fields", "carry"), ("fields", "in_period")}


def _dropdowns(ws, key: str, columns, lang: str) -> None:
    """Dropdowns where the value is one of a few words; warnings only, so a typed spec value still goes in."""
    names_col = next(n for n, c in enumerate(COLUMNS["sheets"]) if c[0] == "name")
    sheets_ref = f"='{sheet_name('sheets', lang)}'!${chr(65 + names_col)}$2:${chr(65 + names_col)}$100"
    for col, (spec_key, *_rest) in enumerate(columns):
        source = None
        if (key, spec_key) in _LISTS:
            source = options(_LISTS[(key, spec_key)], lang)
        elif (key, spec_key) in _YES_NO:
            source = [pick(("是", "yes"), lang), pick(("否", "no"), lang)]
        elif spec_key == "sheet" and key in ("fields", "items", "rules"):
            source = sheets_ref
        if source is not None:
            ws.data_validation(1, col, _DV_ROWS, col, {"validate": "list", "source": source,
                                                      "error_type": "warning", "ignore_blank": True})
