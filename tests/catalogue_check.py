"""Every catalogue code's example must produce that code: checked on the example's actual result.

tests/test_catalogue.py ``EXAMPLES`` names, for each code, the test that is its example. When such
a test has run (and passed), :func:`pytest_runtest_call` (imported by conftest.py) reads what it
left behind — the reason codes of every ledger (``toolkit.db``) and the codes of every
``out/issues.csv`` under the test's tmp_path and its campaigns' folders, and the codes of the
files the intake walk offered and of the issues validation found while it ran — and fails the test when the code it stands for
is not among them. A parametrised example stands for the codes its
parameters name (test_value_issue[... value.required ...] for value.required); otherwise for every
code listed against it.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

__all__ = ["example_node", "expected_codes", "produced_codes", "pytest_runtest_call"]


def _examples() -> dict[str, str]:
    from test_catalogue import EXAMPLES
    return EXAMPLES


def expected_codes(item, siblings: list | None = None) -> set[str]:
    """The catalogue codes *item* is the example of (empty for a test that is nobody's example);
    *siblings*: the runs of the same test (by default, among the session's items)."""
    node = example_node(item)  # once: every test of the run comes through here
    listed = {code for code, example in _examples().items() if example == node}
    if not listed:
        return set()
    named = _named(item) & listed
    if named:
        return named
    # a parametrisation naming no code, beside others that do, is not an example
    siblings = item.session.items if siblings is None else siblings
    others_name_them = any(_named(o) & listed for o in siblings if example_node(o) == node)
    return set() if others_name_them else listed


def example_node(item) -> str:
    return f"{Path(str(item.fspath)).name}::{getattr(item, 'originalname', None) or item.name}"


def _named(item) -> set[str]:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return {v for v in params.values() if isinstance(v, str)}


def produced_codes(*folders: Path) -> set[str]:
    """Every reason code in the ledgers and every issue code in the issues.csv files under *folders*."""
    codes: set[str] = set()
    for folder in {Path(f) for f in folders if f and Path(f).is_dir()}:
        for db in folder.rglob("toolkit.db"):
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                codes |= {c for (c,) in con.execute("SELECT DISTINCT reason_code FROM files") if c}
            finally:
                con.close()
        for path in folder.rglob("issues.csv"):
            with open(path, encoding="utf-8-sig", newline="") as fh:
                codes |= {row.get("code") or "" for row in csv.DictReader(fh)} - {""}
    return codes


def _folders(item) -> list[Path]:
    """The test's tmp_path and the folder of every campaign among its fixtures (module-scoped ones too,
    also inside a tuple or dict a fixture returns)."""
    values = list(getattr(item, "funcargs", {}).values())
    for v in list(values):
        values += list(v.values()) if isinstance(v, dict) else list(v) if isinstance(v, (tuple, list)) else []
    found = [v for v in values if isinstance(v, Path) and v.is_dir()]
    return found + [v.dir for v in values if hasattr(v, "db_path") and hasattr(v, "dir")]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    expected = expected_codes(item)
    if not expected:
        return (yield)
    from toolkit.intake.walk import Offered
    from toolkit.validate.checks import Issue
    made: set[str] = set()  # codes of the files the walk offers and the issues found, before any file is written
    inits = {Offered: (Offered.__init__, "reason_code"), Issue: (Issue.__init__, "code")}
    for cls, (init, attribute) in inits.items():
        cls.__init__ = _recording(init, attribute, made)
    try:
        result = yield
    finally:
        for cls, (init, _) in inits.items():
            cls.__init__ = init
    produced = produced_codes(*_folders(item)) | (made - {""})
    missing = sorted(expected - produced)
    if missing:
        raise AssertionError(f"{item.nodeid} is the catalogue example of {', '.join(missing)} but what it "
                             f"produced (ledgers, issues.csv, files offered, issues) holds only "
                             f"{sorted(produced) or 'no code'}")
    return result


def _recording(init, attribute: str, made: set[str]):
    def recording(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.add(getattr(self, attribute) or "")
    return recording
