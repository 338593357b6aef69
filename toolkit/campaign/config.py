"""Reading campaign.yaml safely: every key checked, nothing in it can hang or crash a command.

campaign.yaml is edited by hand. What YAML allows but a campaign cannot use is refused at once
(exit 2) with the file and the key: an impossible date (2026-02-30), a year of -5 or of 20
digits, a list where text belongs. Aliases (``*name``) are refused as they are read, before any
value is built, so an alias bomb (billion laughs) costs nothing. Dates are kept as written and
checked here, not turned into dates by the YAML reader (which raises on 2026-02-30).
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any

import yaml

from ..errors import CampaignError
from ..i18n import Msg, define
from .deadline import parse_deadline
from .journal import JOURNAL_SETTINGS

__all__ = ["read_campaign_yaml", "CAMPAIGN_KEYS", "YEARS"]

CAMPAIGN_KEYS = ("name", "year", "template", "roster", "deadline", "scoring", "locale",
                 "accept_versions", "protect_password", "period_start", "period_end", "contact",
                 "phone", "return_to", "previous", "round", "resubmit_days", "resubmit_deadline", "journal")
YEARS = (1900, 2999)
_TEXT_KEYS = ("name", "template", "roster", "scoring", "protect_password", "contact", "phone", "return_to",
              "previous", "locale")
_DATE_KEYS = ("deadline", "period_start", "period_end", "resubmit_deadline")
_MOMENT_KEYS = ("deadline",)  # the campaign deadline may carry a time of day: 2026-12-20 17:00
_MAX_BYTES = 1024 * 1024  # a campaign.yaml is a few hundred bytes
_MAX_TEXT = 1000
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

define("campaign.yaml", {
    "alias": ("{path}：键 {key} 用了 YAML 别名（*名称），请把它的值完整写出", "{path}: key {key} uses a YAML alias (*name); write its value out in full"),
    "did_you_mean": ("（是不是 {name}？）", " (did you mean {name}?)"),
    "unknown": ("{path}：未知的键 {key}{hint}；可用的键：{keys}", "{path}: unknown key {key}{hint}; keys: {keys}"),
    "missing": ("{path}：缺少键 {key}，请加上 `{name}: …`", "{path}: key {key} is missing; add `{name}: …`"),
    "journal": ("{path}：键 'journal' 应为 auto、rollback（网络驱动器）或 wal，填写的是 {got}",
                "{path}: key 'journal' must be auto, rollback (a network drive) or wal, got {got}"),
    "too_large": ("{path}：{size} 字节，作为 campaign.yaml 过大（最多 {most}）；它只需 name、year、template 等几个键",
                  "{path}: {size} bytes is too large for a campaign.yaml (at most {most}); it holds a few keys such as name, year, template"),
    "encoding": ("{path}：不是 UTF-8 编码的文本，请另存为 UTF-8", "{path}: not UTF-8 text; save it as UTF-8"),
    "invalid": ("{path}：不是有效的 YAML 格式：{problem}", "{path}: not valid YAML: {problem}"),
    "nested": ("嵌套层数过多", "nested too deeply"),
    "not_mapping": ("{path}：应为 name、year、template 等键及其值", "{path}: expected a mapping of keys such as name, year, template"),
    "text": ("{path}：键 {key} 应为文字，填写的是 {got}", "{path}: key {key} must be text, got {got}"),
    "text_long": ("{path}：键 {key} 的文字最多 {most} 个字，现有 {got} 个", "{path}: key {key} must be text of at most {most} characters, got {got}"),
    "date": ("{path}：键 {key} 应为实际存在的日期，如 2026-12-31，填写的是 {got}", "{path}: key {key} must be a date like 2026-12-31, got {got}"),
    "moment": ("{path}：键 {key} 应为实际存在的日期，如 2026-12-31，或日期加时间，如 2026-12-31 17:00，填写的是 {got}",
               "{path}: key {key} must be a date like 2026-12-31 or a date and time like 2026-12-31 17:00, got {got}"),
    "whole": ("{path}：键 {key} 应为 {lo} 至 {hi} 之间的{what}，填写的是 {got}", "{path}: key {key} must be {what} (from {lo} to {hi}), got {got}"),
    "whole_year": ("年份，如 2026", "a year such as 2026"),
    "whole_round": ("轮次，如 2", "a round number such as 2"),
    "whole_resubmit_days": ("天数，如 7", "a number of days such as 7"),
    "locale": ("{path}：键 'locale' 应为 zh-CN 或 en，填写的是 {got}", "{path}: key 'locale' must be zh-CN or en, got {got}"),
    "versions": ("{path}：键 'accept_versions' 应为一个版本号或版本号列表，如 accept_versions: [\"2025.1\"]",
                 "{path}: key 'accept_versions' must be a version or a list of versions, e.g. accept_versions: [\"2025.1\"]"),
})


class _Alias:
    """Where an alias stood; never expanded."""

    def __init__(self, name: str):
        self.name = name


class _Loader(yaml.SafeLoader):
    """The safe loader without aliases (each becomes an :class:`_Alias`) and without implicit dates."""

    yaml_implicit_resolvers = {first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
                               for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            return yaml.ScalarNode("!toolkit/alias", event.anchor, event.start_mark, event.end_mark)
        return super().compose_node(parent, index)


_Loader.add_constructor("!toolkit/alias", lambda loader, node: _Alias(node.value))


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """:class:`_Loader` in libyaml, for the usual file that has no alias to refuse: every command reads
    campaign.yaml, and the pure-Python reader takes a millisecond or more."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _load(text: str) -> Any:
    if "*" not in text and "\t" not in text:  # no alias can stand in the file; libyaml takes tabs PyYAML refuses
        try:
            return yaml.load(text, Loader=_FastLoader)
        except yaml.YAMLError:
            pass  # the message comes from the reader below, word for word as ever
    return yaml.load(text, Loader=_Loader)


def read_campaign_yaml(path: Path) -> dict[str, Any]:
    """The checked mapping of campaign.yaml at *path*; a :class:`CampaignError` names the key that is wrong."""
    raw = _parse(path)
    for key, value in raw.items():
        if _has_alias(value) or isinstance(key, _Alias):
            raise CampaignError(Msg("campaign.yaml.alias", {"path": path, "key": _show(key)}))
        if key not in CAMPAIGN_KEYS:
            close = difflib.get_close_matches(str(key), CAMPAIGN_KEYS, n=1)
            hint = Msg("campaign.yaml.did_you_mean", {"name": repr(close[0])}) if close else ""
            raise CampaignError(Msg("campaign.yaml.unknown", {"path": path, "key": _show(key), "hint": hint,
                                                               "keys": ", ".join(CAMPAIGN_KEYS)}))
    for key in ("name", "year", "template", "roster"):
        if raw.get(key) in (None, ""):
            raise CampaignError(Msg("campaign.yaml.missing", {"path": path, "key": repr(key), "name": key}))
    for key in _TEXT_KEYS:
        _text(path, key, raw.get(key))
    for key in _DATE_KEYS:
        _date(path, key, raw.get(key))
    raw["year"] = _whole(path, "year", raw["year"], YEARS)
    if raw.get("round") is not None:
        raw["round"] = _whole(path, "round", raw["round"], (1, 1000))
    if raw.get("resubmit_days") is not None:
        raw["resubmit_days"] = _whole(path, "resubmit_days", raw["resubmit_days"], (1, 366))
    _locale(path, raw.get("locale"))
    _versions(path, raw.get("accept_versions"))
    if raw.get("journal") is not None and raw["journal"] not in JOURNAL_SETTINGS:
        raise CampaignError(Msg("campaign.yaml.journal", {"path": path, "got": _show(raw["journal"])}))
    return raw


def _parse(path: Path) -> dict:
    if path.stat().st_size > _MAX_BYTES:
        raise CampaignError(Msg("campaign.yaml.too_large", {"path": path, "size": path.stat().st_size, "most": _MAX_BYTES}))
    try:
        raw = _load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError:
        raise CampaignError(Msg("campaign.yaml.encoding", {"path": path})) from None
    except yaml.YAMLError as exc:
        raise CampaignError(Msg("campaign.yaml.invalid", {"path": path, "problem": exc})) from None
    except RecursionError:
        raise CampaignError(Msg("campaign.yaml.invalid", {"path": path, "problem": Msg("campaign.yaml.nested")})) from None
    if not isinstance(raw, dict):
        raise CampaignError(Msg("campaign.yaml.not_mapping", {"path": path}))
    return raw


def _has_alias(value: Any, depth: int = 0) -> bool:
    if isinstance(value, _Alias):
        return True
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(_has_alias(k, depth + 1) or _has_alias(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_alias(v, depth + 1) for v in value)
    return False


def _show(value: Any) -> str:
    """A value as a message shows it: its repr, cut short (a key may hold anything)."""
    text = f"*{value.name}" if isinstance(value, _Alias) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _text(path: Path, key: str, value: Any) -> None:
    """Text, or a number read as text (phone: 12345678); never a list, a mapping or true/false."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise CampaignError(Msg("campaign.yaml.text", {"path": path, "key": repr(key), "got": _show(value)}))
    if len(str(value)) > _MAX_TEXT:
        raise CampaignError(Msg("campaign.yaml.text_long", {"path": path, "key": repr(key), "most": _MAX_TEXT,
                                                            "got": len(str(value))}))


def _date(path: Path, key: str, value: Any) -> None:
    if value in (None, ""):
        return
    if key in _MOMENT_KEYS:
        if isinstance(value, str) and parse_deadline(value) is not None:
            return
        raise CampaignError(Msg("campaign.yaml.moment", {"path": path, "key": repr(key), "got": _show(value)}))
    try:
        if isinstance(value, str) and len(value) == 10:
            dt.date.fromisoformat(value)
            return
    except ValueError:
        pass
    raise CampaignError(Msg("campaign.yaml.date", {"path": path, "key": repr(key), "got": _show(value)}))


def _whole(path: Path, key: str, value: Any, bounds: tuple[int, int]) -> int:
    """A whole number within *bounds*, written as a number or as digits."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 6:
        number = int(value)
    if number is None or not bounds[0] <= number <= bounds[1]:
        raise CampaignError(Msg("campaign.yaml.whole", {"path": path, "key": repr(key), "what": Msg(f"campaign.yaml.whole_{key}"),
                                                        "lo": bounds[0], "hi": bounds[1], "got": _show(value)}))
    return number


def _locale(path: Path, value: Any) -> None:
    if value is not None and str(value).replace("_", "-").split("-")[0].lower() not in ("zh", "en"):
        raise CampaignError(Msg("campaign.yaml.locale", {"path": path, "got": _show(value)}))


def _versions(path: Path, versions: Any) -> None:
    ok = versions is None or (isinstance(versions, (str, int, float)) and not isinstance(versions, bool)) or (
        isinstance(versions, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                           for v in versions))
    if not ok:
        raise CampaignError(Msg("campaign.yaml.versions", {"path": path}))
