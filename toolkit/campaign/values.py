"""The codec of the ledger's ``normalised`` table: each validated return's entries with their values.

Validate writes them once; merge, score and report read them back (see toolkit.merge.store)
instead of normalising every payload again. Rows are (sheet_id, field_id, row, sheet, cell,
raw, value); dates and times keep their type through the ledger's JSON tags.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any, Iterable

from .ledger import value_from_json, value_to_json

__all__ = ["encode_entries", "decode_entries", "spec_key"]

_KEYS: dict[int, tuple[Any, str]] = {}


def spec_key(spec) -> str:
    """A fingerprint of the spec the values were normalised under: values stored under a template
    edited since are stale and are not read. Its content only: the same template loaded through
    another path (a relative campaign folder) is the same spec."""
    hit = _KEYS.get(id(spec))
    if hit is None or hit[0] is not spec:
        whole = dataclasses.asdict(spec)
        content = {f.name: whole[f.name] for f in dataclasses.fields(spec) if f.compare}  # not its path
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=_stable)
        hit = _KEYS[id(spec)] = (spec, hashlib.sha256(text.encode()).hexdigest()[:16])
    return hit[1]


def _stable(value: Any) -> Any:
    """Sets in sorted order (their iteration order changes with each process's string hashing)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


def encode_entries(rows: Iterable[tuple]) -> str:
    return json.dumps([[s, f, r, sh, c, value_to_json(raw), value_to_json(value)]
                       for s, f, r, sh, c, raw, value in rows], ensure_ascii=False)


def decode_entries(text: str) -> list[tuple]:
    return [(s, f, r, sh, c, _typed(raw), _typed(value)) for s, f, r, sh, c, raw, value in json.loads(text)]


def _typed(value: Any) -> Any:
    return value_from_json(value) if value.__class__ is dict else value
