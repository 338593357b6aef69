"""Which SQLite journal the ledger uses: WAL on a local disk, a rollback journal on a network drive.

WAL keeps its index in shared memory beside the database, which a network filesystem (NFS, SMB/CIFS,
sshfs, …) cannot share between machines: two offices' computers on one shared folder would corrupt
the ledger or fail with "database is locked". campaign.yaml ``journal: rollback|wal|auto`` overrides
the detection (auto by default).
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path

__all__ = ["JOURNAL_SETTINGS", "NETWORK_FS", "journal_mode", "is_network_path", "mount_fstype"]

JOURNAL_SETTINGS = ("auto", "rollback", "wal")
#: Filesystem types (Linux /proc/self/mountinfo, macOS statfs) that live on another machine.
NETWORK_FS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "smb2", "fuse.sshfs", "sshfs", "9p", "afs", "ncpfs", "coda",
    "ceph", "fuse.ceph", "glusterfs", "fuse.glusterfs", "lustre", "gpfs", "ocfs2", "gfs2", "davfs", "fuse.davfs2",
    "webdav", "afpfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "fuse.vmhgfs-fuse", "vboxsf",
})
_DRIVE_REMOTE = 4  # GetDriveTypeW


def journal_mode(setting: str, path: Path, *, mountinfo: str | None = None) -> str:
    """The ``PRAGMA journal_mode`` for a ledger at *path*: ``WAL`` or ``DELETE`` (the rollback journal)."""
    if setting == "wal":
        return "WAL"
    if setting == "rollback":
        return "DELETE"
    return "DELETE" if is_network_path(path, mountinfo=mountinfo) else "WAL"


def is_network_path(path: Path, *, mountinfo: str | None = None) -> bool:
    """True when *path* is on a network filesystem (a shared folder on another machine)."""
    path = Path(os.path.realpath(path))  # a link into a share is on the share
    if mountinfo is not None or sys.platform.startswith("linux"):
        if mountinfo is None:
            try:
                mountinfo = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
            except OSError:  # no /proc (a container without it): assume a local disk, as SQLite does
                return False
        return mount_fstype(path, mountinfo) in NETWORK_FS
    if os.name == "nt":
        return _windows_remote(path)
    if sys.platform == "darwin":
        return _macos_fstype(path) in NETWORK_FS
    return False


def mount_fstype(path: Path, mountinfo: str) -> str:
    """The filesystem type of the mount holding *path*, from the text of /proc/self/mountinfo."""
    best, fstype = -1, ""
    target = path.as_posix().rstrip("/") + "/"
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if not sep or len(fields) < 5 or not right.split():
            continue
        point = _unescape(fields[4]).rstrip("/") + "/"
        if target.startswith(point) and len(point) > best:  # the deepest mount point holding the path
            best, fstype = len(point), right.split()[0]
    return fstype


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (\\040 …)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), field)


def _windows_remote(path: Path) -> bool:
    text = str(path)
    if text.startswith(("\\\\", "//")):  # a UNC path: \\server\share\…
        return True
    root = os.path.splitdrive(text)[0] + "\\"
    return ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)) == _DRIVE_REMOTE


class _StatFs(ctypes.Structure):
    """macOS ``struct statfs`` (64-bit inodes)."""

    _fields_ = [("f_bsize", ctypes.c_uint32), ("f_iosize", ctypes.c_int32), ("f_blocks", ctypes.c_uint64),
                ("f_bfree", ctypes.c_uint64), ("f_bavail", ctypes.c_uint64), ("f_files", ctypes.c_uint64),
                ("f_ffree", ctypes.c_uint64), ("f_fsid", ctypes.c_int32 * 2), ("f_owner", ctypes.c_uint32),
                ("f_type", ctypes.c_uint32), ("f_flags", ctypes.c_uint32), ("f_fssubtype", ctypes.c_uint32),
                ("f_fstypename", ctypes.c_char * 16), ("f_mntonname", ctypes.c_char * 1024),
                ("f_mntfromname", ctypes.c_char * 1024), ("f_reserved", ctypes.c_uint32 * 8)]


def _macos_fstype(path: Path) -> str:
    libc = ctypes.CDLL("libc.dylib", use_errno=True)
    statfs = getattr(libc, "statfs$INODE64", None) or libc.statfs  # x86_64 names the 64-bit variant apart
    buf = _StatFs()
    if statfs(os.fsencode(path), ctypes.byref(buf)) != 0:
        return ""
    return buf.f_fstypename.decode("ascii", "replace")
