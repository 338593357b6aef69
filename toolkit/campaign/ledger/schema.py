"""The ledger's database: its tables, bringing an older ledger up to date, opening it, transactions.

The tables are created when missing and columns added after campaigns were already running are
added in place (``CREATE TABLE IF NOT EXISTS`` adds no columns), so a ledger written by any
earlier version opens as it is.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3
from pathlib import Path

from ...errors import CampaignError
from ...i18n import Msg, define

define("campaign.ledger", {
    "unreadable": ("{path}：台账无法打开（{reason}）；请从备份恢复，或把它移到别处后重新收取（received/ 中的原件都在）",
                   "{path}: the ledger cannot be opened ({reason}); restore it from a backup, or move it aside and collect "
                   "again (the originals in received/ are kept)"),
    "damaged": ("{path}：台账已损坏（缺少数据表 {tables}）；请从备份恢复，或把它移到别处后重新收取（received/ 中的原件都在）",
                "{path}: the ledger is damaged (table {tables} is missing); restore it from a backup, or move it aside "
                "and collect again (the originals in received/ are kept)"),
})

__all__ = ["SCHEMA", "CORE_TABLES", "ADDED_COLUMNS", "connect", "Tx", "now", "who"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (run INTEGER PRIMARY KEY, started_at TEXT, command TEXT);
CREATE TABLE IF NOT EXISTS files (
  id INTEGER PRIMARY KEY, source TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER, kind TEXT,
  ident_status TEXT NOT NULL, ident_unit TEXT, ident_reason TEXT, ident_detail TEXT,
  unit_code TEXT, template_id TEXT, template_version TEXT, status TEXT, reason_code TEXT,
  message TEXT, received_at TEXT, mtime REAL, run INTEGER, carriers TEXT, return_key TEXT DEFAULT '',
  UNIQUE(source, sha256));
CREATE TABLE IF NOT EXISTS submissions (sha256 TEXT PRIMARY KEY, template_id TEXT, payload TEXT);
CREATE TABLE IF NOT EXISTS resolutions (
  id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, action TEXT NOT NULL, unit_code TEXT, reason TEXT,
  who TEXT, at TEXT);
CREATE TABLE IF NOT EXISTS validations (sha256 TEXT PRIMARY KEY, errors INTEGER, warnings INTEGER);
CREATE TABLE IF NOT EXISTS normalised (sha256 TEXT PRIMARY KEY, spec_key TEXT, entries TEXT);
CREATE TABLE IF NOT EXISTS issued (sha256 TEXT PRIMARY KEY, unit TEXT, issued_at TEXT);
CREATE TABLE IF NOT EXISTS stamps (name TEXT, year TEXT, round TEXT, PRIMARY KEY(name, year, round));
CREATE TABLE IF NOT EXISTS outputs (sha256 TEXT PRIMARY KEY, kind TEXT, path TEXT, written_at TEXT);
"""

# The tables every ledger has had from the first version on (later ones are created when missing).
CORE_TABLES = ("runs", "files", "submissions", "resolutions", "validations")

# Columns added to the schema after campaigns were already running: table → column → declaration.
# ident_params: the detail of the identification reason as data (its template variant and values, JSON);
# rows recorded before it have only the English text in ident_detail, and are shown with that text.
# validations.closings: a return's failed closings (JSON list of rows); NULL in a ledger validated before it.
ADDED_COLUMNS = {"files": {"return_key": "TEXT DEFAULT ''", "ident_params": "TEXT"}, "runs": {"finished_at": "TEXT"},
                 "validations": {"closings": "TEXT"}}


def connect(path: Path, journal_mode: str) -> sqlite3.Connection:
    """The ledger at *path*, created or brought up to date; CampaignError when it is damaged."""
    db = sqlite3.connect(path, timeout=30)
    try:
        db.execute(f"PRAGMA journal_mode={journal_mode}")
        db.execute("PRAGMA synchronous=NORMAL")
        _check_tables(db, path)
        db.executescript(SCHEMA)
        _add_missing_columns(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise CampaignError(Msg("campaign.ledger.unreadable", {"path": path, "reason": exc})) from None
    except CampaignError:
        db.close()
        raise
    try:  # looking a file up by its bytes (duplicates) without scanning the whole ledger
        db.execute("CREATE INDEX IF NOT EXISTS files_sha256 ON files(sha256)")
    except sqlite3.OperationalError:  # a read-only ledger: lookups only scan
        pass
    return db


def _check_tables(db: sqlite3.Connection, path: Path) -> None:
    """A ledger that lost one of its tables is damaged: creating it empty would report "0 returns"."""
    have = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = [t for t in CORE_TABLES if t not in have]
    if have & set(CORE_TABLES) and missing:
        raise CampaignError(Msg("campaign.ledger.damaged", {"path": path, "tables": ", ".join(missing)}))


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Bring a ledger written by an earlier version up to date."""
    with db:
        for table, columns in ADDED_COLUMNS.items():
            have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            for name, declaration in columns.items():
                if name not in have:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
                    if (table, name) == ("runs", "finished_at"):  # runs before this column: all ended
                        db.execute("UPDATE runs SET finished_at=started_at")


class Tx:
    """Commit on exit unless an outer transaction (:meth:`Ledger.batch`) is open."""

    def __init__(self, db: sqlite3.Connection):
        self.db, self.outer = db, db.in_transaction

    def __enter__(self):
        return self.db

    def __exit__(self, exc_type, *rest):
        if self.outer:
            return
        self.db.rollback() if exc_type else self.db.commit()


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"
