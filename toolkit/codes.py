"""The catalogue of issue and ledger reason codes.

Every code has a severity, a title and a fix-it hint in Chinese and English.
Stage modules declare their own codes in a module-level ``CODES`` mapping of
:class:`Code` objects; this module gathers them into :data:`CATALOGUE`, so
adding a check means adding its code next to it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Code", "CATALOGUE", "code_info", "register", "title", "hint"]


@dataclass(frozen=True)
class Code:
    """One stable code: ``severity`` is ``error`` or ``warning`` (or ``info`` for ledger reasons)."""

    code: str
    severity: str
    title_zh: str
    title_en: str
    hint_zh: str
    hint_en: str


CATALOGUE: dict[str, Code] = {}


def register(*codes: Code) -> dict[str, Code]:
    """Add codes to the catalogue and return them as a mapping (for a module's ``CODES``)."""
    out = {}
    for c in codes:
        if c.code in CATALOGUE and CATALOGUE[c.code] != c:
            raise ValueError(f"issue code {c.code} registered twice with different text")
        CATALOGUE[c.code] = c
        out[c.code] = c
    return out


def code_info(code: str) -> Code:
    _load_all()
    return CATALOGUE[code]


def title(code: str, lang: str = "zh") -> str:
    c = code_info(code)
    return c.title_en if lang == "en" else c.title_zh


def hint(code: str, lang: str = "zh") -> str:
    c = code_info(code)
    return c.hint_en if lang == "en" else c.hint_zh


def _load_all() -> None:
    """Import every stage module that declares codes, so the catalogue is complete."""
    import importlib

    for name in ("intake.walk", "read.identify", "campaign.ledger", "read.collect", "normalise.values", "validate.stage",
                 "validate.checks", "validate.rectification", "score.scheme", "score.engine"):
        importlib.import_module(f"toolkit.{name}")
