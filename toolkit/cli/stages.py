"""The stage bodies behind the commands: run a stage, print its one-line summary.

Each ``_stage(ctx, campaign)`` is shared by its own command, by ``toolkit run``
(``run_pipeline``) and by ``toolkit demo``; the commands in ``cli`` only add
the ``--json`` summary.
"""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .support import Ctx, err, out

__all__ = ["run_generate", "run_collect", "_show_attention", "run_validate", "run_status", "run_merge", "run_score", "run_report",
           "run_pipeline", "count_states"]


def run_generate(ctx: Ctx, campaign):
    from ..generate.outbox import generate_outbox
    warn_unfilled(ctx, campaign)
    n = len(campaign.roster().units)
    with ctx.progress(n, "生成 / generating") as advance:
        rows = generate_outbox(campaign, lang=ctx.lang, progress=advance)
    ctx.say(f"已生成 {len(rows)} 份预填模板：{campaign.outbox}（清单 manifest.csv）",
            f"Generated {len(rows)} prefilled workbooks in {campaign.outbox} (manifest.csv)")
    return rows


def warn_unfilled(ctx: Ctx, campaign) -> list[str]:
    """Warn (never fail) when the instructions would print 联系人：，联系电话：。 with nothing filled in."""
    from ..campaign.folder import unfilled_contact
    keys = unfilled_contact(campaign)
    if keys:
        options = " ".join(f"--{k.replace('_', '-')}" for k in keys)
        err.print(f"注意：campaign.yaml 未填写{'、'.join(_CONTACT_WORDS[k] for k in keys)}，下发表格的填报说明中"
                  f"这些内容将是空白（如“联系人：，联系电话：。”）。请在 {campaign.dir / 'campaign.yaml'} 中填写 "
                  f"{'、'.join(keys)}（init 时可用 {options}）后再生成" if ctx.lang != "en" else
                  f"Note: the instructions print {', '.join(keys)} but campaign.yaml leaves "
                  f"{'it' if len(keys) == 1 else 'them'} empty; fill {', '.join(keys)} in "
                  f"{campaign.dir / 'campaign.yaml'} (or give {options} to init) before generating",
                  soft_wrap=True)
    return [f"campaign.yaml: {k} is empty; the instructions print it blank" for k in keys]


_CONTACT_WORDS = {"contact": "联系人", "phone": "联系电话", "return_to": "报送方式"}


def run_collect(ctx: Ctx, campaign, sources, runner=None):
    from ..read.collect import collect as do_collect
    from ..read.collect import export_ledger
    with ctx.progress(None, "收取 / collecting") as advance:
        result = do_collect(campaign, [str(s) for s in sources], progress=advance, runner=runner)
    export_ledger(campaign, ctx.lang)
    parts = ("，" if ctx.lang != "en" else ", ").join(f"{_ledger_word(k, ctx.lang)} {v}"
                                                     for k, v in sorted(result.counts.items()))
    if sources:
        ctx.say(f"收到 {result.offered} 个文件（新增 {result.new}）。台账：{parts}。明细见 out/ledger.csv",
                f"Offered {result.offered} files ({result.new} new). Ledger: {parts}. See out/ledger.csv")
    else:  # `toolkit run DIR`: the files already collected, after a resolve or a roster fix
        ctx.say(f"未给出新文件，按已收取的文件重新处理。台账：{parts or '（空）'}。明细见 out/ledger.csv",
                f"No new files: working on what is already collected. Ledger: {parts or '(empty)'}. "
                f"See out/ledger.csv")
    _show_attention(ctx, campaign)
    return result


_LEDGER_WORDS = {"accepted": "已接收", "superseded": "已被更新取代", "duplicate": "重复", "rejected": "已拒收",
                 "unidentified": "无法识别", "review": "待人工确认"}


def _ledger_word(status: str, lang: str) -> str:
    return status if lang == "en" else _LEDGER_WORDS.get(status, status)


def _show_attention(ctx: Ctx, campaign) -> None:
    """The files a person must look at: under review, unidentified or rejected, with the next step."""
    from ..campaign.ledger import Ledger
    from ..read.collect import reason_message
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


def run_validate(ctx: Ctx, campaign):
    from ..feedback.workbooks import write_feedback
    from ..validate.stage import validate_campaign
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


def run_status(ctx: Ctx, campaign, show_table: bool = True):
    from ..campaign.ledger import Ledger
    from ..campaign.status import unit_statuses, write_status
    statuses = unit_statuses(campaign, ctx.lang)
    write_status(campaign, statuses, ctx.lang)
    with Ledger(campaign.db_path) as ledger:
        checked, accepted = ledger.validation_counts(), ledger.accepted()
    unchecked = [f for f in accepted if f.sha256 not in checked]
    units = campaign.roster().by_code()
    outside = sorted({f.unit_code for f in accepted if f.unit_code not in units})
    if outside and not ctx.json:  # a unit taken out of roster.csv after its return was accepted
        err.print(f"注意：台账中有已接收的报送属于名单之外的单位（{'、'.join(outside)}），不计入状态和汇总；"
                  f"如是误删，请把它们加回 roster.csv" if ctx.lang != "en" else
                  f"Note: accepted returns belong to units not in the roster ({', '.join(outside)}); they are "
                  f"left out of status and merge. Put them back into roster.csv if they were removed by mistake",
                  soft_wrap=True)
    if unchecked and not ctx.json:
        err.print(f"注意：有 {len(unchecked)} 份报送尚未检查，状态可能不准确，请先运行 toolkit validate {campaign.dir}"
                  if ctx.lang != "en" else f"Note: {len(unchecked)} returns are not validated yet; run "
                  f"`toolkit validate {campaign.dir}` first", soft_wrap=True)
    if ctx.json or not show_table:
        return statuses
    _status_table(ctx, statuses)
    return statuses


_STATE_STYLE = {"missing": "red", "unusable": "red", "review": "magenta", "faulty": "yellow", "accepted": "green"}


def _status_table(ctx: Ctx, statuses) -> None:
    """Every unit that needs the office (all of them in a small campaign), then one line of counts."""
    from ..campaign.status import UnitState, state_text
    from ..codes import title
    en = ctx.lang == "en"
    table = Table("unit" if en else "单位代码", "name" if en else "单位名称", "group" if en else "分组",
                  "contact" if en else "联系人", "phone" if en else "电话", "state" if en else "状态",
                  "errors" if en else "错误", "why" if en else "原因")
    for s in statuses:
        if s.state != UnitState.ACCEPTED or s.late or len(statuses) <= 60:
            table.add_row(s.unit_code, s.unit_name, s.group, s.contact, s.phone,
                          Text(state_text(s, ctx.lang), style=_STATE_STYLE[s.state]), str(s.errors or ""),
                          title(s.reason_code, ctx.lang) if s.reason_code else "")
    out.print(table)
    n = {k: sum(1 for s in statuses if s.state == k) for k in UnitState}
    late = sum(1 for s in statuses if s.late)
    ctx.say(f"共 {len(statuses)} 个单位：已报送 {n['accepted']}，需退回修改 {n['faulty']}，待人工确认 {n['review']}，"
            f"报送文件无法使用 {n['unusable']}，未报送 {n['missing']}" + (f"（逾期报送 {late}）" if late else "")
            + "。催报名单：out/chase-list.xlsx",
            f"{len(statuses)} units: {n['accepted']} accepted, {n['faulty']} faulty, {n['review']} under review, "
            f"{n['unusable']} unusable, {n['missing']} missing" + (f" ({late} late)" if late else "")
            + ". Chase list: out/chase-list.xlsx")


def run_merge(ctx: Ctx, campaign, merged=None):
    from ..merge.stage import merge_campaign
    summary = merge_campaign(campaign, ctx.lang, merged)
    ctx.say(f"已汇总 {summary['returned']}/{summary['units']} 个单位的报送：out/consolidated.xlsx、out/values.csv",
            f"Merged returns of {summary['returned']}/{summary['units']} units: out/consolidated.xlsx, out/values.csv")
    return summary


def run_score(ctx: Ctx, campaign, merged=None):
    from ..score.stage import score_campaign
    result = score_campaign(campaign, ctx.lang, merged)
    for warning in result.warnings:
        err.print(f"[yellow]注意 / note:[/yellow] {escape(str(warning))}", markup=True, soft_wrap=True)
    scored = sum(1 for r in result.scores if r["total"] not in ("", None))
    ctx.say(f"已评分 {scored} 个单位：out/scores.csv、out/score_trace.csv、out/scoring-sheet.xlsx",
            f"Scored {scored} units: out/scores.csv, out/score_trace.csv, out/scoring-sheet.xlsx")
    return result


def run_report(ctx: Ctx, campaign):
    from ..report.stage import report_campaign
    path = report_campaign(campaign, ctx.lang)
    ctx.say(f"考核报告：{path}（可直接用浏览器打开、打印）", f"Report: {path} (open in any browser; prints on A4)")
    return path


def run_pipeline(ctx: Ctx, campaign, sources) -> dict:
    """The stages after generation; score only when the campaign has a scoring scheme.

    Without sources nothing new is taken in, but files held back for the campaign (a unit then
    missing from the roster) are read again, and every later stage runs on what is collected.
    """
    summary: dict = {"collected": run_collect(ctx, campaign, list(sources or ())).counts}
    result = run_validate(ctx, campaign)
    summary["faulty"] = sum(1 for e, _ in result.per_file.values() if e)
    summary["state"] = count_states(run_status(ctx, campaign, show_table=False))  # named as `toolkit status` names it
    from ..merge.stage import load_merged
    merged = load_merged(campaign)  # read and normalised once for both merge and score
    summary["merge"] = run_merge(ctx, campaign, merged)
    if campaign.scoring:
        summary["scored"] = sum(1 for r in run_score(ctx, campaign, merged).scores if r["total"] not in ("", None))
    summary["report"] = str(run_report(ctx, campaign))
    return summary


def count_states(statuses) -> dict:
    counts: dict[str, int] = {}
    for s in statuses:
        counts[s.state] = counts.get(s.state, 0) + 1
    return counts
