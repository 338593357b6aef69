"""Start-up: a command imports what it needs, and a process loads a template once.

The import check runs in a fresh interpreter (this one has imported everything the tests use).
Speed itself is measured in benchmarks/, never here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import MINI_SPEC, fill_by_name, outbox_file, returned

# Libraries the front of the cycle never needs: the analysts' API, the report, the desk, the roll-up.
NOT_FOR_COLLECT = ("pandas", "numpy", "openpyxl", "jinja2", "pygal", "starlette", "duckdb", "pyarrow")
NOT_FOR_VALIDATE = ("pandas", "numpy", "openpyxl", "jinja2", "pygal", "starlette", "duckdb", "pyarrow")

_RUN_AND_LIST = """
import json, sys
from toolkit.cli import app
code = 0
try:
    app(sys.argv[2:], prog_name="toolkit")
except SystemExit as exc:
    code = exc.code or 0
heavy = json.loads(sys.argv[1])
print(json.dumps({"code": code, "imported": sorted(m for m in heavy if m in sys.modules)}))
"""


def _imported_by(args: list[str], heavy: tuple[str, ...]) -> dict:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    out = subprocess.run([sys.executable, "-c", _RUN_AND_LIST, json.dumps(heavy), *args, "--json"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_collect_and_validate_leave_the_heavy_libraries_unimported(campaign, tmp_path):
    returned(campaign, "U001", tmp_path / "in" / "U001.xlsx")
    collected = _imported_by(["collect", str(campaign.dir), str(tmp_path / "in")], NOT_FOR_COLLECT)
    assert collected == {"code": 0, "imported": []}
    validated = _imported_by(["validate", str(campaign.dir)], NOT_FOR_VALIDATE)
    assert validated == {"code": 0, "imported": []}


def test_a_spec_is_loaded_once_per_process_while_its_file_is_unchanged(tmp_path):
    from toolkit.spec.load import load_spec

    path = tmp_path / "mini.yaml"
    text = MINI_SPEC.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_spec(path)
    assert load_spec(path) is first
    path.write_text(text.replace("title: 迷你表", "title: 迷你表（修订）"), encoding="utf-8")
    changed = load_spec(path)
    assert changed is not first and changed.title == "迷你表（修订）"


def test_validate_builds_no_feedback_workbook_master_when_no_return_has_errors(campaign, tmp_path, monkeypatch):
    from clirun import cli

    import toolkit.feedback.workbooks as workbooks

    built = []
    real = workbooks.FeedbackMaster
    monkeypatch.setattr(workbooks, "FeedbackMaster", lambda *args: built.append(args) or real(*args))
    complete = {"f_members": 10, "f_prob": 1, "f_a1_1_self_score": 50, "f_a1_2_self_score": 30,
                "f_b_1_self_score": 0, "f_v_1_occurred": "否"}
    fill_by_name(outbox_file(campaign, "U001"), tmp_path / "in" / "U001.xlsx", complete)
    assert cli("collect", campaign.dir, tmp_path / "in").returncode == 0
    assert cli("validate", campaign.dir).returncode == 0
    assert built == [] and (campaign.feedback / "index.csv").is_file()
    fill_by_name(outbox_file(campaign, "U002"), tmp_path / "in" / "U002.xlsx", {**complete, "f_members": "很多"})
    assert cli("collect", campaign.dir, tmp_path / "in").returncode == 0
    cli("validate", campaign.dir)
    assert len(built) == 1 and list(campaign.feedback.glob("U002_*.xlsx"))  # built once the first return needs it
