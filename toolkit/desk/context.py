"""What every page of the desk needs from a request: the :class:`Desk` and a CSRF-checked form.

The pages import it from here and :mod:`toolkit.desk.app` puts their routes together, so the
app and its pages never import each other.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from ..i18n import locale_of
from .auth import Sessions
from .jobs import JobRunner
from .words import carrier_label, word
from .work import STATES, Limits, load_campaign

__all__ = ["Desk", "desk_of", "checked_form"]


@dataclass
class Desk:
    """What every request needs: the campaign folder, the language, the runner and the limits."""

    dir: Path
    lang: str
    runner: JobRunner
    sessions: Sessions
    password: dict | None          # the stored hash, when the desk needs one
    limits: Limits
    max_upload_bytes: int
    templates: Jinja2Templates

    def campaign(self):
        return load_campaign(self.dir)

    def t(self, key: str, **values) -> str:
        return word(key, self.lang, **values)

    def page(self, request: Request, name: str, context: dict, status_code: int = 200) -> Response:
        session = request.state.session
        busy = self.runner.busy()
        base = {"t": self.t, "carrier": lambda key: carrier_label(key, self.lang), "lang": self.lang,
                "html_lang": locale_of(self.lang), "csrf": session.csrf, "states": STATES, "busy": busy,
                "password": self.password is not None, "campaign": self.campaign(), "path": request.url.path}
        return self.templates.TemplateResponse(request, name, base | context, status_code=status_code)


def desk_of(request: Request) -> Desk:
    return request.app.state.desk


async def checked_form(request: Request):
    """The posted form, once its CSRF token matches the session's; else 403."""
    form = await request.form(max_files=desk_of(request).limits.max_members, max_fields=200)
    sent = request.headers.get("x-csrf-token") or str(form.get("csrf", ""))
    if not sent or not hmac.compare_digest(sent, request.state.session.csrf):
        await form.close()
        raise HTTPException(403, desk_of(request).t("csrf"))
    return form
