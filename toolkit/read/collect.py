"""Collect: take in every offered file, keep the original, identify it, record it.

Each file is stored under DIR/received/<sha256> *before* its ledger row is
written, and the row and its extracted values are written in one
transaction, so a run killed at any point is completed by the next one.
Reading and identification run in isolated worker processes under memory and time
limits (:mod:`toolkit.intake.isolated`): no returned file is parsed in this process, and a
reader that dies costs only the file it held (``read.unsafe``). The originals are written
meanwhile by a thread of the main process (file creation waits on the disk more
than it computes, so it overlaps with the reading instead of taking a worker's time).
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..campaign.folder import Campaign, Roster
from ..campaign.ledger import LEDGER_COLUMNS, Ledger, encode_payload, export_rows
from ..campaign.lock import locked
from ..campaign.store import DiskFull, stops_on_a_full_disk, store_bytes, store_original, stored_path, sweep_partial_copies
from ..catalogue.reading import CODES
from ..codes import Detail, reason_message
from ..intake.isolated import IsolatedPool, Unsafe
from ..intake.walk import Limits, Offered, Package, walk, workbook_problem
from ..model import FileStatus
from ..spec.load import bundled_templates
from ..spec.model import TemplateSpec
from .identify import Expected, Identity, identify
from .reader import ReadError, read_workbook

__all__ = ["collect", "CollectResult", "store_original", "export_ledger", "reason_message", "DiskFull", "CODES",
           "prepare_reader", "identify_stored", "read_outcome"]



@dataclass
class CollectResult:
    offered: int = 0
    new: int = 0
    counts: dict[str, int] = field(default_factory=dict)


_WORKER: dict = {}


def _init(spec: TemplateSpec, roster: Roster, versions: set[str], known: set[str], limits: Limits,
          expected: Expected = Expected()) -> None:
    skip = frozenset(s.name for s in spec.sheets if s.kind == "instructions")
    _WORKER.update(spec=spec, roster=roster, versions=versions, known=known, limits=limits, skip=skip, expected=expected)


def _identify_one(job: tuple[str, bytes, str, str]) -> tuple[Identity, str | None]:
    source, data, kind, sha = job
    package = _package(data, kind)  # opened once: checked, then read, each part decompressed once
    try:
        problem = workbook_problem(data, _WORKER["limits"], package)  # before any reader parses it
        if problem:
            return Identity(FileStatus.REJECTED, reason_code=problem[0], detail=problem[1]), None
        try:
            raw = read_workbook(data, kind, _WORKER["skip"], names=False, package=package)
        except ReadError as exc:
            return Identity(FileStatus.REJECTED, reason_code="read.unreadable", detail=Detail("", {"message": str(exc)})), None
    finally:
        if package is not None:
            package.close()
    ident = identify(raw, _WORKER["spec"], _WORKER["roster"], _WORKER["versions"], source, _WORKER["known"], _WORKER["expected"])
    payload = encode_payload(ident.submission) if ident.submission is not None else None
    ident.submission = None
    return ident, payload


def prepare_reader(*init_args) -> None:
    """Set up a reader process (what a collect pool's initializer does): the spec, roster and limits it checks against."""
    _init(*init_args)


def identify_stored(job: tuple[str, str, str, str]) -> tuple[Identity, str | None]:
    """Identify a stored original: (source, path of received/<sha>.<ext>, kind, sha256).

    For pools whose workers share the campaign's storage (collect on a Dask cluster): the file
    is read from that path inside the isolated reader, never shipped through a scheduler.
    """
    source, path, kind, sha = job
    with open(path, "rb") as fh:
        data = fh.read()
    return _identify_one((source, data, kind, sha))


def read_outcome(result) -> tuple[Identity, str | None]:
    """A pool's result for one file as collect records it (a stopped reader: ``read.unsafe``)."""
    return _unsafe(result) if isinstance(result, Unsafe) else result


class _BundledIds:
    """The bundled templates' ids, loaded on first use: only a return of another template asks."""

    def __init__(self) -> None:
        self._ids: frozenset[str] | None = None

    def __contains__(self, template_id: object) -> bool:
        if self._ids is None:
            self._ids = frozenset(t.id for t in bundled_templates())
        return template_id in self._ids


def _package(data: bytes, kind: str) -> Package | None:
    if kind not in ("xlsx", "xlsm", "ods"):
        return None
    try:
        return Package(data)
    except Exception:  # not a readable zip: the checks say what is wrong
        return None


@stops_on_a_full_disk
@locked
def collect(campaign: Campaign, sources: Iterable[str], *, workers: int | None = None,
            limits: Limits = Limits(), progress: Callable[[int], None] | None = None,
            runner: Callable | None = None) -> CollectResult:
    """Collect *sources* (files, folders, archives) into the campaign.

    *runner* replaces the local pool that reads and identifies: called with (initializer
    arguments, workers), it gives a context manager with ``submit(todo)`` and ``reread(held)``
    as :class:`_Pool` has (``toolkit.scale.dask_collect`` runs them on a Dask cluster). The
    ledger, the originals and every decision stay here whichever runner reads.
    """
    spec, roster = campaign.template(), campaign.roster()
    versions = campaign.accepted_versions(spec)
    known = _BundledIds()
    result = CollectResult()
    sweep_partial_copies(campaign.received)
    with Ledger(campaign.db_path) as ledger:
        init_args = (spec, roster, versions, known, limits, expected_of(campaign, ledger))
    with Ledger(campaign.db_path) as ledger, (runner or _Pool)(init_args, workers) as pool:
        _reidentify(campaign, ledger, pool)
        ledger.recompute()
        run = ledger.start_run("collect", resume=True)  # a killed run is completed, not followed
        writer = ThreadPoolExecutor(1, thread_name_prefix="toolkit-store")
        issued = _written_here(campaign, ledger)
        pending = None  # one batch is read in the workers while the next is taken in
        try:
            for batch in _batches(walk(list(sources), replace(limits, check_packages=False, yield_archives=True))):
                result.offered += sum(o.kind != "archive" for o in batch)
                with ledger.batch():  # one transaction per batch; originals are stored before their rows
                    todo = [job for job in (_intake(campaign, ledger, o, run, writer, issued) for o in batch) if job]
                if progress:
                    progress(len(batch) - len(todo))
                submitted = (todo, pool.submit(todo))
                if pending:
                    _drain(ledger, pending, run, progress)
                pending = submitted
            if pending:
                _drain(ledger, pending, run, progress)
        finally:
            writer.shutdown()
        ledger.finish_run(run)
        result.new = ledger.count_run(run)
        ledger.recompute()
        result.counts = _status_counts(ledger)
    return result


def expected_of(campaign: Campaign, ledger: Ledger) -> Expected:
    """This campaign's stamps (as configured, and as every mailing carried them) and its carried rows."""
    from ..campaign.carried import read_carry
    from ..generate.stamp import Stamp, campaign_stamp

    carried = {code: {sid: {r.item_id: r.values for r in rows} for sid, rows in c.tables.items()}
               for code, c in read_carry(campaign).items()}
    return Expected(frozenset({campaign_stamp(campaign), *(Stamp(*s) for s in ledger.stamps())}), carried)


# Held back for the campaign itself (a unit missing from the roster, a template version not yet
# accepted): when the office fixes roster.csv or accept_versions, the next collect reads them again.
_CAMPAIGN_REASONS = frozenset({"identify.unit_not_in_roster", "identify.version_not_accepted",
                               "identify.other_campaign"})


def _reidentify(campaign: Campaign, ledger: Ledger, pool: "_Pool") -> None:
    held = [(row, stored_path(campaign, row[2])) for row in ledger.awaiting_campaign(_CAMPAIGN_REASONS)]
    held = [(row, stored) for row, stored in held if stored is not None]
    jobs = [(source, str(stored), kind, sha) for (_, source, sha, kind), stored in held]
    for ((row_id, source, sha, kind), _), (ident, payload) in zip(held, pool.reread(jobs)):
        if ident.reason_code not in _CAMPAIGN_REASONS:
            ledger.reidentify(row_id, sha, status=ident.status, unit_code=ident.unit_code,
                              template_id=ident.template_id, template_version=ident.template_version,
                              reason_code=ident.reason_code, detail=ident.detail, carriers=ident.carriers,
                              payload=payload, return_key=ident.return_key)


def _drain(ledger: Ledger, pending, run: int, progress) -> None:
    todo, results = pending
    with ledger.batch():
        for (offered, sha, stored), (ident, payload) in zip(todo, results):
            stored.result()  # the original is on disk before its row is written (raises if it could not be)
            _record(ledger, offered, sha, ident, payload, run)
            if progress:
                progress(1)


def _batches(items: Iterable, sizes: tuple[int, ...] = (16, 64, 256)) -> Iterator[list]:
    """Lists of *items*, the first ones small: the workers start reading while the rest is taken in."""
    batch: list = []
    step = 0
    for item in items:
        batch.append(item)
        if len(batch) >= sizes[step]:
            yield batch
            batch, step = [], min(step + 1, len(sizes) - 1)
    if batch:
        yield batch


def _intake(campaign: Campaign, ledger: Ledger, offered: Offered, run: int, writer: ThreadPoolExecutor,
            issued: dict[str, tuple[str, Detail]]):
    """Store and pre-record one offered file; return a job (the file, its sha256, its storing) to read."""
    data = offered.data
    sha, size = (hashlib.sha256(data).hexdigest(), len(data)) if data is not None else _unread(campaign, offered)
    if offered.kind == "archive":  # kept as it came; its members are the ledger's rows
        store_original(campaign, sha, data, "zip")
        return None
    seen, known = ledger.seen_known(offered.source, sha)
    if seen:
        return None
    first = ledger.first_identity(sha) if known else None
    if first is not None and first["reason_code"] == "identify.filename_mismatch":
        known = False  # whose it is depended on the name it came under: this name is judged on its own
    if sha in issued:  # byte for byte a workbook the office sent out (nothing filled in) or wrote itself
        offered = replace(offered, kind=FileStatus.REJECTED, reason_code=issued[sha][0], detail=issued[sha][1])
    if data is not None and (offered.kind == FileStatus.REJECTED or known) and stored_path(campaign, sha) is None:
        store_original(campaign, sha, data, offered.kind)  # workbooks to read are stored by the writer
    if offered.kind == FileStatus.REJECTED:
        kept = data is not None or not size  # a file too large to read is hashed where it lies, never copied
        detail = offered.detail
        if not kept and offered.reason_code == "intake.too_large":
            detail = Detail("not_kept", detail.params)
        ledger.add(source=offered.source, sha256=sha, size=size, kind=FileStatus.REJECTED, status=FileStatus.REJECTED,
                   reason_code=offered.reason_code or "intake.not_a_workbook", detail=detail, mtime=offered.mtime, run=run)
        return None
    if known:  # same bytes under another name: a duplicate, no need to read again
        ledger.add(source=offered.source, sha256=sha, size=size, kind=offered.kind, mtime=offered.mtime, run=run,
                   **first)
        return None
    return offered, sha, writer.submit(store_bytes, campaign.received, sha, data, offered.kind)


def _written_here(campaign: Campaign, ledger: Ledger) -> dict[str, tuple[str, Detail]]:
    """sha256 → (reason code, detail) of workbooks this campaign wrote: issued templates, feedback workbooks.

    A feedback workbook sent back *changed* is a unit's corrected return; only the bytes as written are refused.
    """
    written = {sha: ("intake.toolkit_output", Detail("feedback", {"name": what.split(" ", 1)[-1]}))
               for sha, what in ledger.outputs().items()}
    issued = _issued(campaign) | ledger.issued()
    return written | {sha: ("read.blank_template", Detail("", {"unit": unit})) for sha, unit in issued.items()}


def _issued(campaign: Campaign) -> dict[str, str]:
    """sha256 → "unit_code unit_name" of the workbooks in the outbox manifest (as sent, unfilled).

    Campaigns generated before the ledger kept every mailing have only this; the ledger adds the rest.
    """
    import csv

    path = campaign.outbox / "manifest.csv"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {r["sha256"]: f"{r['unit_code']} {r['unit_name']}" for r in csv.DictReader(fh) if r.get("sha256")}


def _unread(campaign: Campaign, offered: Offered) -> tuple[str, int]:
    """sha256 and size of a file rejected before it was read (too large): streamed from disk, not kept.

    Copying it would let one oversized (or sparse) file fill the store. An archive member that
    was never unpacked (a bomb, an encrypted member) has no bytes to hash: it is keyed by the
    sha256 of its source label instead.
    """
    path = Path(offered.source)
    if "!/" in offered.source or not path.is_file():
        return hashlib.sha256(offered.source.encode()).hexdigest(), 0
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), path.stat().st_size


class _Pool:
    """Reads and identifies in isolated worker processes, fed by a thread while the next batch is taken in."""

    def __init__(self, init_args, workers: int | None):
        size = workers if workers is not None else min(os.cpu_count() or 1, 4)
        self.pool = IsolatedPool(size, _init, init_args)
        self.feeder = ThreadPoolExecutor(1, thread_name_prefix="toolkit-read")

    def submit(self, todo) -> Iterator[tuple[Identity, str | None]]:
        """Start reading *todo* now (in the workers) and return the results in order."""
        jobs = [(o.source, o.data, o.kind, sha) for o, sha, _ in todo]
        return _outcomes(self.feeder.submit(self.read, jobs))

    def read(self, jobs: list) -> list[tuple[Identity, str | None]]:
        return [read_outcome(r) for r in self.pool.map(_identify_one, jobs)]

    def reread(self, stored: list) -> list[tuple[Identity, str | None]]:
        """Identify stored originals again: (source, path, kind, sha256) each."""
        return [read_outcome(r) for r in self.pool.map(identify_stored, stored)]

    def __enter__(self) -> "_Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.feeder.shutdown()
        self.pool.close()


def _outcomes(future: Future) -> Iterator[tuple[Identity, str | None]]:
    yield from future.result()


def _unsafe(stopped: Unsafe) -> tuple[Identity, None]:
    """A file whose reader was stopped (out of memory, over time, aborted) is rejected by name, never retried here."""
    return Identity(FileStatus.REJECTED, reason_code="read.unsafe", detail=stopped.detail), None


def _record(ledger: Ledger, offered: Offered, sha: str, ident: Identity, payload: str | None, run: int) -> None:
    ledger.add(source=offered.source, sha256=sha, size=len(offered.data), kind=offered.kind,
               status=ident.status, unit_code=ident.unit_code, template_id=ident.template_id,
               template_version=ident.template_version, reason_code=ident.reason_code, detail=ident.detail,
               mtime=offered.mtime, run=run, carriers=ident.carriers, payload=payload, return_key=ident.return_key)


def _status_counts(ledger: Ledger) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in ledger.each_file():
        counts[f.status] = counts.get(f.status, 0) + 1
    return counts


def export_ledger(campaign: Campaign, lang: str = "zh") -> Path:
    from ..output.csvfile import write_csv

    path = campaign.out / "ledger.csv"
    with Ledger(campaign.db_path) as ledger:
        write_csv(path, LEDGER_COLUMNS, export_rows(ledger, reason_message(lang)))
    return path
