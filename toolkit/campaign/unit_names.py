"""Which roster units a file's path names, by code or by name.

Identification checks a file's name against the unit its carriers name; the status of a unit
whose file could not be used looks for the units a path names. Both match codes and names
the same way, here.
"""

from __future__ import annotations

import re
import unicodedata

from .folder import Roster

__all__ = ["units_named_in_path", "path_index", "names_in"]


def names_in(text: str, by_name: dict, lengths: frozenset[int]) -> dict:
    """Units whose name stands in *text* on its own somewhere, not only inside a longer name found there."""
    found = {text[i:i + n] for n in lengths for i in range(len(text) - n + 1)} & by_name.keys()
    spans = {n: [(m.start(), m.start() + len(n)) for m in re.finditer(re.escape(n), text)] for n in found}
    def covered(a: int, b: int, name: str) -> bool:
        return any(o != name and len(o) > len(name) and s <= a and b <= e for o in found for s, e in spans[o])
    return {u.code: u for n in found if any(not covered(a, b, n) for a, b in spans[n]) for u in by_name[n]}


def path_index(roster: Roster) -> tuple[dict, dict, frozenset[int]]:
    """Units by folded code, units by name (a tuple: names may be shared), and the lengths names have."""
    hit = roster.__dict__.get("_path_index")
    if hit is None:
        by_name: dict[str, tuple] = {}
        for u in roster.units:
            if u.name:
                key = unicodedata.normalize("NFKC", u.name)
                by_name[key] = by_name.get(key, ()) + (u,)
        codes = {unicodedata.normalize("NFKC", u.code).casefold(): u for u in roster.units}
        hit = (codes, by_name, frozenset(len(n) for n in by_name))
        object.__setattr__(roster, "_path_index", hit)
    return hit


def units_named_in_path(filename: str, roster: Roster) -> list:
    """The roster units that a file's path names: its name first, else its nearest folder or archive.

    For files that were never credited to a unit (a Word file, an encrypted workbook): the office
    still sees whose they probably are. Codes and names match as identification matches a file's
    name against its carriers (:mod:`toolkit.read.identify`).
    """
    codes, by_name, lengths = path_index(roster)
    for part in reversed([p for p in re.split(r"[\\/]|!/", filename) if p]):
        text = unicodedata.normalize("NFKC", part)
        tokens = [t.casefold() for t in re.findall(r"[0-9A-Za-z]+", text)]
        lead = re.match(r"\s*([0-9A-Za-z]+)", text)
        first = lead.group(1).casefold() if lead else None
        named = {codes[t].code: codes[t] for t in tokens if t in codes and (not t.isdigit() or t == first)}
        named |= names_in(text, by_name, lengths)
        if named:
            return list(named.values())
    return []
