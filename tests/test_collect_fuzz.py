"""Damaged copies of real returns: the run never dies, every file is recorded once, none goes to another unit.

Each mutant is a filled return of U001 (xlsx written like Excel, .xls and .ods written by
LibreOffice) with bytes flipped, a stretch zeroed or the tail cut off, chosen by a fixed seed;
more xlsx copies keep a valid package with one XML part damaged inside, so the damage reaches
the safety checks, the reader and identification instead of stopping at the zip. They are collected together in a child process: a reader that aborted the process would fail
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

from toolkit.collect import export_ledger

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
    code = ("import sys\nfrom toolkit.campaign import load_campaign\nfrom toolkit.collect import collect\n"
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
