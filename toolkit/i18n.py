"""Everything a user reads, in Chinese (the default) and English (``--lang en``): one catalogue.

A message is a key with its Chinese and English text side by side, ``str.format`` templates with the
same parameters in both. Modules define the messages they say next to their code, as a table of
``key: (zh, en)`` under their own namespace (:func:`define`), and every text is read through
:func:`t` (or a module's :func:`texts` view of its namespace, which reads through :func:`t`). A
call site passes values, never pre-rendered text: a value that itself differs by language (a
field's label, a nested message) is passed as :class:`Words` or :class:`Msg` and rendered in the
reader's language. This is the only module that tells the two languages apart.
"""

from __future__ import annotations

import string
from typing import Any, Mapping, NamedTuple

__all__ = ["t", "define", "texts", "pick", "lang_of", "locale_of", "Words", "Msg", "Texts", "LANGS", "CATALOGUE",
           "template_names"]

LANGS = ("zh", "en")


class Words(NamedTuple):
    """A value written in both languages (a label, a title, a rule's own message)."""

    zh: str
    en: str


class Msg(NamedTuple):
    """A message not yet rendered: its key and parameters (the reader's language picks the text)."""

    key: str
    params: Mapping[str, Any] = {}

    def text(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)


#: key → the message's (zh, en) templates
CATALOGUE: dict[str, Words] = {}


def define(namespace: str, table: Mapping[str, tuple[str, str]]) -> Mapping[str, Words]:
    """Add a module's messages under *namespace* (``"score.sheet"`` → ``score.sheet.title``)."""
    added = {}
    for key, (zh, en) in table.items():
        full = f"{namespace}.{key}" if namespace else key
        words = Words(zh, en)
        if CATALOGUE.get(full, words) != words:
            raise ValueError(f"message {full} defined twice with different text")
        CATALOGUE[full] = added[full] = words
    return added


def lang_of(value: str | None) -> str:
    """``en`` for English (``en``, ``en-GB``, …), else ``zh``: the two languages the toolkit speaks."""
    return "en" if str(value or "").lower().startswith("en") else "zh"


def locale_of(lang: str) -> str:
    """The campaign.yaml locale for a language: ``en`` or ``zh-CN``."""
    return "en" if lang_of(lang) == "en" else "zh-CN"


def pick(words: tuple[str, str] | Words, lang: str = "zh") -> str:
    """One of a (zh, en) pair; an empty English text falls back to the Chinese (an optional label_en)."""
    zh, en = words
    return (en or zh) if lang_of(lang) == "en" else zh


def _value(value: Any, lang: str) -> Any:
    if isinstance(value, Msg):
        return value.text(lang)
    if isinstance(value, Words):
        return pick(value, lang)
    return value


def t(key: str, lang: str = "zh", /, **params: Any) -> str:
    """The text of message *key* in *lang*, its parameters filled in (Words and Msg in *lang* too).

    Without parameters the template comes back as written.
    """
    zh, en = CATALOGUE[key]
    text = en if lang_of(lang) == "en" else zh
    return text.format_map({k: _value(v, lang) for k, v in params.items()}) if params else text


class Texts:
    """A module's messages in one language: ``w["title"]`` is the template, ``w("title", year=2026)`` the text."""

    __slots__ = ("namespace", "lang")

    def __init__(self, namespace: str, lang: str):
        self.namespace, self.lang = namespace, lang_of(lang)

    def __getitem__(self, key: str) -> str:
        return t(f"{self.namespace}.{key}", self.lang)

    def __call__(self, key: str, /, **params: Any) -> str:
        return t(f"{self.namespace}.{key}", self.lang, **params)

    def get(self, key: str, default: str | None = None) -> str | None:
        """The template of *key*, or *default* when the namespace has no such message."""
        return self[key] if f"{self.namespace}.{key}" in CATALOGUE else default


def texts(namespace: str, lang: str) -> Texts:
    """The messages of *namespace* in *lang*."""
    return Texts(namespace, lang)


def template_names(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


# How a list of things is joined in each language.
define("sep", {"list": ("、", ", "), "semicolon": ("；", "; "), "comma": ("，", ", ")})

# The generated workbooks' own words (generate writes them, read finds the headers in either language).
define("", {
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
    "code_line": ("填报单位：{unit}    表码：{code}", "Unit: {unit}    Form code: {code}"),
})
