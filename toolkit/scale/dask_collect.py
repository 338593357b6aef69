"""``toolkit collect DIR SOURCE --dask ADDRESS``: the per-file work on a Dask distributed cluster.

Collect keeps everything that decides (the ledger, the originals in received/, the order of the
rows) in this process; only reading and identifying a file (the package checks, the reader,
normalising, identification) run on the cluster. A file goes to a worker as the path of its
stored original (DIR/received/<sha>.<ext>, written before it is read), so the campaign folder
must be on storage every worker sees under the same path; no workbook's bytes pass through the
scheduler. On the worker the file is read exactly as a local collect reads it: in an isolated,
limited process (:class:`toolkit.intake.isolated.IsolatedPool`, the same memory, CPU and time caps),
so a hostile file costs that process, never the Dask worker. The results come back in order, so
the ledger a cluster run writes is the one a local run writes.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Iterator

from ..errors import ConfigError
from ..i18n import Msg
from ..intake.isolated import IsolatedPool
from ..read.collect import identify_stored, prepare_reader, read_outcome
from . import require

__all__ = ["DaskRunner", "read_on_worker"]

_CHUNK = 32  # files per task: few enough to spread a batch over the workers, enough to pay a task's cost


def read_on_worker(jobs: list[tuple[str, str, str, str]], init_args: tuple) -> list:
    """Run on a Dask worker: identify *jobs* (source, stored path, kind, sha256) in an isolated reader.

    A Dask worker is a daemonic process, and multiprocessing refuses to start children from one;
    the isolated readers end with their parent anyway (``exit_with_parent``), which is what the
    flag guards, so it is lifted for this process.
    """
    process = multiprocessing.current_process()
    if process.daemon:
        process.daemon = False
    with IsolatedPool(1, prepare_reader, init_args) as pool:
        return [read_outcome(r) for r in pool.map(identify_stored, jobs)]


class DaskRunner:
    """Collect's reading pool on a Dask cluster (see :func:`toolkit.read.collect.collect`'s *runner*)."""

    def __init__(self, address: str, init_args: tuple, workers: int | None = None):
        distributed = require("distributed")
        try:
            self.client = distributed.Client(address, set_as_default=False,
                                             timeout=float(os.environ.get("TOOLKIT_DASK_TIMEOUT", "30")))
        except (OSError, TimeoutError) as exc:
            raise ConfigError(Msg("scale.no_scheduler", {"address": address, "reason": exc})) from None
        # the spec, roster and stamps go to every worker once, not with every task
        self.init = self.client.scatter([init_args], broadcast=True, hash=False)[0]
        self.feeder = ThreadPoolExecutor(1, thread_name_prefix="toolkit-dask")

    @classmethod
    def factory(cls, address: str):
        """A runner maker for collect: called with (initializer arguments, workers)."""
        return lambda init_args, workers: cls(address, init_args, workers)

    def submit(self, todo: list) -> Iterator:
        """Start reading *todo* (offered, sha256, its storing) on the cluster; results in order."""
        return _outcomes(self.feeder.submit(self._read_todo, todo))

    def _read_todo(self, todo: list) -> list:
        jobs = [(o.source, os.path.abspath(stored.result()), o.kind, sha) for o, sha, stored in todo]
        return self.reread(jobs)

    def reread(self, jobs: list) -> list:
        """Identify stored originals: (source, path, kind, sha256) each, in chunks over the workers."""
        if not jobs:
            return []
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        size = max(1, min(_CHUNK, math.ceil(len(jobs) / (2 * workers))))
        chunks = [[(s, os.path.abspath(p), k, h) for s, p, k, h in jobs[i:i + size]]
                  for i in range(0, len(jobs), size)]
        futures = self.client.map(read_on_worker, chunks, init_args=self.init, pure=False)
        return [outcome for part in self.client.gather(futures) for outcome in part]

    def __enter__(self) -> "DaskRunner":
        return self

    def __exit__(self, *exc) -> None:
        self.feeder.shutdown()
        self.client.close()


def _outcomes(future: Future) -> Iterator:
    yield from future.result()
