"""The command line run in process: what `python -m toolkit ARGS` would answer, without starting Python.

``cli(*args)`` answers like ``subprocess.run`` (``returncode``, ``stdout``, ``stderr``), so tests
written against the subprocess keep their assertions; ``cli_subprocess`` is the real thing, kept
for one smoke test per command (tests/test_cli_smoke.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import NamedTuple

from typer.testing import CliRunner

__all__ = ["Answer", "cli", "cli_subprocess"]


class Answer(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def cli(*args: object) -> Answer:
    from toolkit.cli import app
    result = CliRunner().invoke(app, [str(a) for a in args], prog_name="toolkit", env={"COLUMNS": "250"})
    code = result.exit_code
    if code not in (0, 1, 2, 130):  # as toolkit.cli.main maps them
        code = 2
    return Answer(code, result.stdout, result.stderr)


def cli_subprocess(*args: object) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "250", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "toolkit", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)
