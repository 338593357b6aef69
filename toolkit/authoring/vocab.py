"""The words of the authoring workbook: sheet names, column headers and the values of dropdowns.

Every word has a Chinese and an English spelling. The workbook is written in one language
(``--lang``) and read in either, so a workbook written with ``--lang en`` and filled in by a
colleague who retyped a Chinese header still reads. Spec values (``int``, ``bonus`` …) are
accepted too, so an IT colleague can type what docs/spec-format.md says.
"""

from __future__ import annotations

import difflib
import re

from ..i18n import Msg, define, pick
from ..model import Severity

__all__ = ["SHEETS", "COLUMNS", "TEMPLATE_KEYS", "SHEET_KINDS", "FIELD_TYPES", "AREA_KINDS", "SEVERITIES",
           "word", "sheet_name", "lookup", "options", "did_you_mean", "spellings", "split_list", "join_list", "YES", "NO"]

# sheet key -> (zh, en)
SHEETS = {
    "guide": ("使用说明", "Guide"),
    "template": ("模板", "Template"),
    "sheets": ("工作表", "Sheets"),
    "fields": ("字段", "Fields"),
    "items": ("考核指标", "Indicators"),
    "rules": ("规则", "Rules"),
    "summary": ("汇总", "Summary"),
    "grades": ("等次", "Grades"),
}

# sheet key -> [(spec key, zh header, en header, width)]; the spec key names the column in errors
COLUMNS = {
    "template": [("key", "项目", "Item", 22), ("value", "内容", "Value", 70)],
    "sheets": [("id", "编号", "Id", 12), ("kind", "类型", "Kind", 12), ("name", "工作表名称", "Sheet name", 18),
               ("name_en", "英文名称", "English name", 18), ("title", "标题", "Title", 30),
               ("rows", "行数", "Rows", 8), ("key", "主键", "Key columns", 14),
               ("text", "说明文字", "Text", 60), ("carry_if", "结转条件", "Carry if", 20),
               ("carry_from", "结转来源", "Carry from", 20), ("lifecycle", "销号设置", "Lifecycle", 20)],
    "fields": [("sheet", "工作表", "Sheet", 14), ("area", "指标区", "Area", 10), ("id", "编号", "Id", 16),
               ("label", "名称", "Label", 22), ("label_en", "英文名称", "English label", 20),
               ("type", "类型", "Type", 10), ("required", "必填", "Required", 7), ("min", "最小值", "Min", 8),
               ("max", "最大值", "Max", 8), ("unit", "单位", "Unit", 7), ("choices", "选项", "Choices", 18),
               ("synonyms", "同义词", "Synonyms", 22), ("pattern", "格式", "Pattern", 16),
               ("pattern_hint", "格式提示", "Pattern hint", 16), ("help", "填写说明", "Help", 40),
               ("prefill", "预填", "Prefill", 10), ("formula", "公式", "Formula", 22),
               ("required_if", "条件必填", "Required if", 18), ("width", "列宽", "Width", 7),
               ("carry", "结转", "Carry", 7), ("in_period", "统计期内", "In period", 8),
               ("scale", "百分比基数", "Scale", 8)],
    "items": [("sheet", "工作表", "Sheet", 12), ("area", "指标区编号", "Area id", 10),
              ("title", "指标区标题", "Area title", 28), ("title_en", "英文标题", "English title", 18),
              ("kind", "区类型", "Area kind", 10), ("cap", "封顶", "Cap", 7), ("id", "指标编号", "Item id", 10),
              ("content", "考核内容", "Content", 40), ("standard", "评分标准", "Standard", 40),
              ("max", "分值", "Points", 7), ("evidence", "佐证材料", "Evidence", 24)],
    "rules": [("sheet", "工作表", "Sheet", 12), ("id", "编号", "Id", 16), ("expr", "表达式", "Expression", 36),
              ("message", "提示", "Message", 40), ("message_en", "英文提示", "English message", 30),
              ("severity", "级别", "Severity", 9), ("fields", "相关字段", "Fields", 20)],
    "summary": [("id", "编号", "Id", 14), ("label", "名称", "Label", 20), ("label_en", "英文名称", "English label", 20),
                ("numerator", "分子", "Numerator", 18), ("denominator", "分母", "Denominator", 18)],
    "grades": [("grade", "等次", "Grade", 10), ("min", "最低分", "Minimum", 10), ("quota", "名额比例", "Quota", 10)],
}

# rows of the 模板 sheet: spec key -> (zh, en)
TEMPLATE_KEYS = {
    "id": ("模板编号", "Template id"), "version": ("版本", "Version"), "title": ("标题", "Title"),
    "title_en": ("英文标题", "English title"), "description": ("说明", "Description"),
    "scoring": ("评分细则", "Scoring scheme"), "return_key": ("区分多份报表的字段", "Return key"),
    "total": ("基础分合计", "Base points total"),
}

# dropdown values: spec value -> (zh, en)
SHEET_KINDS = {"instructions": ("填报说明", "Instructions"), "form": ("表单", "Form"),
               "checklist": ("考核指标", "Checklist"), "table": ("台账", "Table")}
FIELD_TYPES = {"text": ("文本", "Text"), "int": ("整数", "Whole number"), "number": ("数字", "Number"),
               "percent": ("百分比", "Percent"), "date": ("日期", "Date"), "bool": ("是否", "Yes/no"),
               "choice": ("选项", "Choice"), "score": ("得分", "Score")}
AREA_KINDS = {"normal": ("基础", "Normal"), "bonus": ("加分", "Bonus"), "veto": ("一票否决", "Veto")}
SEVERITIES = {Severity.ERROR.value: ("错误", "Error"), Severity.WARNING.value: ("提醒", "Warning")}  # spec values: plain text in YAML
YES = ("是", "yes", "y", "true", "1", "√", "✓", "x")
NO = ("否", "no", "n", "false", "0", "")


def word(pair: tuple[str, str], lang: str) -> str:
    return pick(pair, lang)


def sheet_name(key: str, lang: str) -> str:
    return word(SHEETS[key], lang)


def _norm(text: str) -> str:
    return re.sub(r"[\s（）()]", "", str(text)).lower()


def lookup(vocab: dict[str, tuple[str, str]], text: str) -> str | None:
    """The spec value a cell's text names (its Chinese or English word, or the value itself)."""
    key = _norm(text)
    for value, (zh, en) in vocab.items():
        if key in (_norm(value), _norm(zh), _norm(en)):
            return value
    return None


def options(vocab: dict[str, tuple[str, str]], lang: str) -> list[str]:
    """The words a user may type, in the language of the message."""
    return [word(pair, lang) for pair in vocab.values()]


define("authoring", {"did_you_mean": ("（是否应为“{name}”？）", " (did you mean {name!r}?)")})


def did_you_mean(text: str, candidates) -> Msg | str:
    """" (did you mean 'x'?)" in the reader's language when a candidate is close to *text*, else ''."""
    close = difflib.get_close_matches(str(text), [str(c) for c in candidates], n=1, cutoff=0.5)
    return Msg("authoring.did_you_mean", {"name": close[0]}) if close else ""


def spellings(vocab: dict[str, tuple[str, str]]) -> list[str]:
    """Every word a cell may hold for *vocab*: Chinese, English and the spec value."""
    return [w for value, pair in vocab.items() for w in (*pair, value)]


_SEPARATORS = re.compile(r"[、，,；;]")


def split_list(text: str) -> list[str]:
    """A list typed in one cell: one entry per line, or separated by 、，,；; on one line."""
    text = str(text)
    parts = text.split("\n") if "\n" in text else _SEPARATORS.split(text)
    return [p.strip() for p in parts if p.strip()]


def join_list(values) -> str:
    """The cell text of a list: one entry per line (an entry holding a separator keeps line mode)."""
    values = [str(v) for v in values]
    text = "\n".join(values)
    if len(values) == 1 and _SEPARATORS.search(text):
        text += "\n"
    return text
