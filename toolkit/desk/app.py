"""The desk's web application: pages, sessions, CSRF, safety headers and the job runner.

``create_app(DIR)`` builds a Starlette app over one campaign folder; ``toolkit serve`` runs it
on uvicorn. Pages read the campaign as it stands on every request; everything that writes goes
through the one job thread (:mod:`toolkit.desk.jobs`).
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..i18n import lang_of
from . import overview, results, review, signin, units, upload
from .auth import COOKIE, Sessions, is_loopback, stored_password
from .context import Desk, desk_of
from .jobs import JobRunner
from .work import Limits, load_campaign

__all__ = ["create_app", "Desk", "DEFAULT_UPLOAD_MB"]

HERE = Path(__file__).parent
DEFAULT_UPLOAD_MB = 500
_PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class SessionGate(BaseHTTPMiddleware):
    """A session for every browser; off loopback, nothing but the sign-in page before the password."""

    async def dispatch(self, request: Request, call_next):
        desk: Desk = request.app.state.desk
        session = desk.sessions.get(request.cookies.get(COOKIE))
        fresh = session is None
        if fresh:
            session = desk.sessions.new(signed_in=desk.password is None)
        request.state.session = session
        open_path = request.url.path in ("/login",) or request.url.path.startswith("/static/")
        if not session.signed_in and not open_path:
            response = (RedirectResponse("/login", 303) if request.method == "GET"
                        else PlainTextResponse(desk.t("sign_in_note"), 403))
        else:
            response = await call_next(request)
        if fresh or getattr(request.state, "new_cookie", False):
            response.set_cookie(COOKIE, request.state.session.token, httponly=True, samesite="strict", path="/")
        _safety_headers(response, request.url.path)
        return response


def _safety_headers(response: Response, path: str) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY" if path != "/report" else "SAMEORIGIN")
    headers.setdefault("Content-Security-Policy", _PAGE_CSP)
    headers.setdefault("Cache-Control", "no-store")


class BodyLimit:
    """Refuse a request body larger than the upload total (413) before any of it is kept."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        limit = scope["app"].state.desk.max_upload_bytes + 2**20  # the files and the form around them
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await _too_large(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413)
            return message
        return await self.app(scope, counted, send)


async def _too_large(scope, receive, send):
    desk = scope["app"].state.desk
    text = desk.t("upload_total", mb=desk.max_upload_bytes // 2**20)
    await PlainTextResponse(text, 413)(scope, receive, send)


async def not_found(request: Request, exc: HTTPException):
    desk = desk_of(request)
    text = exc.detail if exc.status_code != 404 else desk.t("not_found")
    if exc.status_code == 413:
        text = desk.t("upload_total", mb=desk.max_upload_bytes // 2**20)
    if request.url.path.startswith("/api/") or request.headers.get("x-requested-with"):
        return JSONResponse({"error": text}, exc.status_code)
    return PlainTextResponse(text, exc.status_code)


def create_app(campaign_dir: str | Path, *, lang: str = "zh", host: str = "127.0.0.1",
               limits: Limits = Limits(), max_upload_mb: int = DEFAULT_UPLOAD_MB) -> Starlette:
    """The desk over *campaign_dir*; off loopback it refuses to start without a stored password."""
    directory = Path(campaign_dir)
    load_campaign(directory)  # a missing or broken campaign fails here, before anything listens
    password = None if is_loopback(host) else stored_password(directory)
    if not is_loopback(host) and password is None:
        raise PermissionError(f"{host}: the desk off 127.0.0.1 needs a password; start it once with --host to set it")
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    routes = [*signin.ROUTES, *overview.ROUTES, *units.ROUTES, *upload.ROUTES, *review.ROUTES, *results.ROUTES,
              Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")]
    app = Starlette(routes=routes, middleware=[Middleware(BodyLimit), Middleware(SessionGate)],
                    exception_handlers={HTTPException: not_found})
    app.state.desk = Desk(directory, lang_of(lang), JobRunner(directory, lang=lang_of(lang)), Sessions(), password,
                          limits, max_upload_mb * 2**20, templates)
    return app
