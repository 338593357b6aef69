"""Review: each file waiting for a person, what its carriers say, credit it to a unit or reject it.

A decision is `toolkit resolve` run on the job thread, with the same --force rule: crediting a
file to a unit its carriers do not name (or a file of another campaign) needs the box ticked.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from .context import checked_form, desk_of
from .work import review_items, settle

__all__ = ["ROUTES"]


async def review(request: Request, problem: str = "", status_code: int = 200):
    desk = desk_of(request)
    campaign = desk.campaign()
    items = await run_in_threadpool(review_items, campaign, desk.lang)
    job = desk.runner.jobs.get(request.query_params.get("job", ""))
    return desk.page(request, "review.html", {"items": items, "units": campaign.roster().units, "job": job,
                                              "problem": problem}, status_code=status_code)


async def decide(request: Request):
    desk = desk_of(request)
    form = await checked_form(request)
    sha = request.path_params["sha"]
    campaign = desk.campaign()
    item = next((i for i in await run_in_threadpool(review_items, campaign, desk.lang) if i["sha256"] == sha), None)
    if item is None:
        raise HTTPException(404)
    action, reason = form.get("action"), str(form.get("reason", "")).strip()[:500]
    unit, force = str(form.get("unit", "")).strip(), form.get("force") == "on"
    if action == "reject" and not reason:
        return await review(request, desk.t("reason_needed"), 400)
    if action == "assign":
        if unit not in campaign.roster().by_code():
            return await review(request, desk.t("choose_unit"), 400)
        refusal = _refusal(desk, item, unit)
        if refusal and not force:
            return await review(request, refusal, 409)
    elif action != "reject":
        raise HTTPException(400)
    job = desk.runner.submit("resolve", lambda job: settle(desk.campaign(), sha, desk.lang,
                                                          unit=unit if action == "assign" else None,
                                                          reason=reason, force=force))
    return RedirectResponse(f"/review?job={job.id}", 303)


def _refusal(desk, item: dict, unit: str) -> str:
    """What `toolkit resolve` would refuse without --force, said in the desk's language."""
    if item["other_campaign"]:
        return desk.t("other_campaign")
    if item["named"] and unit not in item["named"]:
        named = " / ".join(f"{c} {n}".strip() for c, n in item["named_units"])
        return desk.t("contradicts", named=named, unit=unit)
    return ""


ROUTES = [Route("/review", review, methods=["GET"]), Route("/review/{sha:str}", decide, methods=["POST"])]
