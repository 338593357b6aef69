"""The scale commands over :mod:`toolkit.scale`, registered on the app by :func:`register` (one call in
``commands``).

``toolkit export DIR --parquet`` and ``toolkit rollup OUT DIR...``; collect's ``--dask`` option
lives on the collect command itself and comes here through :func:`dask_runner`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError
from ..i18n import Msg, define, t
from .help import COMMAND_HELP_ZH, PARAM_HELP_ZH
from .support import Ctx, DebugOpt, DirArg, JsonOpt, LangOpt, err, guarded

__all__ = ["register", "dask_runner"]

_HELP_ZH = {
    "export": "把考核结果导出为带类型的 Parquet 表（out/parquet/：数值、得分、评分明细、问题、台账、报送情况）。"
              "需要可选组件 \\[scale]。",
    "rollup": "合并同一模板、同一版本的多个考核任务（DuckDB）：各任务和各分组的合计与比率、跨任务排名、等级分布、"
              "未报送单位；写出 OUT/rollup.parquet/、OUT/rollup.xlsx 和 OUT/rollup.html。需要可选组件 \\[scale]。",
}
_PARAMS_ZH = {
    "export:parquet": "导出为 Parquet（out/parquet/ 下每张表一个文件）。",
    "rollup:out_dir": "汇总结果的输出文件夹。",
    "rollup:campaigns": "考核任务文件夹，或匹配多个文件夹的通配符（如 'provinces/*'）。",
    "dask": "在 Dask 集群上读取和识别文件（调度器地址，如 tcp://10.0.0.5:8786）；文件须在各节点共享的存储上。",
}

define("cli", {
    "export_format": ("请指明导出格式：toolkit export DIR --parquet", "say which format: toolkit export DIR --parquet"),
    "exported": ("已导出 Parquet 表到 {folder}（行数：{parts}）", "Exported Parquet tables to {folder} (rows: {parts})"),
    "rolled_up": ("已汇总 {n} 个考核任务：{folder}（每张表一个 .parquet 文件）、{workbook}、{page}",
                  "Rolled up {n} campaigns: {folder} (one .parquet file per table), {workbook}, {page}"),
    "duplicate_code": ("注意：单位代码 {code} 出现在多个考核任务中：{where}；各按所在任务分别统计，未合并",
                       "Note: unit code {code} appears in several campaigns: {where}; each is counted in its own campaign, never merged"),
})


def register(app: typer.Typer) -> None:
    """Add export and rollup to *app*, with their Chinese help."""
    COMMAND_HELP_ZH.update(_HELP_ZH)
    PARAM_HELP_ZH.update(_PARAMS_ZH)
    app.command("export")(guarded(export))
    app.command("rollup")(guarded(rollup))


def export(directory: DirArg,
           parquet: Annotated[bool, typer.Option("--parquet", help="Write typed Parquet tables (out/parquet/).")]
           = False,
           as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Export the campaign's results as typed Parquet tables (values, scores, score trace, issues, ledger,
    status) in out/parquet/. Needs the optional extra \\[scale]."""
    from ..campaign.folder import load_campaign
    from ..pipeline.stages import validated
    from ..scale.export import export_parquet, parquet_dir

    ctx = Ctx(as_json, lang, debug)
    if not parquet:
        raise ConfigError(Msg("cli.export_format"))
    campaign = load_campaign(directory)
    validated(campaign)  # the values as validate stored them: completed for returns it has not seen
    counts = export_parquet(campaign)
    folder = parquet_dir(campaign)
    parts = ", ".join(f"{name} {n}" for name, n in counts.items())
    ctx.say("cli.exported", folder=folder, parts=parts)
    ctx.done({"folder": str(folder), "rows": counts})


def rollup(out_dir: Annotated[Path, typer.Argument(metavar="OUT", help="Where the roll-up is written.")],
           campaigns: Annotated[list[str], typer.Argument(metavar="DIR...",
                                                          help="Campaign folders, or glob patterns matching them.")],
           as_json: JsonOpt = False, lang: LangOpt = "zh", debug: DebugOpt = False):
    """Combine campaigns of one template and version with DuckDB: totals and rates per campaign and per
    group, ranks across all units, grade shares, who is missing where. Writes OUT/rollup.parquet/ (one
    Parquet file per table), OUT/rollup.xlsx and OUT/rollup.html. Needs the optional extra \\[scale]."""
    from ..scale.rollup import roll_up, write_tables
    from ..scale.rollup_report import write_page, write_workbook

    ctx = Ctx(as_json, lang, debug)
    up = roll_up(campaigns, lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    folder = write_tables(up, out_dir)
    workbook, left_out = write_workbook(up, out_dir, folder, lang)
    page = write_page(up, out_dir, folder, lang)
    duplicates = _warn_duplicates(ctx, up)
    ctx.say("cli.rolled_up", n=len(up.sources), folder=folder, workbook=workbook, page=page)
    ctx.done({"campaigns": [s.key for s in up.sources], "tables": up.counts, "parquet": str(folder),
              "workbook": str(workbook), "page": str(page), "not_in_workbook": left_out,
              "duplicate_unit_codes": duplicates})


def _warn_duplicates(ctx: Ctx, up) -> dict[str, list[str]]:
    """A unit code in several campaigns: said on screen (never silently summed), and in the outputs."""
    found: dict[str, list[str]] = {}
    for row in up.rows("duplicates"):
        found.setdefault(row["unit_code"], []).append(row["campaign"])
    for code, where in found.items():
        err.print(t("cli.duplicate_code", ctx.lang, code=code, where=t("sep.list", ctx.lang).join(where)), soft_wrap=True)
    return found


def dask_runner(address: str | None):
    """The collect pool for ``--dask ADDRESS`` (None: the local pool)."""
    if not address:
        return None
    from ..scale.dask_collect import DaskRunner
    return DaskRunner.factory(address)
