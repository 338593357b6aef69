"""Codes of values as typed (:mod:`toolkit.normalise.values`): numbers, dates, choices a unit wrote."""

from __future__ import annotations

from ..states import Severity
from .entry import Code, declare

__all__ = ["CODES"]

CODES = declare(
    Code("value.not_a_number", Severity.ERROR, "不是有效数字", "Not a number",
         "请填写阿拉伯数字，如 12", "Type a number such as 12"),
    Code("value.not_an_integer", Severity.ERROR, "应为整数", "Not a whole number",
         "请填写整数，如 12（不要带小数）", "Type a whole number such as 12"),
    Code("value.not_a_date", Severity.ERROR, "不是有效日期", "Not a date",
         "请按 2026-03-05 的格式填写日期", "Type a date such as 2026-03-05"),
    Code("value.not_a_bool", Severity.ERROR, "应填“是”或“否”", "Not yes or no",
         "请填写“是”或“否”", "Type 是 (yes) or 否 (no)"),
    Code("value.not_a_choice", Severity.ERROR, "不是可选项之一", "Not one of the choices",
         "请从下拉列表中选择，不要自行输入", "Pick a value from the drop-down list"),
    Code("value.error_cell", Severity.ERROR, "单元格为公式错误值", "The cell holds a formula error",
         "请检查公式（如 #DIV/0!、#REF!），改为正确的数值", "Fix the formula (#DIV/0!, #REF! …) or type the value"),
    Code("value.chinese_numeral", Severity.WARNING, "数字用汉字填写，已自动识别", "Number written in Chinese",
         "请核对自动识别的数值，今后请填写阿拉伯数字", "Check the value read; type digits such as 12"),
    Code("value.percent_ambiguous", Severity.WARNING, "百分比写法不明确，已自动换算", "Ambiguous percentage",
         "请核对换算后的百分比，今后请按模板要求填写（如 85 或 85%）", "Check the converted rate; type it as the template asks"),
)
