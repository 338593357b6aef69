"""Generate one prefilled workbook per roster unit, fast.

One master is built with xlsxwriter (:mod:`toolkit.generate.master`); each unit's
workbook is the master's zip with only the parts that hold placeholder
tokens rewritten (shared strings and custom properties). Unchanged parts
are compressed once and copied as raw deflate streams, so a unit costs a
few string replacements and one small compression.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Mapping
from xml.sax.saxutils import escape

from ..campaign.carried import UnitCarry, write_carry
from ..campaign.folder import Campaign, Unit
from ..campaign.lock import locked
from ..intake.isolated import exit_with_parent
from ..output.csvfile import write_csv
from ..output.names import unit_file_names
from ..spec.model import TemplateSpec
from .master import LITERAL_OPEN, MasterContext, build_master
from .stamp import campaign_round, campaign_stamp

__all__ = ["MasterPackage", "generate_outbox", "unit_filename", "outbox_names", "workbook_for_unit", "MANIFEST_COLUMNS"]

MANIFEST_COLUMNS = ("unit_code", "unit_name", "file", "sha256", "template_id", "template_version")
_TOKEN_RE = re.compile("⟦([^⟧]+)⟧")
_DOS_TIME = (0, (1 << 5) | 1 | ((2020 - 1980) << 9))  # fixed 2020-01-01 00:00 for determinism
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class _Part:
    name: str
    data: bytes
    templated: bool
    crc: int = 0
    deflated: bytes = b""


class MasterPackage:
    """The master's zip parts, with static parts compressed once."""

    def __init__(self, master: bytes):
        self.parts: list[_Part] = []
        with zipfile.ZipFile(io.BytesIO(master)) as zf:
            for info in zf.infolist():
                data = zf.read(info)
                part = _Part(info.filename, data, b"\xe2\x9f\xa6" in data)  # "⟦" in UTF-8
                if not part.templated:
                    part.crc, part.deflated = zlib.crc32(data), _deflate(data)
                self.parts.append(part)

    def tokens(self) -> set[str]:
        found = set()
        for p in self.parts:
            if p.templated:
                found.update(_TOKEN_RE.findall(p.data.decode("utf-8")))
        return found

    def part(self, name: str, values: dict[str, str] | None = None) -> bytes:
        """One part's bytes, its tokens replaced by *values* when it has any."""
        p = next(p for p in self.parts if p.name == name)
        return _fill(p.data.decode("utf-8"), values or {}).encode("utf-8") if p.templated else p.data

    def render(self, values: dict[str, str], replaced: dict[str, bytes] | None = None,
               added: Iterable[tuple[str, bytes]] = ()) -> bytes:
        """The unit's workbook: tokens replaced by XML-escaped *values*.

        *replaced* gives some parts whole new bytes (taken as they are: no token is filled in
        them) and *added* appends new parts; the feedback workbook is made so.
        """
        out = io.BytesIO()
        central = []
        replaced = replaced or {}
        for p in self.parts:
            if p.name in replaced or p.templated:
                data = replaced[p.name] if p.name in replaced else _fill(p.data.decode("utf-8"), values).encode("utf-8")
                crc, deflated = zlib.crc32(data), _deflate(data, 1)  # per unit: fast over small
            else:
                data, crc, deflated = p.data, p.crc, p.deflated
            central.append(_write_entry(out, p.name, crc, deflated, len(data)))
        for name, data in added:
            central.append(_write_entry(out, name, zlib.crc32(data), _deflate(data, 1), len(data)))
        start = out.tell()
        for entry in central:
            out.write(entry)
        size = out.tell() - start
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0))
        return out.getvalue()


def _deflate(data: bytes, level: int = 6) -> bytes:
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def _write_entry(out, name: str, crc: int, deflated: bytes, size: int) -> bytes:
    offset = out.tell()
    raw_name = name.encode("utf-8")
    t, d = _DOS_TIME
    out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, t, d, crc, len(deflated), size,
                          len(raw_name), 0))
    out.write(raw_name)
    out.write(deflated)
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, t, d, crc, len(deflated), size,
                       len(raw_name), 0, 0, 0, 0, 0, offset) + raw_name


_LITERAL_KEY = LITERAL_OPEN[1:-1]


def _fill(xml: str, values: dict[str, str]) -> str:
    """Replace every token in one pass: a value put in is never scanned again, and the literal
    token gives back a "⟦" a unit typed (see :func:`toolkit.generate.master.literal`)."""
    def sub(m: re.Match) -> str:
        if m.group(1) == _LITERAL_KEY:
            return "⟦"
        return escape(_XML_BAD.sub("", values.get(m.group(1), "")))
    return _TOKEN_RE.sub(sub, xml)


def unit_values(unit: Unit) -> dict[str, str]:
    """Token → value for one unit (roster columns as ``r:<column>``)."""
    values = {"unit_code": unit.code, "unit_name": unit.name}
    for col in ("unit_code", "unit_name", "group", "contact", "phone", *unit.extra):
        values[f"r:{col}"] = unit.value(col)
    return values


def unit_filename(unit: Unit, spec: TemplateSpec) -> str:
    """``<unit_code>_<unit_name>_<title>.xlsx``, legal and short enough (see :mod:`toolkit.output.names`)."""
    return outbox_names([unit], spec)[unit.code]


def outbox_names(units: Iterable[Unit], spec: TemplateSpec) -> dict[str, str]:
    """unit code → outbox file name for every unit, unique within the outbox."""
    return unit_file_names(units, spec.title)


def master_context(campaign: Campaign, lang: str = "zh") -> MasterContext:
    cfg = campaign.config
    return MasterContext(campaign=campaign.name, year=campaign.year, deadline=campaign.deadline,
                         round=campaign_round(campaign), contact=str(cfg.get("contact", "")),
                         phone=str(cfg.get("phone", "")), return_to=str(cfg.get("return_to", "")), lang=lang,
                         password=cfg.get("protect_password"))


def workbook_for_unit(spec: TemplateSpec, ctx: MasterContext, unit: Unit) -> bytes:
    """One unit's workbook (builds a master; use :func:`generate_outbox` for many)."""
    return MasterPackage(build_master(spec, ctx)).render(unit_values(unit))


_WORKER: dict = {}


def _init_worker(master: bytes, outbox: str) -> None:
    exit_with_parent()
    _WORKER["pkg"] = MasterPackage(master)
    _WORKER["outbox"] = outbox


def _render_chunk(jobs: list[tuple[str, dict[str, str]]]) -> list[str]:
    pkg, outbox = _WORKER["pkg"], _WORKER["outbox"]
    digests = []
    for filename, values in jobs:
        data = pkg.render(values)
        _write_atomic(Path(outbox) / filename, data)
        digests.append(hashlib.sha256(data).hexdigest())
    return digests


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@locked
def generate_outbox(campaign: Campaign, *, carry: Mapping[str, UnitCarry] | None = None, lang: str = "zh",
                    workers: int | None = None, progress: Callable[[int], None] | None = None) -> list[dict[str, str]]:
    """Write every unit's workbook and outbox/manifest.csv; returns the manifest rows.

    *carry* is what each unit's workbook is prefilled with from the previous round (from
    :func:`toolkit.rounds.carry.carry_over`, which works it out from that round's results);
    a campaign that names a previous one cannot be generated without it.
    """
    if carry is None and campaign.config.get("previous"):
        raise TypeError("generate_outbox: this campaign follows a previous one; pass carry=carry_over(campaign) "
                        "(toolkit.rounds.carry)")
    carry = carry or {}
    spec, roster = campaign.template(), campaign.roster()
    ctx = master_context(campaign, lang)
    master = build_master(spec, ctx)
    campaign.outbox.mkdir(parents=True, exist_ok=True)
    plain = [u for u in roster.units if not carry.get(u.code)]
    names = outbox_names(roster.units, spec)
    jobs = [(names[u.code], unit_values(u)) for u in plain]
    digest_of = dict(zip((u.code for u in plain), _run_jobs(master, str(campaign.outbox), jobs, workers, progress)))
    for u in roster.units:  # units with carried items: a master of their own
        if u.code not in digest_of:
            data = workbook_for_unit(spec, replace(ctx, carry=carry[u.code]), u)
            _write_atomic(campaign.outbox / names[u.code], data)
            digest_of[u.code] = hashlib.sha256(data).hexdigest()
            if progress:
                progress(1)
    if carry:
        write_carry(campaign, carry)
    rows = [{"unit_code": u.code, "unit_name": u.name, "file": names[u.code], "sha256": digest_of[u.code],
             "template_id": spec.id, "template_version": spec.version} for u in roster.units]
    write_csv(campaign.outbox / "manifest.csv", MANIFEST_COLUMNS, rows)
    from ..campaign.ledger import Ledger
    with Ledger(campaign.db_path) as ledger:  # every workbook ever sent out, so an old blank one is known too
        ledger.record_issued((r["sha256"], f"{r['unit_code']} {r['unit_name']}") for r in rows)
        ledger.record_stamp(campaign_stamp(campaign))  # a campaign renamed after mailing still knows its workbooks
    return rows


def _run_jobs(master, outbox, jobs, workers, progress) -> Iterable[str]:
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    chunks = [jobs[i:i + 64] for i in range(0, len(jobs), 64)]
    if workers <= 1 or len(jobs) < 200:
        _init_worker(master, outbox)
        for chunk in chunks:
            yield from _render_chunk(chunk)
            if progress:
                progress(len(chunk))
        return
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(master, outbox)) as pool:
        for chunk, digests in zip(chunks, pool.map(_render_chunk, chunks)):
            yield from digests
            if progress:
                progress(len(chunk))
