"""User-facing words in Chinese (default) and English (``--lang en``)."""

from __future__ import annotations

__all__ = ["t", "LANGS"]

LANGS = ("zh", "en")

_TEXT = {
    "form.header": ("项目", "Item"),
    "form.value": ("填报内容", "Value"),
    "form.help": ("填写说明", "How to fill in"),
    "check.no": ("编号", "No."),
    "check.content": ("考核内容", "Indicator"),
    "check.standard": ("评分标准", "Scoring standard"),
    "check.max": ("分值", "Points"),
    "check.subtotal": ("小计", "Subtotal"),
    "check.total": ("合计（基础分+加分，加分封顶）", "Total (base + capped bonus)"),
    "check.bonus_cap": ("加分项（封顶{cap}分）", "Bonus (capped at {cap})"),
    "check.cap": ("（封顶{cap}分）", " (capped at {cap})"),
    "check.total_plain": ("合计", "Total"),
    "check.veto": ("一票否决项", "Veto items"),
    "survey.question": ("调查问题", "Question"),
    "survey.hint": ("评价要点", "What to consider"),
    "table.no": ("序号", "No."),
    "required_mark": ("（必填）", " (required)"),
    "dv.error_title": ("输入有误", "Invalid input"),
    "dv.int": ("请填写{lo}至{hi}之间的整数", "Enter a whole number from {lo} to {hi}"),
    "dv.decimal": ("请填写{lo}至{hi}之间的数字", "Enter a number from {lo} to {hi}"),
    "dv.date": ("请填写日期，如 2026-03-05", "Enter a date such as 2026-03-05"),
    "dv.list": ("请从下拉列表中选择", "Choose from the list"),
    "bool.yes": ("是", "Yes"),
    "bool.no": ("否", "No"),
    "footer": ("&C第 &P 页，共 &N 页", "&CPage &P of &N"),
    "meta.key": ("键", "key"),
    "meta.value": ("值", "value"),
    "form.prior": ("上年数（上轮报送）", "Last round"),
    "carry.stale": ("（上一轮未报送，以下为此前记录的事项）", " (not returned last round: earlier items)"),
    "instr.returning": ("报送方式：{return_to}", "How to return: {return_to}"),
}


def t(key: str, lang: str = "zh", **kw) -> str:
    """The text for *key* in *lang*, formatted with *kw*."""
    zh, en = _TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**kw) if kw else text
