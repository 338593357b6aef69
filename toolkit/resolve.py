"""The office's decision on a review item: credit it to a unit, or reject it."""

from __future__ import annotations

from .campaign import Campaign
from .errors import ConfigError
from .identify import return_key
from .ledger import Ledger, encode_payload
from .lock import locked

__all__ = ["resolve_file"]


@locked
def resolve_file(campaign: Campaign, sha_prefix: str, *, unit: str | None, reason: str = "") -> str:
    """Record the decision; returns the full sha256. Assigning re-reads the stored original."""
    with Ledger(campaign.db_path) as ledger:
        matches = sorted({f.sha256 for f in ledger.files() if f.sha256.startswith(sha_prefix.lower())})
        if len(matches) != 1:
            what = "no file" if not matches else f"{len(matches)} files"
            raise ConfigError(f"{what} in the ledger match sha256 {sha_prefix!r}; copy the sha256 from out/ledger.csv")
        sha = matches[0]
        if unit is not None:
            if unit not in campaign.roster().by_code():
                raise ConfigError(f"--unit {unit}: no such unit_code in the roster {campaign.roster_file}")
            spec = campaign.template()
            sub = ledger.payload(sha)
            if sub is None:
                sub = _extract_stored(campaign, sha)
                ledger.set_payload(sha, spec.id, encode_payload(sub))
            with ledger.db:  # several returns per unit (evaluations) are told apart by their key
                ledger.db.execute("UPDATE files SET return_key=? WHERE sha256=?", (return_key(spec, sub), sha))
        decision = ("assign" if unit else "reject", unit or "", reason)
        last = ledger.db.execute("SELECT action, unit_code, reason FROM resolutions WHERE sha256=? ORDER BY id DESC"
                                 " LIMIT 1", (sha,)).fetchone()
        if last is None or tuple(last) != decision:  # the same decision again changes nothing
            ledger.resolve(sha, *decision)
        ledger.recompute()
    return sha


def _extract_stored(campaign: Campaign, sha: str):
    from .collect import stored_path
    from .isolated import ReaderStopped, run_isolated
    from .read import ReadError, extract, read_job

    path = stored_path(campaign, sha)
    if path is None or path.suffix == ".bin":
        raise ConfigError(f"{sha[:12]} is not a readable workbook; it can only be rejected")
    try:  # in a worker under limits, as collect reads it
        raw = run_isolated(read_job, (path.read_bytes(), path.suffix.lstrip(".")))
    except (ReadError, ReaderStopped) as exc:
        raise ConfigError(f"{sha[:12]} cannot be read ({exc}); it can only be rejected") from None
    return extract(campaign.template(), raw)
