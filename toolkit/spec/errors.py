"""Template and scheme authoring errors in Chinese, beside the English the loaders compose.

A spec or scheme error says where (file and key path), what was expected and what was found
(:meth:`toolkit.spec.parse.ParseContext.fail`). The English wording stays as it is (exact, and what an IT
colleague searches for); :func:`in_chinese` gives the Chinese wording of the same message from
the phrasebooks below, with ids, values and paths carried over. A phrasing with no Chinese entry
yet is kept in English inside the Chinese frame, so nothing is ever lost.
"""

from __future__ import annotations

import re

__all__ = ["EXPECTED", "FOUND", "in_chinese", "expected_zh", "found_zh"]

# (English phrasing, Chinese wording); {0}, {1}, … are the phrasing's (.+) parts, in order. The first
# phrasing that matches wins: the general ones ("one of …", "each … once") come last.
EXPECTED: tuple[tuple[str, str], ...] = (
    ("a mapping (key: value)", "映射（键: 值）"),
    ("one of the keys (.+)", "以下键之一：{0}"),
    ("a value (required)", "一个值（必填）"),
    ("a value (required for rule (.+))", "一个值（规则 {0} 必填）"),
    ("one of the choices (.+)", "以下选项之一：{0}"),
    ("one of the grades (.+)", "以下等次之一：{0}"),
    ("an id of letters, digits and _ starting with a letter (no dots)", "以字母开头、由字母、数字和 _ 组成的 id（不能有点号）"),
    ("an id of letters, digits and _ starting with a letter", "以字母开头、由字母、数字和 _ 组成的 id"),
    ("a template id of letters, digits, - and _ (e.g. annual-assessment)",
     "由字母、数字、- 和 _ 组成的模板 id（如 annual-assessment）"),
    ("at least one sheet", "至少一个工作表"),
    ("a sheet name other than _meta and _lists (reserved)", "_meta 和 _lists 以外的工作表名称（这两个是保留名称）"),
    ("a form field id of this template", "本模板中基本信息类字段的 id"),
    ("a sheet name Excel accepts (at most 31 characters, none of (.+), no ' at either end)",
     "Excel 接受的工作表名称（不超过 31 个字符，不含 {0}，开头和结尾不能是撇号 '）"),
    ("a form sheet with at least one field", "至少有一个字段的表单"),
    ("a checklist with `columns` (inputs) and `areas` (items)", "带有 `columns`（填报列）和 `areas`（指标）的考核指标表"),
    ("a table with at least one column", "至少有一列的台账"),
    ("column ids of this table", "本台账的列 id"),
    ("column ids of this table as keys", "以本台账的列 id 作为键"),
    ("column ids of (.+) as values", "以 {0} 的列 id 作为值"),
    ("a column id of this table", "本台账的一个列 id"),
    ("a list of choices for a field of type choice", "choice 类型字段的选项列表"),
    ("keys that are choices ((.+))", "为选项之一的键（{0}）"),
    ("a valid regular expression", "有效的正则表达式"),
    ("min ≤ max ((.+))", "min ≤ max（{0}）"),
    ("1 (0.85 means 85%) or 100 (85 means 85%)", "1（0.85 表示 85%）或 100（85 表示 85%）"),
    ("at least one item", "至少一个指标"),
    ("a valid expression", "有效的表达式"),
    ("names of fields in this template", "本模板中的字段名"),
    ("names of fields in the template (.+)", "模板 {0} 中的字段名"),
    ("the id of a table sheet of this template", "本模板中台账工作表的 id"),
    ("an id used once in the template (fields, items, table columns)", "在模板中只用一次的 id（字段、指标、台账列）"),
    ("str", "文本"),
    ("int", "整数"),
    ("bool", "是/否（true/false）"),
    ("list", "列表"),
    ("dict", "映射"),
    ("a number", "数字"),
    ("text or a list", "文本或列表"),
    # scoring schemes
    ("the indicator's maximum points (required for this rule)", "该指标的满分（此规则必填）"),
    ("ids of checklist items in normal areas", "普通指标区中的指标 id"),
    ("a column of area (.+) (it has no score column)", "指标区 {0} 的一列（该区没有得分列）"),
    ("a column of area (.+): (.+)", "指标区 {0} 的一列：{1}"),
    ("the template to have an area of kind (.+)", "模板中有类型为 {0} 的指标区"),
    ("ids of (.+) areas of (.+): (.+)", "{1} 中类型为 {0} 的指标区 id：{2}"),
    ("the id of a checklist item", "考核指标的 id"),
    ("either `field` (a field id) or `value` (an expression)", "`field`（字段 id）或 `value`（表达式）二者之一"),
    ("a field id of (.+) (checklist values: item.column)", "{0} 的字段 id（考核指标的值写作 指标.列）"),
    ("a number of points ≤ max ((.+))", "不超过满分（{0}）的分数"),
    ("a positive target rate (mode target), e.g. 0.9", "大于 0 的目标比率（mode target），如 0.9"),
    ("points ≤ max ((.+))", "不超过满分（{0}）的分数"),
    ("a positive number (points per unit; the most deducted)", "大于 0 的数（每单位分值；最多扣分）"),
    ("0 or more: the points before deductions", "0 或以上：扣分前的分数"),
    ("no max for rule deduct: give `base` (points before deductions)", "deduct 规则不用 max：请写 `base`（扣分前的分数）"),
    ("0 or more", "0 或以上"),
    ("a weight of 0 or more", "0 或以上的权重"),
    ("weights that add up to 1 (or 100, as percentages)", "合计为 1（或按百分数合计为 100）的权重"),
    ("a bundled template id or a path to the evaluation form", "内置模板 id 或评价表的路径"),
    ("a bundled template id or a path to a template spec", "内置模板 id 或模板定义文件的路径"),
    ("是 or 否 (true/false) for a yes/no field", "是/否字段填“是”或“否”（true/false）"),
    ("the id of the campaign's template ((.+))", "本次考核所用模板的 id（{0}）"),
    ("at least one indicator (or from_checklist: true)", "至少一个指标（或 from_checklist: true）"),
    ("each checklist item replaced at most once", "每个考核指标最多被替换一次"),
    ("each indicator id once (generated checklist indicators use the item ids)",
     "每个指标 id 只用一次（由考核指标表生成的指标使用指标 id）"),
    ("a list of grades, best first, e.g. (.+)", "等次列表，从最好的开始，如 {0}"),
    ("no min on the last grade: it takes every unit below the others", "最后一个等次不设 min：其余单位都归入该等次"),
    ("a minimum total (only the last grade has none)", "最低总分（只有最后一个等次不设）"),
    ("a minimum below the previous grade's ((.+))", "低于上一等次（{0}）的最低总分"),
    ("a share between 0 and 1 (0.15 = 15%), not on the last grade", "0 到 1 之间的比例（0.15 即 15%），最后一个等次不设"),
    ("a grade below the top one: vetoed units are never top", "最高等次以外的等次：一票否决的单位不能评为最高等次"),
    ("one of (.+)", "以下之一：{0}"),
    ("each (.+) once", "每个 {0} 只出现一次"),
)

FOUND: tuple[tuple[str, str], ...] = (
    # what Excel refuses in a sheet name (toolkit.output.names.sheet_name_problem)
    ("(.+): an empty name", "{0}：名称为空"),
    ("(.+): (.+) characters (Excel allows (.+))", "{0}：有 {1} 个字符（Excel 最多 {2} 个）"),
    ("(.+): the character(s) (.+)", "{0}：含有字符 {1}"),
    ("(.+): an apostrophe at the start or end", "{0}：开头或结尾是撇号"),
    ("(.+): the name History, which Excel reserves", "{0}：History 是 Excel 的保留名称"),
    ("nothing", "空"),
    ("none", "没有"),
    ("both", "两者都有"),
    ("neither", "两者都没有"),
    ("missing", "缺少"),
    ("an empty list", "空列表"),
    ("no fields", "没有字段"),
    ("no columns", "没有列"),
    ("unknown key (.+)", "未知的键 {0}"),
    ("unknown name (.+)", "未知的名称 {0}"),
    ("(.+), already used at (.+)", "{0}，已在 {1} 用过"),
    ("(.+), already replaced by (.+)", "{0}，已被 {1} 替换"),
    ("(.+) twice", "{0} 出现了两次"),
    ("a sum of (.+)", "合计为 {0}"),
    ("str (.+)", "文本 {0}"),
    ("int (.+)", "整数 {0}"),
    ("float (.+)", "小数 {0}"),
    ("bool (.+)", "是/否 {0}"),
    ("list (.+)", "列表 {0}"),
    ("dict (.+)", "映射 {0}"),
    ("str", "文本"),
    ("int", "整数"),
    ("float", "小数"),
    ("bool", "是/否"),
    ("list", "列表"),
    ("dict", "映射"),
)

_DID_YOU_MEAN = re.compile(r" \(did you mean (.+)\?\)\Z", re.S)


def _compile(phrase: str) -> re.Pattern:
    parts = phrase.split("(.+)")
    return re.compile("(.+?)".join(re.escape(p) for p in parts) + r"\Z", re.S)


_EXPECTED = tuple((_compile(en), zh) for en, zh in EXPECTED)
_FOUND = tuple((_compile(en), zh) for en, zh in FOUND)


def _translate(book, text: str) -> str:
    hint = ""
    m = _DID_YOU_MEAN.search(text)
    if m:  # "… (did you mean 'label'?)": the suggestion is said in Chinese after the translated phrase
        text, hint = text[:m.start()], f"（是否应为 {m.group(1)}？）"
    for pattern, zh in book:
        found = pattern.match(text)
        if found:
            return zh.format(*found.groups()) + hint
    return text + hint


def expected_zh(expected: str) -> str:
    """What was expected, in Chinese (the English phrasing when it has no entry yet)."""
    return _translate(_EXPECTED, expected)


def found_zh(got: str) -> str:
    """What was found, in Chinese (values and ids as they are)."""
    return _translate(_FOUND, got)


def in_chinese(source: str, path: str, expected: str, got: str, got_zh: str | None = None) -> str:
    """The whole message in Chinese: 文件：键路径：应为…，实际为…。"""
    where = f"{source}：{path or '（顶层）'}"
    found = got_zh if got_zh is not None else found_zh(got)
    return f"{where}：应为{expected_zh(expected)}，实际为{' ' if found[:1].isascii() else ''}{found}"
