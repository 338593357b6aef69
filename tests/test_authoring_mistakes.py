"""Each authoring mistake comes back as 工作表!单元格, what is wrong and, where there is one, the likely
right spelling (Chinese by default, English with --lang en), exit code 2 on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from toolkit.authoring import blank_workbook, workbook_to_spec
from toolkit.errors import SpecError


def _mistake(tmp_path: Path, edits: dict, lang: str = "zh", book_lang: str = "zh") -> SpecError:
    path = blank_workbook(tmp_path / "c.xlsx", "checklist", book_lang)
    book = openpyxl.load_workbook(path)
    for (sheet, ref), value in edits.items():
        book[sheet][ref] = value
    book.save(path)
    with pytest.raises(SpecError) as info:
        workbook_to_spec(path, tmp_path / "c.yaml", lang)
    assert not (tmp_path / "c.yaml").exists()
    return info.value


@pytest.mark.parametrize("edits, where, words", [
    ({("字段", "F4"): "整数型"}, "字段!F4（类型）", ["整数型", "是否应为“整数”"]),
    ({("字段", "G4"): "必须"}, "字段!G4（必填）", ["“是”或“否”"]),
    ({("字段", "A4"): "基本信"}, "字段!A4（工作表）", ["基本信", "是否应为“基本信息”"]),
    ({("字段", "F1"): "类形"}, "字段!F1", ["类形", "是否应为“类型”"]),
    ({("字段", "D4"): None}, "字段!D4（名称）", ["必填"]),
    ({("字段", "B7"): "vet"}, "字段!B7（指标区）", ["vet", "是否应为“veto”"]),
    ({("工作表", "B4"): "考核指"}, "工作表!B4（类型）", ["是否应为“考核指标”"]),
    ({("工作表", "A3"): "intro"}, "工作表!A3（编号）", ["intro", "两次"]),
    ({("考核指标", "J3"): "三十"}, "考核指标!J3（分值）", ["应为数字", "三十"]),
    ({("考核指标", "J4"): 20}, "考核指标!C2（指标区标题）", ["60分", "50分"]),
    ({("模板", "B9"): 90}, "模板!B9（基础分合计）", ["90分", "100分"]),
    ({("考核指标", "G4"): "a1_1"}, "考核指标!G4（指标编号）", ["a1_1", "考核指标!G3"]),
    ({("考核指标", "E7"): "加分项目"}, "考核指标!E7（区类型）", ["是否应为“加分”"]),
    ({("规则", "C2"): "member > 0"}, "规则!C2（表达式）", ["member", "是否应为 'members'"]),
    ({("模板", "A5"): "英文题目"}, "模板!A5", ["英文题目", "是否应为“英文标题”"]),
    ({("模板", "B2"): "my assessment"}, "模板!B2（模板编号）", ["my assessment"]),
    ({("等次", "B3"): 95}, "等次!B3（最低分）", ["低于上一等次（90）"]),
    ({("等次", "C3"): 1.5}, "等次!C3（名额比例）", ["0 到 1 之间"]),
])
def test_a_mistake_names_its_cell_and_what_is_wrong(tmp_path, edits, where, words):
    exc = _mistake(tmp_path, edits)
    assert exc.zh.startswith(f"c.xlsx：{where}"), exc.zh
    for w in words:
        assert w in exc.zh, exc.zh
    assert str(exc).startswith("c.xlsx: " + where.split("（")[0])  # the English original names the cell too


def test_an_area_without_items_is_reported_at_the_area(tmp_path):
    exc = _mistake(tmp_path, {("考核指标", c): None for c in ("G6", "H6", "I6", "J6")})
    assert exc.zh.startswith("c.xlsx：考核指标!B5（指标区编号）") and "至少一个指标" in exc.zh


def test_an_indicator_above_any_area_is_reported_at_its_content(tmp_path):
    exc = _mistake(tmp_path, {("考核指标", c): None for c in ("B2", "C2", "E2")})
    assert exc.zh.startswith("c.xlsx：考核指标!H3（考核内容）") and "指标区" in exc.zh


def test_a_rule_over_an_unknown_sheet_suggests_the_sheet(tmp_path):
    exc = _mistake(tmp_path, {("规则", "A2"): "考核指"})
    assert exc.zh.startswith("c.xlsx：规则!A2（工作表）") and "是否应为“考核指标”" in exc.zh


def test_in_english_the_words_of_an_english_workbook(tmp_path):
    exc = _mistake(tmp_path, {("Fields", "F4"): "integer"}, lang="en", book_lang="en")
    assert str(exc).startswith("c.xlsx: Fields!F4 (Type): expected one of Text, Whole number"), str(exc)
    assert "(did you mean 'int'?)" in str(exc)


def test_the_command_exits_2_with_the_cell_in_chinese_and_the_english_below(tmp_path):
    path = blank_workbook(tmp_path / "c.xlsx", "checklist")
    book = openpyxl.load_workbook(path)
    book["字段"]["F4"] = "整数型"
    book.save(path)
    env = {**os.environ, "COLUMNS": "250", "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "toolkit", "spec-from-xlsx", str(path), "-o", str(tmp_path / "c.yaml")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "错误：c.xlsx：字段!F4（类型）" in proc.stderr and "error: c.xlsx: 字段!F4" in proc.stderr
    assert not (tmp_path / "c.yaml").exists()


def test_a_workbook_that_is_neither_shape_says_what_it_expected(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active["A1"] = "名单"
    book.save(tmp_path / "x.xlsx")
    with pytest.raises(SpecError) as info:
        workbook_to_spec(tmp_path / "x.xlsx", tmp_path / "x.yaml")
    assert "模板" in info.value.zh and "考核内容" in info.value.zh and "Sheet1" in info.value.zh


def test_a_file_that_is_not_a_workbook_is_a_clear_error(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(SpecError.__mro__[1]) as info:  # ConfigError: exit 2
        workbook_to_spec(tmp_path / "x.xlsx", tmp_path / "x.yaml")
    assert "x.xlsx" in str(info.value)


@pytest.mark.parametrize("edits, key", [
    ({("字段", "F4"): "整数型"}, "authoring.choice"),  # the reader's own check
    ({("工作表", "A3"): "intro"}, "authoring.loader"),  # a loader error, brought back to its cell
])
def test_a_mistake_is_a_catalogue_message_read_in_either_language(tmp_path, edits, key):
    exc = _mistake(tmp_path, edits)
    assert exc.message.key == "authoring.at_cell"
    text = exc.message.params["text"]
    assert getattr(text, "key", key) == key  # a loader's error is taken apart by its values, not re-parsed
    assert exc.text("zh") == exc.zh and exc.text("en") == str(exc) != exc.zh


def test_authoring_errors_are_raised_with_message_keys_not_text():
    """Places.fail / fail_at take a message (said(key, ...)), never ready-made English and Chinese text."""
    import ast
    root = Path(__file__).parents[1] / "toolkit" / "authoring"
    calls = [node for path in root.glob("*.py") for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in ("fail", "fail_at")]
    assert len(calls) >= 15
    for call in calls:
        last = call.args[-1]
        assert isinstance(last, ast.Call) and getattr(last.func, "id", "") == "said", ast.unparse(call)
