"""Names of offered files: readable whatever their bytes, and whether the toolkit itself wrote them."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..codes import Detail

__all__ = ["readable_name", "toolkit_written"]


def readable_name(path: Path) -> str:
    """*path* as text a ledger can hold: a name that is not UTF-8 (GBK left by Linux unzip) decoded as GBK.

    Python gives such a name with surrogate escapes, which no UTF-8 file or database takes. Each part
    is decoded on its own (the folders may be UTF-8, the file GBK); what GBK cannot decode keeps its
    bytes as \\xNN escapes. The file itself is still read by its real name.
    """
    text = str(path)
    if not _SURROGATE.search(text):
        return text
    parts = []
    for part in re.split(r"([\\/])", text):
        raw = os.fsencode(part)
        try:
            parts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                parts.append(raw.decode("gb18030"))
            except UnicodeDecodeError:
                parts.append(raw.decode("utf-8", "backslashreplace"))
    return "".join(parts)


_SURROGATE = re.compile("[\udc80-\udcff]")


_TOOLKIT_FOLDERS = ("out", "feedback", "outbox", "received")  # what the toolkit writes inside a campaign folder


def toolkit_written(file: Path) -> Detail | None:
    """The folder the toolkit writes (out/ of the campaign folder X) that *file* lies in, else None."""
    for folder in file.parents:
        if folder.name in _TOOLKIT_FOLDERS and (folder.parent / "campaign.yaml").is_file():
            return Detail("folder", {"folder": folder.name, "campaign": readable_name(folder.parent)})
    return None
