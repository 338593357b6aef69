"""The feedback workbook's cell styles: the master's, and the variants a unit's workbook needs.

A faulty cell keeps its own style (borders, number format, the unlocked input) with a red
(error) or yellow (warning) fill; a date typed where the template has no date format keeps
showing as a date. Each such variant is one more entry in styles.xml's cellXfs, added only
for the unit whose workbook uses it.
"""

from __future__ import annotations

import re

from ..model import Severity

__all__ = ["FILLS", "StyleBook", "UnitStyles"]

FILLS = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C"}  # what Excel offers as "light red" and "light yellow"
_XF = re.compile(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_FILLS = re.compile(r'<fills count="(\d+)">(.*?)</fills>', re.S)
_CELL_XFS = re.compile(r'<cellXfs count="\d+">(.*?)</cellXfs>', re.S)
_NUM_FMT = re.compile(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"/>')
_FMT_ID = re.compile(r'\bnumFmtId="(\d+)"')
_BUILTIN_DATES = frozenset(range(14, 23)) | {45, 46, 47}
_NOT_CODE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


class StyleBook:
    """The master's styles.xml, read once, with the two issue fills added."""

    def __init__(self, xml: str):
        fills = _FILLS.search(xml)
        count = int(fills.group(1))
        self.fill_id = {mark: count + n for n, mark in enumerate(FILLS)}
        # alpha 00 as openpyxl writes it: office suites ignore it, readers compare the same text
        added = "".join(f'<fill><patternFill patternType="solid"><fgColor rgb="00{rgb}"/><bgColor indexed="64"/>'
                        "</patternFill></fill>" for rgb in FILLS.values())
        xml = f'{xml[:fills.start()]}<fills count="{count + len(FILLS)}">{fills.group(2)}{added}</fills>{xml[fills.end():]}'
        xfs = _CELL_XFS.search(xml)
        self.xfs = _XF.findall(xfs.group(1))
        self.head, self.tail = xml[:xfs.start()], xml[xfs.end():]
        dates = set(_BUILTIN_DATES)
        for fmt_id, code in _NUM_FMT.findall(xml):
            if re.search("[dmyhs]", _NOT_CODE.sub("", code), re.I):
                dates.add(int(fmt_id))
        self.date_styles = frozenset(n for n, xf in enumerate(self.xfs) if int(_attr(xf, "numFmtId") or 0) in dates)

    def for_unit(self) -> "UnitStyles":
        return UnitStyles(self)


class UnitStyles:
    """The styles of one unit's workbook: the master's plus the variants asked for."""

    def __init__(self, book: StyleBook):
        self.book, self.added, self.index = book, [], {}

    def style(self, base: int, mark: str | None = None, date_fmt: int | None = None) -> int:
        """The style of a cell that had *base*: with the fill of *mark* ("error", "warning"), and
        with *date_fmt* unless *base* shows dates already."""
        book = self.book
        if base >= len(book.xfs):
            base = 0
        if date_fmt is not None and base in book.date_styles:
            date_fmt = None
        if mark is None and date_fmt is None:
            return base
        key = (base, mark, date_fmt)
        if key not in self.index:
            xf = book.xfs[base]
            if mark is not None:
                xf = _set_attr(_set_attr(xf, "fillId", book.fill_id[mark]), "applyFill", 1)
            if date_fmt is not None:
                xf = _set_attr(_set_attr(xf, "numFmtId", date_fmt), "applyNumberFormat", 1)
            self.index[key] = len(book.xfs) + len(self.added)
            self.added.append(xf)
        return self.index[key]

    def xml(self) -> bytes:
        xfs = self.book.xfs + self.added
        return f'{self.book.head}<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>{self.book.tail}'.encode("utf-8")


def _attr(xf: str, name: str) -> str | None:
    m = re.search(rf'\b{name}="([^"]*)"', xf)
    return m.group(1) if m else None


def _set_attr(xf: str, name: str, value) -> str:
    if _attr(xf, name) is not None:
        return re.sub(rf'\b{name}="[^"]*"', f'{name}="{value}"', xf, count=1)
    return f'<xf {name}="{value}"{xf[3:]}'
