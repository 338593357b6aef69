"""What every command shares: the options, the output helper and the exit-code guard.

``Ctx`` carries ``--json``, ``--lang`` and ``--debug`` and prints (or stays
quiet for ``--json``); ``guarded`` turns exceptions into the contract's short
messages and exit codes (2 for a usage or configuration error, 1 for anything
else, 130 on Ctrl-C).
"""

from __future__ import annotations

import codecs
import io
import json
import os
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Callable

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

from ..errors import ConfigError, ToolkitError
from ..i18n import LANGS, Msg, define, lang_of, pick, t
from .help import help_language, lang_after_command, localise_help, usage_error_zh

__all__ = ["DIST_NAME", "version_line", "safe_console", "write_json", "out", "err", "JsonOpt", "LangOpt", "DebugOpt", "DirArg", "Ctx", "guarded",
           "open_campaign", "check_date", "JsonAwareGroup"]

# markup off: paths, file and unit names may hold "[draft]"; styled lines opt in and escape what they show
out = Console(highlight=False, markup=False)
err = Console(stderr=True, highlight=False, markup=False)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of messages and outputs: zh or en.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
DirArg = Annotated[Path, typer.Argument(help="The campaign folder.")]

define("cli", {
    "date": ("{option}：应为日期，如 2026-12-31，或日期加时间，如 2026-12-31 17:00，填写的是 {got}",
             "{option}: expected a date like 2026-12-31 or a date and time like 2026-12-31 17:00, got {got}"),
    "lang": ("--lang 应为 zh 或 en，填写的是 {got}", "--lang must be zh or en, got {got}"),
    "error": ("错误：", "error:"),
    "error_plain": ("错误 / error:", "error:"),
    "crash": ("错误 / error: {error} (run again with --debug for details)", "error: {error} (run again with --debug for details)"),
    "help": ("查看帮助 / help: {command} --help", "Try '{command} --help' for help."),
})


#: The name on the package index (`toolkit` there is an unrelated project); import package and command stay `toolkit`.
DIST_NAME = "assessment-toolkit"


def version_line() -> str:
    """``assessment-toolkit 0.1.0``: the distribution's name and installed version."""
    from importlib import metadata
    try:
        return f"{DIST_NAME} {metadata.version(DIST_NAME)}"
    except metadata.PackageNotFoundError:  # imported from a source tree that was never installed
        return f"{DIST_NAME} (not installed)"


class Ctx:
    def __init__(self, as_json: bool, lang: str, debug: bool):
        if lang not in LANGS:
            raise ConfigError(Msg("cli.lang", {"got": repr(lang)}))
        self.json, self.lang, self.debug = as_json, lang, debug

    def say(self, key: str, /, **params) -> None:
        """Message *key* of the catalogue, in the user's language (nothing with --json)."""
        if not self.json:
            out.print(t(key, self.lang, **params))

    def done(self, summary: dict) -> None:
        """With --json, the summary on stdout in the shape of an error answer: ``"status": "ok"``, exit code 0."""
        if self.json:
            clash = {"status", "exit_code"} & summary.keys()
            if clash:
                raise ValueError(f"a command summary may not use the keys {sorted(clash)} (the answer's own)")
            write_json({"status": "ok", "exit_code": 0} | summary, indent=2)

    @contextmanager
    def progress(self, total: int | None, label: str):
        """A progress bar on stderr for long runs (total None: a count of unknown length)."""
        if self.json or not sys.stderr.isatty() or (total is not None and total < 20):
            yield lambda n=1: None
            return
        with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task(label, total=total)
            yield lambda n=1: bar.advance(task, n)


def guarded(fn: Callable) -> Callable:
    """Run a command body with the contract's exit codes and messages."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        debug = kwargs.get("debug", False)
        debug_was = os.environ.get("TOOLKIT_DEBUG")
        if debug:
            os.environ["TOOLKIT_DEBUG"] = "1"  # readers' own diagnostics stay on stderr (workers inherit it)
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except ToolkitError as exc:
            if debug:
                traceback.print_exc()
            lang = lang_of(kwargs.get("lang"))
            said = pick((exc.text("zh") or "", str(exc)), lang)  # every toolkit error is raised with a Msg
            zh = _say_error(said, str(exc), lang)
            _json_error(kwargs, str(exc), exc.exit_code, zh)
            raise typer.Exit(exc.exit_code)
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130)
        except Exception as exc:  # the contract: short message, no traceback unless --debug
            if debug:
                traceback.print_exc()
            err.print(t("cli.crash", kwargs.get("lang"), error=f"{type(exc).__name__}: {exc}"), soft_wrap=True)
            _json_error(kwargs, f"{type(exc).__name__}: {exc}", 1)
            raise typer.Exit(1)
        finally:
            if debug and debug_was is None:
                os.environ.pop("TOOLKIT_DEBUG", None)
    return wrapper


class JsonAwareGroup(TyperGroup):
    """The command group: help in Chinese unless the command line asks for English (cli_help);
    a usage error (a missing argument, an unknown option or command) says what is wrong in Chinese
    with the English original below, and with ``--json`` also answers on stdout with the JSON
    error, exit 2, like every other failure."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        safe_console()
        given = list(sys.argv[1:] if args is None else args)
        lang = help_language(given)
        localise_help(self, lang)
        argv = lang_after_command(given)
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError:  # `toolkit` alone: the help, as Typer shows it
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        except UsageError as exc:
            _usage_error(exc, lang, "--json" in argv)
            sys.exit(2)
        except ClickException as exc:
            err.print(f"错误 / error: {exc.format_message()}", soft_wrap=True)
            _json_error({"as_json": "--json" in argv}, exc.format_message(), exc.exit_code)
            sys.exit(exc.exit_code)
        except typer.Abort:
            err.print("Aborted!")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _usage_error(exc: UsageError, lang: str, as_json: bool) -> None:
    """What is wrong (in Chinese first unless --lang en), the usage line and where the help is."""
    message = exc.format_message()
    zh = _say_error(pick((usage_error_zh(message) or "", message), lang), message, lang, markup=False)
    if exc.ctx is not None:
        err.print(exc.ctx.get_usage(), soft_wrap=True)
        err.print(t("cli.help", lang, command=exc.ctx.command_path), soft_wrap=True)
    _json_error({"as_json": as_json}, message, 2, zh)


def _say_error(said: str, original: str, lang: str, markup: bool = True) -> str | None:
    """An error on stderr: the user's words first and the original (what IT searches for) below, or the
    original alone (English asked for, or no words in the user's language yet). The words shown, if any."""
    if said and said != original:
        err.print(f"[red]{t('cli.error', lang)}[/red]{escape(said)}", markup=True, soft_wrap=True)
        err.print(f"error: {original}", soft_wrap=True)
        return said
    if markup:
        err.print(f"[red]{t('cli.error_plain', lang)}[/red] {escape(original)}", markup=True, soft_wrap=True)
    else:
        err.print(f"{t('cli.error_plain', lang)} {original}", soft_wrap=True)
    return None


def _json_error(kwargs: dict, message: str, code: int, zh: str | None = None) -> None:
    """With --json, a failed command still answers on stdout: what went wrong and its exit code."""
    if kwargs.get("as_json"):
        write_json({"status": "error", "error": message, "exit_code": code} | ({"message_zh": zh} if zh else {}))


def write_json(answer: dict, indent: int | None = None) -> None:
    """JSON on stdout is UTF-8 bytes whatever the console's encoding (a GBK console would get GBK text)."""
    text = json.dumps(answer, ensure_ascii=False, indent=indent, default=str) + "\n"
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a stream without bytes underneath (some embedders' capture)
        sys.stdout.write(text)
        return
    sys.stdout.flush()  # whatever was printed before goes first
    buffer.write(text.encode("utf-8"))
    buffer.flush()


# Glyphs the screen shows that a Chinese Windows console (GBK/cp936) lacks, and what it has instead.
_GLYPHS = {"✓": "√", "✔": "√", "✗": "×", "✘": "×"}


def _console_fallback(exc: UnicodeError):
    """Encode error handler for the console: a near glyph the encoding has, else '?' (never an exception)."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out_text = []
    for ch in exc.object[exc.start:exc.end]:
        near = _GLYPHS.get(ch, "?")
        try:
            near.encode(exc.encoding)
        except (UnicodeError, LookupError):
            near = "?"
        out_text.append(near)
    return "".join(out_text), exc.end


codecs.register_error("toolkit-console", _console_fallback)


def safe_console() -> None:
    """Console text never raises: stdout and stderr show what their encoding lacks as a near glyph or '?'."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="toolkit-console")


def open_campaign(directory: Path):
    from ..campaign.folder import load_campaign
    return load_campaign(directory)


def check_date(value: str, option: str) -> None:
    """A deadline as campaign.yaml takes it: a date, or a date and a time of day."""
    from ..campaign.deadline import parse_deadline
    if parse_deadline(value) is None:
        raise ConfigError(Msg("cli.date", {"option": option, "got": repr(value)}))
