"""One real `python -m toolkit` run per command: the rest of the suite runs the commands in process.

The commands run once, in order, on one small annual-assessment campaign (3 units): a typed return
sent under another unit's name goes to review and is settled by resolve. Each test checks its
command's answer: exit 0 and a JSON summary with status ok (or the file it writes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import cli_subprocess
from conftest import DEFAULT_UNITS, fill_by_name, write_roster

COMMANDS = ("templates", "describe", "spec-template", "spec-to-xlsx", "spec-from-xlsx", "init", "generate",
            "collect", "resolve", "validate", "status", "merge", "score", "report", "run", "next", "compare",
            "export", "rollup")  # demo: its subprocess run is test_run_demo's shared demo


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("smoke")
    camp, roster = root / "camp", write_roster(root / "roster.csv", DEFAULT_UNITS)
    done: dict[str, object] = {}

    def run(name: str, *args: object, json_answer: bool = True):
        proc = cli_subprocess(name, *args, *(("--json",) if json_answer else ()))
        done[name] = proc
        return proc

    run("templates")
    run("describe", "annual-assessment")
    run("spec-template", root / "authoring.xlsx", json_answer=False)
    run("spec-to-xlsx", "annual-assessment", "-o", root / "annual.xlsx", json_answer=False)
    run("spec-from-xlsx", root / "annual.xlsx", "-o", root / "annual.yaml", json_answer=False)
    run("init", camp, "--template", "annual-assessment", "--roster", roster, "--year", "2026",
        "--deadline", "2026-12-20")
    run("generate", camp)
    issued = next((camp / "outbox").glob("U001_*.xlsx"))
    fill_by_name(issued, root / "in" / "U002_第二党支部.xlsx", {"f_members": 30})  # U001's, named as U002's
    run("collect", camp, root / "in")
    sha = _review_sha(camp)
    run("resolve", camp, sha, "--unit", "U001", "--reason", "电话核实")
    for name in ("validate", "status", "merge", "score", "report"):
        run(name, camp)
    run("run", camp)
    run("next", camp, root / "camp2", "--deadline", "2027-06-30")
    assert cli_subprocess("score", root / "camp2").returncode == 0  # compare needs the new round's scores
    run("compare", camp, root / "camp2")
    run("export", camp, "--parquet")
    run("rollup", root / "rolled", camp)
    return done


def _review_sha(camp: Path) -> str:
    import csv
    with open(camp / "out" / "ledger.csv", encoding="utf-8-sig", newline="") as fh:
        return next(r["sha256"] for r in csv.DictReader(fh) if r["status"] == "review")


@pytest.mark.parametrize("command", COMMANDS)
def test_the_command_runs_as_a_process(answers, command):
    proc = answers[command]
    assert proc.returncode == 0, proc.stderr
    if proc.args[-1] == "--json":
        answer = json.loads(proc.stdout)
        assert not isinstance(answer, dict) or answer.get("status", "ok") == "ok", answer
