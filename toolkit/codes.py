"""The catalogue of issue and ledger reason codes.

Every code has a severity, a title and a fix-it hint in Chinese and English,
and, when an issue says more than its title, a detail template in both
languages with named parameters (``str.format`` style). Call sites pass the
values (``{"bounds": "0..100"}``); :func:`render` is the one place that turns
a code and its parameters into text. A value that itself differs by language
(a field's label, a rule's own message) is passed as :class:`Words`.
The codes themselves are declared by stage in the sections of
:mod:`toolkit.catalogue` (each stage imports its section's ``CODES``); this
module imports every section statically and gathers them into
:data:`CATALOGUE`, so any code can be looked up from anywhere, whatever else
a process imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from .catalogue import SECTIONS
from .catalogue.entry import Code, Words
from .i18n import define, pick, t, template_names

__all__ = ["Code", "CATALOGUE", "Words", "Detail", "code_info", "title", "hint", "render", "template_names",
           "reason_message"]


@dataclass(frozen=True)
class Detail:
    """What a ledger reason says beyond its title, as data: which of its code's templates, and the values.

    Intake, reading and identification record this (never rendered text); the ledger stores it
    as JSON next to the code and every display renders it in the user's language.
    """

    variant: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, code: str, lang: str = "zh") -> str:
        return render(code, self.params, lang, self.variant)

    def to_json(self) -> str:
        return json.dumps({"variant": self.variant, "params": dict(self.params)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Detail":
        d = json.loads(text)
        return cls(d.get("variant", ""), d.get("params", {}))


def _gather() -> dict[str, Code]:
    """Every section's codes in one mapping; a code declared in two sections is a mistake."""
    out: dict[str, Code] = {}
    for section in SECTIONS:
        for name, c in section.CODES.items():
            if name in out:
                raise ValueError(f"issue code {name} declared in two sections")
            out[name] = c
    return out


CATALOGUE: dict[str, Code] = _gather()


def code_info(code: str) -> Code:
    return CATALOGUE[code]


def title(code: str, lang: str = "zh") -> str:
    c = code_info(code)
    return pick((c.title_zh, c.title_en), lang)


def hint(code: str, lang: str = "zh") -> str:
    c = code_info(code)
    return pick((c.hint_zh, c.hint_en), lang)


def render(code: str, params: Mapping[str, Any] | None, lang: str = "zh", variant: str = "") -> str:
    """An issue's detail in the user's language: the code's template filled with ``params``.

    No params means no detail (the title and hint say it all), unless a variant is named (its
    template is the detail, with or without parameters).
    """
    if not params and not variant:
        return ""
    template = pick(code_info(code).templates()[variant], lang)
    return template.format_map({k: pick(v, lang) if isinstance(v, Words) else v for k, v in (params or {}).items()})


define("codes.reason", {
    "with_detail": ("{title}：{detail}。{hint}", "{title}: {detail}. {hint}"),
    "plain": ("{title}。{hint}", "{title}. {hint}"),
})


def reason_message(lang: str):
    """A function (reason_code, detail) → the message shown for a ledger row: what, the detail, what to do.

    *detail* is a :class:`Detail` (rendered in *lang*) or text as the ledger recorded it (rows of
    ledgers written before details were stored as data, and the ledger's own notes), shown as it is.
    """
    def message(code: str, detail: "Detail | str") -> str:
        if isinstance(detail, Detail):
            detail = detail.text(code, lang)
        detail = detail or ""
        if not code:
            return detail
        try:
            text, todo = title(code, lang), hint(code, lang)
        except KeyError:
            text, todo = code, ""
        if detail:
            return t("codes.reason.with_detail", lang, title=text, detail=detail, hint=todo).strip()
        return t("codes.reason.plain", lang, title=text, hint=todo).strip()
    return message


