"""Untrusted files are parsed only in worker processes that may die.

Readers (calamine, olefile, the package checks) trust what a file says about itself: a 2 KB
workbook can make calamine ask for tens of gigabytes and abort its process. Checks before
reading catch the known ways; this module is the guarantee for the rest. Each worker runs with a
cap on its address space (``RLIMIT_AS``) and on the CPU time of each file (``RLIMIT_CPU``), and
the parent stops a file that takes longer than a wall-clock timeout. A worker holds one file at a
time, so when it dies (abort, out of memory, over time, killed) the pool knows which file cost it:
that file gets an :class:`Unsafe` result, the worker is replaced, and the rest goes on.

The caps come from :class:`ReaderLimits`, by default from the environment
(``TOOLKIT_READER_MEMORY_MB``, ``TOOLKIT_READER_CPU_SECONDS``, ``TOOLKIT_READER_TIMEOUT``), so
tests and small machines can lower them.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from typing import Any, Callable, NamedTuple, Sequence

from ..codes import Detail

__all__ = ["ReaderLimits", "Unsafe", "IsolatedPool", "run_isolated", "ReaderStopped", "exit_with_parent"]

_MIB = 2**20
# A job is sent ahead to a busy worker only when this small: it then fits in the pipe's buffer, so
# the send never waits for a worker that is itself waiting to send back a large result.
_AHEAD_BYTES = 48 * 1024


@dataclass(frozen=True)
class ReaderLimits:
    """What one worker may use: memory added to its size at start, CPU seconds and wall seconds per file."""

    memory_bytes: int = 2048 * _MIB
    cpu_seconds: int = 60
    timeout: float = 120.0

    @classmethod
    def from_env(cls) -> "ReaderLimits":
        """The defaults, lowered or raised by TOOLKIT_READER_MEMORY_MB / _CPU_SECONDS / _TIMEOUT."""
        env = os.environ
        return cls(int(float(env.get("TOOLKIT_READER_MEMORY_MB", cls.memory_bytes // _MIB)) * _MIB),
                   max(1, int(float(env.get("TOOLKIT_READER_CPU_SECONDS", cls.cpu_seconds)))),
                   float(env.get("TOOLKIT_READER_TIMEOUT", cls.timeout)))


class Unsafe(NamedTuple):
    """A file whose reader was stopped: what stopped it (memory, time, crash) and how it reads in the ledger."""

    why: str
    detail: Detail  # of read.unsafe


class ReaderStopped(Exception):
    """Raised by :func:`run_isolated` when the worker reading a file was stopped."""

    def __init__(self, unsafe: Unsafe):
        super().__init__(unsafe.detail.text("read.unsafe", "en"))
        self.unsafe = unsafe


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def exit_with_parent() -> None:
    """Pool worker initializer: end when the command that started the worker dies (Linux).

    A worker left behind by a killed command would sit idle for ever; the kernel sends it
    SIGKILL when its parent goes. Elsewhere the worker ends when its pipe to the parent closes.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        parent = multiprocessing.parent_process()
        if parent is not None and os.getppid() != parent.pid:  # the parent died before prctl
            os._exit(1)
    except (OSError, AttributeError):
        pass


# --------------------------------------------------------------------------- the worker side


def _apply_limits(limits: ReaderLimits) -> None:
    """Cap the worker's address space at its present size plus the allowance; no core files."""
    try:
        import resource
    except ImportError:  # Windows: the parent's timeout is the only limit
        return
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass
    try:
        with open("/proc/self/statm") as fh:
            present = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        present = 0
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = present + limits.memory_bytes
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        pass


def _quiet() -> None:
    """A reader that dies writes its last words (a Rust allocation failure, a backtrace) to fd 2: not to the screen.

    ``TOOLKIT_DEBUG`` (``--debug``) keeps them.
    """
    os.environ["RUST_BACKTRACE"] = "0"  # and no backtrace to symbolise on the way down: it takes seconds
    if os.environ.get("TOOLKIT_DEBUG"):
        return
    import faulthandler

    faulthandler.disable()  # enabled by a test runner or -X faulthandler: its dump is the parent's business
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    except OSError:
        pass


def _cpu_budget(seconds: int) -> None:
    """Allow the next file *seconds* of CPU beyond what the worker has used (SIGXCPU ends it after)."""
    try:
        import resource
    except ImportError:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    want = int(usage.ru_utime + usage.ru_stime) + 1 + seconds
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (want, hard))
    except (ValueError, OSError):
        pass


def _serve(conn, others, limits: ReaderLimits, initializer, initargs) -> None:
    """The worker: take one (function, job) at a time, send back ("ok", result) or what went wrong.

    Ends with ``os._exit``: nothing of the parent's (buffers, atexit handlers, the ledger's
    connection) is flushed or closed from here.
    """
    code = 0
    try:
        for other in others:  # the other workers' pipe ends, copied by the fork: not this worker's
            other.close()
        exit_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops the workers, files unjudged
        _quiet()
        _apply_limits(limits)
        broken = _initialised(initializer, initargs)  # a failing initializer is a bug: raised, not blamed on files
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                break
            if task is None:
                break
            fn, job = task
            _cpu_budget(limits.cpu_seconds)
            try:
                reply = ("error", broken) if broken else ("ok", fn(job))
            except MemoryError:
                reply = ("memory", None)
            except Exception as exc:  # a bug, not the file: the parent raises it as before
                reply = ("error", _picklable(exc))
            conn.send(reply)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _initialised(initializer, initargs) -> Exception | None:
    try:
        if initializer is not None:
            initializer(*initargs)
    except Exception as exc:
        return _picklable(exc)
    return None


def _picklable(exc: Exception) -> Exception:
    """*exc* as it can cross the pipe, its own type kept where it can be.

    Some libraries (dask's distributed, through tblib) make exceptions pickle with their
    traceback and cause; a cause from a reader (a Rust panic) may not pickle, so the exception is
    sent without them before it is given up for a RuntimeError.
    """
    import pickle

    for strip in (False, True):
        if strip:
            exc.__cause__ = exc.__context__ = None
            exc.__traceback__ = None
        try:
            pickle.loads(pickle.dumps(exc))
            return exc
        except Exception:
            continue
    return RuntimeError(f"{type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------- the parent side


def _dumps(task) -> memoryview:
    """A task as ``Connection.recv`` reads it (what ``Connection.send`` would write), its size known before it is sent."""
    return ForkingPickler.dumps(task)


class _Worker:
    def __init__(self, ctx, others, limits: ReaderLimits, initializer, initargs):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, others, limits, initializer, initargs),
                                   daemon=True, name="toolkit-reader")
        self.process.start()
        child.close()
        # the jobs sent to it, in order: the first is the one it reads (with its deadline), a second
        # waits in the pipe so that the worker never waits for this process between two files
        self.tasks: deque[list] = deque()
        self.dead = False  # a send to it failed: it is gone, and is replaced once its file is blamed

    @property
    def task(self) -> list | None:
        """[job index, deadline] of the file it holds, or None when it holds none."""
        return self.tasks[0] if self.tasks else None

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                self.process.kill()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class IsolatedPool:
    """Worker processes under :class:`ReaderLimits`, one file at a time each, replaced when they die."""

    def __init__(self, workers: int, initializer: Callable | None = None, initargs: tuple = (),
                 limits: ReaderLimits | None = None):
        self.size = max(1, workers)
        self.limits = limits or ReaderLimits.from_env()
        self.initializer, self.initargs = initializer, initargs
        self.ctx = _context()
        self.workers: list[_Worker] = []
        self.lost_idle = 0  # workers found dead before they were given a file
        self.sent_ahead = 0  # jobs sent to a worker while it still read the one before

    def map(self, fn: Callable, jobs: Sequence[Any]) -> list[Any]:
        """``fn(job)`` for every job, in order, each in a worker; a job whose worker was stopped gives :class:`Unsafe`.

        Raises:
            Exception: what ``fn`` raised (other than MemoryError), as a plain call would.
        """
        results: list[Any] = [None] * len(jobs)
        queue = list(range(len(jobs)))[::-1]
        while queue or any(w.task for w in self.workers):
            self._start_idle(fn, jobs, queue)
            busy = [w for w in self.workers if w.task]
            if not busy:
                continue
            now = time.monotonic()
            timeout = max(0.0, min(w.task[1] for w in busy) - now)
            ready = set(multiprocessing.connection.wait([w.conn for w in busy], timeout))
            for worker in busy:
                if worker.conn in ready:
                    self._receive(worker, results, queue)
                elif time.monotonic() >= worker.task[1]:
                    self._lost(worker, results, Unsafe("time", Detail("timeout", {"seconds": self.limits.timeout})), queue)
        return results

    def _start_idle(self, fn, jobs, queue: list[int]) -> None:
        """Give the next jobs to idle workers, and a small one ahead to each busy worker."""
        message = None
        while queue:
            index = queue[-1]
            if message is None:  # pickled once, whichever worker takes it
                message = _dumps((fn, jobs[index]))
            worker = self._free_worker(len(message) <= _AHEAD_BYTES)
            if worker is None:
                return
            queue.pop()
            try:
                worker.conn.send_bytes(message)
            except (OSError, ValueError):  # it died (killed from outside): this file was never given
                queue.append(index)
                if worker.tasks:  # it died holding a file: the wait in map finds out how, and blames that one
                    worker.dead = True
                    continue
                self._replace(worker, kill=True)
                self.lost_idle += 1
                if self.lost_idle > 3 * self.size:
                    raise RuntimeError("the reader workers end before they take a file; see --debug") from None
                continue
            message = None
            deadline = time.monotonic() + self.limits.timeout if not worker.tasks else None  # set when it is read
            self.sent_ahead += bool(worker.tasks)
            worker.tasks.append([index, deadline])

    def _free_worker(self, ahead: bool) -> _Worker | None:
        """An idle worker (started if the pool is not full), else with *ahead* one that holds a single file."""
        worker = next((w for w in self.workers if not w.tasks), None)
        if worker is None and len(self.workers) < self.size:
            worker = self._spawn()
        if worker is None and ahead:
            worker = next((w for w in self.workers if len(w.tasks) == 1 and not w.dead), None)
        return worker

    @staticmethod
    def _requeue(worker: _Worker, queue: list[int]) -> None:
        """Jobs sent ahead to a worker that is gone were never started: they go back to the queue."""
        while len(worker.tasks) > 1:
            queue.append(worker.tasks.pop()[0])

    def _receive(self, worker: _Worker, results: list, queue: list[int]) -> None:
        try:
            status, value = worker.conn.recv()
        except (EOFError, OSError):  # the pipe closed: the worker died holding its file
            worker.process.join(5)
            self._lost(worker, results, _death(worker.process.exitcode, self.limits), queue)
            return
        index = worker.tasks.popleft()[0]
        if worker.tasks:  # the job sent ahead: the worker reads it from now on
            worker.tasks[0][1] = time.monotonic() + self.limits.timeout
        if status == "ok":
            results[index] = value
        elif status == "memory":
            results[index] = Unsafe("memory", _memory_detail(self.limits))
        else:
            raise value

    def _lost(self, worker: _Worker, results: list, unsafe: Unsafe, queue: list[int]) -> None:
        """The worker died or overran holding its first job: that file is unsafe, one sent ahead is read by another."""
        self._requeue(worker, queue)
        results[worker.tasks.popleft()[0]] = unsafe
        self._replace(worker, kill=True)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.ctx, [w.conn for w in self.workers], self.limits, self.initializer, self.initargs)
        self.workers.append(worker)
        return worker

    def _replace(self, worker: _Worker, kill: bool) -> None:
        self.workers.remove(worker)
        worker.stop(kill=kill)  # a new one is started when there is work for it

    def close(self) -> None:
        for worker in self.workers:
            worker.stop(kill=bool(worker.task))
        self.workers = []

    def __enter__(self) -> "IsolatedPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _memory_detail(limits: ReaderLimits) -> Detail:
    return Detail("memory", {"limit": limits.memory_bytes // _MIB})


def _death(exitcode: int | None, limits: ReaderLimits) -> Unsafe:
    """What a worker's end says: SIGXCPU is its CPU limit; an abort is (almost always) a failed allocation."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == getattr(signal, "SIGXCPU", None):
            return Unsafe("time", Detail("cpu", {"seconds": limits.cpu_seconds}))
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return Unsafe("crashed", Detail("crashed", {"how": name}))
    return Unsafe("crashed", Detail("crashed", {"how": f"exit code {exitcode}"}))


def run_isolated(fn: Callable, job: Any, limits: ReaderLimits | None = None) -> Any:
    """``fn(job)`` in one worker under *limits*; raises :class:`ReaderStopped` when the worker was stopped."""
    with IsolatedPool(1, limits=limits) as pool:
        result = pool.map(fn, [job])[0]
    if isinstance(result, Unsafe):
        raise ReaderStopped(result)
    return result

