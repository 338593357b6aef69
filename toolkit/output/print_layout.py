"""Printing wide sheets legibly: column groups per A4 page, the key columns repeated on each.

A consolidated sheet can hold a hundred columns; scaled to one page wide it is unreadable on
paper. Instead the sheet prints at a readable scale with the unit's code and name repeated at
the left of every page, and vertical page breaks fall between groups of columns that belong
together (an area of indicators, one indicator's columns), never inside one where it can be
helped. :func:`column_breaks` decides where; :func:`print_wide` applies it to an xlsxwriter sheet.
"""

from __future__ import annotations

__all__ = ["column_px", "column_breaks", "print_wide", "scale_to_width", "keep_breaks_one_page_wide", "PAGE_PX",
           "MIN_SCALE", "SCALE"]

# A4 landscape less 0.4 in margins each side, at 96 px per inch: what one page holds at 100 %
PAGE_PX = (11.69 - 0.8) * 96
SCALE = 75       # 10 pt text prints at 7.5 pt: small but legible, and three indicators of 3 columns fit a page
MIN_SCALE = 60   # never smaller; a group wider than a page at this scale is split


def column_px(width: float) -> int:
    """The width in pixels of a column *width* characters wide, as the wider of the suites prints it.

    Excel counts Calibri 11's 7 px digit plus padding; LibreOffice prints the same column wider
    (measured: ten columns of width 10 fill an A4 landscape page at 100 %, eleven do not), so
    its measure keeps a group on its page in both.
    """
    return int((width + 0.71) * 9.7)


def _page_px(scale: int, repeated_px: int) -> float:
    return PAGE_PX * 100 / scale - repeated_px


def column_breaks(widths: list[float], groups: list[list[list[int]]], repeat: int, scale: int = SCALE) -> list[int]:
    """Columns before which a new page starts.

    *widths* are the sheet's column widths; the first *repeat* columns print on every page.
    *groups* lists, left to right, the columns after them: each group a list of atoms, each atom
    a list of columns that must stay on one page (an indicator's score, evidence and note). A
    group starts a new page when it does not fit on what is left of the current one; a group
    wider than a page is broken between its atoms.
    """
    room = _page_px(scale, sum(column_px(w) for w in widths[:repeat]))
    breaks, used = [], 0.0
    for group in groups:
        size = sum(column_px(widths[c]) for atom in group for c in atom)
        if used and size <= room < used + size:  # a group that fits a page is never split
            breaks.append(group[0][0])
            used = 0.0
        for atom in group:
            width = sum(column_px(widths[c]) for c in atom)
            if used and used + width > room:
                breaks.append(atom[0])
                used = 0.0
            used += width
    return breaks


def scale_for(widths: list[float], groups: list[list[list[int]]], repeat: int) -> int:
    """The print scale: :data:`SCALE`, or smaller (down to :data:`MIN_SCALE`) until every atom fits a page.

    A group wider than a page is split between its atoms rather than printed smaller.
    """
    repeated = sum(column_px(w) for w in widths[:repeat])
    widest = max((sum(column_px(widths[c]) for c in atom) for g in groups for atom in g), default=0)
    scale = SCALE
    while scale > MIN_SCALE and widest > _page_px(scale, repeated):
        scale -= 5
    return scale


def print_wide(ws, widths: list[float], groups: list[list[list[int]]], *, repeat: int, header_rows: tuple[int, int],
               title: str, footer: str) -> None:
    """A4 landscape at a readable scale, key columns and header rows repeated, breaks between groups."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    scale = scale_for(widths, groups, repeat)
    ws.set_print_scale(scale)
    ws.repeat_rows(*header_rows)
    if repeat:
        ws.repeat_columns(0, repeat - 1)
    breaks = column_breaks(widths, groups, repeat, scale)
    if breaks:
        ws.set_v_pagebreaks(breaks)
    ws.set_header("&L" + title.replace("&", "&&") + "&R&A")
    ws.set_footer(footer)


def scale_to_width(widths: list[float], *, landscape: bool, side_margin: float) -> int:
    """The largest print scale (10–100 %) at which columns of *widths* fit one A4 page wide.

    Measured with :func:`column_px`, the wider of the suites' measures, so the page holds them in both.
    """
    page = ((11.69 if landscape else 8.27) - 2 * side_margin) * 96
    needed = sum(column_px(w) for w in widths) or 1
    return max(10, min(100, int(page * 100 / needed)))


def keep_breaks_one_page_wide(ws, widths: list[float], *, landscape: bool, side_margin: float) -> None:
    """One page wide by a fixed scale instead of "fit to page", on a sheet with manual page breaks.

    Excel ignores every manual page break of a sheet set to fit to a number of pages (LibreOffice
    honours them), so a sheet whose breaks matter prints at the scale that makes it one page wide.
    """
    ws.set_print_scale(scale_to_width(widths, landscape=landscape, side_margin=side_margin))
