"""The statuses and states as StrEnum (re-exported by :mod:`toolkit.model`), low enough that the spec
parser names a rule's severity with them.

A StrEnum member is equal to its string and hashes like it, so the CSV files, the ledger's SQLite
columns and JSON answers hold exactly the strings they held before.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["FileStatus", "UnitState", "Severity"]


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
