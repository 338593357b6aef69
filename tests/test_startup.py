"""Start-up: a command imports what it needs, and a process loads a template once.

The import check runs in a fresh interpreter (this one has imported everything the tests use).
Speed itself is measured in benchmarks/, never here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import MINI_SPEC, returned

# Libraries the front of the cycle never needs: the analysts' API, the report, the desk, the roll-up.
NOT_FOR_COLLECT = ("pandas", "numpy", "openpyxl", "jinja2", "pygal", "starlette", "duckdb", "pyarrow")
NOT_FOR_VALIDATE = ("pandas", "jinja2", "pygal", "starlette", "duckdb", "pyarrow")

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
    from toolkit.spec.model import load_spec

    path = tmp_path / "mini.yaml"
    text = MINI_SPEC.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_spec(path)
    assert load_spec(path) is first
    path.write_text(text.replace("title: 迷你表", "title: 迷你表（修订）"), encoding="utf-8")
    changed = load_spec(path)
    assert changed is not first and changed.title == "迷你表（修订）"
