"""Reading an authoring workbook or an office rules table: every sheet's cells and merged ranges.

The workbook is parsed with calamine (.xlsx, .xls, .ods alike) in a worker process under the
reader limits (:func:`toolkit.isolated.run_isolated`): it comes from the office, but a file
that crashes the reader then costs a message, not the command.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..i18n import Msg, Words, define

define("authoring.read", {
    "no_file": ("找不到文件：{path}", "{path}: no such file"),
    "stopped": ("{path}：无法读取该工作簿（{reason}）", "{path}: the workbook could not be read ({reason})"),
    "unreadable": ("{path}：不是可读取的工作簿（{reason}）", "{path}: not a readable workbook ({reason})"),
})

__all__ = ["SheetCells", "read_sheets", "read_sheets_here", "cell_name", "column_letters"]


def column_letters(col: int) -> str:
    """0 → A, 26 → AA."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_name(sheet: str, row: int, col: int) -> str:
    """工作表!C5 from 0-based row and column."""
    return f"{sheet}!{column_letters(col)}{row + 1}"


@dataclass
class SheetCells:
    """One sheet: values by 0-based (row, col), merged ranges as ((r0, c0), (r1, c1)) inclusive."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def get(self, row: int, col: int) -> Any:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            value = self.rows[row][col]
            if isinstance(value, str) and not value.strip():
                return None
            return value
        return None

    def merged_value(self, row: int, col: int) -> Any:
        """The value shown in a cell: a merged range shows its top-left cell's value everywhere."""
        for (r0, c0), (r1, c1) in self.merged:
            if r0 <= row <= r1 and c0 <= col <= c1:
                return self.get(r0, c0)
        return self.get(row, col)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return str(value)
    return value


def read_sheets_here(path: str) -> list[SheetCells]:
    """Every visible sheet of the workbook at *path*, in order (runs in the calling process)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    out = []
    for meta in book.sheets_metadata:
        if str(meta.visible).rsplit(".", 1)[-1] != "Visible":
            continue
        sheet = book.get_sheet_by_name(meta.name)
        r0, c0 = sheet.start or (0, 0)
        rows = [[None] * c0 + [_plain(v) for v in line] for line in sheet.to_python()]
        rows = [[] for _ in range(r0)] + rows
        merged = [tuple(map(tuple, m)) for m in (sheet.merged_cell_ranges or [])]
        out.append(SheetCells(meta.name, rows, merged))
    return out


def read_sheets(path: str | Path) -> list[SheetCells]:
    """:func:`read_sheets_here` in a worker under the reader limits; a file it cannot read is a ConfigError."""
    from ..intake.isolated import ReaderStopped, run_isolated

    path = Path(path)
    if not path.is_file():
        raise ConfigError(Msg("authoring.read.no_file", {"path": path}))
    try:
        return run_isolated(read_sheets_here, str(path))
    except ReaderStopped as exc:
        raise ConfigError(Msg("authoring.read.stopped", {"path": path, "reason": exc})) from None
    except Exception as exc:  # calamine's own errors: not a workbook, encrypted, damaged
        raise ConfigError(Msg("authoring.read.unreadable", {"path": path, "reason": Words(str(exc), f"{type(exc).__name__}: {exc}")})) from None
