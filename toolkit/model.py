"""Plain values every stage shares: a return as read (Submission), the statuses and states as StrEnum.

A StrEnum member is equal to its string and hashes like it, so the CSV files, the ledger's SQLite
columns and JSON answers hold exactly the strings they held before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

__all__ = ["FileStatus", "UnitState", "Severity", "CellValue", "Finding", "Submission"]


class FileStatus(StrEnum):
    """An offered file's standing in the ledger (the ``status`` column of out/ledger.csv)."""

    ACCEPTED = "accepted"          # the unit's return that counts
    SUPERSEDED = "superseded"      # an accepted return replaced by the unit's newer one
    DUPLICATE = "duplicate"        # the same bytes seen before
    REJECTED = "rejected"          # not usable: unsafe, unreadable, blank, another campaign …
    UNIDENTIFIED = "unidentified"  # no template of this campaign recognised in it
    REVIEW = "review"              # a person decides (toolkit resolve)


class UnitState(StrEnum):
    """A roster unit's standing in the campaign (the ``state`` column of status.csv)."""

    MISSING = "missing"    # nothing received
    UNUSABLE = "unusable"  # only files that could not be used: rejected or unidentified
    REVIEW = "review"      # a file waits for a person to settle it (toolkit resolve)
    FAULTY = "faulty"      # the accepted return has errors
    ACCEPTED = "accepted"  # the accepted return has no errors


class Severity(StrEnum):
    """How much an issue weighs: an error makes a return faulty (or a file not accepted), a warning does not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"          # a ledger reason that needs nothing from anyone


class CellValue(NamedTuple):
    """One value of a return where the unit typed it."""

    sheet_id: str
    field_id: str      # form field id, or "<item_id>.<column_id>" for checklists, column id for tables
    row: int | None    # table row 1, 2, …; None for single values
    sheet: str         # the sheet's name as found
    cell: str          # A1 address as found
    raw: Any


class Finding(NamedTuple):
    """A structural observation while locating fields (becomes an issue)."""

    code: str
    sheet: str
    cell: str = ""
    field_id: str = ""
    detail: str = ""


@dataclass
class Submission:
    """A return's values for one template, located and raw (normalised later)."""

    template_id: str
    template_version: str
    values: list[CellValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    date1904: bool = False

    def value_map(self) -> dict[tuple[str, int | None], CellValue]:
        return {(v.field_id, v.row): v for v in self.values}
