"""Every offered file once per (source, sha256): recording it, its identity, and reading the rows back."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Iterable, Iterator

from ...codes import Detail
from ...model import FileStatus
from .schema import Tx, now

__all__ = ["FileRow", "FileRecords", "LEDGER_COLUMNS", "export_rows"]

LEDGER_COLUMNS = ("source", "sha256", "size", "unit_code", "template_id", "template_version", "status",
                  "reason_code", "message", "received_at")


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
    ident_reason: str = ""
    ident_params: str = ""

    @property
    def detail(self) -> Detail | str:
        """What the row's reason says beyond its title: the office's note or the standing copy (derived
        statuses), the identification's :class:`Detail`, or the text a ledger of an earlier version recorded."""
        if self.message:
            return self.message
        if self.ident_params and self.ident_reason == self.reason_code:
            return Detail.from_json(self.ident_params)
        return self.ident_detail


class FileRecords:
    """The ``files`` and ``runs`` tables."""

    db: sqlite3.Connection

    def start_run(self, command: str, resume: bool = False) -> int:
        """A new run; with *resume*, the last run if it was this command and never finished (killed).

        A resumed run keeps its number, so the files it recorded before it was killed and those it
        records now are one run, ordered as an uninterrupted run would order them.
        """
        with self.db:
            last = self.db.execute("SELECT run, command, finished_at FROM runs ORDER BY run DESC LIMIT 1").fetchone()
            if resume and last and last[1] == command and last[2] is None:
                return last[0]
            cur = self.db.execute("INSERT INTO runs(started_at, command) VALUES (?, ?)", (now(), command))
        return cur.lastrowid

    def finish_run(self, run: int) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished_at=? WHERE run=?", (now(), run))

    def count_run(self, run: int) -> int:
        """How many files *run* recorded."""
        return self.db.execute("SELECT COUNT(*) FROM files WHERE run=?", (run,)).fetchone()[0]

    def seen(self, source: str, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM files WHERE source=? AND sha256=?", (source, sha256)).fetchone() is not None

    def known_sha(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM files WHERE sha256=?", (sha256,)).fetchone() is not None

    def seen_known(self, source: str, sha256: str) -> tuple[bool, bool]:
        """:meth:`seen` and :meth:`known_sha` in one query."""
        row = self.db.execute("SELECT MAX(source=?) FROM files WHERE sha256=?", (source, sha256)).fetchone()
        return (row[0] == 1, row[0] is not None)

    def first_identity(self, sha256: str) -> dict | None:
        """How the first row of these bytes was identified, as :meth:`add` takes it (None: bytes not seen)."""
        row = self.db.execute("SELECT ident_status, ident_unit, ident_reason, ident_detail, template_id,"
                              " template_version, ident_params FROM files WHERE sha256=? ORDER BY id LIMIT 1",
                              (sha256,)).fetchone()
        if row is None:
            return None
        first = dict(zip(("status", "unit_code", "reason_code", "detail", "template_id", "template_version"), row))
        if row[6]:
            first["detail"] = Detail.from_json(row[6])
        return first

    def add(self, *, source: str, sha256: str, size: int, kind: str, status: str, unit_code: str = "",
            template_id: str = "", template_version: str = "", reason_code: str = "", detail: Detail | str = "",
            mtime: float = 0.0, run: int = 0, carriers: dict | None = None, payload: str | None = None,
            return_key: str = "") -> None:
        """Record one offered file (and its extracted values); commits unless inside a transaction.

        A :class:`Detail` is stored as data (ident_params) with its English text beside it (ident_detail:
        what an IT colleague searches for, and what earlier versions of the toolkit read).
        """
        text, params = _detail_columns(reason_code, detail)
        with Tx(self.db):
            self.db.execute(
                "INSERT OR IGNORE INTO files(source, sha256, size, kind, ident_status, ident_unit, ident_reason,"
                " ident_detail, ident_params, unit_code, template_id, template_version, status, reason_code,"
                " received_at, mtime, run, carriers, return_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (source, sha256, size, kind, status, unit_code, reason_code, text, params, unit_code, template_id,
                 template_version, status, reason_code, now(), mtime, run, json.dumps(carriers or {}, ensure_ascii=False),
                 return_key))
            if payload is not None:
                self.db.execute("INSERT OR REPLACE INTO submissions(sha256, template_id, payload) VALUES (?,?,?)",
                                (sha256, template_id, payload))

    def awaiting_campaign(self, reasons: frozenset[str]) -> list[tuple[int, str, str, str]]:
        """(id, source, sha256, kind) of files held back for one of *reasons* and not settled by hand."""
        marks = ",".join("?" * len(reasons))
        return self.db.execute(
            f"SELECT id, source, sha256, kind FROM files WHERE ident_reason IN ({marks})"
            " AND sha256 NOT IN (SELECT sha256 FROM resolutions) ORDER BY id", sorted(reasons)).fetchall()

    def reidentify(self, row_id: int, sha256: str, *, status: str, unit_code: str, template_id: str,
                   template_version: str, reason_code: str, detail: Detail | str, carriers: dict, payload: str | None,
                   return_key: str) -> None:
        """Record a file's identity again (the campaign changed since it was read)."""
        text, params = _detail_columns(reason_code, detail)
        with self.db:
            self.db.execute(
                "UPDATE files SET ident_status=?, ident_unit=?, ident_reason=?, ident_detail=?, ident_params=?,"
                " unit_code=?, template_id=?, template_version=?, status=?, reason_code=?, carriers=?, return_key=?"
                " WHERE id=?",
                (status, unit_code, reason_code, text, params, unit_code, template_id, template_version, status,
                 reason_code, json.dumps(carriers, ensure_ascii=False), return_key, row_id))
            if payload is not None:
                self.db.execute("INSERT OR REPLACE INTO submissions(sha256, template_id, payload) VALUES (?,?,?)",
                                (sha256, template_id, payload))

    def set_return_key(self, sha256: str, return_key: str) -> None:
        """What tells this file apart from the unit's other returns (settled by hand: read again)."""
        with self.db:
            self.db.execute("UPDATE files SET return_key=? WHERE sha256=?", (return_key, sha256))

    def carriers(self, sha256: str) -> tuple[dict, str, str]:
        """(carriers, reason code, detail) of a file as identification first recorded them."""
        row = self.db.execute("SELECT carriers, ident_reason, ident_detail FROM files WHERE sha256=? ORDER BY id"
                              " LIMIT 1", (sha256,)).fetchone()
        if row is None:
            return {}, "", ""
        return json.loads(row[0] or "{}"), row[1] or "", row[2] or ""

    def matching_sha(self, prefix: str) -> list[str]:
        """The distinct sha256 of recorded files that start with *prefix* (any case), sorted."""
        like = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT sha256 FROM files WHERE sha256 LIKE ? ESCAPE '\\' ORDER BY sha256", (like,))]

    def files(self) -> list[FileRow]:
        return list(self.each_file())

    def each_file(self) -> Iterator[FileRow]:
        """The recorded files in ledger order, one at a time (a stage that only filters or counts them
        never holds every row: 0.9 KB each)."""
        cur = self.db.execute("SELECT id, source, sha256, size, kind, unit_code, template_id, template_version,"
                              " status, reason_code, message, received_at, mtime, run, ident_detail, return_key,"
                              " ident_reason, ident_params FROM files ORDER BY id")
        for row in cur:
            yield FileRow(*(v if v is not None else "" for v in row))

    def accepted(self) -> list[FileRow]:
        return [f for f in self.each_file() if f.status == FileStatus.ACCEPTED]


def _detail_columns(code: str, detail: Detail | str) -> tuple[str, str | None]:
    """(ident_detail, ident_params) of a detail: its English text, and its data as JSON (None for text)."""
    if isinstance(detail, Detail):
        if not detail.variant and not detail.params:
            return "", None
        return detail.text(code, "en"), detail.to_json()
    return detail or "", None


def export_rows(ledger: FileRecords, message) -> Iterable[dict]:
    """Rows of out/ledger.csv; *message* turns (reason_code, detail) into the user's words."""
    for f in ledger.each_file():
        yield {"source": f.source, "sha256": f.sha256, "size": f.size, "unit_code": f.unit_code,
               "template_id": f.template_id, "template_version": f.template_version, "status": f.status,
               "reason_code": f.reason_code, "message": message(f.reason_code, f.detail), "received_at": f.received_at}
