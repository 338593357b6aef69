"""Names the toolkit makes from data: file names for units and worksheet names.

A unit's name, a spec's title, a group or a spec sheet name is whatever the office typed. Every
name made from them here is legal where it lands, whatever was typed:

* **File names** (outbox/, feedback/) are legal on Windows, macOS and Linux and short enough for
  the path budget below; they stay readable (unit code first, then the name shortened with an
  ellipsis, then the title) and unique within their folder, compared as Windows compares them
  (case-insensitively).
* **Worksheet names** follow what Excel accepts: at most 31 UTF-16 code units, none of
  ``[]:*?/\\``, no apostrophe at either end, not "History", unique case-insensitively.

Path budget: Windows stops at 260 characters (MAX_PATH) unless long paths are enabled. An outbox
is sent to a branch, which unzips it into an ordinary folder such as
``C:\\Users\\<a 20-character user>\\Desktop\\<campaign folder>\\outbox\\`` — we allow 100
characters for that folder and 30 for one more level of folders a branch may add, which leaves
:data:`MAX_NAME_CHARS` = 120 for the file name itself (100 + 30 + 120 = 250 < 260). A file name is
also at most 255 *bytes* on Linux and macOS; the toolkit writes through a temporary
``<name>.part``, so names stay within :data:`MAX_NAME_BYTES` = 240 UTF-8 bytes (about 75 Chinese
characters with the code, the ellipsis and the title).
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Iterable

from ..i18n import Msg, define

__all__ = ["MAX_NAME_CHARS", "MAX_NAME_BYTES", "MAX_SHEET_CHARS", "unit_file_names",
           "safe_file_name", "file_name_part", "safe_sheet_name", "sheet_name_problem", "fits"]

MAX_NAME_CHARS = 120   # UTF-16 code units, as Windows counts a path
MAX_NAME_BYTES = 240   # UTF-8 bytes: 255 on Linux/macOS, less the ".part" of an atomic write
MAX_SHEET_CHARS = 31   # Excel's limit, in UTF-16 code units
ELLIPSIS = "…"
_MIN_NAME = 6          # characters of the unit's name kept before the title is shortened too
_FILE_FORBIDDEN = set('\\/:*?"<>|')
_SHEET_FORBIDDEN = set("[]:*?/\\")
_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$",
             *(f"{p}{d}" for p in ("com", "lpt") for d in "0123456789¹²³")}


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fits(name: str) -> bool:
    """Whether a file name is within both budgets (Windows characters and UTF-8 bytes)."""
    return _utf16(name) <= MAX_NAME_CHARS and len(name.encode("utf-8")) <= MAX_NAME_BYTES


def _unprintable(ch: str) -> bool:
    # control characters, lone surrogates (cannot be encoded), line/paragraph separators
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in "\ufffe\uffff"


def file_name_part(text: str) -> str:
    """One part of a file name with what Windows forbids replaced by ``_`` and runs of spaces folded.

    A line break or tab (Alt+Enter in a roster cell) is a space; other control characters are ``_``.
    """
    out = "".join(" " if ch.isspace() else "_" if ch in _FILE_FORBIDDEN or _unprintable(ch) else ch
                  for ch in str(text))
    return " ".join(out.split()).strip(" .")


def _cut(text: str, n: int) -> str:
    """*text* shortened to *n* characters with an ellipsis (unchanged when it is not longer)."""
    if len(text) <= n:
        return text
    return text[:max(n, 0)].rstrip(" ._") + ELLIPSIS


def _not_reserved(name: str) -> str:
    # Windows reserves CON, NUL, COM1 … as the part before the first dot, whatever the extension
    stem = name.split(".", 1)[0].rstrip(" ").casefold()
    return "_" + name if stem in _RESERVED else name


def safe_file_name(code: str, name: str, tail: str, ext: str = ".xlsx", keep_tail: bool = False,
                   mark: str = "") -> str:
    """``<code>_<name>_<tail><ext>``, legal everywhere and within the budget of this module.

    The name is shortened first (with an ellipsis), down to a few characters; then the tail
    (unless *keep_tail*: feedback files keep their ``退回修改``); then the name further. The code
    is never shortened (the roster keeps codes short); a *mark* follows it as ``<code>~<mark>``.
    """
    code, name, tail = file_name_part(code), file_name_part(name), file_name_part(tail)
    code = f"{code}~{mark}" if mark else code

    def build(n: str, t: str) -> str:
        return _not_reserved("_".join(p for p in (code, n, t) if p) + ext)

    if fits(build(name, tail)):
        return build(name, tail)
    short_name = _longest(lambda k: build(_cut(name, k), tail), len(name), floor=_MIN_NAME)
    if short_name is not None:
        return short_name
    if not keep_tail:
        kept = min(len(name), _MIN_NAME)
        short_tail = _longest(lambda k: build(_cut(name, kept), _cut(tail, k)), len(tail), floor=0)
        if short_tail is not None:
            return short_tail
        tail = ""
    found = _longest(lambda k: build(_cut(name, k), tail), len(name), floor=0)
    return found if found is not None else build("", tail)


def _longest(make, top: int, floor: int) -> str | None:
    """The longest ``make(k)`` for k in [floor, top) that fits; None when none does (binary search)."""
    lo, hi, best = floor, top - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = make(mid)
        if fits(candidate):
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


def unit_file_names(units: Iterable, tail: str, ext: str = ".xlsx", keep_tail: bool = False) -> dict[str, str]:
    """unit code → file name for every unit, unique as Windows compares names.

    Two codes that differ only by a character a file name cannot hold (``A/1`` and ``A_1``), or
    two shortened names that come out equal, each get a short mark from their own code, so a
    unit's file name does not depend on the order of the roster.
    """
    units = list(units)
    names = {u.code: safe_file_name(u.code, u.name, tail, ext, keep_tail) for u in units}
    size = 6
    while True:
        counts: dict[str, int] = {}
        for n in names.values():
            counts[_key(n)] = counts.get(_key(n), 0) + 1
        clashing = [u for u in units if counts[_key(names[u.code])] > 1]
        if not clashing:
            return names
        if size > 64:  # cannot happen: whole sha256 marks of different codes differ
            raise ValueError(f"no unique file names for {sorted(u.code for u in clashing)}")
        for u in clashing:
            mark = hashlib.sha256(u.code.encode("utf-8")).hexdigest()[:size]
            names[u.code] = safe_file_name(u.code, u.name, tail, ext, keep_tail, mark=mark)
        size += 2


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


# --------------------------------------------------------------------------- worksheet names


define("names.sheet", {
    "empty": ("名称为空", "an empty name"),
    "long": ("有 {n} 个字符（Excel 最多 {most} 个）", "{n} characters (Excel allows {most})"),
    "characters": ("含有字符 {chars}", "the character(s) {chars}"),
    "apostrophe": ("开头或结尾是撇号", "an apostrophe at the start or end"),
    "history": ("History 是 Excel 的保留名称", "the name History, which Excel reserves"),
})


def sheet_name_problem(name: str) -> Msg | None:
    """What Excel would refuse in a worksheet name (None when it is fine)."""
    if not isinstance(name, str) or not name.strip():
        return Msg("names.sheet.empty")
    if _utf16(name) > MAX_SHEET_CHARS:
        return Msg("names.sheet.long", {"n": _utf16(name), "most": MAX_SHEET_CHARS})
    bad = sorted({ch for ch in name if ch in _SHEET_FORBIDDEN or _unprintable(ch)})
    if bad:
        return Msg("names.sheet.characters", {"chars": " ".join(repr(ch) for ch in bad)})
    if name.startswith("'") or name.endswith("'"):
        return Msg("names.sheet.apostrophe")
    if name.casefold() == "history":
        return Msg("names.sheet.history")
    return None


def safe_sheet_name(text: str, used: set[str], fallback: str = "sheet") -> str:
    """A worksheet name Excel accepts, made from *text* and unique among *used*.

    *used* holds the names taken so far, case-folded; the new name is added to it. Characters
    Excel refuses are left out, edge apostrophes and spaces go, "History" (reserved) becomes
    ``History_``, and a clash gets ``_2``, ``_3`` …
    """
    clean = "".join(ch for ch in str(text) if ch not in _SHEET_FORBIDDEN and not _unprintable(ch))
    base = _sheet_cut(clean, MAX_SHEET_CHARS) or fallback
    if base.casefold() == "history":
        base += "_"
    name, n = base, 2
    while name.casefold() in used:
        suffix = f"_{n}"
        name = (_sheet_cut(base, MAX_SHEET_CHARS - len(suffix)) or fallback[:1]) + suffix
        n += 1
    used.add(name.casefold())
    return name


def _sheet_cut(text: str, limit: int) -> str:
    """*text* within *limit* UTF-16 units, without edge apostrophes or spaces."""
    text = text.strip(" '")
    while _utf16(text) > limit:
        text = text[:-1]
    return text.strip(" '")
