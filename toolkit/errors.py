"""Fatal errors: a shallow tree with one base class.

Everything about a *return* is an Issue (data), never an exception. These
exceptions are for the operator's own mistakes (a wrong spec, a missing
campaign folder) and carry the exit code the CLI uses.
"""

from __future__ import annotations

from .i18n import Msg, pick

__all__ = ["ToolkitError", "ConfigError", "SpecError", "RosterError", "CampaignError"]


class ToolkitError(Exception):
    """Base class of every fatal toolkit error (exit code 1).

    Raised with a :class:`~toolkit.i18n.Msg` (a message key and its values), it is shown in the
    user's language (:meth:`text`); ``str(exc)`` is the English text, what an IT colleague searches
    for. ``zh`` is the Chinese of an error raised with plain text (a library's own message).
    """

    exit_code = 1

    def __init__(self, message: str | Msg = "", *args, zh: str | None = None):
        self.message = message if isinstance(message, Msg) else None
        super().__init__(message.text("en") if isinstance(message, Msg) else message, *args)
        self._zh = zh

    @property
    def zh(self) -> str | None:
        """The message in Chinese (None for an error raised with English text only)."""
        return self.text("zh")

    def text(self, lang: str = "zh") -> str | None:
        """The message in *lang*, or None when the raiser gave no wording in that language."""
        if self.message is not None:
            return self.message.text(lang)
        return pick((self._zh or "", str(self)), lang) or None


class ConfigError(ToolkitError):
    """A usage or configuration error: exit code 2, one message naming where and how to fix."""

    exit_code = 2


class SpecError(ConfigError):
    """A template spec or scoring scheme is invalid."""


class RosterError(ConfigError):
    """The roster cannot be used (missing column, duplicate code, empty name)."""


class CampaignError(ConfigError):
    """The campaign folder or campaign.yaml is missing or wrong."""
