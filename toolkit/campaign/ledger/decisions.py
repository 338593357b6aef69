"""The office's decisions on files, and the statuses derived from what is recorded.

A file's *identification* outcome (accepted, review, unidentified, rejected) is stored as it was
decided; the statuses that depend on other files (duplicate, superseded) and the office's
resolutions are derived by :meth:`Decisions.recompute`, which is deterministic and runs after
every change — so an interrupted run leaves nothing half-done that a re-run does not put right.
"""

from __future__ import annotations

import sqlite3

from ...catalogue.ledger import CODES
from ...model import FileStatus
from .schema import now, who

__all__ = ["Decisions", "CODES"]



class Decisions:
    """The ``resolutions`` table and the derived columns of ``files`` (status, unit_code, reason_code, message)."""

    db: sqlite3.Connection

    def resolve(self, sha256: str, action: str, unit_code: str = "", reason: str = "") -> None:
        with self.db:
            self.db.execute("INSERT INTO resolutions(sha256, action, unit_code, reason, who, at) VALUES (?,?,?,?,?,?)",
                            (sha256, action, unit_code, reason, who(), now()))

    def decisions(self, sha256: str) -> list[tuple[str, str, str, str, str]]:
        """(action, unit_code, reason, who, at) of the office's decisions on a file, oldest first."""
        return [tuple(r) for r in self.db.execute(
            "SELECT action, unit_code, reason, who, at FROM resolutions WHERE sha256=? ORDER BY id", (sha256,))]

    def recompute(self) -> None:
        """Derive duplicate, superseded and resolved statuses from what is recorded."""
        rows = self.db.execute("SELECT id, sha256, ident_status, ident_unit, ident_reason, run, mtime, source,"
                               " return_key FROM files ORDER BY id").fetchall()
        resolutions = {}
        for sha, action, unit, reason, by, at in self.db.execute(
                "SELECT sha256, action, unit_code, reason, who, at FROM resolutions ORDER BY id"):
            resolutions[sha] = (action, unit, reason, by, at)
        derived = _derive(rows, resolutions)
        with self.db:
            self.db.executemany("UPDATE files SET status=?, unit_code=?, reason_code=?, message=? WHERE id=?",
                                [(s, u, r, d, rid) for rid, (s, u, r, d) in derived.items()])


def _derive(rows: list, resolutions: dict) -> dict[int, tuple[str, str, str, str]]:
    """Row id → (status, unit, reason, detail) as the ledger shows it."""
    standing = _standing_rows(rows, resolutions)
    derived: dict[int, tuple[str, str, str, str]] = {}
    newest: dict[str, tuple] = {}
    for rid, sha, status, unit, reason, run, mtime, source, rkey in rows:
        if standing[sha][0] != rid:
            derived[rid] = (FileStatus.DUPLICATE, unit or "", "ledger.duplicate", standing[sha][1])
            continue
        if sha in resolutions:
            action, r_unit, r_reason, by, at = resolutions[sha]
            if action == "assign":
                status, unit, reason = FileStatus.ACCEPTED, r_unit, "ledger.resolved_assign"
            else:
                status, reason = FileStatus.REJECTED, "ledger.resolved_reject"
            derived[rid] = (status, unit or "", reason, f"{by} {at} {r_reason}".strip())
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
    return derived


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
