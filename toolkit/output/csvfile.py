"""Writing the contract's CSV files: UTF-8 with a BOM, a header row, values plain and never a formula."""

from __future__ import annotations

import contextlib
import csv
import os
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .safety import FORMULA_STARTS, csv_safe

__all__ = ["write_csv", "write_csv_rows", "csv_writer"]


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
    columns = list(columns)
    get = dict.get
    return write_csv_rows(path, columns, ([get(row, c, "") for c in columns] for row in rows))


def write_csv_rows(path: Path, columns: Iterable[str], rows: Iterable[Sequence]) -> int:
    """:func:`write_csv` for rows that are already sequences in the order of *columns* (values.csv:
    a million rows at 8,000 returns, not one dict made per row)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    # the BOM written by hand: the utf-8-sig codec encodes every write in Python, utf-8 in C
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write("\ufeff")
        writer = csv.writer(fh)
        writer.writerow(list(columns))
        count = 0
        for count, row in enumerate(rows, 1):
            writer.writerow([_cell(v) for v in row])
    os.replace(tmp, path)
    return count


@contextlib.contextmanager
def csv_writer(path: Path, columns: Iterable[str]) -> Iterator[Callable[[dict], None]]:
    """:func:`write_csv` a row at a time: ``write(row)`` as rows come (validate writes issues.csv as it
    checks); the file is put in place when the block ends without an error, else left as it was."""
    columns = list(columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    get = dict.get
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write("\ufeff")
            writer = csv.writer(fh)
            writer.writerow(columns)
            yield lambda row: writer.writerow([_cell(get(row, c, "")) for c in columns])
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
