"""Writing the contract's CSV files: UTF-8 with a BOM, a header row, values plain and never a formula."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Iterable

from .safety import csv_safe

__all__ = ["write_csv"]


def _plain(value):
    """Booleans as true/false, whole floats without .0, other floats without binary noise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(round(value, 10))
    return value


def write_csv(path: Path, columns: Iterable[str], rows: Iterable[dict]) -> None:
    """A contract CSV: UTF-8 with BOM, header row; text that could start a formula is kept as text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_safe(_plain(v)) for k, v in row.items()})
    os.replace(tmp, path)
