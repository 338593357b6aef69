"""The SQLite ledger: every offered file once per (source, sha256), with its status.

All of the campaign's SQL lives in this package, split by role: :mod:`.schema` (tables,
migrations, opening), :mod:`.files` (offered files and runs), :mod:`.decisions` (the office's
resolutions and the derived statuses), :mod:`.payload` (the values read from each return),
:mod:`.results` (validate's counts and normalised values) and :mod:`.mailings` (what the campaign
sent out and wrote). :class:`Ledger` is the one object the stages hold.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from ..journal import journal_mode
from .decisions import CODES, Decisions
from .files import LEDGER_COLUMNS, FileRecords, FileRow, export_rows
from .mailings import Mailings
from .payload import Payloads, decode_payload, encode_payload, value_from_json, value_to_json
from .results import Results
from .schema import connect

__all__ = ["Ledger", "FileRow", "LEDGER_COLUMNS", "encode_payload", "decode_payload", "value_to_json", "value_from_json",
           "export_rows", "CODES"]


def _journal_setting(db_path: Path) -> str:
    """campaign.yaml's ``journal:`` (auto when the ledger has no campaign.yaml beside it, or no such key)."""
    from ..config import read_campaign_yaml
    yaml_path = db_path.parent / "campaign.yaml"
    return (read_campaign_yaml(yaml_path).get("journal") if yaml_path.is_file() else None) or "auto"


class Ledger(FileRecords, Decisions, Payloads, Results, Mailings):
    """The campaign's ledger in DIR/toolkit.db."""

    def __init__(self, path: Path, journal: str | None = None):
        """*journal*: auto, rollback or wal; by default the ``journal:`` of the campaign.yaml beside the ledger."""
        self.path = Path(path)
        # WAL where the disk is local, a rollback journal on a network drive (WAL needs shared memory there)
        self.journal_mode = journal_mode(journal or _journal_setting(self.path), self.path.parent)
        self.db = connect(self.path, self.journal_mode)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def batch(self):
        """One transaction around many :meth:`add` calls."""
        self.db.execute("BEGIN")
        try:
            yield self
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()
