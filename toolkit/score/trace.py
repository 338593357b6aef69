"""The score trace of a campaign, kept packed on disk: one compact record per unit, rows made when read.

Every unit's trace rows (30 and more per unit) as dicts would take 200 MB at 8,000 units; packed,
a unit's rows are a few kilobytes, still 2.6 KB per unit held to the end of scoring (260 MB at
100,000 units), so the packed records go to a temporary file and memory keeps only where each
unit's record starts and how long it is. out/score_trace.csv is written from :meth:`Trace.__iter__`
(units in roster order) and each score card reads its unit's rows with :meth:`Trace.unit`.
"""

from __future__ import annotations

import pickle
import tempfile
from typing import Iterator

from .rules import TraceRow
from .words import note_text

__all__ = ["Trace", "trace_dict"]


def trace_dict(code: str, r: TraceRow) -> dict:
    """One row of out/score_trace.csv, with what the scoring sheet and cards also need."""
    return {"unit_code": code, "indicator": r.indicator, "rule": r.rule, "inputs": r.inputs, "points": r.points,
            "max_points": r.max_points, "note": note_text(r.notes, "zh"), "notes": r.notes, "values": r.values,
            "area": r.area, "vetoed": bool(r.veto_grade)}


class Trace:
    """Trace rows per unit code, in the order the units were added; reads as a list of row dicts."""

    def __init__(self):
        self._spill = None  # the temporary file of packed records, made on the first add
        self._where: dict[str, tuple[int, int]] = {}  # unit code -> (offset, length) in the spill
        self._count = 0

    def add(self, code: str, rows: list[TraceRow]) -> None:
        if not rows:
            return
        packed = pickle.dumps([(r.indicator, r.rule, r.inputs, r.points, r.max_points, r.notes, r.area,
                                r.veto_grade, r.values) for r in rows], pickle.HIGHEST_PROTOCOL)
        if self._spill is None:
            self._spill = tempfile.TemporaryFile()  # removed when closed or collected
        self._spill.seek(0, 2)
        self._where[code] = (self._spill.tell(), len(packed))
        self._spill.write(packed)
        self._count += len(rows)

    def unit(self, code: str) -> list[dict]:
        """The unit's rows (empty for a unit that was not scored)."""
        where = self._where.get(code)
        if where is None:
            return []
        self._spill.seek(where[0])
        packed = self._spill.read(where[1])
        return [trace_dict(code, TraceRow(ind, rule, inputs, points, mx, notes, area, veto, values))
                for ind, rule, inputs, points, mx, notes, area, veto, values in pickle.loads(packed)]

    def __iter__(self) -> Iterator[dict]:
        for code in list(self._where):
            yield from self.unit(code)

    def __contains__(self, code: object) -> bool:
        """Whether the unit has trace rows."""
        return code in self._where

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return list(self)[index]

    def __bool__(self) -> bool:
        return self._count > 0
