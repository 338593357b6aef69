"""`toolkit serve`: the desk (:mod:`toolkit.desk`) in a browser, registered on the app by :func:`register`
(one call in ``commands``). The desk's web parts load only when the command runs."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ..i18n import define
from .help import COMMAND_HELP_ZH, PARAM_HELP_ZH
from .support import Ctx, DebugOpt, DirArg, JsonOpt, LangOpt, guarded

__all__ = ["register"]

define("cli", {"serving": ("考核工作台：{url} （按 Ctrl+C 停止）", "The desk: {url} (Ctrl+C stops it)")})

_HELP_ZH = {"serve": "在浏览器中使用考核工作台：总览、单位、收取报送、人工确认、汇总结果（默认只在本机 127.0.0.1 开放）。"}
_PARAMS_ZH = {
    "serve:host": "监听地址；不是本机地址（如 0.0.0.0，供局域网同事使用）时须设置密码。",
    "serve:port": "端口。",
}


def serve(directory: DirArg,
          host: Annotated[str, typer.Option("--host", help="Address to listen on (beyond 127.0.0.1 a password "
                                                            "is set).")] = "127.0.0.1",
          port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
          as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """The desk in a browser: overview, units, upload, review and results (127.0.0.1 by default)."""
    from ..desk import server
    ctx = Ctx(as_json, lang, debug)

    def ask() -> str:
        return os.environ.get("TOOLKIT_DESK_PASSWORD") or typer.prompt(
            "设置工作台密码 / set the desk password", hide_input=True, confirmation_prompt=True, default="",
            show_default=False)
    desk = server.prepare(directory, host=host, lang=ctx.lang, ask_password=ask)
    shown = f"[{host}]" if ":" in host else host
    ctx.say("cli.serving", url=f"http://{shown}:{port}/")
    server.serve(desk, host, port)


def register(app: typer.Typer) -> None:
    """Add serve to *app*, with its Chinese help."""
    COMMAND_HELP_ZH.update(_HELP_ZH)
    PARAM_HELP_ZH.update(_PARAMS_ZH)
    app.command("serve")(guarded(serve))
