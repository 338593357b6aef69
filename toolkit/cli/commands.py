"""The command line: parses arguments, calls the stages, prints and exits.

Only the ``cli`` modules print or exit: this one holds the Typer ``app``
and its commands, which run the stages through :mod:`toolkit.pipeline`;
``support`` the shared options, output helper and exit-code guard,
``stages`` how the pipeline's summaries are shown.
Every command takes ``--json`` (a machine-readable summary on stdout),
``--lang zh|en`` and ``--debug``. Exit 0 when the command did its job,
2 for a usage or configuration error, 1 for anything else.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from .. import pipeline
from ..errors import ConfigError
from ..i18n import Msg, Words, define, locale_of, pick, t
from .stages import show, show_collect, show_generate, show_merge, show_report, show_score, show_status, show_validate, stage_bars, warn_unfilled
from .support import Ctx, DebugOpt, DirArg, JsonAwareGroup, JsonOpt, LangOpt, check_date, guarded, open_campaign, out, version_line

__all__ = ["app", "main"]

define("cli.command", {
    "title": ("名称", "title"),
    "spec_template": ("已写出模板编写工作簿：{path}（填好后运行 toolkit spec-from-xlsx {name} -o 模板.yaml）",
                      "Authoring workbook written: {path} (fill it in, then run toolkit spec-from-xlsx {name} -o template.yaml)"),
    "spec_from_xlsx": ("已写出模板定义：{spec}{scheme}", "Template spec written: {spec}{scheme}"),
    "with_scheme": ("；评分细则：{scheme}", "; scoring scheme: {scheme}"),
    "spec_to_xlsx": ("已写出模板编写工作簿：{path}", "Authoring workbook written: {path}"),
    "init": ("已创建考核任务 {name}：{dir}（{n} 个单位）。下一步：toolkit generate {dir}",
             "Created campaign {name} in {dir} ({n} units). Next: toolkit generate {dir}"),
    "next": ("下一轮：{name}（{dir}），{items} 个事项已预填；{stale} 个单位上一轮未报送，沿用此前事项",
             "Next round: {name} ({dir}); {items} items prefilled; {stale} units reuse earlier items"),
    "recorded": ("已记录：{sha} → {what}", "Recorded: {sha} → {what}"),
    "rejected": ("退回", "rejected"),
    "earlier": ("此前的决定：{what}{why}，{who} 于 {at}", "Earlier decision: {what}{why}, by {who} at {at}"),
    "assigned": ("归入 {unit}", "assigned to {unit}"),
    "why": ("（{reason}）", " ({reason})"),
    "compared": ("年度对比已写入 {path}", "Year-on-year comparison: {path}"),
    "unit_or_reject": ("请二选一：--unit 单位代码，或 --reject（用 --reason 写明原因）", "give exactly one of --unit CODE or --reject (with --reason)"),
})

app = typer.Typer(cls=JsonAwareGroup, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Assessment campaigns: templates out, returns in, validated, merged, scored, reported.")


def _print_version(value: bool) -> None:
    if value:
        out.print(version_line())
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                                help="Print the distribution name and version.")] = False):
    pass


# --------------------------------------------------------------------------- templates


@app.command()
@guarded
def templates(as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """List the bundled templates (id, version, title)."""
    from ..spec.load import bundled_templates
    ctx = Ctx(as_json, lang, debug)
    specs = bundled_templates()
    if ctx.json:
        ctx.done({"templates": [{"id": s.id, "version": s.version, "title": s.title} for s in specs]})
        return
    table = Table("id", "version", t("cli.command.title", lang))
    for s in specs:
        table.add_row(s.id, s.version, pick(Words(s.title, s.title_en), lang))
    out.print(table)


@app.command()
@guarded
def describe(template: Annotated[str, typer.Argument(help="A bundled template id or a spec file.")],
             as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Show a template's sheets and fields."""
    from ..spec.describe import describe_spec
    from ..spec.load import find_template
    ctx = Ctx(as_json, lang, debug)
    spec = find_template(template)
    info = describe_spec(spec)
    if ctx.json:
        ctx.done(info)
        return
    out.print(f"[bold]{escape(spec.title)}[/bold]  {escape(f'{spec.id} v{spec.version}')}  fingerprint {spec.fingerprint}",
              markup=True)
    for sheet in info["sheets"]:
        table = Table(title=f"{sheet['name']} ({sheet['kind']})", show_lines=False)
        for col in ("id", "label", "type", "required", "bounds", "choices", "defined_name"):
            table.add_column(col)
        for f in sheet["fields"]:
            table.add_row(f["id"], f["label"], f["type"], "✓" if f["required"] else "", f["bounds"],
                          "/".join(f["choices"]), f["defined_name"])
        out.print(table)



# --------------------------------------------------------------------------- authoring (write a template in Excel)


@app.command("spec-template")
@guarded
def spec_template(out_file: Annotated[Path, typer.Argument(help="The authoring workbook to write (.xlsx).")],
                  kind: Annotated[str, typer.Option("--kind", help="The example it holds: checklist, form, table or survey.")] = "checklist",
                  as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Write an authoring workbook (a filled example) to design a template in Excel."""
    from ..authoring import blank_workbook
    ctx = Ctx(as_json, lang, debug)
    path = blank_workbook(out_file, kind, ctx.lang)
    ctx.say("cli.command.spec_template", path=path, name=path.name)
    ctx.done({"workbook": str(path), "kind": kind})


@app.command("spec-from-xlsx")
@guarded
def spec_from_xlsx(workbook: Annotated[Path, typer.Argument(help="An authoring workbook or an office rules table.")],
                   out_file: Annotated[Path, typer.Option("-o", "--out", help="The spec to write (.yaml).")],
                   template_id: Annotated[Optional[str], typer.Option("--id", help="Template id for a rules table.")] = None,
                   as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Turn an authoring workbook or an office rules table into a template spec (and its scoring scheme)."""
    from ..authoring import workbook_to_spec
    ctx = Ctx(as_json, lang, debug)
    written = workbook_to_spec(workbook, out_file, ctx.lang, template_id)
    scheme = written["scheme"]
    ctx.say("cli.command.spec_from_xlsx", spec=written["spec"],
            scheme=Msg("cli.command.with_scheme", {"scheme": scheme}) if scheme else "")
    ctx.done(written)


@app.command("spec-to-xlsx")
@guarded
def spec_to_xlsx(template: Annotated[str, typer.Argument(help="A bundled template id or a spec file.")],
                 out_file: Annotated[Path, typer.Option("-o", "--out", help="The authoring workbook to write (.xlsx).")],
                 as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Write a template spec (a bundled one too) as an authoring workbook."""
    from ..authoring import spec_to_workbook
    ctx = Ctx(as_json, lang, debug)
    path = spec_to_workbook(template, out_file, ctx.lang)
    ctx.say("cli.command.spec_to_xlsx", path=path)
    ctx.done({"workbook": str(path)})


# --------------------------------------------------------------------------- campaign


@app.command()
@guarded
def init(directory: DirArg,
         template: Annotated[str, typer.Option("--template", help="Bundled template id or spec path.")],
         roster: Annotated[Path, typer.Option("--roster", help="Roster CSV (UTF-8/GBK) or xlsx.")],
         year: Annotated[Optional[int], typer.Option("--year", help="The campaign's year, e.g. 2026.")] = None,
         name: Annotated[Optional[str], typer.Option("--name", help="The campaign's name.")] = None,
         deadline: Annotated[Optional[str], typer.Option("--deadline", help="YYYY-MM-DD [HH:MM]")] = None,
         contact: Annotated[str, typer.Option("--contact", help="Who units ask (printed in the instructions).")] = "",
         phone: Annotated[str, typer.Option("--phone", help="The contact's phone number.")] = "",
         return_to: Annotated[str, typer.Option("--return-to", help="How units send their return (e-mail, address).")] = "",
         as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Create a campaign folder."""
    from ..campaign.folder import create_campaign, unfilled_contact
    ctx = Ctx(as_json, lang, debug)
    if deadline:
        check_date(deadline, "--deadline")
    given = {"contact": contact.strip(), "phone": phone.strip(), "return_to": return_to.strip()}
    c = create_campaign(directory, template, roster, year=year, name=name, deadline=deadline,
                        locale=locale_of(lang), extra={k: v for k, v in given.items() if v})
    n = len(c.roster().units)
    ctx.say("cli.command.init", name=c.name, dir=directory, n=n)
    ctx.done({"campaign": str(directory), "name": c.name, "year": c.year, "units": n,
              "warnings": warn_unfilled(ctx, c.dir, unfilled_contact(c))})


@app.command("next")
@guarded
def next_round(directory: Annotated[Path, typer.Argument(help="The finished campaign.")],
               new_dir: Annotated[Path, typer.Argument(help="The folder of the next round.")],
               template: Annotated[Optional[str], typer.Option("--template", help="Another template (e.g. gap-sprint).")] = None,
               year: Annotated[Optional[int], typer.Option("--year", help="The campaign's year, e.g. 2026.")] = None,
               name: Annotated[Optional[str], typer.Option("--name", help="The campaign's name.")] = None,
               deadline: Annotated[Optional[str], typer.Option("--deadline", help="YYYY-MM-DD [HH:MM]")] = None,
               as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Start the next round: open items, gaps and carried values prefilled per unit, then generate."""
    from ..campaign.carried import read_carry
    from ..rounds.next_round import next_campaign
    ctx = Ctx(as_json, lang, debug)
    if deadline:
        check_date(deadline, "--deadline")
    campaign = next_campaign(directory, new_dir, template=template, year=year, name=name, deadline=deadline,
                             lang=lang)
    generated = _generate(ctx, campaign)
    carry = read_carry(campaign)
    items = sum(len(r) for c in carry.values() for r in c.tables.values())
    stale = sorted(code for code, c in carry.items() if c.stale)
    ctx.say("cli.command.next", name=campaign.name, dir=new_dir, items=items, stale=len(stale))
    ctx.done({"campaign": str(new_dir), "workbooks": generated.workbooks, "carried_items": items, "stale_units": stale})


def _generate(ctx: Ctx, campaign) -> pipeline.GenerateSummary:
    with stage_bars(ctx, {"generate": len(campaign.roster().units)}) as bars:
        summary = pipeline.generate(campaign, lang=ctx.lang, progress=bars)
    show_generate(ctx, summary)
    return summary


@app.command()
@guarded
def generate(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Write one prefilled workbook per unit into DIR/outbox/ with manifest.csv."""
    ctx = Ctx(as_json, lang, debug)
    summary = _generate(ctx, open_campaign(directory))
    ctx.done({"outbox": str(Path(directory) / "outbox"), "workbooks": summary.workbooks})


@app.command()
@guarded
def collect(directory: DirArg, sources: Annotated[list[Path], typer.Argument(help="Files, folders, archives.")],
            dask: Annotated[Optional[str], typer.Option("--dask", metavar="ADDRESS", help=(
                "Read and identify on a Dask cluster (its scheduler's address); the campaign folder must be on "
                "storage the workers share."))] = None,
            as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Take in returned files: store originals, identify, record in the ledger."""
    from .scale import dask_runner
    ctx = Ctx(as_json, lang, debug)
    campaign, runner = open_campaign(directory), dask_runner(dask)
    with stage_bars(ctx) as bars:
        summary = pipeline.collect(campaign, sources, lang=ctx.lang, progress=bars, runner=runner)
    show_collect(ctx, summary)
    ctx.done(summary.as_json())


@app.command()
@guarded
def validate(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Check every accepted return: out/issues.csv and feedback/ workbooks for faulty units."""
    ctx = Ctx(as_json, lang, debug)
    campaign = open_campaign(directory)
    with stage_bars(ctx) as bars:
        summary = pipeline.validate(campaign, lang=ctx.lang, progress=bars)
    show_validate(ctx, summary)
    ctx.done(summary.as_json())


@app.command()
@guarded
def status(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Who returned, who did not, whose return is faulty: out/status.csv and out/chase-list.xlsx."""
    ctx = Ctx(as_json, lang, debug)
    summary = pipeline.status(open_campaign(directory), lang=ctx.lang)
    show_status(ctx, summary)
    ctx.done(summary.as_json())


@app.command()
@guarded
def merge(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Merge accepted returns: out/values.csv, out/totals.csv and out/consolidated.xlsx."""
    ctx = Ctx(as_json, lang, debug)
    summary = pipeline.merge(open_campaign(directory), lang=ctx.lang)
    show_merge(ctx, summary)
    ctx.done(summary.as_json())


@app.command()
@guarded
def score(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Score, rank and grade: out/scores.csv, out/score_trace.csv, out/scoring-sheet.xlsx."""
    ctx = Ctx(as_json, lang, debug)
    summary = pipeline.score(open_campaign(directory), lang=ctx.lang)
    show_score(ctx, summary)
    ctx.done(summary.as_json())


@app.command()
@guarded
def report(directory: DirArg, as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Write out/report.html: status, totals, scores, grades, gap list, issues (self-contained, printable)."""
    ctx = Ctx(as_json, lang, debug)
    summary = pipeline.report(open_campaign(directory), lang=ctx.lang)
    show_report(ctx, summary)
    ctx.done(summary.as_json())


@app.command()
@guarded
def resolve(directory: DirArg, sha256: Annotated[str, typer.Argument(help="The file's sha256 (a unique prefix will do).")],
            unit: Annotated[Optional[str], typer.Option("--unit", help="Credit the file to this unit code.")] = None,
            reject: Annotated[bool, typer.Option("--reject", help="Reject the file.")] = False,
            reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the ledger).")] = "",
            force: Annotated[bool, typer.Option("--force", help="Credit it even where its carriers name another "
                                                                 "unit or campaign.")] = False,
            as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Accept a review item for a unit, or reject it, recorded with who and when."""
    ctx = Ctx(as_json, lang, debug)
    if bool(unit) == bool(reject):
        raise ConfigError(Msg("cli.command.unit_or_reject"))
    done = pipeline.resolve(open_campaign(directory), sha256, unit=unit, reason=reason, force=force, lang=ctx.lang)
    sha = done.sha256
    summary = {"sha256": sha, "action": done.action, "unit_code": done.unit_code}
    if done.earlier is not None:
        _say_earlier(ctx, done.earlier)
        summary["earlier"] = dict(zip(("action", "unit_code", "reason", "who", "at"), done.earlier))
    ctx.say("cli.command.recorded", sha=sha[:12], what=Msg("cli.command.rejected") if reject else unit)
    ctx.done(summary)


def _say_earlier(ctx: Ctx, earlier: tuple) -> None:
    action, unit, reason, who, at = earlier
    what = Msg("cli.command.assigned", {"unit": unit}) if action == "assign" else Msg("cli.command.rejected")
    ctx.say("cli.command.earlier", what=what, why=Msg("cli.command.why", {"reason": reason}) if reason else "", who=who, at=at)


@app.command()
@guarded
def run(directory: DirArg,
        sources: Annotated[Optional[list[Path]], typer.Argument(help="Files, folders, archives (none: what is already collected).")] = None,
        as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Collect (when sources are given), validate, status, merge, score and report in one go."""
    ctx = Ctx(as_json, lang, debug)
    campaign = open_campaign(directory)
    with stage_bars(ctx) as bars:
        summary = pipeline.run_all(campaign, sources or (), lang=ctx.lang, progress=bars,
                                   on_stage=lambda done: show(ctx, done, bars))
    ctx.done(summary.as_json())


@app.command()
@guarded
def compare(old_dir: Annotated[Path, typer.Argument(help="Last year's campaign.")],
            new_dir: Annotated[Path, typer.Argument(help="This year's campaign.")],
            as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Year on year: out/compare.xlsx and out/compare.csv in NEW_DIR (then `toolkit report NEW_DIR`)."""
    from ..rounds.compare import compare_campaigns
    ctx = Ctx(as_json, lang, debug)
    summary = compare_campaigns(open_campaign(old_dir), open_campaign(new_dir), lang)
    ctx.say("cli.command.compared", path=Path(new_dir) / "out" / "compare.xlsx")
    ctx.done(summary)


@app.command()
@guarded
def demo(directory: Annotated[Path, typer.Argument(help="Where to create the demo campaign.")] = Path("demo-campaign"),
         as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """A complete campaign on the bundled samples, from the roster to the report."""
    from .demo import run_demo
    ctx = Ctx(as_json, lang, debug)
    ctx.done(run_demo(ctx, directory))


# --------------------------------------------------------------------------- scale (optional extra)

from .scale import register as _register_scale  # noqa: E402  export, rollup

_register_scale(app)


# --------------------------------------------------------------------------- the desk in a browser (toolkit.desk)

from .serve import register as _register_desk  # noqa: E402  serve

_register_desk(app)


def main() -> None:
    try:
        app(prog_name="toolkit")
    except SystemExit as exc:
        code = exc.code
        if code not in (0, 1, 2, 130, None) and isinstance(code, int):
            sys.exit(2)
        raise
