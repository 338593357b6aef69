"""Scale: campaigns as typed Parquet tables, many campaigns rolled up with DuckDB, collect on Dask.

Everything here needs the optional extra ``[scale]`` (pyarrow, duckdb, dask[distributed]);
:func:`require` turns a missing one into a usage error (exit 2) that says how to install it.
"""

from __future__ import annotations

import importlib

from ..errors import ConfigError
from ..i18n import Msg, define

__all__ = ["require"]

_PIP = "pip install 'toolkit[scale]'"

define("scale", {
    "needs_extra": ("此命令需要安装可选组件 [scale]（未安装 {name}）：{pip}",
                    "this command needs the optional extra [scale] ({name} is not installed): {pip}"),
    "run_first": ("{path} 不存在：请先运行 `toolkit run {dir}`，再导出", "{path} does not exist: run `toolkit run {dir}` first, then export"),
    "no_folder": ("{pattern}：没有这个考核任务文件夹（作为通配符也没有匹配到文件夹）",
                  "{pattern}: no such campaign folder (and no folder matches it as a pattern)"),
    "not_campaign": ("{folder}：不是考核任务文件夹（没有 campaign.yaml）", "{folder}: not a campaign folder (no campaign.yaml)"),
    "campaign": ("{key}（{name}：模板 {template} 版本 {version}）", "{key} ({name}: template {template} version {version})"),
    "mixed_templates": ("不同模板或版本的考核任务不能合并汇总：{a} 与 {b}；请按模板分别汇总",
                        "campaigns of different templates or versions cannot be rolled up: {a} and {b}; roll up each template separately"),
    "no_campaigns": ("请至少给出一个考核任务文件夹", "give at least one campaign folder"),
    "no_scheduler": ("--dask {address}：无法连接 Dask 调度器（{reason}）；请检查地址（如 tcp://10.0.0.5:8786）以及调度器是否已启动",
                     "--dask {address}: cannot reach the Dask scheduler ({reason}); check the address (e.g. tcp://10.0.0.5:8786) and "
                     "that the scheduler is running"),
})


def require(*modules: str):
    """Import *modules* (pyarrow, duckdb, distributed) or raise a ConfigError naming the extra."""
    loaded = []
    for name in modules:
        try:
            loaded.append(importlib.import_module(name))
        except ImportError:
            raise ConfigError(Msg("scale.needs_extra", {"name": name, "pip": _PIP})) from None
    return loaded[0] if len(loaded) == 1 else loaded
