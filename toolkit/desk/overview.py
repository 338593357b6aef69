"""The overview page and the chase list download."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from .context import desk_of
from .work import overview as count_units
from .work import refresh_status

__all__ = ["ROUTES"]


async def overview(request: Request):
    desk = desk_of(request)
    campaign = desk.campaign()
    data = await run_in_threadpool(count_units, campaign, desk.lang)
    return desk.page(request, "overview.html", {"o": data})


async def chase_list(request: Request):
    """Written afresh by the job thread (it holds the lock), then sent."""
    desk = desk_of(request)
    job = desk.runner.submit("status", lambda job: refresh_status(desk.campaign(), desk.lang))
    await run_in_threadpool(desk.runner.wait, job, 120.0)
    path = desk.dir / "out" / "chase-list.xlsx"
    if job.state != "done" or not path.is_file():
        return desk.page(request, "message.html", {"text": job.error or desk.t("stage.busy")}, status_code=503)
    name = desk.t("chase_file")
    return FileResponse(path, filename=name, media_type=XLSX)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ROUTES = [Route("/", overview), Route("/download/chase-list", chase_list)]
