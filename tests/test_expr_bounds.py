"""The expression language is bounded: what could hang or exhaust memory is refused when a spec or
scheme is loaded (exit 2 naming the key), and no typed value can make an expression blow up at
validate (the result is unknown instead)."""

from __future__ import annotations

import pytest
import yaml
from conftest import DEFAULT_UNITS, MINI_SPEC
from test_validate import run, submit

from toolkit.errors import SpecError
from toolkit.expr.language import MAX_DEPTH, ExpressionError, compile_expr, evaluate
from toolkit.spec.parse import parse_spec

HOSTILE = {
    "power tower": "9**9**9",
    "huge power": "2 ** 5000",
    "text repeated": "'a' * 10**10",
    "list repeated": "[0] * 10**9",
    "repeated inside a function": "len('ab' * 10**6)",
    "in a branch never taken": "0 if true else 10 ** 10 ** 10",
    "big numbers multiplied": "10**999 * 10**999 * 10**999 * 10**999 * 10**999",
    "thousands of chained terms": " + ".join(["members"] * 3000),
    "a chain deeper than the bound": " + ".join(["members"] * (MAX_DEPTH + 20)),
    "nested negations": "-" * 500 + "1",
    "bytes": "b'x' * 3",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_expressions_are_refused_when_compiled(source):
    with pytest.raises(ExpressionError) as info:
        compile_expr(source)
    assert info.value.zh and info.value.zh != str(info.value)  # said in Chinese as well


def test_an_expression_error_is_a_catalogue_message_read_in_either_language():
    # the bound inside the expression is itself a message, rendered in the reader's language
    with pytest.raises(ExpressionError) as info:
        compile_expr("2 ** 5000")
    assert info.value.message.key == "expr.bound"
    assert str(info.value) == info.value.text("en") == "the exponent 5000 is larger than 1000 in expression '2 ** 5000'"
    assert info.value.zh == info.value.text("zh") == "表达式 '2 ** 5000' 中指数 5000 超过 1000"


@pytest.mark.parametrize("source", [
    "members ** 2", "2 ** 0.5", "round(problems_rectified / problems_found * 100, 1) if problems_found > 0 else 0",
    "sum(" + ", ".join(f"a{n}" for n in range(300)) + ")", " + ".join(["members"] * 60), "'-' * 20",
])
def test_ordinary_expressions_still_compile(source):
    compile_expr(source)


@pytest.mark.parametrize("source, names", [
    ("x ** n", {"x": 9, "n": 5000}),            # a typed count used as an exponent
    ("x ** n", {"x": 9.5, "n": 5000}),          # a float overflows: unknown, not OverflowError
    ("s * n", {"s": "ab", "n": 20000}),
    ("l * n", {"l": [0], "n": 20000}),
    ("s + s", {"s": "a" * 6000}),
    ("x ** 0.5", {"x": -8}),                   # a complex number is no value of a cell
    ("-s", {"s": "text"}),
    ("len(n)", {"n": 5}),
    ("abs(s)", {"s": "text"}),
    ("round(s, 1)", {"s": "text"}),
    ("s % n", {"s": "%*d", "n": (10**6, 1)}),   # no printf-style formatting of text
    ("n * n * n * n", {"n": 10**1000}),
])
def test_values_past_the_bounds_make_the_result_unknown(source, names):
    assert evaluate(source, names) is None


def _spec_with(formula: str) -> dict:
    raw = yaml.safe_load(MINI_SPEC.read_text(encoding="utf-8"))
    raw["sheets"][1]["fields"][4]["formula"] = formula
    return raw


@pytest.mark.parametrize("source", [HOSTILE["power tower"], HOSTILE["text repeated"], HOSTILE["list repeated"],
                                    HOSTILE["thousands of chained terms"]])
def test_a_spec_with_a_hostile_formula_is_refused_at_load_naming_the_key(source):
    with pytest.raises(SpecError, match=r"^mini\.yaml: sheets\[1\]\.fields\[4\]\.formula: expected a valid expression"):
        parse_spec(_spec_with(source), "mini.yaml")


def test_a_table_column_formula_is_checked_at_load_too():
    raw = yaml.safe_load(MINI_SPEC.read_text(encoding="utf-8"))
    raw["sheets"][3]["columns"][0]["formula"] = "9**9**9"
    with pytest.raises(SpecError, match=r"sheets\[3\]\.columns\[0\]\.formula: expected a valid expression"):
        parse_spec(raw, "mini.yaml")


def test_a_scheme_with_a_hostile_value_is_refused_at_load_naming_the_key():
    from toolkit.score.scheme import parse_scheme
    from toolkit.spec.load import find_template
    raw = {"id": "t", "title": "细则", "template": "annual-assessment", "version": "1",
           "grades": [{"grade": "优秀", "min": 90}, {"grade": "较差"}],
           "indicators": [{"id": "x", "title": "主题党日", "rule": "rate", "value": "'a' * 10**10 and theme_days",
                           "max": 5, "target": 1}]}
    with pytest.raises(SpecError, match=r"^s\.yaml: indicators\[0\]\.value: expected a valid expression"):
        parse_scheme(raw, "s.yaml", spec=find_template("annual-assessment"))


def test_cli_refuses_the_spec_with_exit_2_and_the_key_path(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli.commands import app
    spec = tmp_path / "bad.yaml"
    spec.write_text(yaml.safe_dump(_spec_with("[0] * 10**9"), allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["describe", str(spec), "--lang", "en"])
    assert result.exit_code == 2
    assert "sheets[1].fields[4].formula" in result.output


def test_validate_survives_a_typed_value_that_would_blow_up_a_formula(tmp_path):
    """formal = members ** prob, with 5000 typed as prob: the computed value is unknown, validate finishes."""
    from conftest import write_roster

    from toolkit.campaign.folder import create_campaign
    from toolkit.generate.outbox import generate_outbox
    raw = _spec_with("members ** prob")
    raw["rules"] = []
    spec = tmp_path / "power.yaml"
    spec.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    campaign = create_campaign(tmp_path / "camp", str(spec), write_roster(tmp_path / "r.csv", DEFAULT_UNITS),
                               year=2026)
    generate_outbox(campaign, workers=1)
    result = run(campaign, submit(campaign, tmp_path, changes={("基本信息", "C6"): 9, ("基本信息", "C7"): 5000}))
    ret = next(iter(result.returns.values()))
    assert ret.entries[("formal", None)].value is None
