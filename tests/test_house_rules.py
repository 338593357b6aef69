"""Rules of the code base that a test keeps true: the ledger owns its SQL."""

from __future__ import annotations

import re
from pathlib import Path

TOOLKIT = Path(__file__).resolve().parent.parent / "toolkit"
LEDGER = TOOLKIT / "campaign" / "ledger"

# the rollup's own DuckDB database is not the ledger (toolkit.scale builds it from exported tables)
NOT_THE_LEDGER = {TOOLKIT / "scale" / "rollup.py", TOOLKIT / "scale" / "rollup_report.py"}

SQL = re.compile(r"\.execute(many|script)?\(|\bsqlite3\.connect\(|\bledger\.db\b|\"\s*(SELECT|INSERT|UPDATE|DELETE)\s")


def test_all_sql_on_the_ledger_lives_in_campaign_ledger():
    found = []
    for path in TOOLKIT.rglob("*.py"):
        if LEDGER in path.parents or path in NOT_THE_LEDGER:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SQL.search(line):
                found.append(f"{path.relative_to(TOOLKIT)}:{n}: {line.strip()}")
    assert not found, "SQL outside toolkit/campaign/ledger/ (add a named ledger function):\n" + "\n".join(found)


def test_a_sha256_prefix_matches_as_typed_not_as_a_pattern(tmp_path):
    from toolkit.campaign.ledger import Ledger

    with Ledger(tmp_path / "toolkit.db", journal="rollback") as ledger:
        for source, sha in (("a.xlsx", "ab12" + "0" * 60), ("b.xlsx", "ab34" + "0" * 60), ("c.xlsx", "cd12" + "0" * 60)):
            ledger.add(source=source, sha256=sha, size=1, kind="xlsx", status="accepted")
        assert ledger.matching_sha("AB") == ["ab12" + "0" * 60, "ab34" + "0" * 60]
        assert ledger.matching_sha("ab1") == ["ab12" + "0" * 60]
        assert ledger.matching_sha("_b") == [] and ledger.matching_sha("%") == []
