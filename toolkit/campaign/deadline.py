"""The campaign's deadline: a date (the whole day counts) or a date with a time, in the office's local time.

Offices write `deadline: 2026-12-20` or `deadline: 2026-12-20 17:00` in campaign.yaml. A return is
late when it was received after that moment; received times are stored in UTC (the ledger's
`received_at`), so they are compared in the machine's local time zone, where the office works.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["parse_deadline", "deadline_date", "local_time", "received_day", "is_late"]


def parse_deadline(text) -> dt.datetime | None:
    """The last moment (local, naive) that is on time; None for an empty or unreadable value.

    A date alone means the end of that day; a time is to the minute (seconds allowed).
    """
    if text in (None, ""):
        return None
    if isinstance(text, dt.datetime):
        return text.replace(tzinfo=None)
    if isinstance(text, dt.date):
        return dt.datetime.combine(text, dt.time.max)
    value = str(text).strip()
    try:
        if len(value) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(value), dt.time.max)
        if len(value) in (16, 19) and value[10] in " T":
            return dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return None


def deadline_date(text) -> dt.date | None:
    """The day of the deadline (for texts and date checks that go by day)."""
    moment = parse_deadline(text)
    return moment.date() if moment else None


def local_time(received_at: str) -> dt.datetime | None:
    """A stored timestamp (ISO, UTC or with its offset) as a naive local time."""
    try:
        moment = dt.datetime.fromisoformat(str(received_at))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment


def received_day(received_at) -> dt.date | None:
    """The office's day on which a file was received (the ledger's UTC timestamp in local time)."""
    moment = local_time(received_at) if received_at else None
    return moment.date() if moment else None


def is_late(received_at: str, deadline) -> bool:
    """True when *received_at* (the ledger's timestamp) is after *deadline* (campaign.yaml's text)."""
    moment, limit = local_time(received_at), parse_deadline(deadline)
    return moment is not None and limit is not None and moment > limit
