"""The command line: parses arguments, calls the stages, prints and exits.

Only this module prints or exits. Every command takes ``--json`` (a
machine-readable summary on stdout), ``--lang zh|en`` and ``--debug``.
Exit 0 when the command did its job, 2 for a usage or configuration error,
1 for anything else.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .errors import ConfigError, ToolkitError

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Assessment campaigns: templates out, returns in, validated, merged, scored, reported.")
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of messages and outputs: zh or en.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
DirArg = Annotated[Path, typer.Argument(help="The campaign folder.")]


class Ctx:
    def __init__(self, as_json: bool, lang: str, debug: bool):
        if lang not in ("zh", "en"):
            raise ConfigError(f"--lang must be zh or en, got {lang!r}")
        self.json, self.lang, self.debug = as_json, lang, debug

    def say(self, zh: str, en: str) -> None:
        if not self.json:
            out.print(en if self.lang == "en" else zh)

    def done(self, summary: dict) -> None:
        if self.json:
            sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2, default=str) + "\n")

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
            err.print(f"[red]错误 / error:[/red] {exc}", markup=True, soft_wrap=True)
            raise typer.Exit(exc.exit_code)
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130)
        except Exception as exc:  # the contract: short message, no traceback unless --debug
            if debug:
                traceback.print_exc()
            err.print(f"错误 / error: {type(exc).__name__}: {exc} (run again with --debug for details)",
                      soft_wrap=True)
            raise typer.Exit(1)
        finally:
            if debug and debug_was is None:
                os.environ.pop("TOOLKIT_DEBUG", None)
    return wrapper


def _campaign(directory: Path):
    from .campaign import load_campaign
    return load_campaign(directory)


# --------------------------------------------------------------------------- templates


@app.command()
@guarded
def templates(as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """List the bundled templates (id, version, title)."""
    from .spec import bundled_templates
    ctx = Ctx(as_json, lang, debug)
    specs = bundled_templates()
    if ctx.json:
        ctx.done({"templates": [{"id": s.id, "version": s.version, "title": s.title} for s in specs]})
        return
    table = Table("id", "version", "title" if lang == "en" else "名称")
    for s in specs:
        table.add_row(s.id, s.version, (s.title_en or s.title) if lang == "en" else s.title)
    out.print(table)


@app.command()
@guarded
def describe(template: Annotated[str, typer.Argument(help="A bundled template id or a spec file.")],
             as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Show a template's sheets and fields."""
    from .describe import describe_spec
    from .spec import find_template
    ctx = Ctx(as_json, lang, debug)
    spec = find_template(template)
    info = describe_spec(spec)
    if ctx.json:
        ctx.done(info)
        return
    out.print(f"[bold]{spec.title}[/bold]  {spec.id} v{spec.version}  fingerprint {spec.fingerprint}")
    for sheet in info["sheets"]:
        table = Table(title=f"{sheet['name']} ({sheet['kind']})", show_lines=False)
        for col in ("id", "label", "type", "required", "bounds", "choices", "defined_name"):
            table.add_column(col)
        for f in sheet["fields"]:
            table.add_row(f["id"], f["label"], f["type"], "✓" if f["required"] else "", f["bounds"],
                          "/".join(f["choices"]), f["defined_name"])
        out.print(table)


# --------------------------------------------------------------------------- campaign


@app.command()
@guarded
def init(directory: DirArg,
         template: Annotated[str, typer.Option("--template", help="Bundled template id or spec path.")],
         roster: Annotated[Path, typer.Option("--roster", help="Roster CSV (UTF-8/GBK) or xlsx.")],
         year: Annotated[Optional[int], typer.Option("--year")] = None,
         name: Annotated[Optional[str], typer.Option("--name")] = None,
         deadline: Annotated[Optional[str], typer.Option("--deadline", help="YYYY-MM-DD")] = None,
         as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Create a campaign folder."""
    from .campaign import create_campaign
    ctx = Ctx(as_json, lang, debug)
    if deadline:
        _check_date(deadline, "--deadline")
    c = create_campaign(directory, template, roster, year=year, name=name, deadline=deadline,
                        locale="en" if lang == "en" else "zh-CN")
    n = len(c.roster().units)
    ctx.say(f"已创建考核任务 {c.name}：{directory}（{n} 个单位）。下一步：toolkit generate {directory}",
            f"Created campaign {c.name} in {directory} ({n} units). Next: toolkit generate {directory}")
    ctx.done({"campaign": str(directory), "name": c.name, "year": c.year, "units": n})


def _check_date(value: str, option: str) -> None:
    import datetime as dt
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option}: expected a date like 2026-12-31, got {value!r}") from None


@app.command("next")
@guarded
def next_round(directory: Annotated[Path, typer.Argument(help="The finished campaign.")],
               new_dir: Annotated[Path, typer.Argument(help="The folder of the next round.")],
               template: Annotated[Optional[str], typer.Option("--template", help="Another template (e.g. gap-sprint).")] = None,
               year: Annotated[Optional[int], typer.Option("--year")] = None,
               name: Annotated[Optional[str], typer.Option("--name")] = None,
               deadline: Annotated[Optional[str], typer.Option("--deadline", help="YYYY-MM-DD")] = None,
               as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Start the next round: open items, gaps and carried values prefilled per unit, then generate."""
    from .carry import read_carry
    from .rounds import next_campaign
    ctx = Ctx(as_json, lang, debug)
    if deadline:
        _check_date(deadline, "--deadline")
    campaign = next_campaign(directory, new_dir, template=template, year=year, name=name, deadline=deadline,
                             lang=lang)
    rows = _generate(ctx, campaign)
    carry = read_carry(campaign)
    items = sum(len(r) for c in carry.values() for r in c.tables.values())
    stale = sorted(code for code, c in carry.items() if c.stale)
    ctx.say(f"下一轮：{campaign.name}（{new_dir}），{items} 个事项已预填；{len(stale)} 个单位上一轮未报送，沿用此前事项",
            f"Next round: {campaign.name} ({new_dir}); {items} items prefilled; {len(stale)} units reuse earlier items")
    ctx.done({"campaign": str(new_dir), "workbooks": len(rows), "carried_items": items, "stale_units": stale})


@app.command()
@guarded
def generate(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Write one prefilled workbook per unit into DIR/outbox/ with manifest.csv."""
    ctx = Ctx(as_json, lang, debug)
    rows = _generate(ctx, _campaign(directory))
    ctx.done({"outbox": str(Path(directory) / "outbox"), "workbooks": len(rows)})


def _generate(ctx: Ctx, campaign):
    from .generate import generate_outbox
    n = len(campaign.roster().units)
    with ctx.progress(n, "生成 / generating") as advance:
        rows = generate_outbox(campaign, lang=ctx.lang, progress=advance)
    ctx.say(f"已生成 {len(rows)} 份预填模板：{campaign.outbox}（清单 manifest.csv）",
            f"Generated {len(rows)} prefilled workbooks in {campaign.outbox} (manifest.csv)")
    return rows


@app.command()
@guarded
def collect(directory: DirArg, sources: Annotated[list[Path], typer.Argument(help="Files, folders, archives.")],
            as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Take in returned files: store originals, identify, record in the ledger."""
    ctx = Ctx(as_json, lang, debug)
    result = _collect(ctx, _campaign(directory), sources)
    ctx.done({"offered": result.offered, "new": result.new, "status": result.counts})


def _collect(ctx: Ctx, campaign, sources):
    from .collect import collect as do_collect, export_ledger
    with ctx.progress(None, "收取 / collecting") as advance:
        result = do_collect(campaign, [str(s) for s in sources], progress=advance)
    export_ledger(campaign, ctx.lang)
    parts = ("，" if ctx.lang != "en" else ", ").join(f"{_ledger_word(k, ctx.lang)} {v}"
                                                     for k, v in sorted(result.counts.items()))
    ctx.say(f"收到 {result.offered} 个文件（新增 {result.new}）。台账：{parts}。明细见 out/ledger.csv",
            f"Offered {result.offered} files ({result.new} new). Ledger: {parts}. See out/ledger.csv")
    _show_attention(ctx, campaign)
    return result


_LEDGER_WORDS = {"accepted": "已接收", "superseded": "已被更新取代", "duplicate": "重复", "rejected": "已拒收",
                 "unidentified": "无法识别", "review": "待人工确认"}


def _ledger_word(status: str, lang: str) -> str:
    return status if lang == "en" else _LEDGER_WORDS.get(status, status)


def _show_attention(ctx: Ctx, campaign) -> None:
    """The files a person must look at: under review, unidentified or rejected, with the next step."""
    from .collect import reason_message
    from .ledger import Ledger
    if ctx.json:
        return
    with Ledger(campaign.db_path) as ledger:
        rows = [f for f in ledger.files() if f.status in ("review", "unidentified", "rejected")]
    if not rows:
        return
    message = reason_message(ctx.lang)
    en = ctx.lang == "en"
    table = Table("sha256", "status" if en else "状态", "file" if en else "文件", "why" if en else "原因")
    for f in rows[:50]:
        table.add_row(f.sha256[:12], _ledger_word(f.status, ctx.lang), f.source.rsplit("/", 1)[-1],
                      message(f.reason_code, f.message or f.ident_detail))
    out.print(table)
    ctx.say(f"需人工处理的文件：确认归属用 toolkit resolve {campaign.dir} <sha256> --unit 单位代码，退回用 --reject --reason 原因",
            f"To settle a file: toolkit resolve {campaign.dir} <sha256> --unit CODE, or --reject --reason TEXT")


@app.command()
@guarded
def validate(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Check every accepted return: out/issues.csv and feedback/ workbooks for faulty units."""
    ctx = Ctx(as_json, lang, debug)
    result = _validate(ctx, _campaign(directory))
    ctx.done({"returns": len(result.per_file),
              "faulty": sum(1 for e, _ in result.per_file.values() if e),
              "errors": sum(e for e, _ in result.per_file.values()),
              "warnings": sum(w for _, w in result.per_file.values()),
              "codes": result.counts_by_code()})


def _validate(ctx: Ctx, campaign):
    from .feedback import write_feedback
    from .validate import validate_campaign
    with ctx.progress(None, "检查 / validating") as advance:
        result = validate_campaign(campaign, ctx.lang, progress=advance)
    index = write_feedback(campaign, result, ctx.lang)
    errors = sum(e for e, _ in result.per_file.values())
    warnings = sum(w for _, w in result.per_file.values())
    ctx.say(f"已检查 {len(result.per_file)} 份报送：错误 {errors} 个，提示 {warnings} 个；"
            f"{len(index)} 个单位需退回修改（feedback/）。明细见 out/issues.csv",
            f"Checked {len(result.per_file)} returns: {errors} errors, {warnings} warnings; "
            f"{len(index)} units get a feedback workbook (feedback/). See out/issues.csv")
    return result


@app.command()
@guarded
def status(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Who returned, who did not, whose return is faulty: out/status.csv and out/chase-list.xlsx."""
    ctx = Ctx(as_json, lang, debug)
    statuses = _status(ctx, _campaign(directory))
    ctx.done({"units": len(statuses), "state": _count_states(statuses),
              "missing": [s.unit_code for s in statuses if s.state == "missing"],
              "faulty": [s.unit_code for s in statuses if s.state == "faulty"]})


def _status(ctx: Ctx, campaign, show_table: bool = True):
    from .ledger import Ledger
    from .status import STATE_LABELS, unit_statuses, write_status
    statuses = unit_statuses(campaign)
    write_status(campaign, statuses, ctx.lang)
    with Ledger(campaign.db_path) as ledger:
        checked = ledger.validation_counts()
        unchecked = [f for f in ledger.accepted() if f.sha256 not in checked]
    if unchecked and not ctx.json:
        err.print(f"注意：有 {len(unchecked)} 份报送尚未检查，状态可能不准确，请先运行 toolkit validate {campaign.dir}"
                  if ctx.lang != "en" else f"Note: {len(unchecked)} returns are not validated yet; run "
                  f"`toolkit validate {campaign.dir}` first", soft_wrap=True)
    if ctx.json or not show_table:
        return statuses
    labels = STATE_LABELS[ctx.lang]
    en = ctx.lang == "en"
    table = Table("unit" if en else "单位代码", "name" if en else "单位名称", "group" if en else "分组",
                  "contact" if en else "联系人", "phone" if en else "电话", "state" if en else "状态",
                  "errors" if en else "错误")
    style = {"missing": "red", "faulty": "yellow", "accepted": "green"}
    for s in statuses:
        if s.state != "accepted" or len(statuses) <= 60:
            table.add_row(s.unit_code, s.unit_name, s.group, s.contact, s.phone,
                          f"[{style[s.state]}]{labels[s.state]}[/]", str(s.errors or ""))
    out.print(table)
    n = {k: sum(1 for s in statuses if s.state == k) for k in ("accepted", "faulty", "missing")}
    ctx.say(f"共 {len(statuses)} 个单位：已报送 {n['accepted']}，需退回修改 {n['faulty']}，未报送 {n['missing']}。"
            f"催报名单：out/chase-list.xlsx",
            f"{len(statuses)} units: {n['accepted']} accepted, {n['faulty']} faulty, {n['missing']} missing. "
            f"Chase list: out/chase-list.xlsx")
    return statuses


@app.command()
@guarded
def merge(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Merge accepted returns: out/values.csv, out/totals.csv and out/consolidated.xlsx."""
    ctx = Ctx(as_json, lang, debug)
    ctx.done(_merge(ctx, _campaign(directory)))


def _merge(ctx: Ctx, campaign, merged=None):
    from .merge import merge_campaign
    summary = merge_campaign(campaign, ctx.lang, merged)
    ctx.say(f"已汇总 {summary['returned']}/{summary['units']} 个单位的报送：out/consolidated.xlsx、out/values.csv",
            f"Merged returns of {summary['returned']}/{summary['units']} units: out/consolidated.xlsx, out/values.csv")
    return summary


@app.command()
@guarded
def score(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Score, rank and grade: out/scores.csv, out/score_trace.csv, out/scoring-sheet.xlsx."""
    ctx = Ctx(as_json, lang, debug)
    result = _score(ctx, _campaign(directory))
    grades: dict[str, int] = {}
    for row in result.scores:
        if row["grade"]:
            grades[row["grade"]] = grades.get(row["grade"], 0) + 1
    ctx.done({"scored": sum(1 for r in result.scores if r["total"] not in ("", None)), "grades": grades,
              "vetoed": [r["unit_code"] for r in result.scores if r["vetoed"] in (True, "true")],
              "warnings": result.warnings})


def _score(ctx: Ctx, campaign, merged=None):
    from .scoring import score_campaign
    result = score_campaign(campaign, ctx.lang, merged)
    for warning in result.warnings:
        err.print(f"[yellow]注意 / note:[/yellow] {warning}", soft_wrap=True)
    scored = sum(1 for r in result.scores if r["total"] not in ("", None))
    ctx.say(f"已评分 {scored} 个单位：out/scores.csv、out/score_trace.csv、out/scoring-sheet.xlsx",
            f"Scored {scored} units: out/scores.csv, out/score_trace.csv, out/scoring-sheet.xlsx")
    return result


@app.command()
@guarded
def report(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Write out/report.html: status, totals, scores, grades, gap list, issues (self-contained, printable)."""
    ctx = Ctx(as_json, lang, debug)
    ctx.done({"report": str(_report(ctx, _campaign(directory)))})


def _report(ctx: Ctx, campaign):
    from .reporting import report_campaign
    path = report_campaign(campaign, ctx.lang)
    ctx.say(f"考核报告：{path}（可直接用浏览器打开、打印）", f"Report: {path} (open in any browser; prints on A4)")
    return path


@app.command()
@guarded
def resolve(directory: DirArg, sha256: Annotated[str, typer.Argument(help="The file's sha256 (a unique prefix will do).")],
            unit: Annotated[Optional[str], typer.Option("--unit", help="Credit the file to this unit code.")] = None,
            reject: Annotated[bool, typer.Option("--reject", help="Reject the file.")] = False,
            reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the ledger).")] = "",
            as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Accept a review item for a unit, or reject it, recorded with who and when."""
    from .resolve import resolve_file
    ctx = Ctx(as_json, lang, debug)
    if bool(unit) == bool(reject):
        raise ConfigError("give exactly one of --unit CODE or --reject (with --reason)")
    campaign = _campaign(directory)
    sha = resolve_file(campaign, sha256, unit=unit, reason=reason)
    from .collect import export_ledger
    export_ledger(campaign, ctx.lang)
    ctx.say(f"已记录：{sha[:12]} → {'退回' if reject else unit}", f"Recorded: {sha[:12]} → {'rejected' if reject else unit}")
    ctx.done({"sha256": sha, "action": "reject" if reject else "assign", "unit_code": unit or ""})


@app.command()
@guarded
def run(directory: DirArg, sources: Annotated[list[Path], typer.Argument(help="Files, folders, archives.")],
        as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Collect, validate, status, merge, score and report in one go."""
    ctx = Ctx(as_json, lang, debug)
    campaign = _campaign(directory)
    ctx.done(run_pipeline(ctx, campaign, sources))


def run_pipeline(ctx: Ctx, campaign, sources) -> dict:
    """The stages after generation; score only when the campaign has a scoring scheme."""
    summary: dict = {"collected": _collect(ctx, campaign, sources).counts}
    result = _validate(ctx, campaign)
    summary["faulty"] = sum(1 for e, _ in result.per_file.values() if e)
    summary["status"] = _count_states(_status(ctx, campaign, show_table=False))
    from .merge import load_merged
    merged = load_merged(campaign)  # read and normalised once for both merge and score
    summary["merge"] = _merge(ctx, campaign, merged)
    if campaign.scoring:
        summary["scored"] = sum(1 for r in _score(ctx, campaign, merged).scores if r["total"] not in ("", None))
    summary["report"] = str(_report(ctx, campaign))
    return summary


def _count_states(statuses) -> dict:
    counts: dict[str, int] = {}
    for s in statuses:
        counts[s.state] = counts.get(s.state, 0) + 1
    return counts


@app.command()
@guarded
def compare(old_dir: Annotated[Path, typer.Argument(help="Last year's campaign.")],
            new_dir: Annotated[Path, typer.Argument(help="This year's campaign.")],
            as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Year on year: out/compare.xlsx and out/compare.csv in NEW_DIR (then `toolkit report NEW_DIR`)."""
    from .compare import compare_campaigns
    ctx = Ctx(as_json, lang, debug)
    summary = compare_campaigns(_campaign(old_dir), _campaign(new_dir), lang)
    ctx.say(f"年度对比已写入 {Path(new_dir) / 'out' / 'compare.xlsx'}", f"Year-on-year comparison: {Path(new_dir) / 'out' / 'compare.xlsx'}")
    ctx.done(summary)


@app.command()
@guarded
def demo(directory: Annotated[Path, typer.Argument(help="Where to create the demo campaign.")] = Path("demo-campaign"),
         as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """A complete campaign on the bundled samples, from the roster to the report."""
    from .demo import run_demo
    ctx = Ctx(as_json, lang, debug)
    summary = run_demo(directory, ctx, _generate, run_pipeline)
    ctx.done(summary)


def main() -> None:
    try:
        app(prog_name="toolkit")
    except SystemExit as exc:
        code = exc.code
        if code not in (0, 1, 2, 130, None) and isinstance(code, int):
            sys.exit(2)
        raise
