"""BIFF (.xls) workbooks judged before the reader parses them.

An xls is an OLE2 file, not a zip package: its Workbook stream is a run of BIFF records that
readers (calamine) trust. Each sheet's DIMENSIONS record and the span of its cell records are
bounded here, because calamine allocates one dense buffer per sheet from them and a damaged
record would abort the whole process (see :func:`xls_problem`).
"""

from __future__ import annotations

import io
import struct
from typing import Iterator

import olefile

from ..codes import Detail
from .archive import PARSE_ERRORS, Limits

# BIFF cell records (each starts with row, column): FORMULA, RSTRING, MULRK, MULBLANK, LABELSST, BLANK,
# NUMBER, LABEL, BOOLERR, RK. MULRK and MULBLANK end with their last column.
_BIFF_CELLS = frozenset({0x0006, 0x00D6, 0x00BD, 0x00BE, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
_BIFF_MULTI = frozenset({0x00BD, 0x00BE})


def xls_problem(data: bytes, limits: Limits) -> tuple[str, Detail] | None:
    """Check every sheet of a BIFF workbook stream for ranges a reader would allocate without bound.

    calamine sizes one dense buffer per sheet from its DIMENSIONS record and its cells: a
    damaged record (first row after the last, a cell at column 40,000) makes it allocate
    hundreds of GiB and abort the whole process. Sheets are found as calamine finds them,
    at the offsets the workbook globals' BOUNDSHEET records give.
    """
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                return "intake.corrupt", Detail("ole_no_workbook")
            stream = ole.openstream(name).read()
    except PARSE_ERRORS as exc:
        return "intake.corrupt", Detail("ole_error", {"error": str(exc)})
    starts = []
    for record, body in _biff_records(stream, 0):
        if record == 0x0085 and len(body) >= 4:  # BOUNDSHEET: where a sheet's substream begins
            starts.append(struct.unpack_from("<I", body)[0])
        elif record == 0x000A:  # EOF of the globals
            break
    for start in starts:
        problem = _biff_sheet_problem(stream, start, limits)
        if problem:
            return problem
    return None


def _biff_records(stream: bytes, pos: int) -> Iterator[tuple[int, bytes]]:
    while pos + 4 <= len(stream):
        record, size = struct.unpack_from("<HH", stream, pos)
        yield record, stream[pos + 4:pos + 4 + size]
        pos += 4 + size


def _biff_sheet_problem(stream: bytes, start: int, limits: Limits) -> tuple[str, Detail] | None:
    rows, cols = [], []
    for record, body in _biff_records(stream, start):
        if record == 0x000A:  # EOF of the sheet
            break
        if record == 0x0200 and len(body) in (10, 14):  # DIMENSIONS, BIFF5 / BIFF8
            r1, r2, c1, c2 = struct.unpack_from("<IIHH" if len(body) == 14 else "<HHHH", body)
            if r1 > r2 or c1 > c2:
                return "intake.corrupt", Detail("biff_dimensions", {"rows": f"{r1}-{r2}", "columns": f"{c1}-{c2}"})
            if (r2 - r1) * (c2 - c1) > limits.max_cells:
                return "intake.sheet_too_large", Detail("biff_claims", {"cells": (r2 - r1) * (c2 - c1)})
        elif record in _BIFF_CELLS and len(body) >= 6:
            row, col = struct.unpack_from("<HH", body)
            rows += (row, row)
            cols += (col, struct.unpack_from("<H", body, len(body) - 2)[0] if record in _BIFF_MULTI else col)
            rows, cols = [min(rows), max(rows)], [min(cols), max(cols)]
            cells = (rows[1] - rows[0] + 1) * (cols[1] - cols[0] + 1)
            if cells > limits.max_cells:
                return "intake.sheet_too_large", Detail("biff_span", {"cells": cells})
    return None
