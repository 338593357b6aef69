"""A campaign's results as pandas DataFrames with proper dtypes.

The tables are the campaign's own output files (out/*.csv), typed column by column, so a frame
says exactly what the file says; ``values`` is read from the ledger's normalised returns (as
``toolkit export --parquet`` does) so each value keeps its type and carries the unit's group and
state, the template version of its return and the field's type.

Dtypes: states, statuses and severities are categoricals whose categories are the contract's
words in the contract's order (a word outside them is kept as an extra category, never lost);
counts, ranks and sizes are nullable ``Int64``; totals and points nullable ``Float64``; flags
(vetoed, late, current) nullable ``boolean``; ``received_at`` a timezone-aware datetime (UTC);
text the nullable ``string`` dtype. An empty CSV cell is ``<NA>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .campaign.folder import Campaign
from .campaign.status import STATUS_COLUMNS, UnitState
from .errors import ConfigError
from .i18n import Msg, define
from .model import FileStatus, Severity

__all__ = ["read_values", "read_issues", "read_ledger", "read_status", "read_scores", "read_score_trace",
           "LEDGER_STATUSES", "SEVERITIES", "UNIT_STATES", "SCORE_STATES"]

LEDGER_STATUSES = tuple(str(s) for s in FileStatus)  # plain text: the categories of a pandas column
SEVERITIES = (str(Severity.ERROR), str(Severity.WARNING))
UNIT_STATES = tuple(str(s) for s in UnitState)
SCORE_STATES = (str(UnitState.ACCEPTED), str(UnitState.FAULTY))

S, I, F, B, T = "string", "Int64", "Float64", "boolean", "datetime"

_LEDGER = {"source": S, "sha256": S, "size": I, "unit_code": S, "template_id": S, "template_version": S,
           "status": LEDGER_STATUSES, "reason_code": "category", "message": S, "received_at": T}
_ISSUES = {"unit_code": S, "source": S, "sha256": S, "sheet": S, "cell": S, "field": S, "code": "category",
           "severity": SEVERITIES, "value": S, "message": S}
_STATUS = dict(zip(STATUS_COLUMNS, (S, S, S, S, UNIT_STATES, I, I, S, S, B)))
_SCORES = {"unit_code": S, "unit_name": S, "group": S, "total": F, "rank": I, "group_rank": I, "grade": S,
           "vetoed": B, "state": SCORE_STATES}
_TRACE = {"unit_code": S, "indicator": S, "rule": S, "inputs": S, "points": F, "max_points": F, "note": S}
_VALUES = {"unit_code": S, "unit_name": S, "group": S, "state": UNIT_STATES, "template_id": S,
           "template_version": S, "sheet": S, "field": S, "field_type": "category", "row": I, "value": S,
           "number": F, "date": T, "flag": B, "raw": S, "current": B}

define("frames", {
    "no_scheme": ("{path} 不存在：此考核任务没有评分方案（campaign.yaml 的 scoring）",
                  "{path} does not exist: the campaign has no scoring scheme (campaign.yaml: scoring)"),
    "run_first": ("{path} 不存在：请先运行 {stage}（toolkit.run_{stage} 或 `toolkit {stage} {dir}`）",
                  "{path} does not exist: run the {stage} stage first (toolkit.run_{stage} or `toolkit {stage} {dir}`)"),
})


def read_values(campaign: Campaign) -> pd.DataFrame:
    """One row per value of every collected return: a single field has an empty ``row``, a table cell
    its row number. ``value`` as values.csv writes it and, by the field's type, ``number``, ``date``
    or ``flag``; ``current`` marks the return the campaign counts (a newer one under the same return
    key supersedes the older)."""
    from .pipeline.stages import validated
    from .scale.export import value_rows
    validated(campaign)  # the values as validate stored them: completed for returns it has not seen
    return _frame(value_rows(campaign, campaign.template()), _VALUES, text=False)


def read_issues(campaign: Campaign) -> pd.DataFrame:
    """out/issues.csv (written by validate)."""
    return _frame(_read(campaign, "issues", "validate"), _ISSUES)


def read_ledger(campaign: Campaign) -> pd.DataFrame:
    """out/ledger.csv (written by collect): every file offered, once per distinct (source, sha256)."""
    return _frame(_read(campaign, "ledger", "collect"), _LEDGER)


def read_status(campaign: Campaign) -> pd.DataFrame:
    """out/status.csv (written by status): one row per roster unit."""
    return _frame(_read(campaign, "status", "status"), _STATUS)


def read_scores(campaign: Campaign) -> pd.DataFrame:
    """out/scores.csv (written by score)."""
    return _frame(_read(campaign, "scores", "score"), _SCORES)


def read_score_trace(campaign: Campaign) -> pd.DataFrame:
    """out/score_trace.csv (written by score): how each indicator's points came about."""
    return _frame(_read(campaign, "score_trace", "score"), _TRACE)


def _read(campaign: Campaign, table: str, stage: str) -> list[dict]:
    from .scale.export import csv_rows
    path: Path = campaign.out / f"{table}.csv"
    if not path.is_file():
        if stage == "score" and not campaign.scoring:
            raise ConfigError(Msg("frames.no_scheme", {"path": path}))
        raise ConfigError(Msg("frames.run_first", {"path": path, "stage": stage, "dir": campaign.dir}))
    return csv_rows(path)


def _frame(rows: list[dict], columns: dict[str, Any], text: bool = True) -> pd.DataFrame:
    """*rows* as a frame with *columns* in order, each cast to its dtype; *text*: cells are CSV text."""
    raw = pd.DataFrame.from_records(rows, columns=list(columns))
    return pd.DataFrame({name: _column(raw[name], kind, text) for name, kind in columns.items()})


def _column(s: pd.Series, kind: Any, text: bool) -> pd.Series:
    cells = [None if _missing(v) or (v == "" and (text or kind == S)) else v for v in s]
    if isinstance(kind, tuple):
        extra = sorted({str(v) for v in cells if v is not None} - set(kind))  # an unknown word is kept, never NA
        return pd.Series(cells, dtype=pd.CategoricalDtype(list(kind) + extra))
    if kind == "category":
        return pd.Series([v if v is None else str(v) for v in cells], dtype="string").astype("category")
    if kind == I:
        return pd.Series(pd.to_numeric(pd.Series(cells, dtype=object)), dtype=F).astype(I)
    if kind == F:
        return pd.Series(pd.to_numeric(pd.Series(cells, dtype=object)), dtype=F)
    if kind == B:
        return pd.Series([_flag(v) for v in cells], dtype=B)
    if kind == T:
        return pd.to_datetime(pd.Series(cells, dtype=object), utc=True, format="ISO8601") if text else \
            pd.to_datetime(pd.Series(cells, dtype=object))
    return pd.Series([v if v is None else str(v) for v in cells], dtype=S)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # NaN from a short record


def _flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word == "":
        return None
    if word in ("true", "1", "yes"):
        return True
    if word in ("false", "0", "no"):
        return False
    raise ValueError(f"{value!r}: expected true or false")
