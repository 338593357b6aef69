"""The functions of the expression language: what ``sum``, ``round`` … mean in a spec or scheme.

Each takes the values the evaluator computed (``None`` for an empty cell) and ignores or propagates
``None`` the way an office suite treats an empty cell. ``round`` is Excel's ROUND, not Python's.
"""

from __future__ import annotations

import decimal
import math

__all__ = ["FUNCTIONS", "excel_round"]


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


_ROUND_CONTEXT = decimal.Context(prec=400)


def excel_round(x, digits=0):
    """ROUND as Excel and LibreOffice compute it: half away from zero, on the number as it is shown.

    Python's ``round`` rounds half to even on the binary float (``round(6.25, 1)`` is 6.2,
    ``round(2.675, 2)`` is 2.67); the office suites round the shortest decimal that reads back as
    the float (6.25 → 6.3, 2.675 → 2.68, 28.499999999999996 → 28). An int stays an int.
    """
    if x is None or digits is None:
        return None
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not isinstance(digits, (int, float)):
        raise TypeError("round() takes a number and a number of digits")
    if isinstance(x, float) and not math.isfinite(x):
        return x
    n = max(-400, min(400, int(digits)))
    exact = decimal.Decimal(x) if isinstance(x, int) else decimal.Decimal(repr(x))
    try:
        rounded = exact.quantize(decimal.Decimal(1).scaleb(-n), rounding=decimal.ROUND_HALF_UP,
                                 context=_ROUND_CONTEXT)
    except decimal.InvalidOperation:  # more digits than any float or Excel number has: nothing to round
        return x
    return int(rounded) if isinstance(x, int) else float(rounded)


FUNCTIONS = {
    "sum": _sum, "min": _min, "max": _max, "count": _count,
    "abs": lambda x: None if x is None else abs(x),  # noqa: E731
    "round": excel_round,
    "empty": lambda x: x is None or x == "",
    "filled": lambda x: not (x is None or x == ""),
    "coalesce": lambda *a: next((v for v in a if v is not None), None),
    "len": lambda x: 0 if x is None else len(x),
}
