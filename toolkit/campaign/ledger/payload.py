"""The values read from each return as the ledger keeps them: a Submission as JSON, and back."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from ...model import CellValue, Finding, Submission

__all__ = ["Payloads", "encode_payload", "decode_payload", "value_to_json", "value_from_json"]


class Payloads:
    """The ``submissions`` table: each file's extracted values, by sha256."""

    db: sqlite3.Connection

    def set_payload(self, sha256: str, template_id: str, payload: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO submissions(sha256, template_id, payload) VALUES (?,?,?)",
                            (sha256, template_id, payload))

    def payload(self, sha256: str) -> Submission | None:
        """The stored Submission of a file, or None."""
        text = self.payload_text(sha256)
        return decode_payload(text) if text is not None else None

    def payload_text(self, sha256: str) -> str | None:
        row = self.db.execute("SELECT payload FROM submissions WHERE sha256=?", (sha256,)).fetchone()
        return row[0] if row else None

    def payload_texts(self) -> dict[str, str]:
        """Every stored Submission's JSON by sha256, in one query."""
        return dict(self.db.execute("SELECT sha256, payload FROM submissions WHERE payload IS NOT NULL"))


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


def encode_payload(sub: Submission) -> str:
    """A Submission as JSON (raw values keep their Python types)."""
    return json.dumps({
        "template_id": sub.template_id, "template_version": sub.template_version, "date1904": sub.date1904,
        "values": [[v.sheet_id, v.field_id, v.row, v.sheet, v.cell, value_to_json(v.raw)] for v in sub.values],
        "findings": [[f.code, f.sheet, f.cell, f.field_id, f.detail] for f in sub.findings],
    }, ensure_ascii=False)


def decode_payload(text: str) -> Submission:
    d = json.loads(text)
    sub = Submission(d["template_id"], d["template_version"], date1904=d.get("date1904", False))
    sub.values = [CellValue(s, f, r, sh, c, value_from_json(raw) if raw.__class__ is dict else raw)  # only objects need decoding
                  for s, f, r, sh, c, raw in d["values"]]
    sub.findings = [Finding(*f) for f in d["findings"]]
    return sub
