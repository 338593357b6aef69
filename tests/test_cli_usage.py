"""The command line's own behaviour: usage errors with --json, `toolkit run DIR` without sources."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import fill, outbox_file
from typer.testing import CliRunner

from toolkit.cli.commands import app

runner = CliRunner()


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("args, says", [
    (("status", "--json"), "Missing argument"),
    (("status", "{camp}", "--bogus", "--json"), "No such option: --bogus"),
    (("frobnicate", "--json"), "No such command 'frobnicate'"),
    (("init", "{camp}2", "--roster", "x.csv", "--json"), "Missing option '--template'"),
    (("resolve", "{camp}", "--json"), "Missing argument"),
])
def test_usage_errors_answer_in_json_with_exit_2(campaign, args, says):
    result = cli(*(a.format(camp=campaign.dir) for a in args))
    assert result.exit_code == 2
    answer = json.loads(result.stdout)
    assert answer["status"] == "error" and answer["exit_code"] == 2 and says in answer["error"]
    assert says in result.stderr


def test_usage_errors_without_json_keep_the_usage_text(campaign):
    result = cli("status")
    assert result.exit_code == 2 and result.stdout == ""
    assert "Missing argument" in result.stderr and "Usage: " in result.stderr and "status --help" in result.stderr


@pytest.mark.parametrize("args, chinese", [
    (("status",), "错误：缺少参数 directory"),
    (("status", "{camp}", "--jsn"), "错误：没有选项 --jsn（是否想用 --json？）"),
    (("statu", "{camp}"), "错误：没有命令 statu；全部命令见 toolkit --help（是否想用 status？）"),
    (("init", "{camp}2", "--roster", "r.csv", "--template", "mini", "--year", "abc"), "错误：--year 的值无效"),
    (("status", "{camp}", "extra"), "错误：多余的参数：extra"),
    (("init", "{camp}2", "--template"), "错误：选项 --template 后面需要一个值"),
])
def test_usage_errors_read_in_chinese_with_the_english_below(campaign, args, chinese):
    result = cli(*(a.format(camp=campaign.dir) for a in args))
    assert result.exit_code == 2
    first, second = result.stderr.splitlines()[:2]
    assert first.startswith(chinese) and second.startswith("error: ")


def test_usage_errors_in_english_have_no_chinese(campaign):
    result = cli("status", campaign.dir, "--bogus", "--lang", "en", "--json")
    assert result.exit_code == 2 and "message_zh" not in json.loads(result.stdout)
    assert result.stderr.startswith("error: No such option: --bogus") and "错误" not in result.stderr


def test_config_errors_in_english_have_no_chinese(tmp_path):
    result = cli("status", tmp_path / "nowhere", "--lang", "en")
    assert result.exit_code == 2 and "campaign.yaml" in result.stderr
    assert result.stderr.startswith("error: ") and "错误" not in result.stderr


def test_the_toolkit_alone_shows_its_help():
    result = runner.invoke(app, [])
    assert "Usage: " in result.output and "列出内置模板" in result.output


def test_a_command_that_succeeds_with_json_still_exits_0(campaign):
    result = cli("status", campaign.dir, "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["units"] == 3


def test_help_with_json_is_still_help(campaign):
    result = cli("status", "--help", "--json")
    assert result.exit_code == 0 and "--json" in result.stdout


# --------------------------------------------------------------------------- run without sources


def status_states(campaign) -> dict[str, str]:
    with open(campaign.out / "status.csv", encoding="utf-8-sig", newline="") as fh:
        return {r["unit_code"]: r["state"] for r in csv.DictReader(fh)}


def test_run_without_sources_reworks_what_is_collected_after_a_resolve(campaign, tmp_path):
    inbox = tmp_path / "inbox"
    fill(outbox_file(campaign, "U001"), inbox / "U001.xlsx", {("基本信息", "C6"): 12})
    fill(outbox_file(campaign, "U002"), inbox / "U003_机关党支部.xlsx", {("基本信息", "C6"): 20})
    first = cli("run", campaign.dir, inbox, "--json")
    assert first.exit_code == 0, first.output
    assert status_states(campaign) == {"U001": "faulty", "U002": "review", "U003": "review"}
    with open(campaign.out / "ledger.csv", encoding="utf-8-sig", newline="") as fh:
        sha = next(r["sha256"] for r in csv.DictReader(fh) if r["status"] == "review")
    assert cli("resolve", campaign.dir, sha, "--unit", "U002").exit_code == 0
    again = cli("run", campaign.dir, "--json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["collected"] == {"accepted": 2}
    assert summary["state"] == {"faulty": 2, "missing": 1}
    assert status_states(campaign) == {"U001": "faulty", "U002": "faulty", "U003": "missing"}
    with open(campaign.out / "values.csv", encoding="utf-8-sig", newline="") as fh:
        assert {r["unit_code"] for r in csv.DictReader(fh)} == {"U001", "U002"}
    assert (campaign.out / "report.html").is_file()


def test_run_without_sources_says_it_works_on_what_is_collected(campaign):
    result = cli("run", campaign.dir)
    assert result.exit_code == 0, result.output
    assert "按已收取的文件重新处理" in result.stdout
    assert (campaign.out / "status.csv").is_file() and (campaign.out / "report.html").is_file()
