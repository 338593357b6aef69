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

from ..i18n import Words, define, t, texts
from ..model import UnitState
from .support import Ctx, err, out

__all__ = ["show", "show_generate", "show_collect", "show_attention", "show_validate", "show_status",
           "show_merge", "show_score", "show_report", "warn_unfilled", "stage_bars", "StageBars"]

_BAR_LABELS = {"generate": "生成 / generating", "collect": "收取 / collecting", "validate": "检查 / validating"}

define("cli.stage", {
    "reusing": ("使用已有的演示任务 {dir}", "Reusing the demo campaign in {dir}"),
    "generated": ("已生成 {n} 份预填模板：{outbox}（清单 manifest.csv）", "Generated {n} prefilled workbooks in {outbox} (manifest.csv)"),
    "unfilled": ("注意：campaign.yaml 未填写{empty}，下发表格的填报说明中这些内容将是空白（如“联系人：，联系电话：。”）。"
                 "请在 {path} 中填写 {keys}（init 时可用 {options}）后再生成",
                 "Note: the instructions print {keys} but campaign.yaml leaves {empty} empty; fill {keys} in {path} "
                 "(or give {options} to init) before generating"),
    "key.contact": ("联系人", "contact"), "key.phone": ("联系电话", "phone"), "key.return_to": ("报送方式", "return_to"),
    "collected": ("收到 {offered} 个文件（新增 {new}）。台账：{parts}。明细见 out/ledger.csv",
                  "Offered {offered} files ({new} new). Ledger: {parts}. See out/ledger.csv"),
    "recollected": ("未给出新文件，按已收取的文件重新处理。台账：{parts}。明细见 out/ledger.csv",
                    "No new files: working on what is already collected. Ledger: {parts}. See out/ledger.csv"),
    "empty": ("（空）", "(empty)"),
    "ledger.accepted": ("已接收", "accepted"), "ledger.superseded": ("已被更新取代", "superseded"),
    "ledger.duplicate": ("重复", "duplicate"), "ledger.rejected": ("已拒收", "rejected"),
    "ledger.unidentified": ("无法识别", "unidentified"), "ledger.review": ("待人工确认", "review"),
    "head.sha256": ("sha256", "sha256"), "head.status": ("状态", "status"), "head.file": ("文件", "file"),
    "head.why": ("原因", "why"), "head.unit": ("单位代码", "unit"), "head.name": ("单位名称", "name"),
    "head.group": ("分组", "group"), "head.contact": ("联系人", "contact"), "head.phone": ("电话", "phone"),
    "head.state": ("状态", "state"), "head.errors": ("错误", "errors"),
    "settle": ("需人工处理的文件：确认归属用 toolkit resolve {dir} <sha256> --unit 单位代码，退回用 --reject --reason 原因",
               "To settle a file: toolkit resolve {dir} <sha256> --unit CODE, or --reject --reason TEXT"),
    "validated": ("已检查 {returns} 份报送：错误 {errors} 个，提示 {warnings} 个；{feedback} 个单位需退回修改（feedback/）。明细见 out/issues.csv",
                  "Checked {returns} returns: {errors} errors, {warnings} warnings; {feedback} units get a feedback workbook "
                  "(feedback/). See out/issues.csv"),
    "outside": ("注意：台账中有已接收的报送属于名单之外的单位（{units}），不计入状态和汇总；如是误删，请把它们加回 roster.csv",
                "Note: accepted returns belong to units not in the roster ({units}); they are left out of status and merge. "
                "Put them back into roster.csv if they were removed by mistake"),
    "unchecked": ("注意：有 {n} 份报送尚未检查，状态可能不准确，请先运行 toolkit validate {dir}",
                  "Note: {n} returns are not validated yet; run `toolkit validate {dir}` first"),
    "counts": ("共 {units} 个单位：已报送 {accepted}，需退回修改 {faulty}，待人工确认 {review}，报送文件无法使用 {unusable}，未报送 {missing}"
               "{late}。催报名单：out/chase-list.xlsx",
               "{units} units: {accepted} accepted, {faulty} faulty, {review} under review, {unusable} unusable, {missing} missing"
               "{late}. Chase list: out/chase-list.xlsx"),
    "late": ("（逾期报送 {n}）", " ({n} late)"),
    "merged": ("已汇总 {returned}/{units} 个单位的报送：out/consolidated.xlsx、out/values.csv",
               "Merged returns of {returned}/{units} units: out/consolidated.xlsx, out/values.csv"),
    "scored": ("已评分 {n} 个单位：out/scores.csv、out/score_trace.csv、out/scoring-sheet.xlsx",
               "Scored {n} units: out/scores.csv, out/score_trace.csv, out/scoring-sheet.xlsx"),
    "report": ("考核报告：{path}（可直接用浏览器打开、打印）", "Report: {path} (open in any browser; prints on A4)"),
})


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
            ctx.say("cli.stage.reusing", dir=summary.directory)
    elif stage == "status":
        show_status(ctx, summary, table=False)
    else:
        {"generate": show_generate, "collect": show_collect, "validate": show_validate, "merge": show_merge,
         "score": show_score, "report": show_report}[stage](ctx, summary)


def show_generate(ctx: Ctx, summary) -> None:
    warn_unfilled(ctx, summary.outbox.parent, summary.unfilled)
    ctx.say("cli.stage.generated", n=summary.workbooks, outbox=summary.outbox)


def warn_unfilled(ctx: Ctx, campaign_dir, keys) -> list[str]:
    """Warn (never fail) when the instructions would print 联系人：，联系电话：。 with nothing filled in."""
    if keys:
        # in Chinese the keys by what the instructions call them, in English "it" or "them"
        empty = Words("、".join(t(f"cli.stage.key.{k}", "zh") for k in keys), "it" if len(keys) == 1 else "them")
        err.print(t("cli.stage.unfilled", ctx.lang, empty=empty, keys=Words("、".join(keys), ", ".join(keys)),
                    path=campaign_dir / "campaign.yaml", options=" ".join(f"--{k.replace('_', '-')}" for k in keys)),
                  soft_wrap=True)
    return [f"campaign.yaml: {k} is empty; the instructions print it blank" for k in keys]


def show_collect(ctx: Ctx, summary) -> None:
    parts = t("sep.comma", ctx.lang).join(f"{_ledger_word(k, ctx.lang)} {v}" for k, v in sorted(summary.counts.items()))
    if summary.sources:
        ctx.say("cli.stage.collected", offered=summary.offered, new=summary.new, parts=parts)
    else:  # `toolkit run DIR`: the files already collected, after a resolve or a roster fix
        ctx.say("cli.stage.recollected", parts=parts or t("cli.stage.empty", ctx.lang))
    show_attention(ctx, summary)


def _ledger_word(status: str, lang: str) -> str:
    return texts("cli.stage", lang).get(f"ledger.{status}", status)


def show_attention(ctx: Ctx, summary) -> None:
    """The files a person must look at: under review, unidentified or rejected, with the next step."""
    if ctx.json or not summary.attention:
        return
    w = texts("cli.stage", ctx.lang)
    table = Table(*(w[f"head.{key}"] for key in ("sha256", "status", "file", "why")))
    for f in summary.attention[:50]:
        table.add_row(f.sha256[:12], _ledger_word(f.status, ctx.lang), f.source.rsplit("/", 1)[-1], f.why)
    out.print(table)
    directory = summary.ledger_csv.parent.parent
    ctx.say("cli.stage.settle", dir=directory)


def show_validate(ctx: Ctx, summary) -> None:
    ctx.say("cli.stage.validated", returns=summary.returns, errors=summary.errors, warnings=summary.warnings,
            feedback=summary.feedback)


def show_status(ctx: Ctx, summary, table: bool = True) -> None:
    if ctx.json:
        return
    directory = summary.files[0].parent.parent
    if summary.outside:  # a unit taken out of roster.csv after its return was accepted
        err.print(t("cli.stage.outside", ctx.lang, units=t("sep.list", ctx.lang).join(summary.outside)), soft_wrap=True)
    if summary.unchecked:
        err.print(t("cli.stage.unchecked", ctx.lang, n=summary.unchecked, dir=directory), soft_wrap=True)
    if table:
        _status_table(ctx, summary.units)


_STATE_STYLE = {UnitState.MISSING: "red", UnitState.UNUSABLE: "red", UnitState.REVIEW: "magenta", UnitState.FAULTY: "yellow",
                UnitState.ACCEPTED: "green"}


def _status_table(ctx: Ctx, statuses) -> None:
    """Every unit that needs the office (all of them in a small campaign), then one line of counts."""
    from ..campaign.status import UnitState, state_text
    from ..codes import title
    w = texts("cli.stage", ctx.lang)
    table = Table(*(w[f"head.{key}"] for key in ("unit", "name", "group", "contact", "phone", "state", "errors", "why")))
    for s in statuses:
        if s.state != UnitState.ACCEPTED or s.late or len(statuses) <= 60:
            table.add_row(s.unit_code, s.unit_name, s.group, s.contact, s.phone,
                          Text(state_text(s, ctx.lang), style=_STATE_STYLE[s.state]), str(s.errors or ""),
                          title(s.reason_code, ctx.lang) if s.reason_code else "")
    out.print(table)
    n = {k: sum(1 for s in statuses if s.state == k) for k in UnitState}
    late = sum(1 for s in statuses if s.late)
    ctx.say("cli.stage.counts", units=len(statuses), **{str(k): v for k, v in n.items()},
            late=w("late", n=late) if late else "")


def show_merge(ctx: Ctx, summary) -> None:
    ctx.say("cli.stage.merged", returned=summary.returned, units=summary.units)


def show_score(ctx: Ctx, summary) -> None:
    for warning in summary.warnings:
        err.print(f"[yellow]注意 / note:[/yellow] {escape(str(warning))}", markup=True, soft_wrap=True)
    ctx.say("cli.stage.scored", n=summary.scored)


def show_report(ctx: Ctx, summary) -> None:
    ctx.say("cli.stage.report", path=summary.path)
