"""Render every workbook of a campaign to PDF and PNG pages, as LibreOffice prints them.

``python -m toolkit.tools.render DIR [--out OUT] [--dpi 60] [--pages N] [--all-units]``

Takes one outbox workbook (the first unit's; every one with ``--all-units``), the feedback
workbooks and every workbook in out/, converts each to PDF with LibreOffice
(``soffice --headless --convert-to pdf``, in a private profile so it runs beside an open
LibreOffice or other renders) and each PDF to PNG pages with ``pdftoppm``. The pages land in
OUT (DIR/print by default) as ``<folder>-<workbook>.pdf`` and ``<folder>-<workbook>-<page>.png``:
what a clerk gets on paper, to look at before printing hundreds of copies.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..i18n import define, t

__all__ = ["workbooks", "render", "main", "message", "MissingTool"]

define("render", {
    "missing": ("未找到 {tool}：渲染打印页需要 LibreOffice（soffice）和 poppler（pdftoppm）。"
                "请先安装，例如 `apt-get install libreoffice-calc poppler-utils`，或在 Windows/macOS 上安装 LibreOffice 与 poppler，"
                "并确保它们在 PATH 中。",
                "{tool} not found: rendering print pages needs LibreOffice (soffice) and poppler (pdftoppm). "
                "Install them, e.g. `apt-get install libreoffice-calc poppler-utils`, and put them on PATH."),
    "no_dir": ("{dir} 不是任务文件夹（没有 campaign.yaml）。", "{dir} is not a campaign folder (no campaign.yaml)."),
    "none": ("{dir} 中没有可渲染的工作簿（outbox/、feedback/、out/ 都为空）。",
             "{dir} holds no workbook to render (outbox/, feedback/ and out/ are empty)."),
    "failed": ("LibreOffice 未能转换 {file}：{detail}", "LibreOffice could not convert {file}: {detail}"),
    "done": ("已渲染 {n} 个工作簿，共 {pages} 页，见 {out}", "Rendered {n} workbooks, {pages} pages, in {out}"),
})


class MissingTool(RuntimeError):
    """soffice or pdftoppm is not installed."""


def message(key: str, lang: str, **kw) -> str:
    return t(f"render.{key}", lang, **kw)


def workbooks(campaign_dir: Path, all_units: bool = False) -> list[Path]:
    """The workbooks of a campaign worth printing: an outbox sample, the feedback, the outputs."""
    d = Path(campaign_dir)
    outbox = sorted((d / "outbox").glob("*.xlsx"))
    found = outbox if all_units else outbox[:1]
    return found + sorted((d / "feedback").glob("*.xlsx")) + sorted((d / "out").glob("*.xlsx"))


def _tools() -> tuple[str, str]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise MissingTool("soffice")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise MissingTool("pdftoppm")
    return soffice, pdftoppm


def _to_pdf(soffice: str, src: Path, dest: Path, profile: Path, lang: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / ("in" + src.suffix)  # an ASCII name: soffice names its output after its input
        shutil.copyfile(src, work)
        cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", tmp, str(work)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        pdf = Path(tmp) / "in.pdf"
        if not pdf.is_file():
            detail = (done.stderr or done.stdout or f"exit {done.returncode}").strip()[:300]
            raise RuntimeError(message("failed", lang, file=src, detail=detail))
        shutil.move(str(pdf), dest)


def render(campaign_dir: Path, out: Path, *, dpi: int = 60, pages: int | None = None, all_units: bool = False,
           lang: str = "zh") -> list[dict]:
    """PDF and PNG pages of every workbook of the campaign in *out*; one dict per workbook."""
    d = Path(campaign_dir)
    if not (d / "campaign.yaml").is_file():
        raise FileNotFoundError(message("no_dir", lang, dir=d))
    books = workbooks(d, all_units)
    if not books:
        raise FileNotFoundError(message("none", lang, dir=d))
    soffice, pdftoppm = _tools()
    out.mkdir(parents=True, exist_ok=True)
    done = []
    with tempfile.TemporaryDirectory(prefix="toolkit-render-") as profile:
        for book in books:
            stem = f"{book.parent.name}-{book.stem}"
            pdf = out / f"{stem}.pdf"
            _to_pdf(soffice, book, pdf, Path(profile), lang)
            cmd = [pdftoppm, "-png", "-r", str(dpi)] + (["-l", str(pages)] if pages else []) + [str(pdf),
                                                                                               str(out / stem)]
            subprocess.run(cmd, check=True, capture_output=True, timeout=300)
            pngs = sorted(out.glob(f"{_glob_escape(stem)}-*.png"))
            done.append({"workbook": str(book), "pdf": str(pdf), "pages": [str(p) for p in pngs]})
    return done


def _glob_escape(text: str) -> str:
    """*text* with glob's special characters taken literally."""
    import glob
    return glob.escape(text)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m toolkit.tools.render",
                                description="渲染任务的全部工作簿为 PDF 和 PNG 打印页 / "
                                            "Render a campaign's workbooks to PDF and PNG pages")
    p.add_argument("dir", type=Path, help="任务文件夹 / the campaign folder")
    p.add_argument("--out", type=Path, help="输出文件夹（默认 DIR/print）/ output folder (default DIR/print)")
    p.add_argument("--dpi", type=int, default=60, help="PNG 分辨率 / PNG resolution (default 60)")
    p.add_argument("--pages", type=int, help="每个工作簿最多渲染的页数 / at most this many pages per workbook")
    p.add_argument("--all-units", action="store_true", help="渲染 outbox 中每个单位的工作簿 / every outbox workbook")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--json", action="store_true", help="在标准输出打印 JSON 摘要 / JSON summary on stdout")
    args = p.parse_args(argv)
    out = args.out or args.dir / "print"
    try:
        done = render(args.dir, out, dpi=args.dpi, pages=args.pages, all_units=args.all_units, lang=args.lang)
    except MissingTool as exc:
        print(message("missing", args.lang, tool=exc.args[0]), file=sys.stderr)
        return 2
    except (FileNotFoundError, RuntimeError) as exc:
        print(str(exc), file=sys.stderr)
        return 2 if isinstance(exc, FileNotFoundError) else 1
    if args.json:
        print(json.dumps({"status": "ok", "workbooks": done}, ensure_ascii=False))
    else:
        print(message("done", args.lang, n=len(done), pages=sum(len(x["pages"]) for x in done), out=out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
