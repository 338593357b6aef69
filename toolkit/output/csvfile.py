"""Writing the contract's CSV files: UTF-8 with a BOM, a header row, values plain and never a formula."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Iterable

from .safety import FORMULA_STARTS, csv_safe

__all__ = ["write_csv"]


def _plain(value):
    """Booleans as true/false, whole floats without .0, other floats without binary noise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(round(value, 10))
    return value


def _cell(value):
    """_plain then csv_safe, with the common cases (clean text, ints, blanks) decided by type alone:
    this runs once per cell of values.csv, the largest file a cycle writes."""
    cls = value.__class__
    if cls is str:
        return csv_safe(value) if value[:1] in _FORMULA_FIRST else value
    if cls is int or value is None:
        return value
    return csv_safe(_plain(value))


_FORMULA_FIRST = frozenset(s[0] for s in FORMULA_STARTS)


def write_csv(path: Path, columns: Iterable[str], rows: Iterable[dict]) -> int:
    """A contract CSV: UTF-8 with BOM, header row; text that could start a formula is kept as text.

    *rows* is consumed as it comes (a generator keeps a large file out of memory); a key missing
    from a row is written empty, a key not among *columns* is ignored.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    columns = list(columns)
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        get, count = dict.get, 0
        for count, row in enumerate(rows, 1):
            writer.writerow([_cell(get(row, c, "")) for c in columns])
    os.replace(tmp, path)
    return count
