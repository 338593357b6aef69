"""toolkit: distribute assessment templates, collect and consolidate the returns.

The Python API (docs/api.md)::

    import toolkit
    campaign = toolkit.create_campaign("camp", "annual-assessment", "roster.csv", year=2026)
    toolkit.run_generate(campaign)
    toolkit.run_pipeline(campaign, ["returns/"])
    toolkit.read_status(campaign)       # pandas DataFrames with proper dtypes

The stage functions are named ``run_*`` because ``toolkit.generate``, ``toolkit.validate`` and the
like are the stage packages.

``import toolkit`` stays light: the stages and pandas are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name → (module, attribute); resolved by __getattr__ on first use
_LAZY = {
    "Campaign": ("toolkit.campaign.folder", "Campaign"),
    "ToolkitError": ("toolkit.errors", "ToolkitError"),
    "ConfigError": ("toolkit.errors", "ConfigError"),
    "CampaignError": ("toolkit.errors", "CampaignError"),
    **{name: ("toolkit.api", name) for name in (
        "open_campaign", "create_campaign", "run_generate", "run_collect", "run_validate", "run_status",
        "run_merge", "run_score", "run_report", "run_pipeline", "run_resolve", "demo_samples", "DemoSamples")},
    **{name: ("toolkit.frames", name) for name in (
        "read_values", "read_issues", "read_ledger", "read_status", "read_scores", "read_score_trace")},
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
