"""Damaged copies of real returns: the run never dies, every file is recorded once, none goes to another unit.

Each mutant is a filled return of U001 (xlsx written like Excel, .xls and .ods written by
LibreOffice) with bytes flipped, a stretch zeroed or the tail cut off, chosen by a fixed seed;
more xlsx copies keep a valid package with one XML part damaged inside, so the damage reaches
the safety checks, the reader and identification instead of stopping at the zip. They are collected
together in a child process: a reader that aborted the process would fail
this test rather than end the test run.
"""

from __future__ import annotations

import csv
import io
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import fill, outbox_file

from toolkit.read.collect import export_ledger

LO = Path(__file__).parent / "fixtures" / "lo"
STATUSES = {"accepted", "superseded", "duplicate", "rejected", "unidentified", "review"}


def _damage(original: bytes, rng: random.Random, how: int) -> bytes:
    data = bytearray(original)
    if how == 0:  # a few bytes flipped anywhere
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data))
            data[at] ^= 1 << rng.randrange(8)
    elif how == 1:  # a stretch overwritten with zeros (a bad sector, a cut USB copy)
        at, length = rng.randrange(len(data)), rng.randint(8, 512)
        data[at:at + length] = bytes(len(data[at:at + length]))
    else:  # the tail cut off
        del data[rng.randrange(1, len(data)):]
    return bytes(data)


def _mutants(original: bytes, rng: random.Random, count: int) -> list[bytes]:
    return [_damage(original, rng, i % 3) for i in range(count)]


def _xml_mutants(original: bytes, rng: random.Random, count: int) -> list[bytes]:
    """The package kept valid (so every check and reader gets past the zip), one part's XML damaged inside."""
    src = zipfile.ZipFile(io.BytesIO(original))
    parts = {name: src.read(name) for name in src.namelist()}
    xml = sorted(n for n in parts if n.endswith((".xml", ".rels")))
    out = []
    for i in range(count):
        damaged = dict(parts)
        name = rng.choice(xml)
        damaged[name] = _damage(parts[name], rng, i % 3)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for n, content in damaged.items():
                zf.writestr(n, content)
        out.append(buf.getvalue())
    return out


def test_damaged_returns_never_stop_the_run_nor_change_hands(campaign, tmp_path):
    good = fill(outbox_file(campaign, "U001"), tmp_path / "good.xlsx", {("基本信息", "C6"): 12})
    originals = {"xlsx": good.read_bytes(), "xls": (LO / "mini_U001.xls").read_bytes(),
                 "ods": (LO / "mini_U001.ods").read_bytes()}
    rng = random.Random(20261125)
    inbox = tmp_path / "damaged"
    inbox.mkdir()
    for ext, data in originals.items():
        for n, mutant in enumerate(_mutants(data, rng, 60)):
            (inbox / f"{ext}_{n:03d}.{ext}").write_bytes(mutant)
    for n, mutant in enumerate(_xml_mutants(originals["xlsx"], rng, 90)):
        (inbox / f"xml_{n:03d}.xlsx").write_bytes(mutant)
    code = ("import sys\nfrom toolkit.campaign.folder import load_campaign\nfrom toolkit.read.collect import collect\n"
            "collect(load_campaign(sys.argv[1]), sys.argv[2:])\n")
    proc = subprocess.run([sys.executable, "-c", code, str(campaign.dir), str(inbox)], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "RUST_BACKTRACE": "0"})
    assert proc.returncode == 0, f"collect died ({proc.returncode}): {proc.stderr[-800:]}"
    with open(export_ledger(campaign, "zh"), encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    offered = sorted(p.name for p in inbox.iterdir())
    assert sorted(Path(r["source"]).name for r in rows) == offered  # every file once: none lost, none twice
    for r in rows:
        assert r["status"] in STATUSES, r
        assert r["unit_code"] in ("", "U001"), r  # never credited to another unit
        if r["status"] == "rejected":
            assert r["reason_code"] and r["message"], r
    statuses = {r["status"] for r in rows}
    assert "rejected" in statuses and statuses & {"accepted", "superseded", "duplicate"}, statuses


# --------------------------------------------------------------------------- crafted packages, fuzzed

import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@pytest.fixture(scope="module")
def low_cap_reader():
    """One worker reading under a 256 MiB cap, for every example (a dead one is replaced)."""
    from toolkit.intake.isolated import IsolatedPool, ReaderLimits

    with IsolatedPool(1, limits=ReaderLimits(memory_bytes=256 * 2**20, cpu_seconds=20, timeout=60)) as pool:
        yield pool


def _check_then_read(data: bytes):
    """In a worker: the package checks (capped low: 200,000 cells), then the reader, as collect runs them."""
    from toolkit.intake.walk import Limits, workbook_problem
    from toolkit.read.reader import ReadError, read_workbook

    problem = workbook_problem(data, Limits(max_cells=200_000))
    if problem:
        return "rejected", problem[0]
    try:
        read_workbook(data, "xlsx")
    except ReadError:
        return "unreadable", ""
    return "read", ""


_refs = st.one_of(
    st.none(),  # a cell without a reference
    st.tuples(st.text("ABCDXFZ", min_size=0, max_size=4), st.integers(0, 10**12).map(str)).map("".join),
    st.tuples(st.sampled_from(["A", "C", "XFD"]), st.integers(1, 30).map(str)).map("".join),
)
_rows = st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 10**11).map(str)),
                           st.lists(_refs, min_size=0, max_size=6), st.integers(0, 3)), min_size=1, max_size=6)


def _sheet(rows) -> str:
    out = []
    for row_ref, cells, width in rows:
        at = f' r="{row_ref}"' if row_ref else ""
        body = "".join(f'<c r="{ref}"><v>1</v></c>' if ref else "<c><v>1</v></c>" for ref in cells)
        body += "<c><v>2</v></c>" * (width * 4000)  # a run of cells without references
        out.append(f"<row{at}>{body}</row>")
    return "".join(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows, ext=st.sampled_from(["xml", "bin", "dat"]), twin=st.booleans(), attr_gt=st.booleans())
def test_a_crafted_package_is_rejected_by_the_checks_or_read_within_a_low_memory_cap(low_cap_reader, rows, ext,
                                                                                     twin, attr_gt):
    """What the cheap checks let through, the reader reads within 256 MiB; and nothing takes the test process down."""
    from crafted import xlsx

    from toolkit.intake.isolated import Unsafe

    sheet = _sheet(rows)
    if attr_gt:
        sheet = sheet.replace("<row", '<row spans="a>b"', 1)
    extra = [(f"xl/worksheets/sheet1.{ext}", "<worksheet/>")] if twin else []
    data = xlsx(sheet, target=f"worksheets/sheet1.{ext}", extra=extra)
    outcome = low_cap_reader.map(_check_then_read, [data])[0]
    assert not isinstance(outcome, Unsafe), (outcome, sheet[:300])
    if twin:
        assert outcome == ("rejected", "intake.corrupt")
