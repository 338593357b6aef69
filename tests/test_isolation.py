"""Readers run in worker processes under limits: a file that kills its reader costs only that file.

The workers are forked from the test process, so a reader patched here is the one they run.
The limits are low in the tests (conftest sets TOOLKIT_READER_MEMORY_MB).
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from pathlib import Path

import pytest
from conftest import MINI_SPEC, fill, outbox_file, returned
from crafted import CRAFTED, HEADER, benign_rows, xlsx
from typer.testing import CliRunner

import toolkit.cli.support as cli_support
import toolkit.read.collect as collect_module
from toolkit.campaign.ledger import Ledger
from toolkit.cli.commands import app
from toolkit.intake.isolated import IsolatedPool, ReaderLimits, ReaderStopped, Unsafe, run_isolated
from toolkit.read.collect import collect

_DIE: dict[str, str] = {}  # sha256 of a file → how its reader dies (read by the forked workers)
_REAL_READ = collect_module.read_workbook


def _dying_read(data, kind, *args, **kwargs):
    how = _DIE.get(hashlib.sha256(data).hexdigest())
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif how == "abort":
        os.abort()
    elif how == "memory":
        return bytearray(8 * 2**30)  # more than the cap: MemoryError in the worker
    return _REAL_READ(data, kind, *args, **kwargs)


def _task(x):
    if x == "abort":
        os.abort()
    if x == "memory":
        return len(bytearray(8 * 2**30))
    if x == "sleep":
        time.sleep(30)
    if x == "spin":
        while True:
            pass
    if x == "bug":
        raise KeyError(x)
    if x == "ctrl-c":  # what a terminal's Ctrl-C sends the whole process group
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)
    return x * 2


def _rows(campaign) -> dict[str, object]:
    with Ledger(campaign.db_path) as ledger:
        return {Path(f.source).name: f for f in ledger.files()}


def test_a_dying_worker_costs_only_its_job_and_is_replaced():
    limits = ReaderLimits(memory_bytes=128 * 2**20, cpu_seconds=1, timeout=1.0)
    with IsolatedPool(2, limits=limits) as pool:
        out = pool.map(_task, ["a", "abort", "b", "memory", "c", "sleep", "spin", "d"])
        again = pool.map(_task, ["e", "f"])
    assert [o for o in out if not isinstance(o, Unsafe)] == ["aa", "bb", "cc", "dd"]
    assert [o.why for o in out if isinstance(o, Unsafe)] == ["crashed", "memory", "time", "time"]
    assert out[1].detail.params == {"how": "SIGABRT"} and out[3].detail.params == {"limit": 128}
    assert "128 MiB" in out[3].detail.text("read.unsafe", "en") and "128 MiB" in out[3].detail.text("read.unsafe", "zh")
    assert again == ["ee", "ff"]


def _failing_initializer():
    raise ValueError("no spec")


def test_a_failing_initializer_is_raised_not_blamed_on_the_files():
    with pytest.raises(ValueError, match="no spec"):
        with IsolatedPool(1, initializer=_failing_initializer) as pool:
            pool.map(_task, ["a", "b"])


def test_resolving_a_stored_file_that_kills_its_reader_is_refused_not_a_crash(campaign, monkeypatch):
    from toolkit.campaign.store import store_original
    from toolkit.errors import ConfigError
    from toolkit.read.resolve import _extract_stored

    data = CRAFTED["ten_digit_row"][0]()
    sha = hashlib.sha256(data).hexdigest()
    store_original(campaign, sha, data, "xlsx")
    with pytest.raises(ConfigError, match="cannot be read"):
        _extract_stored(campaign, sha)


def test_ctrl_c_is_left_to_the_parent_a_worker_never_blames_the_file_for_it():
    assert run_isolated(_task, "ctrl-c") == "ctrl-cctrl-c"


def test_a_bug_in_the_worker_is_raised_as_it_would_be_in_process():
    with pytest.raises(KeyError):
        with IsolatedPool(1) as pool:
            pool.map(_task, ["a", "bug"])
    with pytest.raises(ReaderStopped, match="SIGABRT"):
        run_isolated(_task, "abort")


def test_workers_killed_in_the_middle_of_a_run_cost_only_their_files(campaign, tmp_path, monkeypatch):
    inbox = tmp_path / "in"
    returned(campaign, "U001", inbox / "a_U001.xlsx")
    returned(campaign, "U002", inbox / "c_U002.xlsx")
    returned(campaign, "U003", inbox / "e_U003.xlsx")
    for n, (name, how) in enumerate((("b_killed.xlsx", "kill"), ("d_aborted.xlsx", "abort"),
                                     ("f_memory.xlsx", "memory"))):
        fill(outbox_file(campaign, "U001"), inbox / name, {("基本信息", "C6"): 100 + n})
        _DIE[hashlib.sha256((inbox / name).read_bytes()).hexdigest()] = how
    monkeypatch.setattr(collect_module, "read_workbook", _dying_read)
    result = collect(campaign, [str(inbox)], workers=2)
    rows = _rows(campaign)
    assert result.offered == 6 and len(rows) == 6
    assert {n: (r.status, r.unit_code) for n, r in rows.items() if n[2:6].startswith("U00")} == {
        "a_U001.xlsx": ("accepted", "U001"), "c_U002.xlsx": ("accepted", "U002"), "e_U003.xlsx": ("accepted", "U003")}
    for name, sign in (("b_killed.xlsx", "SIGKILL"), ("d_aborted.xlsx", "SIGABRT"), ("f_memory.xlsx", "memory")):
        assert (rows[name].status, rows[name].reason_code, rows[name].unit_code) == ("rejected", "read.unsafe", "")
        assert sign in rows[name].ident_detail
    _DIE.clear()
    monkeypatch.undo()
    collect(campaign, [str(inbox)], workers=2)  # the same files again: nothing changes, nothing is retried
    assert {n: (r.status, r.reason_code) for n, r in _rows(campaign).items()} == \
        {n: (r.status, r.reason_code) for n, r in rows.items()}


@pytest.mark.parametrize("name, code", [
    ("sheet_named_bin", "intake.sheet_too_large"), ("duplicate_member", "intake.corrupt"),
    ("ten_digit_row", "intake.sheet_too_large"), ("cells_without_references", "intake.sheet_too_large"),
    ("ods_hidden_repeat", "intake.sheet_too_large")])
def test_crafted_file_ends_as_a_ledger_row_beside_the_valid_returns(campaign, tmp_path, name, code):
    build, kind = CRAFTED[name]
    inbox = tmp_path / "in"
    returned(campaign, "U001", inbox / "U001.xlsx")
    (inbox / f"crafted.{kind}").write_bytes(build())
    returned(campaign, "U002", inbox / "zz_U002.xlsx")
    collect(campaign, [str(inbox)], workers=2)
    rows = _rows(campaign)
    assert {n: (r.status, r.unit_code) for n, r in rows.items() if n.endswith(".xlsx") and "U00" in n} == {
        "U001.xlsx": ("accepted", "U001"), "zz_U002.xlsx": ("accepted", "U002")}
    assert (rows[f"crafted.{kind}"].status, rows[f"crafted.{kind}"].reason_code) == ("rejected", code)


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_file_is_recorded_even_when_it_gets_past_the_checks(campaign, tmp_path, monkeypatch, name):
    """With the package checks switched off, the worker's memory cap alone keeps the run alive."""
    build, kind = CRAFTED[name]
    inbox = tmp_path / "in"
    returned(campaign, "U001", inbox / "U001.xlsx")
    (inbox / f"crafted.{kind}").write_bytes(build())
    monkeypatch.setattr(collect_module, "workbook_problem", lambda *a, **k: None)
    collect(campaign, [str(inbox)], workers=1)
    rows = _rows(campaign)
    assert (rows["U001.xlsx"].status, rows["U001.xlsx"].unit_code) == ("accepted", "U001")
    assert (rows[f"crafted.{kind}"].status, rows[f"crafted.{kind}"].reason_code) == ("rejected", "read.unsafe")


def test_the_ledger_and_the_screen_name_the_file_that_could_not_be_read_safely(campaign, tmp_path, monkeypatch):
    inbox = tmp_path / "in"
    returned(campaign, "U001", inbox / "U001.xlsx")
    (inbox / "crafted.xlsx").write_bytes(CRAFTED["ten_digit_row"][0]())
    monkeypatch.setattr(collect_module, "workbook_problem", lambda *a, **k: None)
    monkeypatch.setattr(cli_support.out, "width", 400)  # the table of files to look at, unwrapped
    result = CliRunner().invoke(app, ["collect", str(campaign.dir), str(inbox), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "crafted.xlsx" in result.output and "could not be read safely" in result.output
    ledger_csv = (campaign.out / "ledger.csv").read_text(encoding="utf-8-sig")
    line = next(line for line in ledger_csv.splitlines() if "crafted.xlsx" in line)
    assert "read.unsafe" in line and "rejected" in line


def _roster_xlsx(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", sorted(n for n, (_, kind) in CRAFTED.items() if kind == "xlsx"))
def test_a_crafted_roster_is_a_roster_error_not_a_crash(tmp_path, monkeypatch, name):
    roster = _roster_xlsx(tmp_path, CRAFTED[name][0]())
    result = CliRunner().invoke(app, ["init", str(tmp_path / "camp"), "--template", str(MINI_SPEC),
                                      "--roster", str(roster), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "roster.xlsx" in result.output
    monkeypatch.setattr("toolkit.intake.ooxml.workbook_problem", lambda *a, **k: None)  # past the checks: the cap holds
    result = CliRunner().invoke(app, ["init", str(tmp_path / "camp2"), "--template", str(MINI_SPEC),
                                      "--roster", str(roster), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "could not be read safely" in result.output


def test_a_plain_roster_workbook_still_reads(tmp_path):
    roster = _roster_xlsx(tmp_path, xlsx(benign_rows()))
    result = CliRunner().invoke(app, ["init", str(tmp_path / "camp"), "--template", str(MINI_SPEC),
                                      "--roster", str(roster), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "camp").is_dir() and HEADER


def test_a_small_job_waits_in_the_pipe_of_a_busy_worker_a_large_one_for_an_idle_worker():
    with IsolatedPool(1) as pool:
        assert pool.map(_task, ["a", "b", "c", "d"]) == ["aa", "bb", "cc", "dd"]
        assert pool.sent_ahead == 3  # every job after the first was sent while the worker read the one before
        large = ["x" * 100_000, "y" * 100_000]
        assert pool.map(_task, large) == [s * 2 for s in large]
        assert pool.sent_ahead == 3  # a large job could fill the pipe: it waits until the worker is free


def test_a_job_sent_ahead_to_a_worker_that_dies_is_read_by_the_next_one():
    limits = ReaderLimits(memory_bytes=128 * 2**20, cpu_seconds=1, timeout=1.0)
    with IsolatedPool(1, limits=limits) as pool:
        out = pool.map(_task, ["abort", "a", "sleep", "b", "c"])
    assert [o.why if isinstance(o, Unsafe) else o for o in out] == ["crashed", "aa", "time", "bb", "cc"]
