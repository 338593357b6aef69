"""Benchmark: `toolkit rollup` over 100,000 synthetic returns in 20 campaigns; time and peak memory.

The campaigns are not built from 100,000 workbooks: each campaign's Parquet tables (the ones
`toolkit export DIR --parquet` writes, with the same schemas) are synthesised directly, with the
annual-assessment template's fields, states in realistic shares (about 85 % accepted, 5 % faulty,
10 % missing), scores, grades and a ledger row per return. The roll-up then runs as a user runs it,
`python -m toolkit rollup OUT DIR/*`, in a child process whose peak memory is measured. Usage:

    python benchmarks/bench_rollup.py [--returns 100000] [--campaigns 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def synthesise(folder: Path, key: int, units: int, spec) -> int:
    """One campaign folder holding only campaign.yaml and out/parquet/: the tables export would write."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from toolkit.scale.export import field_types, metric_rows, schemas

    rng = random.Random(key)
    tables = {name: [] for name in schemas()}
    tables["campaign"].append({"campaign_name": f"2026年度考核（第{key}省）", "year": 2026, "template_id": spec.id,
                               "template_version": spec.version, "template_title": spec.title, "units": units})
    tables["metrics"] = metric_rows(spec)
    types = field_types(spec)
    numeric = [f for f, t in types.items() if t in ("int", "number") and "." not in f]
    scores = [f for f, t in types.items() if f.endswith(".self_score")]
    groups = ["县委", "市直部门", "国有企业", "学校"]
    for n in range(units):
        code, name, group = f"P{key:02d}U{n:05d}", f"第{key}省第{n + 1}党支部", groups[n % 4]
        draw = rng.random()
        state = "accepted" if draw < 0.85 else "faulty" if draw < 0.90 else "missing"
        tables["status"].append({"unit_code": code, "unit_name": name, "group": group, "contact": "联系人",
                                 "state": state, "errors": int(state == "faulty"), "warnings": 0,
                                 "source": "" if state == "missing" else f"returns/{code}.xlsx",
                                 "phone": "13800000000", "late": False})
        if state == "missing":
            continue
        sha = f"{key:02d}{n:062d}"
        tables["ledger"].append({"source": f"returns/{code}.xlsx", "sha256": sha, "size": 24000, "unit_code": code,
                                 "template_id": spec.id, "template_version": spec.version, "status": "accepted",
                                 "reason_code": "", "message": "", "received_at": "2026-12-01T09:00:00+08:00"})
        base = {"unit_code": code, "unit_name": name, "group": group, "state": state, "template_id": spec.id,
                "template_version": spec.version, "current": True}
        for field in numeric:
            value = rng.randint(0, 60)
            tables["values"].append({**base, "sheet": "基本信息", "field": field, "field_type": types[field],
                                     "value": str(value), "number": float(value), "raw": str(value)})
        tables["values"].append({**base, "sheet": "基本信息", "field": "last_election", "field_type": "date",
                                 "value": "2025-06-18", "date": dt.date(2025, 6, 18), "raw": "2025-06-18"})
        total = 0.0
        for field in scores:
            points = rng.randint(0, 5)
            total += points
            tables["values"].append({**base, "sheet": "考核指标", "field": field, "field_type": "score",
                                     "value": str(points), "number": float(points), "raw": str(points)})
        if state == "faulty":
            tables["issues"].append({"unit_code": code, "source": f"returns/{code}.xlsx", "sha256": sha,
                                     "sheet": "基本信息", "cell": "C6", "field": "members",
                                     "code": "value.not_a_number", "severity": "error", "value": "三十",
                                     "message": "不是数字"})
        tables["scores"].append({"unit_code": code, "unit_name": name, "group": group, "total": total,
                                 "state": state, "vetoed": rng.random() < 0.01})
    _rank(tables["scores"])
    out = folder / "out" / "parquet"
    out.mkdir(parents=True)
    (folder / "campaign.yaml").write_text(f"name: 第{key}省\nyear: 2026\ntemplate: {spec.id}\nroster: roster.csv\n",
                                          encoding="utf-8")
    for name, schema in schemas().items():
        pq.write_table(pa.Table.from_pylist(tables[name], schema=schema), out / f"{name}.parquet")
    return len(tables["values"])


def _rank(scores: list[dict]) -> None:
    """Competition ranks and grades of the accepted units, as the campaign's own scores.csv has them."""
    ranked = sorted((s for s in scores if s["state"] == "accepted"), key=lambda s: (s["vetoed"], -s["total"]))
    previous, rank = None, 0
    for n, s in enumerate(ranked, start=1):
        if (s["vetoed"], s["total"]) != previous:
            previous, rank = (s["vetoed"], s["total"]), n
        s["rank"] = rank
        s["grade"] = "优秀" if rank <= len(ranked) * 0.2 else "良好" if rank <= len(ranked) * 0.7 else "一般"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--returns", type=int, default=100_000)
    ap.add_argument("--campaigns", type=int, default=20)
    ap.add_argument("--keep")
    args = ap.parse_args()
    from toolkit.spec.load import find_template

    spec = find_template("annual-assessment")
    root = Path(args.keep or tempfile.mkdtemp(prefix="bench-rollup-"))
    root.mkdir(parents=True, exist_ok=True)
    per = args.returns // args.campaigns
    t = time.perf_counter()
    values = sum(synthesise(root / "provinces" / f"p{k:02d}", k, per, spec) for k in range(1, args.campaigns + 1))
    made = time.perf_counter() - t
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "toolkit", "rollup", str(root / "national"),
                           str(root / "provinces" / "*"), "--json"], capture_output=True, text=True)
    took = time.perf_counter() - t
    assert proc.returncode == 0, proc.stderr
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = json.loads(proc.stdout)
    print(json.dumps({"returns": per * args.campaigns, "campaigns": args.campaigns, "value_rows": values,
                      "synthesis_s": round(made, 1), "rollup_s": round(took, 2), "rollup_peak_mib": round(peak),
                      "tables": summary["tables"], "not_in_workbook": summary["not_in_workbook"]},
                     ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
