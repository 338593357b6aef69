"""What validate stored for every accepted return: its error and warning counts, its failed closings,
its normalised values."""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

__all__ = ["Results"]


class Results:
    """The ``validations`` and ``normalised`` tables (validate's output, read by status, merge, score, report)."""

    db: sqlite3.Connection

    def set_validation(self, counts: dict[str, tuple[int, int]], closings: dict[str, Iterable[int]] | None = None) -> None:
        """Each return's error and warning counts and its failed closings (rows of the rectification
        table marked closed whose row has an error; none when *closings* does not name it)."""
        closings = closings or {}
        with self.db:
            self.db.execute("DELETE FROM validations")
            self.db.executemany("INSERT INTO validations(sha256, errors, warnings, closings) VALUES (?,?,?,?)",
                                [(k, e, w, json.dumps(sorted(closings.get(k, ())))) for k, (e, w) in counts.items()])

    def validation_counts(self) -> dict[str, tuple[int, int]]:
        return {sha: (e, w) for sha, e, w in self.db.execute("SELECT sha256, errors, warnings FROM validations")}

    def has_validation(self) -> bool:
        return self.db.execute("SELECT 1 FROM validations LIMIT 1").fetchone() is not None

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

    def failed_closings(self) -> dict[str, set[int] | None]:
        """Per validated return, the rows of its rectification table marked closed whose row has an
        error (validate's output); None for a return validated before they were stored."""
        return {sha: (None if text is None else set(json.loads(text)))
                for sha, text in self.db.execute("SELECT sha256, closings FROM validations")}

    def set_closings(self, closings: dict[str, Iterable[int]]) -> None:
        """Store failed closings worked out after validate (for returns it stored none for)."""
        with self.db:
            self.db.executemany("UPDATE validations SET closings=? WHERE sha256=?",
                                [(json.dumps(sorted(rows)), sha) for sha, rows in closings.items()])

    def add_values(self, spec_key: str, values: Iterable[tuple[str, str]]) -> None:
        """Store normalised entries of returns validate has not stored (the others are kept)."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO normalised(sha256, spec_key, entries) VALUES (?,?,?)",
                                ((sha, spec_key, text) for sha, text in values))
