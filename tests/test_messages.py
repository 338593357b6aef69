"""Messages are templates with parameters: one catalogue, zh and en side by side, rendered in one place."""

from __future__ import annotations

import pytest

from toolkit.codes import CATALOGUE, Words, code_info, render, template_names
from toolkit.validate.checks import Issue
from toolkit.validate.stage import issue_message

code_info("value.required")  # loads every stage module, so the catalogue is complete
TEMPLATED = sorted(c for c in CATALOGUE if CATALOGUE[c].templates())


def test_some_codes_have_templates():
    assert {"value.out_of_range", "rule.failed", "rectification.deadline_moved"} <= set(TEMPLATED)


@pytest.mark.parametrize("code", TEMPLATED)
def test_every_template_renders_in_both_languages_with_its_example(code):
    c = CATALOGUE[code]
    for variant, (zh, en) in c.templates().items():
        assert zh and en, (code, variant)
        assert template_names(zh) == template_names(en), (code, variant)
        assert template_names(zh) <= set(c.example), (code, variant)
        for lang in ("zh", "en"):
            text = render(code, c.example, lang, variant)
            assert text and "{" not in text and "}" not in text, (code, variant, lang, text)


def test_a_code_without_a_template_has_no_example():
    assert not [c for c in CATALOGUE.values() if c.example and not c.templates()]


def test_words_are_taken_in_the_reader_s_language():
    params = {"message": Words("预备党员不能多于党员", "probationary members exceed members")}
    assert render("rule.failed", params, "zh") == "预备党员不能多于党员"
    assert render("rule.failed", params, "en") == "probationary members exceed members"
    assert render("rule.failed", {}, "en") == ""


def test_an_issue_carries_values_and_the_message_is_rendered_from_them():
    issue = Issue("value.out_of_range", "error", "基本信息", "C9", "rate", "比例", 140,
                  params={"bounds": "0..100"}, variant="computed")
    assert issue.params == {"bounds": "0..100"}
    assert issue_message(issue) == ("基本信息!C9「比例」：数值超出范围（填写的是：140）"
                                    "（0..100；此项自动计算，请核对参与计算的数据）。请填写规定范围内的数值")
    assert issue_message(issue, "en").endswith(
        "(typed: 140) — 0..100; computed: check the values it is computed from. Enter a value inside the allowed range")
