"""Benchmark: one synthetic campaign of many returns (default 100,000) through `toolkit run`.

The returns are generated and filled by benchmarks/returns.py (one filled master rendered per
unit), then `python -m toolkit run DIR RETURNS` runs once from collect to report. The script
prints the wall time, the time per return, when each stage's summary line appeared, and the peak
resident memory of every process of the run: the main process and each worker (read from
/proc's VmHWM, sampled every half second, on Linux), and GNU time's %M (the largest single
process) as a check. Usage:

    python benchmarks/bench_large.py [--units 100000] [--keep DIR]

It needs about 25 KB of disk per return for the returns and as much again for the campaign's
received/ copies. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


class PeakWatch(threading.Thread):
    """Every process under *root* (itself included): its peak resident memory (VmHWM), by pid."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root, self.peaks, self.names, self.done = root, {}, {}, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            for pid, parent in self._tree().items():
                peak = _hwm(pid)
                if peak:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), peak)
                    # GNU time's child is the command's main process; the processes it starts are its workers
                    self.names.setdefault(pid, "time" if pid == self.root else
                                          "main" if parent == self.root else "worker")

    def _tree(self) -> dict[int, int]:
        """pid → parent pid of the processes under the root."""
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        tree, grew = {self.root}, True
        while grew:
            more = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= more
            grew = bool(more)
        return {pid: parents.get(pid, 0) for pid in tree}


def _hwm(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024  # MiB
    except (OSError, ValueError):
        pass
    return 0


def run_toolkit(root: Path, units: int) -> None:
    time_bin = shutil.which("time") or "/usr/bin/time"
    start = time.perf_counter()
    proc = subprocess.Popen([time_bin, "-f", "%M", sys.executable, "-m", "toolkit", "run", str(root / "c"),
                             str(root / "returns")], env={**os.environ, "PYTHONPATH": str(HERE.parent), "COLUMNS": "250"},
                            cwd=HERE.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watch = PeakWatch(proc.pid)
    if sys.platform.startswith("linux"):
        watch.start()
    for line in proc.stdout:  # each stage's summary line, as it appears
        print(f"  {time.perf_counter() - start:8.1f} s  {line.rstrip()[:150]}", flush=True)
    err = proc.stderr.read()
    proc.wait()
    wall = time.perf_counter() - start
    watch.done.set()
    if proc.returncode:
        raise SystemExit(f"toolkit run failed ({proc.returncode}):\n{err[-3000:]}")
    peak = int(err.strip().splitlines()[-1]) / 1024
    print(f"toolkit run, {units} returns: {wall:.1f} s ({wall / units * 1000:.2f} ms/return); largest single "
          f"process {peak:.0f} MiB (GNU time); {os.cpu_count()} cores, load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    workers = sorted((mib for pid, mib in watch.peaks.items() if watch.names[pid] == "worker"), reverse=True)
    mains = [mib for pid, mib in watch.peaks.items() if watch.names[pid] == "main"]
    if mains or workers:
        print(f"peak per process (VmHWM, sampled): main {max(mains, default=0)} MiB; {len(workers)} workers, "
              f"largest {workers[0] if workers else 0} MiB, all: {workers}")


def main() -> None:
    from returns import make_returns

    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = ap.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="toolkit-large-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        print(f"{os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        start = time.perf_counter()
        make_returns(root, args.units)
        print(f"generated and filled {args.units} returns in {time.perf_counter() - start:.1f} s", flush=True)
        run_toolkit(root, args.units)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
