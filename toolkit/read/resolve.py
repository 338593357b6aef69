"""The office's decision on a review item: credit it to a unit, or reject it."""

from __future__ import annotations

from typing import NamedTuple

from ..campaign.folder import Campaign, Roster
from ..campaign.ledger import Ledger, encode_payload
from ..campaign.lock import locked
from ..errors import ConfigError
from ..i18n import Msg, define
from .identify import return_key

__all__ = ["resolve_file", "Resolved"]


class Resolved(NamedTuple):
    """The file's full sha256 and the office's earlier decision on it (action, unit, reason, who, at), if any."""

    sha256: str
    earlier: tuple[str, str, str, str, str] | None


@locked
def resolve_file(campaign: Campaign, sha_prefix: str, *, unit: str | None, reason: str = "",
                 force: bool = False) -> Resolved:
    """Record the decision. Assigning re-reads the stored original, and is refused (unless *force*)
    where the file's own carriers name another unit or another campaign."""
    with Ledger(campaign.db_path) as ledger:
        matches = ledger.matching_sha(sha_prefix)
        if len(matches) != 1:
            raise ConfigError(Msg("resolve.no_match", {"sha": repr(sha_prefix)}) if not matches else
                              Msg("resolve.matches", {"n": len(matches), "sha": repr(sha_prefix)}))
        sha = matches[0]
        if unit is not None:
            if unit not in campaign.roster().by_code():
                raise ConfigError(Msg("resolve.no_unit", {"unit": unit, "roster": campaign.roster_file}))
            said = _contradiction(ledger, sha, unit, campaign.roster())
            if said and not force:
                raise ConfigError(Msg(f"resolve.{said.key}", {"sha": sha[:12], "unit": unit, **said.params}))
            spec = campaign.template()
            sub = ledger.payload(sha)
            if sub is None:
                sub = _extract_stored(campaign, sha)
                ledger.set_payload(sha, spec.id, encode_payload(sub))
            ledger.set_return_key(sha, return_key(spec, sub))  # several returns per unit (evaluations) are told apart by it
        decision = ("assign" if unit else "reject", unit or "", reason)
        earlier = (ledger.decisions(sha) or [None])[-1]
        if earlier is None or earlier[:3] != decision:  # the same decision again changes nothing
            ledger.resolve(sha, *decision)
        ledger.recompute()
    return Resolved(sha, earlier)


define("resolve", {
    "no_match": ("台账中没有 sha256 为 {sha} 的文件，请从 out/ledger.csv 复制 sha256",
                 "no file in the ledger match sha256 {sha}; copy the sha256 from out/ledger.csv"),
    "matches": ("台账中有 {n} 个文件的 sha256 以 {sha} 开头，请从 out/ledger.csv 复制更长的 sha256",
                "{n} files in the ledger match sha256 {sha}; copy the sha256 from out/ledger.csv"),
    "no_unit": ("--unit {unit}：名单 {roster} 中没有这个单位代码", "--unit {unit}: no such unit_code in the roster {roster}"),
    "other_campaign": ("{sha}：文件的标识信息表明它是为另一次考核（{campaign}）下发的，不属于本次考核；请核实该文件，确需归入 {unit} 时请加 --force",
                       "{sha}: the file's carriers say it was issued for another campaign ({campaign}); check the file, or add --force "
                       "to credit it to {unit} anyway"),
    "blank": ("{sha}：除预填内容外没有填写任何数据（未填写的表格），归入后会取代该单位已有的报送；请核实该文件，确需归入 {unit} 时请加 --force",
              "{sha}: nothing is filled in beyond the prefilled cells (a blank return); check the file, or add --force to credit it "
              "to {unit} anyway"),
    "other_unit": ("{sha}：文件的标识信息指向单位 {named}，而不是 {unit}；请核实该文件，确需归入 {unit} 时请加 --force",
                   "{sha}: the file's carriers name the unit {named}, not {unit}; check the file, or add --force to credit it to {unit} "
                   "anyway"),
    "unreadable": ("{sha} 不是可读取的工作簿，只能退回", "{sha} is not a readable workbook; it can only be rejected"),
    "cannot_read": ("{sha} 无法读取（{reason}），只能退回", "{sha} cannot be read ({reason}); it can only be rejected"),
})


def _contradiction(ledger: Ledger, sha: str, unit: str, roster: Roster) -> Msg | None:
    """Why crediting the file to *unit* is against what it says: it names another campaign, units of which
    *unit* is none, or it is blank (it would supersede the unit's return with nothing); else None."""
    carriers, reason, _ = ledger.carriers(sha)
    if reason == "identify.other_campaign":
        name, year = carriers.get("campaign.name", "?"), carriers.get("campaign.year", "?")
        return Msg("other_campaign", {"campaign": f"{name} {year}"})
    if reason == "read.blank_return":
        return Msg("blank")
    named = {code for key, value in carriers.items() if key.startswith("unit.") for code in value.split(" / ")}
    if not named or unit in named:
        return None
    units = roster.by_code()
    return Msg("other_unit", {"named": " / ".join(f"{c} {units[c].name}" if c in units else c for c in sorted(named))})


def _extract_stored(campaign: Campaign, sha: str):
    from ..intake.isolated import ReaderStopped, run_isolated
    from .collect import stored_path
    from .locate import extract
    from .reader import ReadError, read_job

    path = stored_path(campaign, sha)
    if path is None or path.suffix == ".bin":
        raise ConfigError(Msg("resolve.unreadable", {"sha": sha[:12]}))
    try:  # in a worker under limits, as collect reads it
        raw = run_isolated(read_job, (path.read_bytes(), path.suffix.lstrip(".")))
    except (ReadError, ReaderStopped) as exc:
        raise ConfigError(Msg("resolve.cannot_read", {"sha": sha[:12], "reason": exc})) from None
    return extract(campaign.template(), raw)
