"""Originals kept byte for byte under DIR/received/<sha[:2]>/<sha256>.<kind>, and a full disk said plainly.

Each original is written whole to a ``.part`` file and renamed, so a killed run never leaves a half
original under its real name (its ``.part`` files are swept by the next run). A full disk (or
quota) while storing, or SQLite finding it full while recording, stops collect with
:class:`DiskFull` (exit 1) naming the folder; what was recorded before stays.
"""

from __future__ import annotations

import errno
import functools
import os
import sqlite3
import time
from pathlib import Path
from typing import Callable

from ..errors import ToolkitError
from ..i18n import Msg, define
from .folder import Campaign

__all__ = ["store_original", "store_bytes", "stored_path", "sweep_partial_copies", "DiskFull", "stops_on_a_full_disk"]


def store_original(campaign: Campaign, sha256: str, data: bytes, kind: str) -> Path:
    """Keep the bytes exactly as they came, under received/<sha[:2]>/<sha>.<kind>."""
    return store_bytes(campaign.received, sha256, data, kind)


_MADE_DIRS: set[str] = set()


def store_bytes(received: Path, sha256: str, data: bytes, kind: str) -> Path:
    ext = kind if kind in ("xlsx", "xlsm", "xls", "ods", "zip") else "bin"
    folder = os.path.join(received, sha256[:2])
    path = os.path.join(folder, f"{sha256}.{ext}")
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.part"  # written whole, then renamed: never a half original
        try:
            _write_new(folder, tmp, data)
        except OSError as exc:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise _disk_full(exc, received) from None
        os.replace(tmp, path)
    return Path(path)


def _write_new(folder: str, tmp: str, data: bytes) -> None:
    if folder not in _MADE_DIRS:
        os.makedirs(folder, exist_ok=True)
        _MADE_DIRS.add(folder)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o644)
    except FileNotFoundError:  # the folder went away during the run: make it again
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, flags, 0o644)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


define("campaign", {
    "disk_full": ("{folder}：磁盘已满；请腾出空间后重新运行收取（已记录的内容都在）",
                  "{folder}: the disk is full; free some space and run collect again (everything recorded so far is kept)"),
})


class DiskFull(ToolkitError):
    """The disk under the campaign is full: the run stops (exit 1); what it recorded before stays."""


def _disk_full(exc: OSError, folder: Path | str) -> OSError | DiskFull:
    """A full disk (or quota) as the message the office acts on; any other OS error as it is."""
    if exc.errno not in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return exc
    return DiskFull(Msg("campaign.disk_full", {"folder": folder}))


def stops_on_a_full_disk(fn: Callable) -> Callable:
    """SQLite's own "disk is full" while recording stops the run the same way, naming the campaign folder."""
    @functools.wraps(fn)
    def wrapper(campaign, *args, **kwargs):
        try:
            return fn(campaign, *args, **kwargs)
        except sqlite3.OperationalError as exc:
            if "full" not in str(exc):
                raise
            raise _disk_full(OSError(errno.ENOSPC, str(exc)), campaign.dir) from None
    return wrapper


def sweep_partial_copies(received: Path) -> None:
    """Delete ``<sha>.<ext>.<pid>.part`` files left by a run that was killed while storing.

    A part is stale when its writing process is gone (POSIX) or, where that cannot be
    asked safely (``os.kill(pid, 0)`` would terminate the process on Windows), when it is
    an hour old; a collect running at the same time keeps its own.
    """
    for part in received.glob("*/*.part"):
        try:
            pid = part.name.rsplit(".", 2)[-2]
            if os.name == "posix" and pid.isdigit():
                stale = not _process_alive(int(pid))
            else:
                stale = time.time() - part.stat().st_mtime > 3600
            if stale:
                part.unlink()
        except OSError:
            continue


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists but belongs to someone else
        return True
    return True


def stored_path(campaign: Campaign, sha256: str) -> Path | None:
    folder = campaign.received / sha256[:2]
    hits = sorted(folder.glob(f"{sha256}.*")) if folder.is_dir() else []
    hits = [h for h in hits if not h.name.endswith(".part")]
    return hits[0] if hits else None
