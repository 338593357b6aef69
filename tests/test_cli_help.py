"""`--help` in Chinese by default (with the English text below), English with --lang en."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from toolkit.cli.commands import app
from toolkit.cli.help import COMMAND_HELP_ZH, PARAM_HELP_ZH, lang_after_command

runner = CliRunner()
HAN = re.compile(r"[\u4e00-\u9fff]")
COMMANDS = ("templates", "describe", "init", "next", "generate", "collect", "validate", "status", "merge",
            "score", "report", "resolve", "run", "compare", "demo", "spec-template", "spec-from-xlsx", "spec-to-xlsx")


def helptext(*args: str, **env: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200", **env}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_command_help_is_chinese_with_the_english_below():
    text = helptext("status", "--help")
    assert "谁已报送" in text and "Who returned" in text
    assert text.index("谁已报送") < text.index("Who returned")
    assert "在标准输出打印机器可读的摘要" in text and "考核任务文件夹" in text
    assert "--lang en" in text  # how to get the English help
    assert "显示本帮助并退出" in text and "显示本帮助并退出" in helptext("--help")


def test_command_help_in_english_has_no_chinese():
    text = helptext("init", "--help", "--lang", "en")
    assert "Create a campaign folder" in text and "Who units ask" in text
    assert not HAN.search(text)


def test_the_toolkit_help_lists_commands_in_chinese_or_english():
    zh = helptext("--help")
    assert "新建考核任务文件夹" in zh and "列出内置模板" in zh
    en = helptext("--lang", "en", "--help")
    assert "List the bundled templates" in en and not HAN.search(en)
    assert not HAN.search(helptext("--help", TOOLKIT_LANG="en"))


def test_lang_before_the_command_is_passed_to_the_command():
    assert lang_after_command(["--lang", "en", "status", "X"]) == ["status", "X", "--lang", "en"]
    assert lang_after_command(["--lang=en", "--help"]) == ["--help"]
    assert lang_after_command(["status", "--lang", "en"]) == ["status", "--lang", "en"]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_option_has_its_chinese_help(name):
    command = typer.main.get_command(app).commands[name]
    assert HAN.search(COMMAND_HELP_ZH[name])
    for param in command.params:
        if getattr(param, "help", None):
            assert f"{name}:{param.name}" in PARAM_HELP_ZH or param.name in PARAM_HELP_ZH, (name, param.name)
