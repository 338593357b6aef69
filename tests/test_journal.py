"""The ledger's SQLite journal: WAL on a local disk, a rollback journal on a network drive or when asked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from toolkit.campaign import journal
from toolkit.campaign.folder import load_campaign
from toolkit.campaign.journal import journal_mode, mount_fstype
from toolkit.campaign.ledger import Ledger
from toolkit.errors import CampaignError

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:40 / /mnt/share rw,relatime shared:20 - nfs4 fileserver:/export rw,vers=4.2
41 40 8:17 / /mnt/share/local rw,relatime shared:21 - ext4 /dev/sdb1 rw
42 22 0:42 / /mnt/office\\040docs rw,relatime shared:22 - cifs //fs/docs rw,vers=3.0
43 22 0:43 / /home/me/remote rw,nosuid shared:23 - fuse.sshfs me@host:/srv rw
"""


@pytest.mark.parametrize("path, fstype, mode", [
    ("/home/me/2026-考核", "ext4", "WAL"),
    ("/mnt/share/2026-考核", "nfs4", "DELETE"),
    ("/mnt/share", "nfs4", "DELETE"),
    ("/mnt/shared-not/2026", "ext4", "WAL"),           # a longer name is not inside /mnt/share
    ("/mnt/share/local/2026", "ext4", "WAL"),          # the deepest mount point wins
    ("/mnt/office docs/2026", "cifs", "DELETE"),       # \040 in mountinfo is a space
    ("/home/me/remote/c", "fuse.sshfs", "DELETE"),
])
def test_auto_takes_a_rollback_journal_on_a_network_filesystem(path, fstype, mode):
    assert mount_fstype(Path(path), MOUNTINFO) == fstype
    assert journal_mode("auto", Path(path), mountinfo=MOUNTINFO) == mode


def test_the_setting_overrides_the_detection():
    assert journal_mode("rollback", Path("/home/me/c"), mountinfo=MOUNTINFO) == "DELETE"
    assert journal_mode("wal", Path("/mnt/share/c"), mountinfo=MOUNTINFO) == "WAL"


def test_this_machines_temporary_folder_is_local(tmp_path):
    assert journal.is_network_path(tmp_path) is False


def mode_of(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        con.close()


def set_journal(campaign, value: str) -> None:
    path = campaign.dir / "campaign.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"journal: {value}\n", encoding="utf-8")


def test_the_ledger_opens_with_wal_on_a_local_disk(campaign):
    with Ledger(campaign.db_path) as ledger:
        assert ledger.journal_mode == "WAL"
    assert mode_of(campaign.db_path) == "wal"


def test_the_ledger_opens_with_a_rollback_journal_when_campaign_yaml_asks(campaign):
    with Ledger(campaign.db_path):
        pass
    set_journal(campaign, "rollback")
    load_campaign(campaign.dir)  # the key is known
    with Ledger(campaign.db_path) as ledger:  # a WAL ledger from before is switched over
        assert ledger.journal_mode == "DELETE"
    assert mode_of(campaign.db_path) == "delete"
    assert not Path(f"{campaign.db_path}-wal").exists()


def test_the_ledger_on_a_network_drive_takes_a_rollback_journal(campaign, monkeypatch):
    share = f"40 22 0:40 / {campaign.dir.resolve().as_posix()} rw - nfs4 fileserver:/export rw\n"
    real = journal.is_network_path
    monkeypatch.setattr(journal, "is_network_path", lambda path, mountinfo=None: real(path, mountinfo=MOUNTINFO + share))
    with Ledger(campaign.db_path) as ledger:
        assert ledger.journal_mode == "DELETE"
    assert mode_of(campaign.db_path) == "delete"


def test_an_unknown_journal_setting_is_a_configuration_error(campaign):
    set_journal(campaign, "memory")
    with pytest.raises(CampaignError, match="key 'journal' must be auto, rollback .* got 'memory'") as caught:
        load_campaign(campaign.dir)
    assert caught.value.exit_code == 2
