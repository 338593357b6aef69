"""What the campaign sent out and wrote: issued workbooks, the stamps they carry, the toolkit's own outputs.

Collect reads these back to tell a unit's return from a workbook the office itself sent or wrote.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

from .schema import now

__all__ = ["Mailings"]


class Mailings:
    """The ``issued``, ``stamps`` and ``outputs`` tables."""

    db: sqlite3.Connection

    def record_issued(self, workbooks: Iterable[tuple[str, str]]) -> None:
        """Remember (sha256, "code name") of workbooks sent out; earlier mailings are kept."""
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO issued(sha256, unit, issued_at) VALUES (?,?,?)",
                                [(sha, unit, now()) for sha, unit in workbooks])

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
                                [(sha, kind, path, now()) for sha, kind, path in written])

    def outputs(self) -> dict[str, str]:
        """sha256 → "kind path" of every workbook the toolkit wrote into this campaign."""
        return {sha: f"{kind} {path}" for sha, kind, path in self.db.execute("SELECT sha256, kind, path FROM outputs")}
