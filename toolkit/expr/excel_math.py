"""Numbers as the office suites compute them, so a computed cell or a rule gives what the unit sees.

- :func:`excel_round`: ROUND is half away from zero on the decimal the float shows.
- :func:`office_compare`, :func:`office_add`: numbers within 2**-48 of each other are equal
  (LibreOffice's rtl::math::approxEqual / approxAdd), so 0.1 + 0.2 == 0.3 holds and
  0.3 - 0.1 - 0.2 is 0.

tests/fixtures/lo/excel_cases.xlsx holds LibreOffice's own results for the cases that differ from
plain Python arithmetic.
"""

from __future__ import annotations

import decimal
import math

__all__ = ["excel_round", "office_add", "office_compare", "approx_equal"]

_EPSILON_48 = 2.0 ** -48


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


def approx_equal(a: float, b: float) -> bool:
    """Equal up to the last bits, as LibreOffice compares (never for 0 against a nonzero number)."""
    if a == b:
        return True
    if a == 0 or b == 0 or not (math.isfinite(a) and math.isfinite(b)):
        return False
    d = abs(a - b)
    return d < abs(a) * _EPSILON_48 and d < abs(b) * _EPSILON_48


def office_compare(a, b) -> int:
    """-1, 0 or 1 as the office suite orders two numbers."""
    try:
        fa, fb = float(a), float(b)
    except OverflowError:  # an integer past any float: compare it exactly
        return (a > b) - (a < b)
    return 0 if approx_equal(fa, fb) else (-1 if fa < fb else 1)


def office_add(a, b):
    """a + b, exactly 0 when they cancel out up to the last bits; ``None`` past any float."""
    try:
        if ((a < 0 < b) or (b < 0 < a)) and approx_equal(float(a), -float(b)):
            return 0.0
        return a + b
    except OverflowError:
        return None
