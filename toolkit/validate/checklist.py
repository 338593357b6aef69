"""The check list run on every accepted return, written out in order (nothing adds to it at import time)."""

from __future__ import annotations

from typing import Callable, Iterator

from ..model import Severity
from .checks import (
    Issue,
    Return,
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

__all__ = ["CHECKS", "run_checks"]

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
