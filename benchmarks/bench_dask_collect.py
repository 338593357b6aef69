"""Benchmark: `toolkit collect` of N returns, locally and on a Dask LocalCluster of two workers.

Both runs take the same N filled annual-assessment returns (made by returns.py) into two copies
of one campaign, each in a fresh child process (`python -m toolkit collect ...`); the cluster
(two worker processes, one thread each, on this machine) is started before its run and not
timed. Prints wall times side by side and checks that the two ledgers hold the same rows.
Usage:

    python benchmarks/bench_dask_collect.py [--units 8000]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def timed_collect(folder: Path, returns: Path, *extra: str) -> float:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "toolkit", "collect", str(folder), str(returns), "--json", *extra],
                          capture_output=True, text=True)
    took = time.perf_counter() - t
    assert proc.returncode == 0, proc.stderr
    return took


def ledger_rows(folder: Path) -> list[tuple]:
    with open(folder / "out" / "ledger.csv", encoding="utf-8-sig", newline="") as fh:
        return [(r["source"], r["sha256"], r["unit_code"], r["status"]) for r in csv.DictReader(fh)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=8000)
    args = ap.parse_args()
    from distributed import LocalCluster
    from returns import make_returns

    root = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    t = time.perf_counter()
    campaign, returns = make_returns(root, args.units)
    made = time.perf_counter() - t
    shutil.copytree(campaign.dir, root / "d")
    local = timed_collect(campaign.dir, returns)
    local_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        dask = timed_collect(root / "d", returns, "--dask", cluster.scheduler_address)
    assert ledger_rows(campaign.dir) == ledger_rows(root / "d")
    print(json.dumps({"returns": args.units, "making_returns_s": round(made, 1), "local_s": round(local, 1),
                      "dask_local_cluster_2_s": round(dask, 1), "local_peak_mib": round(local_peak),
                      "same_ledger": True}, indent=2))
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
