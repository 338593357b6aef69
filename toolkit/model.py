"""Plain values every stage shares: a return as read (Submission), as validate normalised it (Return, its
Entry values, its Issue findings), and the statuses and states as StrEnum (from :mod:`toolkit.states`).

Validate produces the Return once and stores it; merge, score, report and rounds rebuild it from the
ledger with these classes alone, never with validate's code.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple

from .codes import render
from .spec.model import Field, TemplateSpec
from .states import FileStatus, Severity, UnitState

__all__ = ["FileStatus", "UnitState", "Severity", "CellValue", "Finding", "Submission", "Issue", "Entry", "Return"]


class CellValue(NamedTuple):
    """One value of a return where the unit typed it."""

    sheet_id: str
    field_id: str      # form field id, or "<item_id>.<column_id>" for checklists, column id for tables
    row: int | None    # table row 1, 2, …; None for single values
    sheet: str         # the sheet's name as found
    cell: str          # A1 address as found
    raw: Any


class Finding(NamedTuple):
    """A structural observation while locating fields (becomes an issue)."""

    code: str
    sheet: str
    cell: str = ""
    field_id: str = ""
    detail: str = ""


@dataclass
class Submission:
    """A return's values for one template, located and raw (normalised later)."""

    template_id: str
    template_version: str
    values: list[CellValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    date1904: bool = False

    def value_map(self) -> dict[tuple[str, int | None], CellValue]:
        return {(v.field_id, v.row): v for v in self.values}


@dataclass(frozen=True)
class Issue:
    """One finding about a return: data, not an exception."""

    code: str
    severity: str
    sheet: str = ""
    cell: str = ""
    field: str = ""
    label: str = ""
    value: Any = ""
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict, hash=False)  # fill the code's detail template
    label_en: str = ""
    variant: str = ""  # which of the code's detail templates ("" the plain one)

    @property
    def detail(self) -> str:
        return render(self.code, self.params, "zh", self.variant)

    @property
    def detail_en(self) -> str:
        return render(self.code, self.params, "en", self.variant)


@dataclass(slots=True)  # slots: a merge holds every return's entries at once
class Entry:
    """A value of a return: where it is, what was typed, what it means."""

    sheet_id: str
    field_id: str
    row: int | None
    sheet: str
    cell: str
    raw: Any
    field: Field
    label: str
    value: Any = None
    item_max: float | None = None


@dataclass
class Return:
    """An accepted return ready to check: entries by (field id, row), findings from reading."""

    spec: TemplateSpec
    entries: dict[tuple[str, int | None], Entry]
    findings: list = field(default_factory=list)
    parse_issues: list[Issue] = field(default_factory=list)
    period: tuple = ()
    context: dict = field(default_factory=dict)  # carry (UnitCarry) and received_on (date) of the return
    flagged: set = field(default_factory=set)  # issue fields ("members", "closed_on[2]") that already have an error

    def names(self, row: int | None = None, sheet_id: str | None = None) -> dict[str, Any]:
        """Values by id for expressions: form fields, or a table row's columns (a fresh dict)."""
        if row is None:
            cache = self.__dict__.get("_form_cache")
            if cache is None:
                cache = {fid: e.value for (fid, r), e in self.entries.items() if r is None and "." not in fid}
                self.__dict__["_form_cache"] = cache
            return dict(cache)
        return dict(self._rows().get((sheet_id, row), {}))

    def forget_names(self) -> None:
        """Drop the cached name maps (after values changed)."""
        for key in ("_form_cache", "_row_cache", "_item_cache"):
            self.__dict__.pop(key, None)

    def item_names(self, item_id: str) -> dict[str, Any]:
        """A checklist item's column values by column id."""
        return dict(self._items().get(item_id, {}))

    def _rows(self) -> dict[tuple[str, int], dict[str, Any]]:
        cache = self.__dict__.get("_row_cache")
        if cache is None:
            cache = {}
            for (fid, r), e in self.entries.items():
                if r is not None:
                    cache.setdefault((e.sheet_id, r), {})[fid] = e.value
            self.__dict__["_row_cache"] = cache
        return cache

    def _items(self) -> dict[str, dict[str, Any]]:
        cache = self.__dict__.get("_item_cache")
        if cache is None:
            cache = {}
            for (fid, r), e in self.entries.items():
                if r is None and "." in fid:
                    item, col = fid.split(".", 1)
                    cache.setdefault(item, {})[col] = e.value
            self.__dict__["_item_cache"] = cache
        return cache
