"""Template and scheme authoring errors in both languages: Chinese first (the CLI's default), the
English original below it; --lang en English only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from test_bundled_templates import _base

from toolkit.errors import SpecError
from toolkit.spec.errors import EXPECTED
from toolkit.spec.parse import parse_spec


def _failure(change) -> SpecError:
    raw = _base()
    change(raw)
    with pytest.raises(SpecError) as info:
        parse_spec(raw, "t.yaml")
    return info.value


def _set(path: str, value):
    def change(raw):
        *keys, last = re.findall(r"\w+", path)
        node = raw
        for k in keys:
            node = node[int(k)] if k.isdigit() else node[k]
        node[int(last) if last.isdigit() else last] = value
    return change


@pytest.mark.parametrize("change, english, chinese", [
    (lambda raw: raw["sheets"][1]["fields"][2].update(lable="x"),
     "t.yaml: sheets[1].fields[2].lable: expected one of the keys id, label,",
     "t.yaml：sheets[1].fields[2].lable：应为以下键之一：id, label,"),
    (_set("sheets.1.fields.2.type", "integer"),
     "t.yaml: sheets[1].fields[2].type: expected one of text, int, number, percent, date, bool, choice, score, "
     "got 'integer' (did you mean 'int'?)",
     "t.yaml：sheets[1].fields[2].type：应为以下之一：text, int, number, percent, date, bool, choice, score，"
     "实际为 'integer'（是否应为 'int'？）"),
    (_set("rules.0.expr", "prob_members <= member"),
     "t.yaml: rules[0].expr: expected names of fields in this template, got unknown name 'member' "
     "(did you mean 'members'?)",
     "t.yaml：rules[0].expr：应为本模板中的字段名，实际为未知的名称 'member'（是否应为 'members'？）"),
    (_set("rules.0.expr", "9**9**9"),
     "t.yaml: rules[0].expr: expected a valid expression, got the exponent 387420489 is larger than 1000",
     "t.yaml：rules[0].expr：应为有效的表达式，实际为表达式 '9**9**9' 中指数 387420489 超过 1000"),
    (_set("sheets.1.fields.2.id", "a1.1"),
     "t.yaml: sheets[1].fields[2].id: expected an id of letters, digits and _ starting with a letter (no dots), "
     "got 'a1.1'",
     "t.yaml：sheets[1].fields[2].id：应为以字母开头、由字母、数字和 _ 组成的 id（不能有点号），实际为 'a1.1'"),
    (lambda raw: raw["sheets"][1]["fields"][2].pop("label"),
     "t.yaml: sheets[1].fields[2].label: expected a value (required), got nothing",
     "t.yaml：sheets[1].fields[2].label：应为一个值（必填），实际为空"),
    (_set("sheets.1", "text"),
     "t.yaml: sheets[1]: expected a mapping (key: value), got str",
     "t.yaml：sheets[1]：应为映射（键: 值），实际为文本"),
    (_set("sheets.1.fields.3.id", "members"),
     "t.yaml: sheets[1].fields[3].id: expected an id used once in the template",
     "t.yaml：sheets[1].fields[3].id：应为在模板中只用一次的 id（字段、指标、台账列），实际为 'members'，已在 "
     "sheets[1].fields[2].id 用过"),
])
def test_a_spec_error_says_the_same_in_chinese(change, english, chinese):
    error = _failure(change)
    assert str(error).startswith(english)
    assert error.zh.startswith(chinese)


def test_every_expectation_of_the_loaders_is_a_message_of_the_catalogue():
    """Each `expected` a spec or scheme loader can say is a message with its Chinese and English, not text."""
    import ast
    root = Path(__file__).parents[1] / "toolkit"
    calls = [node for name in ("spec/parse.py", "score/scheme.py", "score/scheme_rules.py")
             for node in ast.walk(ast.parse((root / name).read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "fail"
             and len(node.args) == 3]
    assert len(calls) > 50
    said = [call.args[1] for call in calls]
    assert all(isinstance(e, ast.Call) and getattr(e.func, "id", "") == "expected" for e in said)
    names = {c.value for e in said for c in ast.walk(e.args[0]) if isinstance(c, ast.Constant)}
    assert {f"spec.expected.{name}" for name in names | {"str", "int", "bool", "list", "dict"}} <= set(EXPECTED)


def test_a_scheme_error_says_the_same_in_chinese():
    from toolkit.score.scheme import parse_scheme
    from toolkit.spec.load import find_template
    raw = {"id": "t", "title": "细则", "template": "annual-assessment", "version": "1",
           "grades": [{"grade": "优秀", "min": 90}, {"grade": "良好", "min": 95}, {"grade": "较差"}],
           "indicators": [{"id": "s", "title": "总分", "rule": "self_score", "item": "a1_1", "max": 12}]}
    with pytest.raises(SpecError) as info:
        parse_scheme(raw, "s.yaml", spec=find_template("annual-assessment"))
    assert str(info.value) == "s.yaml: grades[1].min: expected a minimum below the previous grade's (90), got 95"
    assert info.value.zh == "s.yaml：grades[1].min：应为低于上一等次（90）的最低总分，实际为 95"


def test_an_unknown_template_and_broken_yaml_in_chinese(tmp_path):
    from toolkit.spec.load import find_template
    with pytest.raises(SpecError) as info:
        find_template("annual-asessment")
    assert info.value.zh.startswith("没有名为 'annual-asessment' 的内置模板（是否应为 'annual-assessment'？）")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n  a: b: c\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        find_template(str(bad))
    assert info.value.zh.startswith(f"{bad} 第 2 行：不是有效的 YAML")


def _describe(spec: Path, *extra):
    from typer.testing import CliRunner

    from toolkit.cli.commands import app
    return CliRunner().invoke(app, ["describe", str(spec), *extra])


def test_cli_shows_chinese_first_and_the_english_original_below(tmp_path):
    raw = _base()
    raw["rules"][0]["expr"] = "prob_members <= member"
    spec = tmp_path / "t.yaml"
    spec.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    zh = _describe(spec)
    assert zh.exit_code == 2
    assert zh.output.index("应为本模板中的字段名") < zh.output.index("expected names of fields in this template")
    en = _describe(spec, "--lang", "en")
    assert en.exit_code == 2
    assert "expected names of fields in this template" in en.output and "应为" not in en.output


def test_an_unknown_scoring_scheme_in_chinese(tmp_path):
    from toolkit.score.scheme import load_scheme
    with pytest.raises(SpecError) as info:
        load_scheme("annual-assessment-scorin")
    assert info.value.zh.startswith("没有名为 'annual-assessment-scorin' 的评分细则（是否应为 'annual-assessment-scoring'？）")
    with pytest.raises(SpecError) as info:
        load_scheme(str(tmp_path / "none.yaml"))
    assert info.value.zh == f"找不到评分细则文件：{tmp_path / 'none.yaml'}"
