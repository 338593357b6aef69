"""What a round's workbooks were prefilled with from the round before: outbox/carry.json.

:mod:`toolkit.rounds.carry` works the carry-over out from the previous campaign's results;
this module is the record of it in the campaign folder, which every stage of the round reads
back: generate prefills the workbooks with it, collect recognises the carried rows, validate
checks rectification items against it, merge lists the items, feedback rebuilds the workbooks.
It lives with the campaign store, below all of them, so none of them imports the rounds above.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from .folder import Campaign

__all__ = ["CarriedRow", "UnitCarry", "read_carry", "write_carry", "round_tag", "CARRY_FILE"]

CARRY_FILE = "carry.json"


@dataclass
class CarriedRow:
    item_id: str
    first_round: str
    values: dict[str, str]
    last_round: str = ""


@dataclass
class UnitCarry:
    tables: dict[str, list[CarriedRow]] = field(default_factory=dict)
    prior: dict[str, str] = field(default_factory=dict)
    stale: bool = False
    source_round: str = ""
    closed: dict[str, list[str]] = field(default_factory=dict)  # visible key → [item id, first round] of closed items

    def __bool__(self) -> bool:
        return bool(self.prior) or any(self.tables.values())


def round_tag(campaign: Campaign) -> str:
    """A short, stable name of a round: year and round number (2026r2)."""
    return f"{campaign.year}r{int(campaign.config.get('round', 1))}"


def read_carry(campaign: Campaign) -> dict[str, UnitCarry]:
    """Per unit code: what its workbook of this round was prefilled with ({} in a first round)."""
    path = campaign.outbox / CARRY_FILE
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {code: UnitCarry({sid: [CarriedRow(**r) for r in rows] for sid, rows in u["tables"].items()},
                            u["prior"], u["stale"], u.get("source_round", ""), u.get("closed", {}))
            for code, u in raw.items()}


def write_carry(campaign: Campaign, carry: dict[str, UnitCarry]) -> None:
    data = {code: asdict(c) for code, c in sorted(carry.items()) if c or c.closed}
    (campaign.outbox / CARRY_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
