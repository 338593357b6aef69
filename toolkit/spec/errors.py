"""Template and scheme authoring errors: where (file and key path), what was expected, what was found.

A loader stops with :meth:`toolkit.spec.parse.ParseContext.fail`, passing what it expected and
what it found as messages of this catalogue (:func:`expected`, :func:`found`) with their values
(ids, paths and values as they are). The error then reads in the user's language: the English
(exact, and what an IT colleague searches for) is ``str(error)``, the Chinese ``error.zh``.
"""

from __future__ import annotations

import difflib
from typing import Any

from ..i18n import Msg, Words, define

__all__ = ["expected", "found", "typed", "type_name", "error", "did_you_mean", "EXPECTED", "FOUND"]

define("spec", {
    "did_you_mean": ("（是否应为 {name}？）", " (did you mean {name}?)"),
    "error": ("{source}：{path}：应为{expected}，实际为{got}", "{source}: {path}: expected {expected}, got {got}"),
    "top_level": ("（顶层）", "(top level)"),
})

EXPECTED = define("spec.expected", {
    "mapping": ("映射（键: 值）", "a mapping (key: value)"),
    "keys": ("以下键之一：{keys}", "one of the keys {keys}"),
    "required": ("一个值（必填）", "a value (required)"),
    "required_for_rule": ("一个值（规则 {rule} 必填）", "a value (required for rule {rule})"),
    "choices": ("以下选项之一：{choices}", "one of the choices {choices}"),
    "grades": ("以下等次之一：{grades}", "one of the grades {grades}"),
    "id_no_dots": ("以字母开头、由字母、数字和 _ 组成的 id（不能有点号）", "an id of letters, digits and _ starting with a letter (no dots)"),
    "id": ("以字母开头、由字母、数字和 _ 组成的 id", "an id of letters, digits and _ starting with a letter"),
    "template_id": ("由字母、数字、- 和 _ 组成的模板 id（如 annual-assessment）",
                    "a template id of letters, digits, - and _ (e.g. annual-assessment)"),
    "sheets": ("至少一个工作表", "at least one sheet"),
    "not_reserved": ("_meta 和 _lists 以外的工作表名称（这两个是保留名称）", "a sheet name other than _meta and _lists (reserved)"),
    "form_field": ("本模板中基本信息类字段的 id", "a form field id of this template"),
    "sheet_name": ("Excel 接受的工作表名称（不超过 31 个字符，不含 {chars}，开头和结尾不能是撇号 '）",
                   "a sheet name Excel accepts (at most 31 characters, none of {chars}, no ' at either end)"),
    "form_sheet": ("至少有一个字段的表单", "a form sheet with at least one field"),
    "checklist": ("带有 `columns`（填报列）和 `areas`（指标）的考核指标表", "a checklist with `columns` (inputs) and `areas` (items)"),
    "table": ("至少有一列的台账", "a table with at least one column"),
    "column_ids": ("本台账的列 id", "column ids of this table"),
    "column_keys": ("以本台账的列 id 作为键", "column ids of this table as keys"),
    "column_values": ("以 {source} 的列 id 作为值", "column ids of {source} as values"),
    "column_id": ("本台账的一个列 id", "a column id of this table"),
    "choice_list": ("choice 类型字段的选项列表", "a list of choices for a field of type choice"),
    "choice_keys": ("为选项之一的键（{choices}）", "keys that are choices ({choices})"),
    "regex": ("有效的正则表达式", "a valid regular expression"),
    "min_max": ("min ≤ max（{max}）", "min ≤ max ({max})"),
    "scale": ("1（0.85 表示 85%）或 100（85 表示 85%）", "1 (0.85 means 85%) or 100 (85 means 85%)"),
    "items": ("至少一个指标", "at least one item"),
    "expression": ("有效的表达式", "a valid expression"),
    "field_names": ("本模板中的字段名", "names of fields in this template"),
    "field_names_of": ("模板 {template} 中的字段名", "names of fields in the template {template}"),
    "table_sheet": ("本模板中台账工作表的 id", "the id of a table sheet of this template"),
    "unique_id": ("在模板中只用一次的 id（字段、指标、台账列）", "an id used once in the template (fields, items, table columns)"),
    "str": ("文本", "str"),
    "int": ("整数", "int"),
    "bool": ("是/否（true/false）", "bool"),
    "list": ("列表", "list"),
    "dict": ("映射", "dict"),
    "number": ("数字", "a number"),
    "text_or_list": ("文本或列表", "text or a list"),
    # scoring schemes
    "max_points": ("该指标的满分（此规则必填）", "the indicator's maximum points (required for this rule)"),
    "normal_items": ("普通指标区中的指标 id", "ids of checklist items in normal areas"),
    "area_column_none": ("指标区 {area} 的一列（该区没有得分列）", "a column of area {area} (it has no score column)"),
    "area_column": ("指标区 {area} 的一列：{ids}", "a column of area {area}: {ids}"),
    "area_kind": ("模板中有类型为 {kind} 的指标区", "the template to have an area of kind {kind}"),
    "area_ids": ("{template} 中类型为 {kind} 的指标区 id：{ids}", "ids of {kind} areas of {template}: {ids}"),
    "item": ("考核指标的 id", "the id of a checklist item"),
    "field_or_value": ("`field`（字段 id）或 `value`（表达式）二者之一", "either `field` (a field id) or `value` (an expression)"),
    "field_of": ("{template} 的字段 id（考核指标的值写作 指标.列）", "a field id of {template} (checklist values: item.column)"),
    "points_max": ("不超过满分（{max}）的分数", "a number of points ≤ max ({max})"),
    "target": ("大于 0 的目标比率（mode target），如 0.9", "a positive target rate (mode target), e.g. 0.9"),
    "band_points": ("不超过满分（{max}）的分数", "points ≤ max ({max})"),
    "per": ("大于 0 的数（每单位分值；最多扣分）", "a positive number (points per unit; the most deducted)"),
    "base": ("0 或以上：扣分前的分数", "0 or more: the points before deductions"),
    "no_max": ("deduct 规则不用 max：请写 `base`（扣分前的分数）", "no max for rule deduct: give `base` (points before deductions)"),
    "zero_or_more": ("0 或以上", "0 or more"),
    "weight": ("0 或以上的权重", "a weight of 0 or more"),
    "weights": ("合计为 1（或按百分数合计为 100）的权重", "weights that add up to 1 (or 100, as percentages)"),
    "evaluation": ("内置模板 id 或评价表的路径", "a bundled template id or a path to the evaluation form"),
    "template_ref": ("内置模板 id 或模板定义文件的路径", "a bundled template id or a path to a template spec"),
    "yes_no": ("是/否字段填“是”或“否”（true/false）", "是 or 否 (true/false) for a yes/no field"),
    "campaign_template": ("本次考核所用模板的 id（{template}）", "the id of the campaign's template ({template})"),
    "indicators": ("至少一个指标（或 from_checklist: true）", "at least one indicator (or from_checklist: true)"),
    "replaced_once": ("每个考核指标最多被替换一次", "each checklist item replaced at most once"),
    "indicator_once": ("每个指标 id 只用一次（由考核指标表生成的指标使用指标 id）",
                       "each indicator id once (generated checklist indicators use the item ids)"),
    "grade_list": ("等次列表，从最好的开始，如 {example}", "a list of grades, best first, e.g. {example}"),
    "last_grade_min": ("最后一个等次不设 min：其余单位都归入该等次", "no min on the last grade: it takes every unit below the others"),
    "grade_min": ("最低总分（只有最后一个等次不设）", "a minimum total (only the last grade has none)"),
    "grade_below": ("低于上一等次（{min}）的最低总分", "a minimum below the previous grade's ({min})"),
    "quota": ("0 到 1 之间的比例（0.15 即 15%），最后一个等次不设", "a share between 0 and 1 (0.15 = 15%), not on the last grade"),
    "veto_grade": ("最高等次以外的等次：一票否决的单位不能评为最高等次", "a grade below the top one: vetoed units are never top"),
    "one_of": ("以下之一：{options}", "one of {options}"),
    "once": ("每个 {what} 只出现一次", "each {what} once"),
})

FOUND = define("spec.found", {
    "value": ("{value}{hint}", "{value}{hint}"),
    "nothing": ("空", "nothing"),
    "none": ("没有", "none"),
    "both": ("两者都有", "both"),
    "neither": ("两者都没有", "neither"),
    "missing": ("缺少", "missing"),
    "empty_list": ("空列表", "an empty list"),
    "no_fields": ("没有字段", "no fields"),
    "no_columns": ("没有列", "no columns"),
    "unknown_key": ("未知的键 {key}{hint}", "unknown key {key}{hint}"),
    "unknown_name": ("未知的名称 {name}{hint}", "unknown name {name}{hint}"),
    "used_at": ("{value}，已在 {path} 用过", "{value}, already used at {path}"),
    "replaced_by": ("{value}，已被 {by} 替换", "{value}, already replaced by {by}"),
    "twice": ("{value} 出现了两次", "{value} twice"),
    "sum": ("合计为 {sum}", "a sum of {sum}"),
    "typed": ("{type} {value}", "{type} {value}"),
    "sheet_name": ("{name}：{problem}", "{name}: {problem}"),
    "str": ("文本", "str"),
    "int": ("整数", "int"),
    "float": ("小数", "float"),
    "bool": ("是/否", "bool"),
    "list": ("列表", "list"),
    "dict": ("映射", "dict"),
})


def expected(name: str, /, **params: Any) -> Msg:
    """What a loader expected: the message ``spec.expected.<name>`` with its values."""
    return Msg(f"spec.expected.{name}", params)


def found(name: str, /, **params: Any) -> Msg:
    """What a loader found instead: the message ``spec.found.<name>`` with its values."""
    return Msg(f"spec.found.{name}", params)


def type_name(value: Any) -> Msg | str:
    """The kind of a YAML value in words (文本, 整数, …); a kind without words keeps its Python name."""
    name = type(value).__name__
    return found(name) if f"spec.found.{name}" in FOUND else name


def typed(value: Any) -> Msg:
    """A value with its kind: ``str 'abc'`` / ``文本 'abc'``."""
    return found("typed", type=type_name(value), value=repr(value))


def _words(value: Msg | Words | str) -> Words:
    if isinstance(value, Msg):
        return Words(value.text("zh"), value.text("en"))
    return value if isinstance(value, Words) else Words(str(value), str(value))


def error(source: str, path: str, expected: Msg, got: Msg | Words | str) -> Msg:
    """The whole message; in Chinese a found value that starts in Latin letters or digits stands after a space."""
    zh, en = _words(got)
    return Msg("spec.error", {"source": source, "path": path or Msg("spec.top_level"), "expected": expected,
                              "got": Words((" " if zh[:1].isascii() else "") + zh, en)})


def did_you_mean(value: str, options) -> Msg | str:
    """" (did you mean 'x'?)" in the reader's language when an option is close to *value*, else ''."""
    close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1, cutoff=0.6)
    return Msg("spec.did_you_mean", {"name": repr(close[0])}) if close else ""
