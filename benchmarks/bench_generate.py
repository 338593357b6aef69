"""Benchmark: generate N prefilled workbooks with the toolkit vs a plain openpyxl loop.

Both run in the same invocation on the same roster and template, each in a
fresh child process so that peak memory is measured per approach. Prints
wall time, peak RSS and the ratio. Usage:

    python benchmarks/bench_generate.py [--units 2000] [--template annual-assessment]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from returns import make_roster  # noqa: E402  (benchmarks/returns.py, beside this script)


def run_toolkit(campaign: str) -> None:
    from toolkit.campaign.folder import load_campaign
    from toolkit.generate.outbox import generate_outbox
    generate_outbox(load_campaign(campaign))


def run_openpyxl(campaign: str) -> None:
    """The naive way: build every unit's workbook from scratch with openpyxl."""
    import openpyxl
    from openpyxl.worksheet.datavalidation import DataValidation

    from toolkit.campaign.folder import load_campaign
    from toolkit.generate.outbox import unit_filename

    c = load_campaign(campaign)
    spec, roster = c.template(), c.roster()
    out = Path(campaign) / "outbox_openpyxl"
    out.mkdir(exist_ok=True)
    for unit in roster.units:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for sheet in spec.sheets:
            ws = wb.create_sheet(sheet.name)
            ws["B1"] = sheet.title
            ws["B2"] = f"填报单位：{unit.name}    表码：TK|{spec.id}|{spec.version}|{unit.code}"
            row = 4
            for f in sheet.fields:
                ws.cell(row, 1, f.id)
                ws.cell(row, 2, f.label)
                if f.prefill:
                    ws.cell(row, 3, unit.value(f.prefill))
                dv = DataValidation(promptTitle=f.label[:32], prompt=(f.help or f.label)[:255])
                ws.add_data_validation(dv)
                dv.add(ws.cell(row, 3))
                row += 1
            for item in sheet.items:
                ws.cell(row, 1, item.id)
                ws.cell(row, 3, item.content)
                ws.cell(row, 4, item.standard)
                ws.cell(row, 5, item.max_points)
                dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=str(item.max_points))
                ws.add_data_validation(dv)
                dv.add(ws.cell(row, 6))
                row += 1
            for n, col in enumerate(sheet.columns):
                ws.cell(3, 2 + n, col.label)
            ws.protection.sheet = True
        meta = wb.create_sheet("_meta")
        meta.append(["unit_code", unit.code])
        meta.sheet_state = "veryHidden"
        wb.save(out / unit_filename(unit, spec))


def child(approach: str, campaign: str) -> None:
    start = time.perf_counter()
    {"toolkit": run_toolkit, "openpyxl": run_openpyxl}[approach](campaign)
    wall = time.perf_counter() - start
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(json.dumps({"approach": approach, "wall": wall, "peak_mib": peak}))


def measure(approach: str, campaign: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", approach, campaign], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--template", default="annual-assessment")
    ap.add_argument("--child", nargs=2)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    from toolkit.campaign.folder import create_campaign
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.csv"
        make_roster(roster, args.units)
        create_campaign(Path(tmp) / "c", args.template, roster, year=2026)
        tk = measure("toolkit", str(Path(tmp) / "c"))
        naive = measure("openpyxl", str(Path(tmp) / "c"))
    print(f"units: {args.units}  template: {args.template}  cores: {os.cpu_count()}")
    print(f"toolkit   {tk['wall']:8.2f} s   peak {tk['peak_mib']:7.1f} MiB")
    print(f"openpyxl  {naive['wall']:8.2f} s   peak {naive['peak_mib']:7.1f} MiB")
    print(f"speed-up  {naive['wall'] / tk['wall']:8.1f} x   (target ≥ 20x)")


if __name__ == "__main__":
    main()
