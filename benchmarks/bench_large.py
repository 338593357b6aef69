"""Benchmark: one synthetic campaign of many returns (default 100,000) through `toolkit run`.

The returns are generated and filled by benchmarks/returns.py (one filled master rendered per
unit), then `python -m toolkit run DIR RETURNS` runs once from collect to report; the script
prints the wall time, the time per return and the peak resident memory of the largest single
process (GNU time's %M: the main process or a pool worker). Usage:

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
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    from returns import make_returns

    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = ap.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="toolkit-large-"))
    try:
        start = time.perf_counter()
        make_returns(root, args.units)
        made = time.perf_counter() - start
        print(f"generated and filled {args.units} returns in {made:.1f} s", flush=True)
        start = time.perf_counter()
        out = subprocess.run([shutil.which("time") or "/usr/bin/time", "-f", "%M", sys.executable, "-m", "toolkit",
                              "run", str(root / "c"), str(root / "returns")],
                             env={**os.environ, "PYTHONPATH": str(HERE.parent)}, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if out.returncode:
            raise SystemExit(f"toolkit run failed ({out.returncode}):\n{out.stderr[-3000:]}")
        peak = int(out.stderr.strip().splitlines()[-1]) / 1024
        print(f"toolkit run, {args.units} returns: {wall:.1f} s ({wall / args.units * 1000:.2f} ms/return), "
              f"peak {peak:.0f} MiB in one process; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
