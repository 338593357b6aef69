"""The console: safe on a Chinese Windows console (GBK/cp936), JSON always UTF-8 and always with a status.

A GBK console is imitated with PYTHONIOENCODING=gbk (a subprocess) and with CliRunner(charset="gbk")
(in process): ✓ is not in GBK, and used to stop `toolkit describe` with UnicodeEncodeError.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI_SPEC, fill, outbox_file
from typer.testing import CliRunner

from toolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent


def gbk_subprocess(*args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONIOENCODING": "gbk", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, env=env, timeout=120)


def test_describe_on_a_gbk_console_shows_near_glyphs_instead_of_failing():
    proc = gbk_subprocess("describe", "annual-assessment")
    assert proc.returncode == 0, proc.stderr.decode("gbk", "replace")
    text = proc.stdout.decode("gbk")  # every byte is GBK: nothing written in another encoding
    assert "年度基层党组织建设考核自评表" in text and "√" in text and "✓" not in text


def test_json_on_a_gbk_console_is_utf8():
    proc = gbk_subprocess("describe", "annual-assessment", "--json")
    assert proc.returncode == 0
    answer = json.loads(proc.stdout.decode("utf-8"))
    assert (answer["status"], answer["exit_code"], answer["title"]) == ("ok", 0, "年度基层党组织建设考核自评表")
    failed = gbk_subprocess("describe", "没有这个模板", "--json")
    assert failed.returncode == 2
    error = json.loads(failed.stdout.decode("utf-8"))
    assert error["status"] == "error" and "没有这个模板" in error["error"] and "没有名为" in error["message_zh"]


def test_in_process_on_a_gbk_console():
    gbk = CliRunner(charset="gbk")
    result = gbk.invoke(app, ["describe", "annual-assessment"])
    assert result.exit_code == 0, result.output
    assert "√" in result.stdout_bytes.decode("gbk")
    as_json = gbk.invoke(app, ["templates", "--json"])
    assert json.loads(as_json.stdout_bytes.decode("utf-8"))["templates"][0]["title"]


def test_a_console_without_the_near_glyph_shows_a_question_mark():
    import toolkit.cli.support  # noqa: F401  (registers the error handler)
    assert "✓ 通过".encode("gbk", "toolkit-console") == "√ 通过".encode("gbk")
    assert "✓ ok ✗ 表".encode("ascii", "toolkit-console") == b"? ok ? ?"


# --------------------------------------------------------------------------- every command's --json answer


@pytest.fixture
def inbox(campaign, tmp_path) -> Path:
    folder = tmp_path / "inbox"
    fill(outbox_file(campaign, "U001"), folder / "U001_第一党支部_迷你表.xlsx", {("基本信息", "C6"): 12})
    fill(outbox_file(campaign, "U001"), folder / "neighbour.xlsx",
         {("基本信息", "C5"): "第二党支部", ("基本信息", "C6"): 7})  # a typed value: a return, not a blank
    return folder


def with_scheme(folder: Path) -> None:
    """A one-indicator scheme for the mini template, so that `score` has something to do."""
    (folder / "mini-scoring.yaml").write_text(
        f"id: mini-scoring\ntitle: 迷你细则\ntemplate: {MINI_SPEC.as_posix()}\nversion: '1'\n"
        "indicators:\n  - {id: m, title: 党员人数, rule: bands, value: members, "
        "bands: [{min: 10, points: 5}, {min: 0, points: 0}]}\ngrades: [{grade: 合格}]\n", encoding="utf-8")
    yaml_path = folder / "campaign.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    assert "scoring: null" in text
    yaml_path.write_text(text.replace("scoring: null", "scoring: mini-scoring.yaml"), encoding="utf-8")


def test_every_command_answers_ok_in_the_shape_of_an_error(campaign, inbox, roster_csv, tmp_path):
    runner = CliRunner()
    with_scheme(campaign.dir)
    other = tmp_path / "other"
    review = tmp_path / "review.sha"

    def sha_under_review():
        with open(campaign.out / "ledger.csv", encoding="utf-8-sig", newline="") as fh:
            return next(r["sha256"] for r in csv.DictReader(fh) if r["status"] == "review")

    steps = [
        ["templates"], ["describe", "annual-assessment"],
        ["init", other, "--template", MINI_SPEC, "--roster", roster_csv, "--year", "2025"], ["scheme", other],
        ["generate", campaign.dir], ["collect", campaign.dir, inbox], ["validate", campaign.dir],
        ["status", campaign.dir], ["merge", campaign.dir], ["score", campaign.dir], ["report", campaign.dir],
        ["resolve", campaign.dir, review, "--unit", "U002"], ["run", campaign.dir],
        ["next", campaign.dir, tmp_path / "round2"], ["run", other], ["compare", other, campaign.dir],
        ["spec-template", tmp_path / "authoring.xlsx"], ["spec-to-xlsx", MINI_SPEC, "-o", tmp_path / "mini.xlsx"],
        ["spec-from-xlsx", tmp_path / "mini.xlsx", "-o", tmp_path / "mini.yaml"],
        ["export", campaign.dir, "--parquet"], ["rollup", tmp_path / "rollup", campaign.dir],
    ]
    seen = []
    for step in steps:
        if step[0] == "scheme":  # not a command: the last year's campaign gets its scheme
            with_scheme(other)
            continue
        args = [sha_under_review() if a is review else str(a) for a in step]
        result = runner.invoke(app, [*args, "--json"])
        answer = json.loads(result.stdout)
        assert (result.exit_code, answer["status"], answer["exit_code"]) == (0, "ok", 0), (step, result.output)
        assert list(answer)[:2] == ["status", "exit_code"]  # as an error answer begins
        seen.append(step[0])
    assert len(seen) == 20
