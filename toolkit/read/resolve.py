"""The office's decision on a review item: credit it to a unit, or reject it."""

from __future__ import annotations

from typing import NamedTuple

from ..campaign.folder import Campaign, Roster
from ..campaign.ledger import Ledger, encode_payload
from ..campaign.lock import locked
from ..errors import ConfigError
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
            what = "no file" if not matches else f"{len(matches)} files"
            raise ConfigError(f"{what} in the ledger match sha256 {sha_prefix!r}; copy the sha256 from out/ledger.csv")
        sha = matches[0]
        if unit is not None:
            if unit not in campaign.roster().by_code():
                raise ConfigError(f"--unit {unit}: no such unit_code in the roster {campaign.roster_file}")
            said = _contradiction(ledger, sha, unit, campaign.roster())
            if said and not force:
                raise ConfigError(f"{sha[:12]}: {said}; check the file, or add --force to credit it to {unit} anyway")
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


def _contradiction(ledger: Ledger, sha: str, unit: str, roster: Roster) -> str:
    """Why crediting the file to *unit* is against what it says: it names another campaign, units of which
    *unit* is none, or it is blank (it would supersede the unit's return with nothing); else ""."""
    carriers, reason, _ = ledger.carriers(sha)
    if reason == "identify.other_campaign":
        name, year = carriers.get("campaign.name", "?"), carriers.get("campaign.year", "?")
        return f"the file's carriers say it was issued for another campaign ({name} {year})"
    if reason == "read.blank_return":
        return "nothing is filled in beyond the prefilled cells (a blank return)"
    named = {code for key, value in carriers.items() if key.startswith("unit.") for code in value.split(" / ")}
    if not named or unit in named:
        return ""
    units = roster.by_code()
    named_text = " / ".join(f"{c} {units[c].name}" if c in units else c for c in sorted(named))
    return f"the file's carriers name the unit {named_text}, not {unit}"


def _extract_stored(campaign: Campaign, sha: str):
    from ..intake.isolated import ReaderStopped, run_isolated
    from .collect import stored_path
    from .locate import extract
    from .reader import ReadError, read_job

    path = stored_path(campaign, sha)
    if path is None or path.suffix == ".bin":
        raise ConfigError(f"{sha[:12]} is not a readable workbook; it can only be rejected")
    try:  # in a worker under limits, as collect reads it
        raw = run_isolated(read_job, (path.read_bytes(), path.suffix.lstrip(".")))
    except (ReadError, ReaderStopped) as exc:
        raise ConfigError(f"{sha[:12]} cannot be read ({exc}); it can only be rejected") from None
    return extract(campaign.template(), raw)
