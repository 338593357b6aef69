"""The desk's one writer: jobs run one at a time on a single thread, under the campaign lock.

An upload, a decision on a review item and a results run all write the ledger or out/. They are
queued and run in order by one thread, so they never mix; while another toolkit process (a
`toolkit collect` in a terminal) holds the campaign lock, the job waits and says so, and
tries again every second. The pages poll a job by its id for its state and progress.
"""

from __future__ import annotations

import itertools
import queue
import secrets
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from .work import CampaignBusy, ToolkitError, campaign_lock

__all__ = ["Job", "JobRunner"]


@dataclass
class Job:
    id: str
    kind: str                      # upload, resolve, results
    state: str = "queued"          # queued, waiting (for another process), running, done, failed
    stage: str = ""                # collect, validate, merge, ...
    done: int = 0
    total: int | None = None
    result: Any = None
    error: str = ""
    created: float = field(default_factory=time.time)

    def public(self) -> dict:
        return {"id": self.id, "kind": self.kind, "state": self.state, "stage": self.stage, "done": self.done,
                "total": self.total, "error": self.error,
                "result": self.result if isinstance(self.result, (dict, list, str, type(None))) else None}


class JobRunner:
    """A queue of jobs and the one thread that runs them, holding the campaign lock."""

    def __init__(self, campaign_dir, retry_seconds: float = 1.0, keep: int = 200, lang: str = "zh"):
        self.campaign_dir, self.lang = campaign_dir, lang  # a failed job says why in the desk's language
        self.retry_seconds = retry_seconds
        self.keep = keep
        self.jobs: dict[str, Job] = {}
        self._queue: queue.Queue = queue.Queue()
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, kind: str, work: Callable[[Job], Any]) -> Job:
        job = Job(f"{next(self._order):04d}{secrets.token_hex(6)}", kind)
        self.jobs[job.id] = job
        self._forget_old()
        self._queue.put((job, work))
        self._ensure_thread()
        return job

    def busy(self) -> Job | None:
        """The job running or waiting now, if any (the pages say that new work waits behind it)."""
        return next((j for j in self.jobs.values() if j.state in ("running", "waiting")), None)

    def wait(self, job: Job, timeout: float = 60.0) -> Job:
        end = time.monotonic() + timeout
        while job.state not in ("done", "failed") and time.monotonic() < end:
            time.sleep(0.02)
        return job

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="toolkit-desk-jobs", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            job, work = self._queue.get()
            try:
                self._run_one(job, work)
            finally:
                self._queue.task_done()

    def _run_one(self, job: Job, work: Callable[[Job], Any]) -> None:
        while True:
            try:
                with campaign_lock(self.campaign_dir):
                    job.state = "running"
                    job.result = work(job)
                    job.state = "done"
                    return
            except CampaignBusy:  # another toolkit process: wait for it, never mix
                job.state = "waiting"
                time.sleep(self.retry_seconds)
            except ToolkitError as exc:
                job.error, job.state = exc.text(self.lang) or str(exc), "failed"
                return
            except Exception as exc:  # a bug must not kill the desk's only writer
                job.error, job.state = f"{type(exc).__name__}: {exc}", "failed"
                traceback.print_exc()
                return

    def _forget_old(self) -> None:
        finished = [j for j in self.jobs.values() if j.state in ("done", "failed")]
        if len(finished) > self.keep:
            for j in sorted(finished, key=lambda j: j.created)[:len(finished) - self.keep]:
                self.jobs.pop(j.id, None)
