"""Sign in and out (only asked for when the desk listens beyond 127.0.0.1)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from .auth import check_password
from .context import checked_form, desk_of

__all__ = ["ROUTES"]


async def login_page(request: Request):
    return desk_of(request).page(request, "login.html", {"failed": False})


async def login(request: Request):
    desk = desk_of(request)
    form = await checked_form(request)
    if desk.password is None or check_password(str(form.get("password", "")), desk.password):
        desk.sessions.drop(request.state.session.token)  # a new token once signed in: no session fixation
        request.state.session = desk.sessions.new(signed_in=True)
        request.state.new_cookie = True
        return RedirectResponse("/", 303)
    await asyncio.sleep(1.0)  # guessing costs time
    return desk.page(request, "login.html", {"failed": True}, status_code=401)


async def logout(request: Request):
    desk = desk_of(request)
    await checked_form(request)
    desk.sessions.drop(request.state.session.token)
    request.state.session = desk.sessions.new(signed_in=desk.password is None)
    request.state.new_cookie = True
    return RedirectResponse("/login" if desk.password else "/", 303)


ROUTES = [Route("/login", login_page, methods=["GET"]), Route("/login", login, methods=["POST"]),
          Route("/logout", logout, methods=["POST"])]
