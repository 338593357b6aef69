"""Benchmark: memory and time of merge, score and report as campaigns grow (issue 16), before and after.

For each size (default 1,000 and 8,000 returns, made by benchmarks/returns.py) and each side
("before": the code at --base, checked out with `git worktree add`; "after": this tree), it runs

- `toolkit run DIR RETURNS` on a fresh campaign: wall time, CPU time, time per return and the peak
  resident memory of the largest single process (GNU time's %M: the main process or a worker);
- then, on that campaign (collected and validated by the run), `toolkit collect` + `toolkit validate`
  on a second fresh copy, and `toolkit merge`, `score`, `report` one by one, each with its peak.

It prints per side: peaks, time per return at each size and its ratio to the smallest size
(1 = linear), and merge + score + report over collect + validate. Sides alternate per size, so a
load change on the shared machine hits both alike; CPU seconds (user + system) are shown beside
wall seconds because they are less disturbed by other jobs. Usage:

    python benchmarks/bench_flat.py [--sizes 1000,8000] [--base COMMIT] [--base-dir DIR] [--skip-before]

Never part of the test suite.
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
REPO = HERE.parent
sys.path.insert(0, str(HERE))
TIME = shutil.which("time") or "/usr/bin/time"
STEPS = ("merge", "score", "report")


def command(code: Path, args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system, the tree) and peak MiB of `python -m toolkit ARGS`."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    start = time.perf_counter()
    out = subprocess.run([TIME, "-f", "%U %S %M", sys.executable, "-m", "toolkit", *args], env=env, cwd=code,
                         capture_output=True, text=True)  # cwd: `python -m` puts it before PYTHONPATH
    wall = time.perf_counter() - start
    if out.returncode not in (0, 1):
        raise SystemExit(f"toolkit {' '.join(args)} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    user, system, peak = out.stderr.strip().splitlines()[-1].split()
    return wall, float(user) + float(system), int(peak) / 1024


from bench_cycle import fresh, prepare  # noqa: E402  (one way to make and copy a campaign of N returns)


def measure(code: Path, root: Path, name: str) -> dict[str, tuple[float, float, float]]:
    """`toolkit run`, then collect + validate on a fresh copy and merge, score, report one by one."""
    fig = {}
    c = fresh(root, f"{name}_run")
    fig["run"] = command(code, ["run", str(c), str(root / "returns")])
    for step in STEPS:
        fig[step] = command(code, [step, str(c)])
    shutil.rmtree(c)
    c = fresh(root, f"{name}_cv")
    a = command(code, ["collect", str(c), str(root / "returns")])
    b = command(code, ["validate", str(c)])
    fig["collect+validate"] = (a[0] + b[0], a[1] + b[1], max(a[2], b[2]))
    shutil.rmtree(c)
    return fig


def show(sizes: list[int], sides: dict[str, dict[int, dict]]) -> None:
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    keys = ["run", "collect+validate", *STEPS]
    for name, figs in sides.items():
        print(f"{name}:")
        for n in sizes:
            for key in keys:
                wall, cpu, peak = figs[n][key]
                print(f"  {n:6d} {key:18s} {wall:8.2f} s wall {cpu:8.2f} s cpu {peak:7.0f} MiB peak"
                      f"   {wall / n * 1000:6.2f} ms/return")
        small = sizes[0]
        for n in sizes[1:]:
            for key in ("run", *STEPS):
                r_wall = (figs[n][key][0] / n) / (figs[small][key][0] / small)
                r_cpu = (figs[n][key][1] / n) / (figs[small][key][1] / small)
                print(f"  time per return {key:8s} at {n} / at {small}: {r_wall:4.2f} wall, {r_cpu:4.2f} cpu (1 = linear)")
        for n in sizes:
            f = figs[n]
            msr = [sum(f[s][i] for s in STEPS) for i in (0, 1)]
            cv = f["collect+validate"]
            print(f"  {n}: merge+score+report / collect+validate {msr[0] / cv[0]:4.2f} wall, {msr[1] / cv[1]:4.2f} cpu "
                  f"(≤ 1); largest process {max(v[2] for v in f.values()):.0f} MiB (< 300)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,8000")
    ap.add_argument("--base", default="main", help="the commit measured as before")
    ap.add_argument("--base-dir", type=Path, help="a checkout of the before code to use instead of --base")
    ap.add_argument("--skip-before", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        code = {"after": REPO}
        if not args.skip_before:
            base = args.base_dir
            if base is None:
                base = tmp / "base"
                subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(base), args.base],
                               check=True)
            code = {"before": base, "after": REPO}
        sides: dict[str, dict[int, dict]] = {name: {} for name in code}
        try:
            for n in sizes:
                root = prepare(tmp / f"n{n}", n)
                for name, path in code.items():
                    sides[name][n] = measure(path, root, name)
                shutil.rmtree(root)
            show(sizes, sides)
        finally:
            if not args.skip_before and not args.base_dir:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tmp / "base")])


if __name__ == "__main__":
    main()
