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


def _status_literals(source: str) -> list[tuple[int, str]]:
    """(line, value) of every bare status string where a status is meant: compared with, passed as
    status=/state=/severity=, a key of a table keyed by statuses only, or a member of a tuple, list
    or set of statuses only."""
    import ast

    from toolkit.model import FileStatus, Severity, UnitState

    values = {str(m) for enum in (FileStatus, UnitState, Severity) for m in enum}

    def bare(node) -> list:
        if isinstance(node, ast.Constant):
            return [node]
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return [e for e in node.elts if isinstance(e, ast.Constant)]
        return []

    tree = ast.parse(source)
    # message catalogues (i18n.define) are keyed by message ids, some of which name a state
    messages = {id(a) for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "define"
                for a in n.args}
    found = []
    for node in ast.walk(tree):
        if id(node) in messages:
            continue
        if isinstance(node, ast.Compare):
            consts = [c for n in (node.left, *node.comparators) for c in bare(n)]
        elif isinstance(node, ast.keyword) and node.arg in ("status", "state", "severity"):
            consts = bare(node.value)
        elif isinstance(node, ast.Dict) and len(node.keys) > 1 and all(
                isinstance(k, ast.Constant) and k.value in values for k in node.keys):
            consts = list(node.keys)
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(node.elts) > 1 and all(
                isinstance(e, ast.Constant) and e.value in values for e in node.elts):
            consts = list(node.elts)
        else:
            continue
        found += [(c.lineno, c.value) for c in consts if isinstance(c.value, str) and c.value in values]
    return found


def test_statuses_are_enums_not_bare_strings():
    """Statuses, states and severities are toolkit.model's StrEnums wherever code compares or keys by them."""
    found = []
    for path in sorted(TOOLKIT.rglob("*.py")):
        if path == TOOLKIT / "model.py":
            continue
        found += [f"{path.relative_to(TOOLKIT)}:{n}: {value!r}" for n, value in _status_literals(path.read_text(encoding="utf-8"))]
    assert not found, "use FileStatus / UnitState / Severity from toolkit.model:\n" + "\n".join(found)


def test_the_status_scan_sees_comparisons_keywords_and_status_tables():
    source = ('a = f.status == "accepted"\nb = s in ("review", "x")\nc = Row(state="faulty")\n'
              'd = {"error": 1, "warning": 2}\ne = {"accepted": 1, "units": 2}\nf = "missing"\n'
              'g = ("rejected", "unidentified")\nh = ("units", "accepted")\ndefine("x", {"error": 1, "warning": 2})\n')
    assert sorted(_status_literals(source)) == [(1, "accepted"), (2, "review"), (3, "faulty"), (4, "error"), (4, "warning"),
                                                (7, "rejected"), (7, "unidentified")]
