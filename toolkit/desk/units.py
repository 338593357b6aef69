"""The units list (search, filter by state and group), a unit's page, its feedback workbook."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from .context import desk_of
from .overview import XLSX
from .work import feedback_file, unit_detail, unit_rows

__all__ = ["ROUTES", "matching"]


def matching(rows: list[dict], q: str, state: str, group: str) -> list[dict]:
    q = q.strip().lower()
    return [r for r in rows
            if (not q or any(q in str(r[k]).lower() for k in ("code", "name", "contact", "phone")))
            and (not state or r["state"] == state or (state == "late" and r["late"]))
            and (not group or r["group"] == group)]


async def units(request: Request):
    desk = desk_of(request)
    rows = await run_in_threadpool(unit_rows, desk.campaign(), desk.lang)
    q, state, group = (request.query_params.get(k, "")[:100] for k in ("q", "state", "group"))
    shown = matching(rows, q, state, group)
    return desk.page(request, "units.html", {"rows": shown, "total": len(rows), "q": q, "state": state,
                                             "group": group, "groups": sorted({r["group"] for r in rows})})


async def unit(request: Request):
    desk = desk_of(request)
    detail = await run_in_threadpool(unit_detail, desk.campaign(), request.path_params["code"], desk.lang)
    if detail is None:
        raise HTTPException(404)
    return desk.page(request, "unit.html", {"u": detail})


async def feedback(request: Request):
    """Only the file feedback/index.csv names for a roster unit: nothing from the request reaches the disk."""
    desk = desk_of(request)
    campaign = desk.campaign()
    code = request.path_params["code"]
    if code not in campaign.roster().by_code():
        raise HTTPException(404)
    path = feedback_file(campaign, code)
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, filename=path.name, media_type=XLSX)


ROUTES = [Route("/units", units), Route("/units/{code}", unit), Route("/download/feedback/{code}", feedback)]
