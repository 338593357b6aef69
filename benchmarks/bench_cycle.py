"""Benchmark: the whole cycle, before and after, in one run (issue 16's table).

Every figure is a command as a user runs it (`python -m toolkit ...`, start-up included), in a
fresh child process, timed by wall clock with its peak resident memory (the largest single
process of its tree, pool workers included, as GNU time's %M reports it). "before" runs the
same commands against the code at --base (checked out with `git worktree add` into a temporary
folder), "after" against this tree; the baselines (a naive pandas loop that only reads the
returns, and the unzip floor) run once per size. Medians over --repeat runs; the machine is
shared, so compare the ratios within the run. Usage:

    python benchmarks/bench_cycle.py [--base COMMIT] [--units 1000] [--collect-units 2000]
                                     [--memory-units 8000] [--faulty 200] [--repeat 3] [--skip-naive]
                                     [--skip-before] [--base-dir DIR]

Printed: the baselines (naive loop and unzip floor at --units and --collect-units); per side
collect + validate, merge, score, report and run at --units, collect + validate at
--collect-units, feedback per faulty return against generating one unit's workbook, and at
--memory-units every step as its own command (merge's time, each step's peak) and `toolkit run`;
then each target of the issue as a ratio within the run.

Never part of the test suite (times on a shared machine are no test).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
TIME = shutil.which("time") or "/usr/bin/time"


def command(code: Path, args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak MiB of `python -m toolkit ARGS` run against the code in *code*."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    start = time.perf_counter()
    out = subprocess.run([TIME, "-f", "%M", sys.executable, "-m", "toolkit", *args], env=env, cwd=code,
                         capture_output=True, text=True)  # cwd: `python -m` puts it before PYTHONPATH
    wall = time.perf_counter() - start
    if out.returncode not in (0, 1):  # validate exits 1 when returns have errors (the faulty set)
        raise SystemExit(f"toolkit {' '.join(args)} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return wall, int(out.stderr.strip().splitlines()[-1]) / 1024


def python(code: Path, snippet: str) -> float:
    env = {**os.environ, "PYTHONPATH": f"{code}{os.pathsep}{HERE}"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", snippet], env=env, check=True)
    return time.perf_counter() - start


def naive_pandas(returns: Path) -> float:
    return python(REPO, "import warnings; warnings.simplefilter(\"ignore\")\nimport pandas as pd, pathlib\n"
                        f"for p in sorted(pathlib.Path({str(returns)!r}).iterdir()):\n"
                        "    pd.read_excel(p, sheet_name=None, header=None)")


def unzip_floor(returns: Path) -> float:
    start = time.perf_counter()
    for path in sorted(returns.iterdir()):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                    zf.read(name)
    return time.perf_counter() - start


def prepare(root: Path, n: int, faulty: bool = False) -> Path:
    from returns import make_returns
    root.mkdir(parents=True)
    make_returns(root, n, overrides={"f_members": "很多"} if faulty else None)
    return root


def fresh(root: Path, name: str) -> Path:
    """A copy of the untouched campaign for one measurement (nothing collected yet)."""
    dst = root / name
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(root / "c", dst)
    return dst


class Side:
    def __init__(self, name: str, code: Path, repeat: int):
        self.name, self.code, self.repeat, self.fig = name, code, repeat, {}
        self.runs: dict[str, list] = {}
        self.times: dict[str, list] = {"clean": [], "faulty": [], "generate": []}

    def median(self, key: str, runs: list[tuple[float, float]]) -> None:
        """Runs accumulate over the rounds (before and after alternate, so both see the same load)."""
        runs = self.runs.setdefault(key, []) + list(runs)
        self.runs[key] = runs
        self.fig[key] = (statistics.median(w for w, _ in runs), max(m for _, m in runs))

    def cycle(self, root: Path) -> None:
        """collect + validate (two commands), then merge, score, report on the same campaign; run."""
        cv, steps = [], {s: [] for s in ("merge", "score", "report")}
        for k in range(self.repeat):
            c = fresh(root, f"{self.name}{k}")
            a = command(self.code, ["collect", str(c), str(root / "returns")])
            b = command(self.code, ["validate", str(c)])
            cv.append((a[0] + b[0], max(a[1], b[1])))
            for step in steps:
                steps[step].append(command(self.code, [step, str(c)]))
            shutil.rmtree(c)
        self.median("collect+validate", cv)
        for step, runs in steps.items():
            self.median(step, runs)
        self.median("run", [self.run(root) for _ in range(self.repeat)])

    def run(self, root: Path) -> tuple[float, float]:
        c = fresh(root, f"{self.name}_run")
        try:
            return command(self.code, ["run", str(c), str(root / "returns")])
        finally:
            shutil.rmtree(c)

    def collect_validate(self, root: Path, key: str) -> None:
        runs = []
        for k in range(self.repeat):
            c = fresh(root, f"{self.name}{k}")
            a = command(self.code, ["collect", str(c), str(root / "returns")])
            b = command(self.code, ["validate", str(c)])
            runs.append((a[0] + b[0], max(a[1], b[1])))
            shutil.rmtree(c)
        self.median(key, runs)

    def feedback(self, clean: Path, faulty: Path, n: int) -> None:
        """Per faulty return: validate on n faulty returns minus validate on n clean ones, over n;
        against generating one unit's workbook (generate on n units, over n)."""
        times = self.times
        for k in range(self.repeat):
            for kind, root in (("clean", clean), ("faulty", faulty)):
                c = fresh(root, f"{self.name}{k}")
                command(self.code, ["collect", str(c), str(root / "returns")])
                times[kind].append(command(self.code, ["validate", str(c)])[0])
                shutil.rmtree(c)
            c = fresh(clean, f"{self.name}_gen{k}")
            times["generate"].append(command(self.code, ["generate", str(c)])[0])
            shutil.rmtree(c)
        med = {k: statistics.median(v) for k, v in times.items()}
        self.fig["feedback per faulty return"] = (max(med["faulty"] - med["clean"], 0.0) / n, 0.0)
        self.fig["generate per unit"] = (med["generate"] / n, 0.0)


    def large(self, root: Path, n: int) -> None:
        """At n returns: each step as its own command (merge's time and every step's peak), then `toolkit run`."""
        c = fresh(root, f"{self.name}_steps")
        try:
            for step in ("collect", "validate", "merge", "score", "report"):
                args = [step, str(c), str(root / "returns")] if step == "collect" else [step, str(c)]
                self.fig[f"{step} {n}"] = command(self.code, args)
        finally:
            shutil.rmtree(c)
        self.fig[f"run {n}"] = self.run(root)


def base_tree(commit: str, tmp: Path) -> Path:
    path = tmp / "base"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(path), commit], check=True)
    return path


def report(args, sides: list[Side], base: dict[str, float], load: tuple) -> None:
    """Issue 16's table: each figure per side, then each target as a ratio within this run."""
    n, n2, n8 = args.units, args.collect_units, args.memory_units
    print(f"machine: {os.cpu_count()} cores, load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f} "
          f"(1/5/15 min now: {' '.join(f'{x:.1f}' for x in os.getloadavg())}); medians of {args.repeat} runs")
    for key, value in base.items():
        print(f"  {key:44s} {value:8.2f} s")
    print(f"  {'figure':44s} " + "  ".join(f"{s.name:>22s}" for s in sides))
    for key in sides[-1].fig:
        cells = []
        for s in sides:
            wall, mib = s.fig.get(key, (float("nan"), 0.0))
            unit = f"{wall * 1000:8.2f} ms" if "per" in key else f"{wall:8.2f} s "
            cells.append(f"{unit} {mib:6.0f} MiB" if mib else f"{unit}{'':>11s}")
        print(f"  {key:44s} " + "  ".join(f"{c:>22s}" for c in cells))
    print("targets (ratios within this run):")
    for s in sides:
        print(f"  {s.name}: " + "; ".join(_targets(s.fig, base, n, n2, n8)))


def _targets(f: dict, base: dict, n: int, n2: int, n8: int) -> list[str]:
    line = []
    cv, cv2 = f["collect+validate"][0], f[f"collect+validate {n2}"][0]
    if f"naive {n}" in base:
        line.append(f"c+v {n} {base[f'naive {n}'] / cv:5.1f}x faster than naive")
        line.append(f"run {base[f'naive {n}'] / f['run'][0]:5.1f}x faster than naive (≥10)")
    line.append(f"c+v {n} {cv / base[f'unzip floor {n}']:5.1f}x the unzip floor")
    msr = f["merge"][0] + f["score"][0] + f["report"][0]
    line.append(f"merge+score+report / collect+validate {msr / cv:4.2f} (≤1)")
    if f"naive {n2}" in base:
        line.append(f"c+v {n2} {base[f'naive {n2}'] / cv2:5.1f}x faster than naive (≥20)")
    line.append(f"c+v {n2} {cv2 / base[f'unzip floor {n2}']:5.1f}x the unzip floor (≤4)")
    line.append(f"feedback {f['feedback per faulty return'][0] / f['generate per unit'][0]:5.1f}x generate (≤10)")
    if f"run {n8}" in f:
        peak = max(m for k, (_, m) in f.items() if k.endswith(f" {n8}"))
        line.append(f"{n8} returns: peak {peak:.0f} MiB in one process (<300), time per return "
                    f"{f[f'run {n8}'][0] / n8 / (f['run'][0] / n):4.2f}x that at {n} (1 = linear)")
    return line


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="2bcff3e", help="the commit measured as before (default: before issue 16)")
    ap.add_argument("--base-dir", type=Path, help="a checkout of the before code to use instead of --base")
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--collect-units", type=int, default=2000)
    ap.add_argument("--memory-units", type=int, default=8000)
    ap.add_argument("--faulty", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--skip-before", action="store_true")
    args = ap.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sides = [Side("after", REPO, 1)]
        if not args.skip_before:
            sides.insert(0, Side("before", args.base_dir or base_tree(args.base, tmp), 1))
        try:
            small = prepare(tmp / f"n{args.units}", args.units)
            big = prepare(tmp / f"n{args.collect_units}", args.collect_units)
            clean = prepare(tmp / f"clean{args.faulty}", args.faulty)
            faulty = prepare(tmp / f"faulty{args.faulty}", args.faulty, faulty=True)
            base = {f"unzip floor {size}": statistics.median(unzip_floor(root / "returns") for _ in range(args.repeat))
                    for size, root in ((args.units, small), (args.collect_units, big))}
            if not args.skip_naive:
                base[f"naive {args.units}"] = naive_pandas(small / "returns")
                base[f"naive {args.collect_units}"] = naive_pandas(big / "returns")
            for _ in range(args.repeat):  # before and after alternate: a load change hits both alike
                for side in sides:
                    side.cycle(small)
                    side.collect_validate(big, f"collect+validate {args.collect_units}")
                    side.feedback(clean, faulty, args.faulty)
            shutil.rmtree(big)
            if args.memory_units:
                mem = prepare(tmp / f"n{args.memory_units}", args.memory_units)
                for side in sides:
                    side.large(mem, args.memory_units)
            report(args, sides, base, load)
        finally:
            if not args.skip_before and not args.base_dir:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tmp / "base")])


if __name__ == "__main__":
    main()
