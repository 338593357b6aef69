"""The SQLite ledger: every offered file once per (source, sha256), with its status.

A file's *identification* outcome (accepted, review, unidentified, rejected)
is stored as it was decided; the statuses that depend on other files
(duplicate, superseded) and the office's resolutions are derived by
:meth:`Ledger.recompute`, which is deterministic and runs after every
change — so an interrupted run leaves nothing half-done that a re-run
does not put right.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..codes import Code, register
from ..errors import CampaignError
from ..model import FileStatus
from .journal import journal_mode

__all__ = ["Ledger", "FileRow", "LEDGER_COLUMNS", "encode_payload", "decode_payload", "value_to_json", "value_from_json",
           "CODES"]

LEDGER_COLUMNS = ("source", "sha256", "size", "unit_code", "template_id", "template_version", "status",
                  "reason_code", "message", "received_at")

CODES = register(
    Code("ledger.duplicate", "info", "重复报送（内容完全相同）", "Duplicate (same bytes)",
         "同一文件已收到，无需处理", "The same file was received before; nothing to do"),
    Code("ledger.superseded", "info", "已被该单位更新的报送取代", "Superseded by a newer return",
         "以该单位最新报送的文件为准", "The unit's newest return counts"),
    Code("ledger.resolved_assign", "info", "已人工确认归属单位", "Assigned to a unit by the office",
         "办公室已核实该文件的填报单位，按该单位的报送处理", "The office confirmed the unit; it counts as that unit's return"),
    Code("ledger.resolved_reject", "error", "已人工退回", "Rejected by the office",
         "办公室已退回该文件，请按退回原因修改后重新报送", "The office rejected this file; fix it as told and send it again"),
)

_SCHEMA = """
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
_CORE_TABLES = ("runs", "files", "submissions", "resolutions", "validations")

# Columns added to the schema after campaigns were already running: table → column → declaration.
_ADDED_COLUMNS = {"files": {"return_key": "TEXT DEFAULT ''"}, "runs": {"finished_at": "TEXT"}}


@dataclass
class FileRow:
    id: int
    source: str
    sha256: str
    size: int
    kind: str
    unit_code: str
    template_id: str
    template_version: str
    status: str
    reason_code: str
    message: str
    received_at: str
    mtime: float
    run: int
    ident_detail: str = ""
    return_key: str = ""


def _journal_setting(db_path: Path) -> str:
    """campaign.yaml's ``journal:`` (auto when the ledger has no campaign.yaml beside it, or no such key)."""
    from .config import read_campaign_yaml
    yaml_path = db_path.parent / "campaign.yaml"
    return (read_campaign_yaml(yaml_path).get("journal") if yaml_path.is_file() else None) or "auto"


class Ledger:
    """The campaign's ledger in DIR/toolkit.db."""

    def __init__(self, path: Path, journal: str | None = None):
        """*journal*: auto, rollback or wal; by default the ``journal:`` of the campaign.yaml beside the ledger."""
        self.path = Path(path)
        # WAL where the disk is local, a rollback journal on a network drive (WAL needs shared memory there)
        self.journal_mode = journal_mode(journal or _journal_setting(self.path), self.path.parent)
        self.db = sqlite3.connect(self.path, timeout=30)
        try:
            self.db.execute(f"PRAGMA journal_mode={self.journal_mode}")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._check_tables()
            self.db.executescript(_SCHEMA)
            self._add_missing_columns()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise CampaignError(f"{self.path}: the ledger cannot be opened ({exc}); restore it from a backup, or move "
                                f"it aside and collect again (the originals in received/ are kept)") from None
        try:  # looking a file up by its bytes (duplicates) without scanning the whole ledger
            self.db.execute("CREATE INDEX IF NOT EXISTS files_sha256 ON files(sha256)")
        except sqlite3.OperationalError:  # a read-only ledger: lookups only scan
            pass

    def _check_tables(self) -> None:
        """A ledger that lost one of its tables is damaged: creating it empty would report "0 returns"."""
        have = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in _CORE_TABLES if t not in have]
        if have & set(_CORE_TABLES) and missing:
            self.db.close()
            raise CampaignError(f"{self.path}: the ledger is damaged (table {', '.join(missing)} is missing); restore "
                                f"it from a backup, or move it aside and collect again (the originals in received/ "
                                f"are kept)")

    def _add_missing_columns(self) -> None:
        """Bring a ledger written by an earlier version up to date (CREATE IF NOT EXISTS adds no columns)."""
        with self.db:
            for table, columns in _ADDED_COLUMNS.items():
                have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
                for name, declaration in columns.items():
                    if name not in have:
                        self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
                        if (table, name) == ("runs", "finished_at"):  # runs before this column: all ended
                            self.db.execute("UPDATE runs SET finished_at=started_at")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
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

    def start_run(self, command: str, resume: bool = False) -> int:
        """A new run; with *resume*, the last run if it was this command and never finished (killed).

        A resumed run keeps its number, so the files it recorded before it was killed and those it
        records now are one run, ordered as an uninterrupted run would order them.
        """
        with self.db:
            last = self.db.execute("SELECT run, command, finished_at FROM runs ORDER BY run DESC LIMIT 1").fetchone()
            if resume and last and last[1] == command and last[2] is None:
                return last[0]
            cur = self.db.execute("INSERT INTO runs(started_at, command) VALUES (?, ?)", (_now(), command))
        return cur.lastrowid

    def finish_run(self, run: int) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished_at=? WHERE run=?", (_now(), run))

    def seen(self, source: str, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM files WHERE source=? AND sha256=?", (source, sha256)).fetchone() is not None

    def known_sha(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM files WHERE sha256=?", (sha256,)).fetchone() is not None

    def seen_known(self, source: str, sha256: str) -> tuple[bool, bool]:
        """:meth:`seen` and :meth:`known_sha` in one query."""
        row = self.db.execute("SELECT MAX(source=?) FROM files WHERE sha256=?", (source, sha256)).fetchone()
        return (row[0] == 1, row[0] is not None)

    def add(self, *, source: str, sha256: str, size: int, kind: str, status: str, unit_code: str = "",
            template_id: str = "", template_version: str = "", reason_code: str = "", detail: str = "",
            mtime: float = 0.0, run: int = 0, carriers: dict | None = None, payload: str | None = None,
            return_key: str = "") -> None:
        """Record one offered file (and its extracted values); commits unless inside a transaction."""
        with _Tx(self.db):
            self.db.execute(
                "INSERT OR IGNORE INTO files(source, sha256, size, kind, ident_status, ident_unit, ident_reason,"
                " ident_detail, unit_code, template_id, template_version, status, reason_code, received_at,"
                " mtime, run, carriers, return_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (source, sha256, size, kind, status, unit_code, reason_code, detail, unit_code, template_id,
                 template_version, status, reason_code, _now(), mtime, run, json.dumps(carriers or {}, ensure_ascii=False),
                 return_key))
            if payload is not None:
                self.db.execute("INSERT OR REPLACE INTO submissions(sha256, template_id, payload) VALUES (?,?,?)",
                                (sha256, template_id, payload))

    def record_issued(self, workbooks: Iterable[tuple[str, str]]) -> None:
        """Remember (sha256, "code name") of workbooks sent out; earlier mailings are kept."""
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO issued(sha256, unit, issued_at) VALUES (?,?,?)",
                                [(sha, unit, _now()) for sha, unit in workbooks])

    def issued(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT sha256, unit FROM issued"))

    def record_stamp(self, stamp) -> None:
        """Remember the campaign stamp (name, year, round) that a mailing's workbooks carry."""
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO stamps(name, year, round) VALUES (?,?,?)",
                            (stamp.name, stamp.year, stamp.round))

    def stamps(self) -> list[tuple[str, str, str]]:
        """(name, year, round) of every campaign stamp recorded by :meth:`record_stamp`."""
        return [tuple(row) for row in self.db.execute("SELECT name, year, round FROM stamps")]

    def record_outputs(self, written: Iterable[tuple[str, str, str]]) -> None:
        """Remember (sha256, kind, path) of workbooks the toolkit wrote, so collecting one back is told."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO outputs(sha256, kind, path, written_at) VALUES (?,?,?,?)",
                                [(sha, kind, path, _now()) for sha, kind, path in written])

    def outputs(self) -> dict[str, str]:
        """sha256 → "kind path" of every workbook the toolkit wrote into this campaign."""
        return {sha: f"{kind} {path}" for sha, kind, path in self.db.execute("SELECT sha256, kind, path FROM outputs")}

    def awaiting_campaign(self, reasons: frozenset[str]) -> list[tuple[int, str, str, str]]:
        """(id, source, sha256, kind) of files held back for one of *reasons* and not settled by hand."""
        marks = ",".join("?" * len(reasons))
        return self.db.execute(
            f"SELECT id, source, sha256, kind FROM files WHERE ident_reason IN ({marks})"
            " AND sha256 NOT IN (SELECT sha256 FROM resolutions) ORDER BY id", sorted(reasons)).fetchall()

    def reidentify(self, row_id: int, sha256: str, *, status: str, unit_code: str, template_id: str,
                   template_version: str, reason_code: str, detail: str, carriers: dict, payload: str | None,
                   return_key: str) -> None:
        """Record a file's identity again (the campaign changed since it was read)."""
        with self.db:
            self.db.execute(
                "UPDATE files SET ident_status=?, ident_unit=?, ident_reason=?, ident_detail=?, unit_code=?,"
                " template_id=?, template_version=?, status=?, reason_code=?, carriers=?, return_key=? WHERE id=?",
                (status, unit_code, reason_code, detail, unit_code, template_id, template_version, status,
                 reason_code, json.dumps(carriers, ensure_ascii=False), return_key, row_id))
            if payload is not None:
                self.db.execute("INSERT OR REPLACE INTO submissions(sha256, template_id, payload) VALUES (?,?,?)",
                                (sha256, template_id, payload))

    def resolve(self, sha256: str, action: str, unit_code: str = "", reason: str = "") -> None:
        with self.db:
            self.db.execute("INSERT INTO resolutions(sha256, action, unit_code, reason, who, at) VALUES (?,?,?,?,?,?)",
                            (sha256, action, unit_code, reason, _who(), _now()))

    def decisions(self, sha256: str) -> list[tuple[str, str, str, str, str]]:
        """(action, unit_code, reason, who, at) of the office's decisions on a file, oldest first."""
        return [tuple(r) for r in self.db.execute(
            "SELECT action, unit_code, reason, who, at FROM resolutions WHERE sha256=? ORDER BY id", (sha256,))]

    def carriers(self, sha256: str) -> tuple[dict, str, str]:
        """(carriers, reason code, detail) of a file as identification first recorded them."""
        row = self.db.execute("SELECT carriers, ident_reason, ident_detail FROM files WHERE sha256=? ORDER BY id"
                              " LIMIT 1", (sha256,)).fetchone()
        if row is None:
            return {}, "", ""
        return json.loads(row[0] or "{}"), row[1] or "", row[2] or ""

    def set_payload(self, sha256: str, template_id: str, payload: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO submissions(sha256, template_id, payload) VALUES (?,?,?)",
                            (sha256, template_id, payload))

    def set_validation(self, counts: dict[str, tuple[int, int]]) -> None:
        with self.db:
            self.db.execute("DELETE FROM validations")
            self.db.executemany("INSERT INTO validations(sha256, errors, warnings) VALUES (?,?,?)",
                                [(k, e, w) for k, (e, w) in counts.items()])

    def set_values(self, spec_key: str, values: Iterable[tuple[str, str]]) -> None:
        """The normalised entries of every validated return (validate's output), replacing the last
        run's; *values* is consumed as it comes (sha256, entries text), never held whole."""
        with self.db:
            self.db.execute("DELETE FROM normalised")
            self.db.executemany("INSERT OR REPLACE INTO normalised(sha256, spec_key, entries) VALUES (?,?,?)",
                                ((sha, spec_key, text) for sha, text in values))

    def values_text(self, sha256: str, spec_key: str) -> str | None:
        """The stored normalised entries of a return, when validated under the same spec."""
        row = self.db.execute("SELECT entries FROM normalised WHERE sha256=? AND spec_key=?",
                              (sha256, spec_key)).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ deriving
    def recompute(self) -> None:
        """Derive duplicate, superseded and resolved statuses from what is recorded."""
        rows = self.db.execute("SELECT id, sha256, ident_status, ident_unit, ident_reason, run, mtime, source,"
                               " return_key FROM files ORDER BY id").fetchall()
        resolutions = {}
        for sha, action, unit, reason, who, at in self.db.execute(
                "SELECT sha256, action, unit_code, reason, who, at FROM resolutions ORDER BY id"):
            resolutions[sha] = (action, unit, reason, who, at)
        standing = _standing_rows(rows, resolutions)
        derived: dict[int, tuple[str, str, str, str]] = {}  # id -> status, unit, reason, detail
        newest: dict[str, tuple] = {}
        for rid, sha, status, unit, reason, run, mtime, source, rkey in rows:
            if standing[sha][0] != rid:
                derived[rid] = (FileStatus.DUPLICATE, unit or "", "ledger.duplicate", standing[sha][1])
                continue
            if sha in resolutions:
                action, r_unit, r_reason, who, at = resolutions[sha]
                if action == "assign":
                    status, unit, reason = FileStatus.ACCEPTED, r_unit, "ledger.resolved_assign"
                else:
                    status, reason = FileStatus.REJECTED, "ledger.resolved_reject"
                derived[rid] = (status, unit or "", reason, f"{who} {at} {r_reason}".strip())
            else:
                derived[rid] = (status, unit or "", reason or "", "")
            if derived[rid][0] == FileStatus.ACCEPTED:  # the newest return per unit (and per return key) wins
                key, slot = (run, mtime, rid), (derived[rid][1], rkey or "")
                if slot not in newest or key > newest[slot][0]:
                    newest[slot] = (key, rid)
        winners = {rid for _, rid in newest.values()}
        for rid, (status, unit, reason, detail) in list(derived.items()):
            if status == FileStatus.ACCEPTED and rid not in winners:
                derived[rid] = (FileStatus.SUPERSEDED, unit, "ledger.superseded", "")
        with self.db:
            self.db.executemany("UPDATE files SET status=?, unit_code=?, reason_code=?, message=? WHERE id=?",
                                [(s, u, r, d, rid) for rid, (s, u, r, d) in derived.items()])

    # ------------------------------------------------------------------ reading
    def files(self) -> list[FileRow]:
        cur = self.db.execute("SELECT id, source, sha256, size, kind, unit_code, template_id, template_version,"
                              " status, reason_code, message, received_at, mtime, run, ident_detail, return_key"
                              " FROM files ORDER BY id")
        return [FileRow(*(v if v is not None else "" for v in row)) for row in cur]

    def accepted(self) -> list[FileRow]:
        return [f for f in self.files() if f.status == FileStatus.ACCEPTED]

    def payload(self, sha256: str):
        """The stored Submission of a file, or None."""
        text = self.payload_text(sha256)
        return decode_payload(text) if text is not None else None

    def payload_text(self, sha256: str) -> str | None:
        row = self.db.execute("SELECT payload FROM submissions WHERE sha256=?", (sha256,)).fetchone()
        return row[0] if row else None

    def payload_texts(self) -> dict[str, str]:
        """Every stored Submission's JSON by sha256, in one query."""
        return dict(self.db.execute("SELECT sha256, payload FROM submissions WHERE payload IS NOT NULL"))

    def validation_counts(self) -> dict[str, tuple[int, int]]:
        return {sha: (e, w) for sha, e, w in self.db.execute("SELECT sha256, errors, warnings FROM validations")}

    def has_validation(self) -> bool:
        return self.db.execute("SELECT 1 FROM validations LIMIT 1").fetchone() is not None


class _Tx:
    """Commit on exit unless an outer transaction (:meth:`Ledger.batch`) is open."""

    def __init__(self, db: sqlite3.Connection):
        self.db, self.outer = db, db.in_transaction

    def __enter__(self):
        return self.db

    def __exit__(self, exc_type, *rest):
        if self.outer:
            return
        self.db.rollback() if exc_type else self.db.commit()


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


# --------------------------------------------------------------------------- payload


_PLAIN = frozenset({str, int, float, bool, type(None)})  # exact types JSON takes as they are


def value_to_json(value: Any) -> Any:
    """A cell value as JSON keeps it (dates and times tagged)."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$t": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$td": value.total_seconds()}
    return value


def value_from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            return dt.datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return dt.date.fromisoformat(value["$d"])
        if "$t" in value:
            return dt.time.fromisoformat(value["$t"])
        if "$td" in value:
            return dt.timedelta(seconds=value["$td"])
    return value


def encode_payload(sub) -> str:
    """A Submission as JSON (raw values keep their Python types)."""
    return json.dumps({
        "template_id": sub.template_id, "template_version": sub.template_version, "date1904": sub.date1904,
        "values": [[v.sheet_id, v.field_id, v.row, v.sheet, v.cell, value_to_json(v.raw)] for v in sub.values],
        "findings": [[f.code, f.sheet, f.cell, f.field_id, f.detail] for f in sub.findings],
    }, ensure_ascii=False)


def decode_payload(text: str):
    from ..read.reader import CellValue, Finding, Submission

    d = json.loads(text)
    sub = Submission(d["template_id"], d["template_version"], date1904=d.get("date1904", False))
    sub.values = [CellValue(s, f, r, sh, c, value_from_json(raw) if raw.__class__ is dict else raw)  # only objects need _dec
                  for s, f, r, sh, c, raw in d["values"]]
    sub.findings = [Finding(*f) for f in d["findings"]]
    return sub


def export_rows(ledger: Ledger, message) -> Iterable[dict]:
    """Rows of out/ledger.csv; *message* turns (reason_code, detail) into the user's words."""
    for f in ledger.files():
        yield {"source": f.source, "sha256": f.sha256, "size": f.size, "unit_code": f.unit_code,
               "template_id": f.template_id, "template_version": f.template_version, "status": f.status,
               "reason_code": f.reason_code, "message": message(f.reason_code, f.message or f.ident_detail),
               "received_at": f.received_at}


def _standing_rows(rows: list, resolutions: dict) -> dict[str, tuple[int, str]]:
    """sha256 → (row id, source) of the row that stands for those bytes; the other rows are duplicates.

    The first row, unless a later copy of the same bytes was accepted where the first was not
    (the first came under a neighbour's name and went to review; the copy under the unit's own
    name identified cleanly). A decision of the office applies to the first row as ever.
    """
    standing: dict[str, tuple[int, str, str]] = {}
    for rid, sha, status, _unit, _reason, _run, _mtime, source, _key in rows:
        held = standing.get(sha)
        if held is None or (sha not in resolutions and status == FileStatus.ACCEPTED and held[2] != FileStatus.ACCEPTED):
            standing[sha] = (rid, source, status)
    return {sha: (rid, source) for sha, (rid, source, _) in standing.items()}
