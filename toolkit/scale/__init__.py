"""Scale: campaigns as typed Parquet tables, many campaigns rolled up with DuckDB, collect on Dask.

Everything here needs the optional extra ``[scale]`` (pyarrow, duckdb, dask[distributed]);
:func:`require` turns a missing one into a usage error (exit 2) that says how to install it.
"""

from __future__ import annotations

import importlib

from ..errors import ConfigError

__all__ = ["require"]

_PIP = "pip install 'toolkit[scale]'"


def require(*modules: str):
    """Import *modules* (pyarrow, duckdb, distributed) or raise a ConfigError naming the extra."""
    loaded = []
    for name in modules:
        try:
            loaded.append(importlib.import_module(name))
        except ImportError:
            raise ConfigError(f"this command needs the optional extra [scale] ({name} is not installed): {_PIP}",
                              zh=f"此命令需要安装可选组件 [scale]（未安装 {name}）：{_PIP}") from None
    return loaded[0] if len(loaded) == 1 else loaded
