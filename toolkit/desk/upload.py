"""Upload: returned files, folders and zip archives go through collect and validate.

The browser sends the files (a folder's files with their paths inside it); each is written to
DIR/uploads/<batch>/ under a cleaned name, never larger than collect would take, and the batch
goes to the job thread: collect, validate, status. The staged copies go once collect has kept
the originals under received/. The page polls the job and then shows what each file became.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import shutil
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .context import checked_form, desk_of
from .work import outcome_of, take_in

__all__ = ["ROUTES", "clean_parts"]

_CHUNK = 1 << 20
_BAD = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def clean_parts(name: str) -> list[str]:
    """A sent file name (a folder upload's relative path) as safe parts: no '..', no root, no drive."""
    parts = []
    for part in re.split(r"[\\/]+", name or ""):
        part = _BAD.sub("_", part).strip().strip(".")
        if part and part not in (".", ".."):
            parts.append(part[:120])
    return parts[-8:] or ["file"]


async def upload_page(request: Request):
    desk = desk_of(request)
    return desk.page(request, "upload.html", {"max_mb": desk.max_upload_bytes // 2**20,
                                              "file_mb": desk.limits.max_file_bytes // 2**20})


async def upload(request: Request):
    desk = desk_of(request)
    form = await checked_form(request)
    try:
        sent = [f for f in form.getlist("files") if hasattr(f, "read")]
        if not sent:
            raise HTTPException(400, desk.t("nothing_sent"))
        batch = desk.dir / "uploads" / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        staged, refused = await _stage(desk, sent, batch)
    finally:
        await form.close()
    sources = [str(p) for p in staged]

    def work(job):
        def progress(stage, n):
            if stage != job.stage:
                job.stage, job.done = stage, 0
            job.done += n
        campaign = desk.campaign()
        summary = take_in(campaign, sources, desk.lang, progress) if sources else {}
        shutil.rmtree(batch, ignore_errors=True)
        return {"summary": summary, "files": outcome_of(campaign, sources, desk.lang), "refused": refused}
    job = desk.runner.submit("upload", work)
    job.total = len(sources)
    return JSONResponse({"job": job.id, "staged": len(sources), "refused": refused,
                         "waiting": desk.runner.busy() not in (None, job)})


async def _stage(desk, sent, batch: Path) -> tuple[list[Path], list[dict]]:
    staged, refused, cap = [], [], desk.limits.max_file_bytes
    for up in sent[:desk.limits.max_members]:
        parts = clean_parts(up.filename)
        target = batch.joinpath(*parts)
        n = 2
        while target in staged or target.exists():
            target = target.with_name(f"{Path(parts[-1]).stem} ({n}){Path(parts[-1]).suffix}")
            n += 1
        target.parent.mkdir(parents=True, exist_ok=True)
        if not await _copy_capped(up, target, cap):
            refused.append({"name": "/".join(parts), "reason": desk.t("too_large", mb=cap // 2**20)})
            continue
        staged.append(target)
    return staged, refused


async def _copy_capped(up, target: Path, cap: int) -> bool:
    written = 0
    with open(target, "wb") as fh:
        while chunk := await up.read(_CHUNK):
            written += len(chunk)
            if written > cap:
                break
            fh.write(chunk)
    if written > cap:
        target.unlink()
        return False
    return True


async def job_state(request: Request):
    desk = desk_of(request)
    job = desk.runner.jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404)
    data = job.public()
    data["text"] = desk.t(f"stage.{job.stage}" if job.state == "running" and job.stage else f"stage.{job.state}")
    if job.state in ("queued", "waiting") and desk.runner.busy() not in (None, job):
        data["text"] = desk.t("stage.busy")
    return JSONResponse(data)


async def upload_result(request: Request):
    desk = desk_of(request)
    job = desk.runner.jobs.get(request.path_params["job"])
    if job is None or job.kind != "upload":
        raise HTTPException(404)
    return desk.page(request, "upload.html", {"max_mb": desk.max_upload_bytes // 2**20,
                                              "file_mb": desk.limits.max_file_bytes // 2**20, "job": job})


ROUTES = [Route("/upload", upload_page, methods=["GET"]), Route("/upload", upload, methods=["POST"]),
          Route("/upload/{job}", upload_result), Route("/api/jobs/{job}", job_state)]
