"""The functions of the expression language: what ``sum``, ``round`` … mean in a spec or scheme.

Each takes the values the evaluator computed (``None`` for an empty cell) and ignores or propagates
``None`` the way an office suite treats an empty cell. ``round`` is Excel's ROUND, not Python's.
"""

from __future__ import annotations

from .excel_math import excel_round

__all__ = ["FUNCTIONS"]


def _sum(*args):
    vals = _flatten(args)
    return sum(v for v in vals if v is not None)


def _flatten(args):
    out = []
    for a in args:
        if isinstance(a, (list, tuple)):
            out.extend(a)
        else:
            out.append(a)
    return out


def _count(*args):
    return sum(1 for v in _flatten(args) if v not in (None, "", False))


def _min(*args):
    vals = [v for v in _flatten(args) if v is not None]
    return min(vals) if vals else None


def _max(*args):
    vals = [v for v in _flatten(args) if v is not None]
    return max(vals) if vals else None


FUNCTIONS = {
    "sum": _sum, "min": _min, "max": _max, "count": _count,
    "abs": lambda x: None if x is None else abs(x),  # noqa: E731
    "round": excel_round,
    "empty": lambda x: x is None or x == "",
    "filled": lambda x: not (x is None or x == ""),
    "coalesce": lambda *a: next((v for v in a if v is not None), None),
    "len": lambda x: 0 if x is None else len(x),
}
