"""Fatal errors: a shallow tree with one base class.

Everything about a *return* is an Issue (data), never an exception. These
exceptions are for the operator's own mistakes (a wrong spec, a missing
campaign folder) and carry the exit code the CLI uses.
"""

from __future__ import annotations

__all__ = ["ToolkitError", "ConfigError", "SpecError", "RosterError", "CampaignError"]


class ToolkitError(Exception):
    """Base class of every fatal toolkit error (exit code 1).

    ``zh`` is the message in Chinese when the raiser composed one (the CLI shows it first, the
    English original below it).
    """

    exit_code = 1

    def __init__(self, *args, zh: str | None = None):
        super().__init__(*args)
        self.zh = zh


class ConfigError(ToolkitError):
    """A usage or configuration error: exit code 2, one message naming where and how to fix."""

    exit_code = 2


class SpecError(ConfigError):
    """A template spec or scoring scheme is invalid."""


class RosterError(ConfigError):
    """The roster cannot be used (missing column, duplicate code, empty name)."""


class CampaignError(ConfigError):
    """The campaign folder or campaign.yaml is missing or wrong."""
