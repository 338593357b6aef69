"""Regenerate docs/print/: what the demo campaign and every bundled template look like on paper.

``python -m toolkit.tools.gallery docs/print [--dpi 80]``

Runs ``toolkit demo`` and generates a blank outbox of every other bundled template in a
temporary folder, renders them with :mod:`toolkit.tools.render` (LibreOffice), and copies a
representative page or two of each workbook, found by the text on the page, to the output
folder under stable ASCII names. The README shows these pictures.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

import yaml

from . import render

__all__ = ["PICKS", "build", "main"]

_ROOT = Path(__file__).resolve().parents[2]
# (campaign, workbook file stem prefix, text that marks the page (None: the first page), picture name)
PICKS = [
    ("demo", "feedback-", "退回修改通知", "feedback-notice"),
    ("demo", "outbox-", "填报说明", "annual-assessment-instructions"),
    ("demo", "outbox-", "一、责任落实", "annual-assessment-indicators"),
    ("demo", "outbox-", "九、一票否决项", "annual-assessment-veto"),
    ("demo", "out-consolidated", "各组报送情况", "consolidated-summary"),
    ("demo", "out-consolidated", "a1.1 自评分", "consolidated-indicators"),
    ("demo", "out-scoring-sheet", None, "scoring-sheet"),
    ("demo", "out-scoring-sheet", "评分卡", "score-card"),
    ("demo", "out-chase-list", None, "chase-list"),
    ("inspection-survey", "outbox-", "调查问题", "inspection-survey"),
    ("gap-sprint", "outbox-", "差距清单", "gap-list"),
    ("rectification-ledger", "outbox-", "延期理由", "rectification-ledger"),
    ("evaluation", "outbox-", "评分（必填）", "evaluation"),
]
_OFFICE = {"contact": "组织部 王老师", "phone": "0571-88000000", "return_to": "电子邮件发送至 zzb@example.org"}


def _toolkit(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "toolkit", *args], check=True, capture_output=True, timeout=600)


def _campaigns(root: Path) -> dict[str, Path]:
    """The demo and a blank outbox of every other bundled template, in *root*."""
    dirs = {"demo": root / "demo"}
    _toolkit("demo", str(dirs["demo"]))
    for template in {p[0] for p in PICKS} - {"demo"}:
        d = dirs[template] = root / template
        _toolkit("init", str(d), "--template", template, "--roster", str(resources.files("toolkit") / "samples" / "roster.csv"),
                 "--year", "2026", "--deadline", "2026-12-20")
        config = yaml.safe_load((d / "campaign.yaml").read_text(encoding="utf-8"))
        config.update(_OFFICE)
        (d / "campaign.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        _toolkit("generate", str(d))
    return dirs


def _page_text(pdf: Path, page: int) -> str:
    done = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                          text=True, timeout=120)
    return done.stdout


def _pick(rendered: list[dict], prefix: str, marker: str | None) -> Path | None:
    book = next((b for b in rendered if Path(b["pdf"]).stem.startswith(prefix)), None)
    if book is None or not book["pages"]:
        return None
    if marker is None:
        return Path(book["pages"][0])
    for n, png in enumerate(book["pages"], start=1):
        if marker.replace(" ", "") in _page_text(Path(book["pdf"]), n).replace(" ", ""):
            return Path(png)
    return None


def build(out: Path, dpi: int = 80) -> list[Path]:
    """Render everything and copy the picked pages to *out*; returns the pictures written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="toolkit-gallery-") as tmp:
        dirs = _campaigns(Path(tmp))
        pages = {name: render.render(d, Path(tmp) / "pages" / name, dpi=dpi) for name, d in dirs.items()}
        for campaign, prefix, marker, name in PICKS:
            png = _pick(pages[campaign], prefix, marker)
            if png is None:
                print(f"no page of {prefix}* in {campaign} shows {marker!r}", file=sys.stderr)
                continue
            dest = out / f"{name}.png"
            shutil.copyfile(png, dest)
            written.append(dest)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m toolkit.tools.gallery", description="Regenerate docs/print/")
    p.add_argument("out", type=Path, nargs="?", default=_ROOT / "docs" / "print")
    p.add_argument("--dpi", type=int, default=80)
    args = p.parse_args(argv)
    try:
        written = build(args.out, args.dpi)
    except render.MissingTool as exc:
        print(render.message("missing", "zh", tool=exc.args[0]), file=sys.stderr)
        return 2
    print(f"{len(written)} pages in {args.out} ({sum(p.stat().st_size for p in written) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
