"""Disk and ledger faults: a full disk stops the run cleanly, a damaged ledger is said to be damaged."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from conftest import returned
from typer.testing import CliRunner

import toolkit.campaign.store as store_module
from toolkit.campaign.ledger import Ledger
from toolkit.cli import app
from toolkit.errors import CampaignError
from toolkit.read.collect import DiskFull, collect


def _full_disk(fd, data):
    raise OSError(errno.ENOSPC, "No space left on device")


def _sources(campaign) -> dict[str, str]:
    with Ledger(campaign.db_path) as ledger:
        return {f.source.rsplit("/", 1)[-1]: f.status for f in ledger.files()}


def test_a_full_disk_stops_the_run_keeps_what_was_recorded_and_a_rerun_completes_it(campaign, tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    returned(campaign, "U001", first / "U001.xlsx")
    collect(campaign, [str(first)], workers=1)
    returned(campaign, "U002", second / "U002.xlsx")
    returned(campaign, "U003", second / "U003.xlsx")
    monkeypatch.setattr(store_module, "_write_all", _full_disk)
    with pytest.raises(DiskFull, match="the disk is full") as stopped:
        collect(campaign, [str(second)], workers=1)
    assert str(campaign.received) in str(stopped.value)
    assert _sources(campaign) == {"U001.xlsx": "accepted"}  # recorded before: still there
    assert not list(campaign.received.glob("*/*.part"))  # no half original left behind
    monkeypatch.undo()  # space freed
    collect(campaign, [str(first), str(second)], workers=1)
    assert _sources(campaign) == {"U001.xlsx": "accepted", "U002.xlsx": "accepted", "U003.xlsx": "accepted"}


def test_a_full_disk_is_exit_1_with_the_folder_named(campaign, tmp_path, monkeypatch):
    returned(campaign, "U001", tmp_path / "in" / "U001.xlsx")
    monkeypatch.setattr(store_module, "_write_all", _full_disk)
    result = CliRunner().invoke(app, ["collect", str(campaign.dir), str(tmp_path / "in"), "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert "the disk is full" in result.output and "received" in result.output
    zh = CliRunner().invoke(app, ["collect", str(campaign.dir), str(tmp_path / "in")])
    assert zh.exit_code == 1 and "磁盘已满" in zh.output


def test_sqlite_finding_the_disk_full_stops_the_run_the_same_way(campaign, tmp_path, monkeypatch):
    returned(campaign, "U001", tmp_path / "in" / "U001.xlsx")

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(Ledger, "add", full)
    with pytest.raises(DiskFull, match=str(campaign.dir)):
        collect(campaign, [str(tmp_path / "in")], workers=1)


@pytest.mark.parametrize("table", ["files", "runs", "submissions"])
def test_a_ledger_with_a_missing_table_is_damaged_not_empty(campaign, tmp_path, table):
    returned(campaign, "U001", tmp_path / "in" / "U001.xlsx")
    collect(campaign, [str(tmp_path / "in")], workers=1)
    db = sqlite3.connect(campaign.db_path)
    db.execute(f"DROP TABLE {table}")
    db.commit()
    db.close()
    with pytest.raises(CampaignError, match=f"the ledger is damaged \\(table {table} is missing\\)"):
        Ledger(campaign.db_path)
    result = CliRunner().invoke(app, ["status", str(campaign.dir), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "damaged" in result.output and "backup" in result.output
    zh = CliRunner().invoke(app, ["status", str(campaign.dir)])
    assert zh.exit_code == 2 and "台账已损坏" in zh.output


def test_a_new_or_older_ledger_is_not_damaged(tmp_path):
    with Ledger(tmp_path / "new.db") as ledger:  # created from nothing
        assert ledger.files() == []
    db = sqlite3.connect(tmp_path / "new.db")
    db.execute("DROP TABLE issued")  # a table added after the first version: an older ledger lacks it
    db.commit()
    db.close()
    with Ledger(tmp_path / "new.db") as ledger:
        assert ledger.db.execute("SELECT COUNT(*) FROM issued").fetchone() == (0,)
