"""Scoring in plain words: trace notes, each rule as a sentence, a unit's values with their labels.

The score cards of out/scoring-sheet.xlsx answer a unit's appeal, so they say what happened in
the reader's language (Chinese by default, English with ``--lang en``): the indicator's title,
its rule in words ("按次数扣分：满分5分，每1次扣0.5分，最多扣5分"), the unit's own values under
their field labels and the points. out/score_trace.csv keeps its machine-readable ``rule`` and
``inputs`` and its Chinese ``note``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..i18n import Words, define, pick, t
from ..normalise.values import display

__all__ = ["NOTES", "MISSING_NOTE", "item_number", "note_text", "rule_text", "values_text", "value_labels", "points_text"]

MISSING_NOTE = "未填报"

#: Trace notes (score.note.<key>): a trace row's notes are (key, parameters) pairs, rendered in the reader's language.
NOTES = define("score.note", {
    "missing": (MISSING_NOTE, "not filled in"),
    "missing_fields": (MISSING_NOTE + "：{fields}", "not filled in: {fields}"),
    "not_a_number": ("不是数字，按0分计", "not a number: 0 points"),
    "over_max": ("超过分值，按{max}分计", "above the maximum: {max} points"),
    "negative": ("负数按0分计", "negative: 0 points"),
    "not_in_table": ("答案不在计分表中，按{points}分计", "answer not in the table: {points} points"),
    "no_value": ("无法计算（如分母为0），按0分计", "cannot be computed (e.g. a division by 0): 0 points"),
    "best_zero": ("所有单位比率均为0，按0分计", "every unit's rate is 0: 0 points"),
    "below_bands": ("低于最低档，按0分计", "below the lowest band: 0 points"),
    "deducted": ("扣{points}分", "{points} points deducted"),
    "deducted_cap": ("扣{points}分（已达扣分上限）", "{points} points deducted (the most that is deducted)"),
    "item_over_max": ("{item}超过分值，按{max}分计", "{item} above its maximum: {max} points"),
    "item_missing": ("{item}" + MISSING_NOTE, "{item} not filled in"),
    "bonus_capped": ("合计{total}分，封顶{cap}分", "{total} in all, capped at {cap}"),
    "veto_missing": ("{n}项" + MISSING_NOTE + "，视为否", "{n} not filled in, taken as no"),
    "vetoed": ("一票否决（{items}），等次定为{grade}", "vetoed ({items}): grade {grade}"),
    "no_evaluation": ("无评价表（自评/互评/点评），本项跳过", "no evaluation return (self/peer/leader): skipped"),
    "role_missing": ("未收到{role}，按0分计", "no {role} return: 0 points"),
    "text": ("{text}", "{text}"),
})


define("score.rule", {
    "self_score": ("按自评分计分，最高{max}分，最低0分", "the self score, at most {max} and at least 0"),
    "fixed": ("按填报答案计分：{pairs}", "points per answer: {pairs}"),
    "fixed_default": ("；其他答案{default}分", "; any other answer {default}"),
    "rate_target": ("按比率计分：{value}达到{target}得满分{max}分，不足的按比例计分",
                    "by rate{value}: {target} or more earns the full {max} points, less earns its share"),
    "rate_best": ("按比率计分：{value}最高的单位得满分{max}分，其他单位按与最高比率之比计分",
                  "by rate{value}: the highest rate of all units earns the full {max} points, others in proportion"),
    "bands": ("按档次计分：{value}{bands}；低于最低档得0分", "in bands{value}: {bands}; below the lowest band 0"),
    "band": ("达到{min}得{points}分", "{min} or more: {points}"),
    "deduct_base": ("按次数扣分：满分{base}分，{value}每1次扣{per}分，最多扣{floor}分",
                    "deduction from {base} points: {per} off for each one{value}, at most {floor} off"),
    "deduct": ("按次数扣分：{value}每1次扣{per}分，最多扣{floor}分", "deduction: {per} off for each one{value}, at most {floor} off"),
    "bonus": ("加分项：各项按自评分计（不超过该项分值），合计封顶{cap}分",
              "bonus: each item's self score (at most its points), {cap} at most in all"),
    "veto": ("一票否决：任一项为“是”即否决，等次定为{grade}", "veto: any item answered yes vetoes the unit, grade {grade}"),
    "veto_last": ("，排在未被否决的单位之后", ", ranked after every unit that is not vetoed"),
    "veto_unranked": ("，不参与排名", ", not ranked"),
    "weights": ("加权计分：{weights}（同一角色有多份的取平均）", "weighted: {weights} (several returns of a role: their mean)"),
    "adjustment": ("考核调整（办公室加减分）", "office adjustment"),
})

define("score.word", {
    "computed": ("计算值", "computed"),
    "mean": ("平均", "mean"),
    "blank": ("未填", "blank"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "sep": ("；", "; "),
    "colon": ("：", ": "),
    "list": ("、", ", "),
    "value": ("“{value}”", " ({value})"),
    "points": ("{points}分", "{points}"),
})


def _w(namespace: str, key: str, lang: str, **kw) -> str:
    return t(f"score.{namespace}.{key}", lang, **kw)


def item_number(item_id: str) -> str:
    """An item's 编号 as the unit's workbook prints it (``a1_1`` → ``a1.1``): a card names what the unit saw."""
    return item_id.replace("_", ".")


def note_text(notes, lang: str = "zh", fields: dict[str, str] | None = None) -> str:
    """Notes ((key, parameters), …) as one text in *lang*; *fields* (expression name → label)
    names the fields of a ``missing_fields`` note by their labels."""
    def params(p: dict) -> dict:
        if fields and "fields" in p:
            return {**p, "fields": _w("word", "list", lang).join(fields.get(n, n) for n in p["fields"].split("、"))}
        return p
    return _w("word", "sep", lang).join(_w("note", key, lang, **params(p)) for key, p in notes)


def points_text(value: Any) -> str:
    """A number as the trace shows it: at most 4 decimals, no trailing zeros."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return display(value)
    return display(round(value, 4) + 0)


def _value_text(value: Any, lang: str) -> str:
    if value is None or value == "":
        return _w("word", "blank", lang)
    if isinstance(value, bool):
        return _w("word", "yes" if value else "no", lang)
    return points_text(value)


def value_labels(spec, lang: str = "zh") -> dict[str, str]:
    """Value key → its label: form fields by their label, checklist values as "item column label"."""
    def label(f) -> str:
        return pick(Words(f.label, f.label_en), lang)
    out = {fid: label(f) for fid, f in spec.form_fields.items()}
    for sheet in spec.sheets:
        for area in sheet.areas:
            for item in area.items:
                out.update({f"{item.id}.{c.id}": f"{item_number(item.id)} {label(c)}" for c in area.columns})
    return out


def values_text(values, labels: dict[str, str], lang: str = "zh") -> str:
    """The unit's own values used by a trace row, each under its label."""
    checklist = [k for k, _ in values if "." in k]
    parts = []
    for key, value in values:
        if key == "=":
            name = _w("word", "computed", lang)
        elif key == "mean":
            name = _w("word", "mean", lang)
        elif key.startswith("role:"):
            name = key[5:]
        else:
            name = labels.get(key, key)
            if len(checklist) == 1 and key in checklist:  # the row is about that item: its column is enough
                name = name.split(" ", 1)[-1]
        parts.append(f"{name}{_w('word', 'colon', lang)}{_value_text(value, lang)}")
    return _w("word", "sep", lang).join(parts)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _expression_words(source: str, names: dict[str, str], labels: dict[str, str]) -> str:
    """A simple expression with field labels for names ("主题党日开展次数 / 12"); '' when not simple."""
    if re.search(r"\b(if|else|and|or|not)\b|[(),\[\]]", source):
        return ""
    return _NAME.sub(lambda m: labels.get(names.get(m.group(0), m.group(0)), m.group(0)), source).strip()


def _share(value: float) -> str:
    return f"{points_text(value * 100)}%" if 0 < value <= 1 else points_text(value)


def rule_text(ind, lang: str = "zh", *, names: dict | None = None, labels: dict | None = None,
              veto_rank: str = "last") -> str:
    """The indicator's rule as a sentence in *lang*; *names* (expression name → value key) and
    *labels* (value key → label) turn a simple expression into words."""
    p, mx = ind.params, points_text(ind.max)
    value = _expression_words(p.get("value") or "", names or {}, labels or {}) if p.get("value") else ""
    value = _w("word", "value", lang, value=value) if value else ""
    if ind.rule == "self_score":
        return _w("rule", "self_score", lang, max=mx)
    if ind.rule == "fixed":
        yes_no = {"true": _w("word", "yes", lang), "false": _w("word", "no", lang)}
        pairs = _w("word", "list", lang).join(f"{yes_no.get(k, k)} {_w('word', 'points', lang, points=points_text(v))}"
                                              for k, v in p["points"])
        text = _w("rule", "fixed", lang, pairs=pairs)
        return text + (_w("rule", "fixed_default", lang, default=points_text(p["default"])) if p["default"] else "")
    if ind.rule == "rate":
        if p["mode"] == "target":
            return _w("rule", "rate_target", lang, value=value, target=_share(p["target"]), max=mx)
        return _w("rule", "rate_best", lang, value=value, max=mx)
    if ind.rule == "bands":
        bands = _w("word", "list", lang).join(_w("rule", "band", lang, min=points_text(low), points=points_text(pts))
                                              for low, pts in p["bands"])
        return _w("rule", "bands", lang, value=value, bands=bands)
    if ind.rule == "deduct":
        key = "deduct_base" if p["base"] else "deduct"
        return _w("rule", key, lang, base=points_text(p["base"]), value=value, per=points_text(p["per"]),
                  floor=points_text(p["floor"]))
    if ind.rule == "bonus":
        return _w("rule", "bonus", lang, cap=points_text(p["cap"]))
    if ind.rule == "veto":
        tail = _w("rule", "veto_unranked" if veto_rank == "unranked" else "veto_last", lang)
        return _w("rule", "veto", lang, grade=p["grade"]) + tail
    if ind.rule == "weights":
        weights = _w("word", "list", lang).join(f"{role}{points_text(w * 100)}%" for role, w in p["weights"].items())
        return _w("rule", "weights", lang, weights=weights)
    return ""


def adjustment_text(lang: str = "zh") -> str:
    return _w("rule", "adjustment", lang)
