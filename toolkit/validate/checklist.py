"""The check list run on every accepted return, written out in order (nothing adds to it at import time),
and the rectification items whose closing fails it (:func:`failed_closings`)."""

from __future__ import annotations

from typing import Callable, Iterator

from ..model import Issue, Return, Severity
from ..returned import item_ids, item_state
from ..spec.model import Sheet
from .checks import (
    check_bounds,
    check_parse,
    check_pattern,
    check_period,
    check_required,
    check_required_if,
    check_row_rules,
    check_rules,
    check_structure,
    check_table_keys,
)
from .rectification import check_closing_dates, check_deadlines, check_items_kept, check_reopened

__all__ = ["CHECKS", "run_checks", "failed_closings", "closings_failed"]

CHECKS: list[Callable[[Return], Iterator[Issue]]] = [
    check_structure, check_parse, check_required, check_bounds, check_pattern, check_period,
    check_required_if, check_table_keys, check_row_rules, check_rules,
    # rectification items across rounds (they read the carry-over the return was prefilled with)
    check_items_kept, check_deadlines, check_closing_dates, check_reopened,
]


def run_checks(ret: Return) -> list[Issue]:
    """Every check in :data:`CHECKS` in order; a rule sees which fields earlier checks found in error."""
    issues: list[Issue] = []
    ret.flagged = set()
    for check in CHECKS:
        for issue in check(ret):
            issues.append(issue)
            if issue.severity == Severity.ERROR and issue.field:
                ret.flagged.add(issue.field)
    return issues


def failed_closings(ret: Return, sheet: Sheet, context: dict | None = None) -> set[int]:
    """Rows of *sheet* marked closed whose row has an error: a closing that failed validation.

    The return is checked again with *context* (the carry and the day it was received, as
    validate had them): for a return validate stored no closings for (:mod:`.stored`).
    """
    if not _closed(ret, sheet):
        return set()
    saved, ret.context = ret.context, dict(context or ret.context)
    try:
        issues = run_checks(ret)
    finally:
        ret.context = saved
    return closings_failed(ret, sheet, issues)


def closings_failed(ret: Return, sheet: Sheet | None, issues: list[Issue]) -> set[int]:
    """Rows of *sheet* marked closed with an error among *issues* (the checks validate just ran);
    validate stores them, so merge and rounds never check a return again to know them."""
    closed = _closed(ret, sheet) if sheet is not None else set()
    if not closed:
        return set()
    columns = {c.id for c in sheet.columns}
    failed = set()
    for issue in issues:
        fid, _, rest = issue.field.partition("[")
        if issue.severity == Severity.ERROR and rest.endswith("]") and fid in columns and rest[:-1].isdigit():
            failed.add(int(rest[:-1]))
    return failed & closed


def _closed(ret: Return, sheet: Sheet) -> set[int]:
    return {row for row in item_ids(ret, sheet) if item_state(sheet, ret.names(row, sheet.id)) == "closed"}
