"""What the commands show of the pipeline's summaries: one-line results, tables, notes and progress bars.

The stages themselves run in :mod:`toolkit.pipeline`; ``show`` prints any stage's summary the way
its own command does, so ``toolkit run`` and ``toolkit demo`` pass it to the pipeline as the
callback that follows each stage. The commands in ``cli`` add the ``--json`` summary.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .support import Ctx, err, out

__all__ = ["show", "show_generate", "show_collect", "show_attention", "show_validate", "show_status",
           "show_merge", "show_score", "show_report", "warn_unfilled", "stage_bars", "StageBars"]

_BAR_LABELS = {"generate": "生成 / generating", "collect": "收取 / collecting", "validate": "检查 / validating"}


class StageBars:
    """The pipeline's ``progress(stage, n)`` as one progress bar per long stage (a bar of ``totals[stage]``
    steps, or a count), each closed before the stage's own lines are printed."""

    def __init__(self, ctx: Ctx, totals: dict[str, int] | None = None):
        self.ctx, self.totals = ctx, dict(totals or {})
        self._stage, self._bar, self._advance = None, None, None

    def __call__(self, stage: str, n: int = 1) -> None:
        if stage not in _BAR_LABELS:
            return
        if stage != self._stage:
            self.close()
            self._bar = self.ctx.progress(self.totals.get(stage), _BAR_LABELS[stage])
            self._stage, self._advance = stage, self._bar.__enter__()
        self._advance(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
        self._stage, self._bar, self._advance = None, None, None


@contextmanager
def stage_bars(ctx: Ctx, totals: dict[str, int] | None = None) -> Iterator[StageBars]:
    bars = StageBars(ctx, totals)
    try:
        yield bars
    finally:
        bars.close()


def show(ctx: Ctx, summary, bars: StageBars | None = None) -> None:
    """Print a stage's summary as its own command does (``toolkit run``: the status without its table)."""
    if bars is not None:
        bars.close()
    stage = summary.stage
    if stage == "demo":
        if bars is not None:
            bars.totals["generate"] = summary.units
        if summary.reused:
            ctx.say(f"使用已有的演示任务 {summary.directory}", f"Reusing the demo campaign in {summary.directory}")
    elif stage == "status":
        show_status(ctx, summary, table=False)
    else:
        {"generate": show_generate, "collect": show_collect, "validate": show_validate, "merge": show_merge,
         "score": show_score, "report": show_report}[stage](ctx, summary)


def show_generate(ctx: Ctx, summary) -> None:
    warn_unfilled(ctx, summary.outbox.parent, summary.unfilled)
    ctx.say(f"已生成 {summary.workbooks} 份预填模板：{summary.outbox}（清单 manifest.csv）",
            f"Generated {summary.workbooks} prefilled workbooks in {summary.outbox} (manifest.csv)")


def warn_unfilled(ctx: Ctx, campaign_dir, keys) -> list[str]:
    """Warn (never fail) when the instructions would print 联系人：，联系电话：。 with nothing filled in."""
    if keys:
        options = " ".join(f"--{k.replace('_', '-')}" for k in keys)
        err.print(f"注意：campaign.yaml 未填写{'、'.join(_CONTACT_WORDS[k] for k in keys)}，下发表格的填报说明中"
                  f"这些内容将是空白（如“联系人：，联系电话：。”）。请在 {campaign_dir / 'campaign.yaml'} 中填写 "
                  f"{'、'.join(keys)}（init 时可用 {options}）后再生成" if ctx.lang != "en" else
                  f"Note: the instructions print {', '.join(keys)} but campaign.yaml leaves "
                  f"{'it' if len(keys) == 1 else 'them'} empty; fill {', '.join(keys)} in "
                  f"{campaign_dir / 'campaign.yaml'} (or give {options} to init) before generating",
                  soft_wrap=True)
    return [f"campaign.yaml: {k} is empty; the instructions print it blank" for k in keys]


_CONTACT_WORDS = {"contact": "联系人", "phone": "联系电话", "return_to": "报送方式"}


def show_collect(ctx: Ctx, summary) -> None:
    parts = ("，" if ctx.lang != "en" else ", ").join(f"{_ledger_word(k, ctx.lang)} {v}"
                                                     for k, v in sorted(summary.counts.items()))
    if summary.sources:
        ctx.say(f"收到 {summary.offered} 个文件（新增 {summary.new}）。台账：{parts}。明细见 out/ledger.csv",
                f"Offered {summary.offered} files ({summary.new} new). Ledger: {parts}. See out/ledger.csv")
    else:  # `toolkit run DIR`: the files already collected, after a resolve or a roster fix
        ctx.say(f"未给出新文件，按已收取的文件重新处理。台账：{parts or '（空）'}。明细见 out/ledger.csv",
                f"No new files: working on what is already collected. Ledger: {parts or '(empty)'}. "
                f"See out/ledger.csv")
    show_attention(ctx, summary)


_LEDGER_WORDS = {"accepted": "已接收", "superseded": "已被更新取代", "duplicate": "重复", "rejected": "已拒收",
                 "unidentified": "无法识别", "review": "待人工确认"}


def _ledger_word(status: str, lang: str) -> str:
    return status if lang == "en" else _LEDGER_WORDS.get(status, status)


def show_attention(ctx: Ctx, summary) -> None:
    """The files a person must look at: under review, unidentified or rejected, with the next step."""
    if ctx.json or not summary.attention:
        return
    en = ctx.lang == "en"
    table = Table("sha256", "status" if en else "状态", "file" if en else "文件", "why" if en else "原因")
    for f in summary.attention[:50]:
        table.add_row(f.sha256[:12], _ledger_word(f.status, ctx.lang), f.source.rsplit("/", 1)[-1], f.why)
    out.print(table)
    directory = summary.ledger_csv.parent.parent
    ctx.say(f"需人工处理的文件：确认归属用 toolkit resolve {directory} <sha256> --unit 单位代码，退回用 --reject --reason 原因",
            f"To settle a file: toolkit resolve {directory} <sha256> --unit CODE, or --reject --reason TEXT")


def show_validate(ctx: Ctx, summary) -> None:
    ctx.say(f"已检查 {summary.returns} 份报送：错误 {summary.errors} 个，提示 {summary.warnings} 个；"
            f"{summary.feedback} 个单位需退回修改（feedback/）。明细见 out/issues.csv",
            f"Checked {summary.returns} returns: {summary.errors} errors, {summary.warnings} warnings; "
            f"{summary.feedback} units get a feedback workbook (feedback/). See out/issues.csv")


def show_status(ctx: Ctx, summary, table: bool = True) -> None:
    if ctx.json:
        return
    directory = summary.files[0].parent.parent
    if summary.outside:  # a unit taken out of roster.csv after its return was accepted
        err.print(f"注意：台账中有已接收的报送属于名单之外的单位（{'、'.join(summary.outside)}），不计入状态和汇总；"
                  f"如是误删，请把它们加回 roster.csv" if ctx.lang != "en" else
                  f"Note: accepted returns belong to units not in the roster ({', '.join(summary.outside)}); they "
                  f"are left out of status and merge. Put them back into roster.csv if they were removed by mistake",
                  soft_wrap=True)
    if summary.unchecked:
        err.print(f"注意：有 {summary.unchecked} 份报送尚未检查，状态可能不准确，请先运行 toolkit validate {directory}"
                  if ctx.lang != "en" else f"Note: {summary.unchecked} returns are not validated yet; run "
                  f"`toolkit validate {directory}` first", soft_wrap=True)
    if table:
        _status_table(ctx, summary.units)


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


def show_merge(ctx: Ctx, summary) -> None:
    ctx.say(f"已汇总 {summary.returned}/{summary.units} 个单位的报送：out/consolidated.xlsx、out/values.csv",
            f"Merged returns of {summary.returned}/{summary.units} units: out/consolidated.xlsx, out/values.csv")


def show_score(ctx: Ctx, summary) -> None:
    for warning in summary.warnings:
        err.print(f"[yellow]注意 / note:[/yellow] {escape(str(warning))}", markup=True, soft_wrap=True)
    ctx.say(f"已评分 {summary.scored} 个单位：out/scores.csv、out/score_trace.csv、out/scoring-sheet.xlsx",
            f"Scored {summary.scored} units: out/scores.csv, out/score_trace.csv, out/scoring-sheet.xlsx")


def show_report(ctx: Ctx, summary) -> None:
    ctx.say(f"考核报告：{summary.path}（可直接用浏览器打开、打印）",
            f"Report: {summary.path} (open in any browser; prints on A4)")
