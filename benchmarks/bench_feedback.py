"""Benchmark: a 退回修改 feedback workbook against generating the same unit's workbook (issue 16).

In one process, on N faulty returns of annual-assessment (every one with errors): the time
``write_feedback`` takes per faulty return, against the time generate takes per unit for the
same units (``generate_outbox`` with one worker, the same roster), in the same run. Medians
over --repeat runs; the ratio is the figure (target ≤ 10×). Usage:

    python benchmarks/bench_feedback.py [--faulty 200] [--repeat 3]

Never part of the test suite (times on a shared machine are no test).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from returns import make_returns  # noqa: E402

from toolkit.campaign.folder import load_campaign  # noqa: E402
from toolkit.feedback.workbooks import write_feedback  # noqa: E402
from toolkit.generate.outbox import generate_outbox  # noqa: E402
from toolkit.read.collect import collect  # noqa: E402
from toolkit.validate.stage import validate_campaign  # noqa: E402


def measure(root: Path, n: int, repeat: int, lang: str) -> tuple[float, float, int]:
    campaign, returns = make_returns(root, n, overrides={"f_members": "很多"})
    collect(campaign, [str(returns)], workers=1)
    gen, fb = [], []
    written = 0
    for _ in range(repeat):
        campaign = load_campaign(campaign.dir)  # template and roster loaded afresh, as a command does
        start = time.perf_counter()
        generate_outbox(campaign, lang=lang, workers=1)
        gen.append((time.perf_counter() - start) / n)
        campaign = load_campaign(campaign.dir)
        result = validate_campaign(campaign, lang)
        start = time.perf_counter()
        written = len(write_feedback(campaign, result, lang))
        fb.append((time.perf_counter() - start) / max(written, 1))
    return statistics.median(gen), statistics.median(fb), written


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--faulty", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lang", default="zh")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        gen, fb, written = measure(Path(tmp), args.faulty, args.repeat, args.lang)
    print(f"{written} feedback workbooks; medians of {args.repeat} runs")
    print(f"  generate per unit            {gen * 1000:8.2f} ms")
    print(f"  feedback per faulty return   {fb * 1000:8.2f} ms")
    print(f"  feedback / generate          {fb / gen:8.1f}x (target ≤ 10x)")


if __name__ == "__main__":
    main()
