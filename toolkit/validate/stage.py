"""Validate: normalise every accepted return, run the checks, report the issues.

Writes out/issues.csv (contract columns), records each return's error and
warning counts in the ledger (so `status` shows faulty units), and hands the
units with errors to :mod:`toolkit.feedback.workbooks`.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Callable, Iterator

from ..campaign.carried import read_carry
from ..campaign.deadline import received_day
from ..campaign.folder import Campaign
from ..campaign.ledger import FileRow, Ledger
from ..campaign.lock import locked
from ..campaign.values import encode_entries, spec_key
from ..codes import hint, render, title
from ..expr.language import ExpressionError, evaluate
from ..i18n import Words, define, pick, texts
from ..intake.isolated import exit_with_parent
from ..model import Entry, Issue, Return, Severity
from ..normalise.values import Parsed, display, normalise
from ..read.reader import Submission
from ..returned import field_index, lifecycle_sheet
from ..spec.model import Field, TemplateSpec
from .checklist import closings_failed, run_checks

__all__ = ["validate_campaign", "build_return", "entries_of", "check_return", "ISSUE_COLUMNS", "ValidationResult",
           "issue_message", "typed_text"]

ISSUE_COLUMNS = ("unit_code", "source", "sha256", "sheet", "cell", "field", "code", "severity", "value", "message")


@dataclass
class ValidationResult:
    """What validate found. With a *feedback* sink (``toolkit validate`` and ``run``) the issue rows
    went to out/issues.csv and the returns and their issues to the sink as they were checked, and
    only the counts are kept: ``rows``, ``issues`` and ``returns`` stay empty."""

    rows: list[dict] = field(default_factory=list)
    per_file: dict[str, tuple[int, int]] = field(default_factory=dict)
    returns: dict[str, Return] = field(default_factory=dict)   # sha256 -> Return (all, or those with errors
                                                                # when checked in a worker pool)
    issues: dict[str, list[Issue]] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)         # issue code -> how many

    def counts_by_code(self) -> dict[str, int]:
        return dict(sorted(self.codes.items()))


_MEMO_CACHE: dict[int, tuple[TemplateSpec, dict]] = {}
_MEMO_LIMIT = 8192


def _indexed(spec: TemplateSpec) -> tuple[dict, dict]:
    """The spec's field index and, per value field id, the memo of its normalised values."""
    index = field_index(spec)
    hit = _MEMO_CACHE.get(id(spec))
    if hit is None or hit[0] is not spec:
        hit = _MEMO_CACHE[id(spec)] = (spec, {fid: {} for fid in index})
    return index, hit[1]


def build_return(spec: TemplateSpec, sub: Submission, period: tuple = (), context: dict | None = None) -> Return:
    """Normalise a submission's raw values; computed fields recomputed, never taken from the cache.

    The batch is normalised column by column in effect: each value field keeps a memo of the raw
    values it has seen (keyed with their type, so ``True``, ``1`` and ``1.0`` stay apart), and a
    value repeated across returns (``是``, ``32人``, a score of 4) is parsed once per worker.
    """
    from .checks import new_issue

    index, memos = _indexed(spec)
    date1904 = sub.date1904
    entries: dict[tuple[str, int | None], Entry] = {}
    parse_issues: list[Issue] = []
    for v in sub.values:
        hit = index.get(v.field_id)
        if hit is None:
            continue
        f, label, item_max = hit
        raw = v.raw
        e = Entry(v.sheet_id, v.field_id, v.row, v.sheet, v.cell, raw, f, label, None, item_max)
        if f.formula is None:
            p = _parse(memos[v.field_id], f, raw, date1904, item_max)
            e.value = p.value
            if p.error:
                parse_issues.append(new_issue(p.error, e))
            if p.warning:
                parse_issues.append(new_issue(p.warning, e))
        entries[(v.field_id, v.row)] = e
    ret = Return(spec, entries, list(sub.findings), parse_issues, period, context or {})
    _recompute(ret)
    return ret


def _parse(memo: dict, f: Field, raw: Any, date1904: bool, item_max: float | None) -> Parsed:
    key = (raw.__class__, raw, date1904)
    try:
        hit = memo.get(key)
    except TypeError:  # an unhashable raw value
        return normalise(f, raw, date1904=date1904, max_points=item_max)
    if hit is None:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        hit = memo[key] = normalise(f, raw, date1904=date1904, max_points=item_max)
    return hit


def _recompute(ret: Return) -> None:
    computed = [e for e in ret.entries.values() if e.field.formula]
    for _ in range(len(computed)):  # formulas may depend on each other; settle in a few passes
        ret.forget_names()
        names = ret.names()
        for e in computed:
            try:
                value = evaluate(e.field.formula, names)
            except ExpressionError:
                value = None
            if isinstance(value, float) and e.field.type == "int" and value.is_integer():
                value = int(value)
            e.value = value
    ret.forget_names()


def check_return(ret: Return) -> list[Issue]:
    return run_checks(ret)


define("validate.issue", {
    "label": ("「{label}」", " '{label}'"),
    "typed": ("（填写的是：{typed}）", " (typed: {typed})"),
    "detail": ("（{detail}）", " — {detail}"),
    "head": ("{where}{label}：{title}{typed}{detail}", "{where}{label}: {title}{typed}{detail}"),
    "message": ("{head}。{hint}", "{head}. {hint}"),
})


def issue_message(issue: Issue, lang: str = "zh") -> str:
    """Where, what and how to fix, in the user's language."""
    w = texts("validate.issue", lang)
    shown = pick(Words(issue.label, issue.label_en), lang)
    detail = render(issue.code, issue.params, lang, issue.variant)
    typed = typed_text(issue.value)
    head = w("head", where=f"{issue.sheet}!{issue.cell}" if issue.cell else issue.sheet,
             label=w("label", label=shown) if shown else "", title=title(issue.code, lang),
             typed=w("typed", typed=typed) if typed else "", detail=w("detail", detail=detail) if detail else "")
    return w("message", head=head.rstrip("."), hint=hint(issue.code, lang)).strip()


def typed_text(value: Any) -> str:
    """What the unit typed, as it showed in the cell: 70 not 70.0 (a reader's float), dates ISO."""
    return value if isinstance(value, str) else display(value)


@locked
def validate_campaign(campaign: Campaign, lang: str = "zh", progress=None, workers: int | None = None,
                      feedback: Callable | None = None) -> ValidationResult:
    """Check every accepted return; write out/issues.csv and the ledger's counts.

    *feedback*, when given, is called as ``feedback(file, counts, ret, issues)`` for each return as it
    is checked (:class:`toolkit.feedback.workbooks.FeedbackWriter`), and nothing per return but its
    counts is kept; without it the result keeps every return's issues (and its Return when needed).
    """
    from ..output.csvfile import csv_writer

    spec = campaign.template()
    result = ValidationResult()
    codes = result.codes
    # issues.csv written as each return is checked (no list of every row), in place only when all went well
    with csv_writer(campaign.out / "issues.csv", ISSUE_COLUMNS) as write_row, Ledger(campaign.db_path) as ledger:
        carry = read_carry(campaign)
        accepted = ledger.accepted()
        closings, sheet = {}, lifecycle_sheet(spec)  # stored, so merge and rounds never check a return again

        def jobs():  # each payload read as the pool asks for it: never all of them in memory
            for f in accepted:
                text = ledger.payload_text(f.sha256)
                if text is not None:
                    yield f, text, {"carry": carry.get(f.unit_code), "received_on": received_day(f.received_at)}

        def record():  # the main process only records what the pool normalised and checked
            for f, rows, counts, ret, issues, values in _map_checks(spec, campaign.period, lang, jobs(),
                                                                    len(accepted), workers):
                sha = f.sha256
                for row in rows:
                    codes[row["code"]] = codes.get(row["code"], 0) + 1
                    write_row(row)
                result.per_file[sha] = counts
                if counts[0] and ret is not None:  # only a return with errors can hold a failed closing
                    closings[sha] = closings_failed(ret, sheet, issues)
                if feedback is not None:
                    feedback(f, counts, ret, issues)
                else:
                    result.rows.extend(rows)
                    result.issues[sha] = issues
                    if ret is not None:
                        result.returns[sha] = ret
                if progress:
                    progress(1)
                yield sha, values

        ledger.set_values(spec_key(spec), record())
        ledger.set_validation(result.per_file, closings)
    return result


_WORKER: dict = {}


def _init_checks(spec: TemplateSpec, period: tuple, lang: str, keep_all: bool = False, worker: bool = False) -> None:
    if worker:
        exit_with_parent()
    _WORKER.update(spec=spec, period=period, lang=lang, keep_all=keep_all)


def _check_one(job: tuple[FileRow, str, dict]):
    """Normalise and check one return; the Return travels back only when feedback needs it."""
    from ..campaign.ledger import decode_payload

    f, text, context = job
    ret = build_return(_WORKER["spec"], decode_payload(text), _WORKER["period"], context)
    issues = check_return(ret)
    counts = (sum(i.severity == Severity.ERROR for i in issues), sum(i.severity == Severity.WARNING for i in issues))
    keep = counts[0] or _WORKER["keep_all"]
    return f, _rows(f, issues, _WORKER["lang"]), counts, (ret if keep else None), issues, entries_of(ret)


def entries_of(ret: Return) -> str:
    """A normalised return's entries as the ledger stores them (validate's pool and its store of missing ones)."""
    return encode_entries((e.sheet_id, e.field_id, e.row, e.sheet, e.cell, e.raw, e.value) for e in ret.entries.values())


def _each(fn: Callable, jobs: list) -> list:
    return [fn(job) for job in jobs]


def _map_checks(spec, period, lang, jobs: Iterator, count: int, workers):
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    if workers <= 1 or count < 200:  # in-process: every Return is kept for the caller
        _init_checks(spec, period, lang, keep_all=True)
        return map(_check_one, jobs)
    pool = ProcessPoolExecutor(workers, initializer=_init_checks, initargs=(spec, period, lang, False, True))
    return _windowed(pool, _check_one, jobs, 4 * workers)


def _windowed(pool: ProcessPoolExecutor, fn: Callable, jobs: Iterator, ahead: int, chunk: int = 32) -> Iterator:
    """``fn(job)`` for every job, in order, in chunks on *pool*, at most *ahead* chunks submitted at a time:
    the jobs (payloads and all) are taken as the pool needs them, where ``map`` would take them all at once."""
    with pool:
        pending: deque = deque()
        for batch in iter(lambda: list(islice(jobs, chunk)), []):
            pending.append(pool.submit(_each, fn, batch))
            if len(pending) > ahead:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _rows(f: FileRow, issues: list[Issue], lang: str) -> list[dict]:
    return [{"unit_code": f.unit_code, "source": f.source, "sha256": f.sha256, "sheet": i.sheet, "cell": i.cell,
             "field": i.field, "code": i.code, "severity": i.severity,
             "value": typed_text(i.value),
             "message": issue_message(i, lang)} for i in issues]
