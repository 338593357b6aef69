"""Results: run merge, score and report; download the workbooks and CSVs; view report.html.

Downloads go by a name from the fixed list below: nothing the request says becomes a path.
"""

from __future__ import annotations

import datetime as dt

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse
from starlette.routing import Route

from .context import checked_form, desk_of
from .overview import XLSX
from .work import results as run_results

__all__ = ["ROUTES", "OUTPUTS"]

CSV = "text/csv; charset=utf-8"
OUTPUTS = {  # download name -> (file under out/, media type)
    "consolidated.xlsx": ("consolidated.xlsx", XLSX),
    "scoring-sheet.xlsx": ("scoring-sheet.xlsx", XLSX),
    "chase-list.xlsx": ("chase-list.xlsx", XLSX),
    "values.csv": ("values.csv", CSV),
    "totals.csv": ("totals.csv", CSV),
    "scores.csv": ("scores.csv", CSV),
    "score_trace.csv": ("score_trace.csv", CSV),
    "status.csv": ("status.csv", CSV),
    "issues.csv": ("issues.csv", CSV),
    "ledger.csv": ("ledger.csv", CSV),
}


async def results_page(request: Request):
    desk = desk_of(request)
    files = []
    for name, (file, _) in OUTPUTS.items():
        path = desk.dir / "out" / file
        if path.is_file():
            stat = path.stat()
            files.append({"name": name, "size": _size(stat.st_size),
                          "at": dt.datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M")})
    job = desk.runner.jobs.get(request.query_params.get("job", ""))
    return desk.page(request, "results.html", {"files": files, "job": job,
                                               "report": (desk.dir / "out" / "report.html").is_file()})


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{max(1, n // 1024)} KB"


async def run(request: Request):
    desk = desk_of(request)
    await checked_form(request)

    def work(job):
        def progress(stage, n):
            job.stage, job.done = stage, job.done + n
        return run_results(desk.campaign(), desk.lang, progress)
    job = desk.runner.submit("results", work)
    job.total = 3
    return RedirectResponse(f"/results?job={job.id}", 303)


async def download(request: Request):
    desk = desk_of(request)
    entry = OUTPUTS.get(request.path_params["name"])
    if entry is None:
        raise HTTPException(404)
    path = desk.dir / "out" / entry[0]
    if not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, filename=entry[0], media_type=entry[1])


async def report(request: Request):
    """report.html as written, in a sandbox: it may show, never run anything."""
    desk = desk_of(request)
    path = desk.dir / "out" / "report.html"
    if not path.is_file():
        raise HTTPException(404)
    response = FileResponse(path, media_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = ("sandbox allow-modals; default-src 'none'; "
                                                   "style-src 'unsafe-inline'; img-src data:; font-src data:")
    return response


ROUTES = [Route("/results", results_page), Route("/results/run", run, methods=["POST"]),
          Route("/download/out/{name}", download), Route("/report", report)]
