"""One entry of the code catalogue: a :class:`Code` with its titles, hints and detail templates.

Kept apart from the lookups in :mod:`toolkit.codes`, so that the catalogue's sections
(the other modules of this package) can declare codes and :mod:`toolkit.codes` can import
every section without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..i18n import Words
from ..states import Severity

__all__ = ["Code", "Words", "declare"]


@dataclass(frozen=True)
class Code:
    """One stable code: ``severity`` is an error or a warning (or info for ledger reasons)."""

    code: str
    severity: Severity
    title_zh: str
    title_en: str
    hint_zh: str
    hint_en: str
    detail_zh: str = ""
    detail_en: str = ""
    example: Mapping[str, Any] = field(default_factory=dict, hash=False)  # params every template renders with
    variants: Mapping[str, tuple[str, str]] = field(default_factory=dict, hash=False)  # name → (zh, en)

    def templates(self) -> dict[str, tuple[str, str]]:
        """Every detail template by variant name ("" is the plain one)."""
        plain = {"": (self.detail_zh, self.detail_en)} if self.detail_zh or self.detail_en else {}
        return plain | dict(self.variants)


def declare(*codes: Code) -> dict[str, Code]:
    """A section's codes by code, in the order declared (a code declared twice is a mistake)."""
    out: dict[str, Code] = {}
    for c in codes:
        if c.code in out:
            raise ValueError(f"issue code {c.code} declared twice")
        out[c.code] = c
    return out
