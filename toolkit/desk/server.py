"""Start the desk: check the address, set the password on first start off loopback, run uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..i18n import Msg
from .app import DEFAULT_UPLOAD_MB, create_app
from .auth import is_loopback, store_password, stored_password
from .work import ConfigError

__all__ = ["serve", "prepare", "MIN_PASSWORD"]

MIN_PASSWORD = 8


def prepare(directory: str | Path, *, host: str = "127.0.0.1", lang: str = "zh",
            ask_password: Callable[[], str] | None = None, max_upload_mb: int = DEFAULT_UPLOAD_MB):
    """The app for *directory*; off loopback the password is set first (asked once, stored hashed)."""
    if not is_loopback(host) and stored_password(Path(directory)) is None:
        password = ask_password() if ask_password else ""
        if len(password) < MIN_PASSWORD:
            raise ConfigError(Msg("desk.needs_password", {"host": host, "n": MIN_PASSWORD}))
        store_password(Path(directory), password)
    return create_app(directory, lang=lang, host=host, max_upload_mb=max_upload_mb)


def serve(app, host: str, port: int) -> None:
    import uvicorn
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
