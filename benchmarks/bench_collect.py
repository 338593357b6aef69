"""Benchmark: collect + validate N returns vs a naive pandas loop vs the unzip floor.

All approaches run in the same invocation on the same files, each in a fresh
child process (peak memory is per approach, including worker processes).
Prints wall times, ratios and peak memory, then the toolkit's time per
return at several sizes to show how it grows. Usage:

    python benchmarks/bench_collect.py [--units 2000] [--scaling 1000,8000] [--skip-naive]

Targets on a 2-core machine: ≥ 30x faster than the naive loop, ≤ 3x the unzip
floor, identification alone ≤ 0.3x of a full read, peak memory ≤ 300 MiB,
time growing linearly with the number of returns. The same collect with its readers
in an unguarded pool (no limits, several files per task) shows what isolation costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _peak_mib() -> float:
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def toolkit_collect_validate(root: Path, campaign_dir: str = "c") -> None:
    from toolkit.campaign.folder import load_campaign
    from toolkit.read.collect import collect
    from toolkit.validate.stage import validate_campaign
    campaign = load_campaign(root / campaign_dir)
    result = collect(campaign, [str(root / "returns")])
    assert result.counts.get("accepted") == result.offered, result.counts
    validate_campaign(campaign)


class _UnisolatedPool:
    """The reading pool before isolation (a ProcessPoolExecutor, no limits): the guard's cost is measured against it."""

    def __init__(self, init_args, workers):
        from concurrent.futures import ProcessPoolExecutor

        from toolkit.read.collect import _init
        self.pool = ProcessPoolExecutor(workers or min(os.cpu_count() or 1, 4), initializer=_init, initargs=init_args)

    def submit(self, todo):
        from toolkit.read.collect import _identify_one
        return self.pool.map(_identify_one, [(o.source, o.data, o.kind, sha) for o, sha, _ in todo], chunksize=16)

    def read(self, jobs):
        from toolkit.read.collect import _identify_one
        return list(self.pool.map(_identify_one, jobs, chunksize=16))

    def reread(self, stored):
        from toolkit.read.collect import identify_stored
        return list(self.pool.map(identify_stored, stored, chunksize=16))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown()


def toolkit_collect_validate_unisolated(root: Path) -> None:
    """The same collect + validate with the readers in an unguarded pool: what isolation costs is the difference."""
    import toolkit.read.collect
    toolkit.read.collect._Pool = _UnisolatedPool
    toolkit_collect_validate(root, "c_unisolated")


def naive_pandas(root: Path) -> None:
    import pandas as pd
    for path in sorted((root / "returns").iterdir()):
        pd.read_excel(path, sheet_name=None, header=None)


def unzip_floor(root: Path) -> None:
    for path in sorted((root / "returns").iterdir()):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                    zf.read(name)


def identify_only(root: Path) -> None:
    """The fast identification path: the custom-properties carrier straight from the zip."""
    from toolkit.read.reader import read_package_props
    for path in sorted((root / "returns").iterdir()):
        props, _, _ = read_package_props(path.read_bytes(), "xlsx")
        assert props["toolkit_unit_code"]


def full_read(root: Path) -> None:
    from toolkit.read.reader import read_workbook
    for path in sorted((root / "returns").iterdir()):
        read_workbook(path.read_bytes(), "xlsx")


def _pool_stage(path: str, level: int) -> None:
    """One return through the first *level* stages of the toolkit's worker, nothing stored or recorded."""
    from toolkit.intake.walk import workbook_problem
    from toolkit.read.collect import _WORKER, _package
    from toolkit.read.identify import identify
    from toolkit.read.reader import read_workbook
    data = Path(path).read_bytes()
    package = _package(data, "xlsx")
    if level >= 3:
        workbook_problem(data, _WORKER["limits"], package)
    raw = read_workbook(data, "xlsx", _WORKER["skip"], names=False, package=package)
    if level >= 2:
        identify(raw, _WORKER["spec"], _WORKER["roster"], _WORKER["versions"], path, _WORKER["known"])


def _pool_floor(root: Path, level: int) -> None:
    """The reading stages alone in the collect pool's shape (workers = cores, at most 4)."""
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    from toolkit.campaign.folder import load_campaign
    from toolkit.intake.walk import Limits
    from toolkit.read.collect import _BundledIds, _init
    campaign = load_campaign(root / "c")
    spec = campaign.template()
    init = (spec, campaign.roster(), campaign.accepted_versions(spec), _BundledIds(), Limits())
    paths = [str(p) for p in sorted((root / "returns").iterdir())]
    with ProcessPoolExecutor(min(os.cpu_count() or 1, 4), initializer=_init, initargs=init) as pool:
        list(pool.map(partial(_pool_stage, level=level), paths, chunksize=16))


def floor_calamine(root: Path) -> None:
    """calamine reading every return in the pool: the chosen reader's own floor."""
    _pool_floor(root, 1)


def floor_calamine_identify(root: Path) -> None:
    _pool_floor(root, 2)


def floor_calamine_identify_checks(root: Path) -> None:
    """... plus the package safety checks that keep calamine from aborting the process."""
    _pool_floor(root, 3)


APPROACHES = {f.__name__: f for f in (toolkit_collect_validate, toolkit_collect_validate_unisolated, naive_pandas, unzip_floor, identify_only, full_read,
                                      floor_calamine, floor_calamine_identify, floor_calamine_identify_checks)}


def child(name: str, root: str) -> None:
    start = time.perf_counter()
    APPROACHES[name](Path(root))
    print(json.dumps({"wall": time.perf_counter() - start, "peak_mib": _peak_mib()}))


def measure(name: str, root: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", name, str(root)], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare(n: int, tmp: Path) -> Path:
    from returns import make_returns
    root = tmp / f"n{n}"
    root.mkdir()
    make_returns(root, n)
    shutil.copytree(root / "c", root / "c_unisolated")  # its own campaign: nothing seen before
    return root


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--scaling", default="1000,8000")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--child", nargs=2)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = prepare(args.units, Path(tmp))
        r = {name: measure(name, root) for name in APPROACHES if not (args.skip_naive and name == "naive_pandas")}
        print(f"returns: {args.units}  cores: {os.cpu_count()}")
        for name, m in r.items():
            print(f"{name:26s} {m['wall']:8.2f} s   peak {m['peak_mib']:7.1f} MiB")
        tk = r["toolkit_collect_validate"]["wall"]
        if "naive_pandas" in r:
            print(f"speed-up vs naive pandas loop   {r['naive_pandas']['wall'] / tk:6.1f} x  (target ≥ 30x)")
        print(f"toolkit / unzip floor           {tk / r['unzip_floor']['wall']:6.2f} x  (target ≤ 3x)")
        print(f"isolated / unisolated readers   {tk / r['toolkit_collect_validate_unisolated']['wall']:6.2f} x  "
              f"(the guard's cost: worker limits, one file at a time per worker)")
        print(f"package checks / reading alone  {r['floor_calamine_identify_checks']['wall'] / r['floor_calamine_identify']['wall']:6.2f} x")
        print(f"identify-only / full read       {r['identify_only']['wall'] / r['full_read']['wall']:6.2f} x  (target ≤ 0.3x)")
        print(f"toolkit peak memory             {r['toolkit_collect_validate']['peak_mib']:6.1f} MiB (target ≤ 300)")
        if "naive_pandas" in r:  # what the same target would leave if the toolkit did nothing but these stages
            for name in ("floor_calamine", "floor_calamine_identify", "floor_calamine_identify_checks"):
                print(f"  {name:30s} alone: {r['naive_pandas']['wall'] / r[name]['wall']:5.1f} x naive, "
                      f"{r[name]['wall'] / r['unzip_floor']['wall']:4.2f} x unzip floor")
        for n in [int(x) for x in args.scaling.split(",") if x]:
            root_n = prepare(n, Path(tmp))
            m = measure("toolkit_collect_validate", root_n)
            print(f"scaling: {n:6d} returns  {m['wall']:7.2f} s  {m['wall'] / n * 1000:6.2f} ms/return  "
                  f"peak {m['peak_mib']:6.1f} MiB")


if __name__ == "__main__":
    main()
