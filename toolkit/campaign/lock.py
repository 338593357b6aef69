"""One writer at a time per campaign.

Two collects started at once on the same campaign would each recompute the ledger from what
they saw and write the same output files: a unit could end up with two accepted returns. The
stages that write the ledger hold an exclusive lock on DIR/.toolkit.lock; a second process is
told at once that the campaign is busy (exit 2) instead of waiting behind an unknown job. The
lock belongs to the open file, so a killed process leaves nothing to clean up. Within one
process the lock is re-entrant (``toolkit run`` collects, then validates).
"""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..errors import ConfigError
from ..i18n import Msg, define

__all__ = ["CampaignBusy", "campaign_lock", "locked"]

_HELD: dict[str, int] = {}
_FILES: dict[str, object] = {}  # the open lock files of this process


def _drop_in_child() -> None:
    """A forked worker must not keep its parent's lock alive: its copy of the descriptor goes.

    flock belongs to the open file, which a fork shares; were a worker to outlive a killed
    parent, the campaign would stay locked. The number is pointed at the null device instead
    of closed, so the inherited file object stays valid.
    """
    if not _FILES:
        return
    null = os.open(os.devnull, os.O_RDONLY)
    for fh in _FILES.values():
        try:
            os.dup2(null, fh.fileno())
        except (OSError, ValueError):
            pass
    os.close(null)
    _FILES.clear()
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_in_child)


define("campaign.lock", {
    "busy": ("另一个 toolkit 命令正在处理此考核任务（{folder}），请等它结束后再运行",
             "another toolkit command is working on {folder}; run this one again when it has finished"),
})


class CampaignBusy(ConfigError):
    """Another toolkit process is working on the campaign."""


@contextmanager
def campaign_lock(directory: Path) -> Iterator[None]:
    key = os.path.realpath(directory)
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    with open(Path(directory) / ".toolkit.lock", "a+b") as fh:
        if not _lock(fh, take=True):
            raise CampaignBusy(Msg("campaign.lock.busy", {"folder": directory}))
        _HELD[key], _FILES[key] = 1, fh
        try:
            yield
        finally:
            _HELD.pop(key, None)
            _FILES.pop(key, None)
            _lock(fh, take=False)


def locked(fn: Callable) -> Callable:
    """Run a stage ``fn(campaign, ...)`` holding its campaign's lock."""
    @functools.wraps(fn)
    def wrapper(campaign, *args, **kwargs):
        with campaign_lock(campaign.dir):
            return fn(campaign, *args, **kwargs)
    return wrapper


def _lock(fh, take: bool) -> bool:
    """Take the lock on *fh* without waiting, or give it back; False when another process holds it.

    Giving back can fail only harmlessly: closing the file releases the lock anyway.
    """
    try:
        if os.name == "nt":
            import msvcrt
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK if take else msvcrt.LK_UNLCK, 1)
        else:
            import fcntl
            fcntl.flock(fh.fileno(), (fcntl.LOCK_EX | fcntl.LOCK_NB) if take else fcntl.LOCK_UN)
    except OSError:  # BlockingIOError on POSIX, PermissionError on Windows: someone else holds it
        return False
    return True
