"""The report's charts: pygal set up for static, print-friendly, reproducible inline SVG.

No JavaScript, no external URL, a fixed id per chart so the same data gives the same bytes.
"""

from __future__ import annotations

import math

from markupsafe import Markup
from pygal.style import Style

__all__ = ["FONT_STACK", "new_chart", "svg", "label_margin", "short_label", "histogram_bins"]

FONT_STACK = "Noto Sans CJK SC, Microsoft YaHei, SimHei, sans-serif"
_NICE_STEPS = (1, 2, 2.5, 5)
MAX_BINS = 12


def _style(colors: tuple[str, ...]) -> Style:
    return Style(font_family=FONT_STACK, background="white", plot_background="white",
                 foreground="#333", foreground_strong="#111", foreground_subtle="#ddd",
                 colors=colors, title_font_size=15, label_font_size=12,
                 major_label_font_size=12, legend_font_size=12, value_font_size=11)


def new_chart(kind, chart_id: str, title: str, colors=("#2e6da4",), **opts):
    """A pygal chart set up for static, print-friendly, reproducible SVG."""
    base = dict(disable_xml_declaration=True, js=[], style=_style(colors), width=760, height=340,
                print_values=True, print_zeroes=False, show_y_guides=True, legend_at_bottom=True,
                legend_at_bottom_columns=5, truncate_label=-1, margin=12, margin_bottom=28)
    chart = kind(title=title, **{**base, **opts})
    chart.uuid = chart_id  # pygal scopes its CSS by a random id; a fixed one keeps output stable
    chart.add_xml_filter(_static_svg)
    return chart


def _static_svg(root):
    """Drop pygal's config <script> and its comments (today's date, URLs): a static, stable SVG."""
    for parent in list(root.iter()):
        for child in list(parent):
            if callable(child.tag) or str(child.tag).rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def label_margin(labels: list[str], font_size: int = 12) -> int:
    """Left margin for CJK labels of a horizontal bar chart: pygal sizes text as if every
    character were narrow."""
    wide = max((sum(1 for ch in lab if ord(ch) > 0x2E7F) for lab in labels), default=0)
    return 12 + int(wide * font_size * 0.45)


def short_label(text: str, limit: int = 18) -> str:
    """A chart label cut to *limit* characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def svg(chart) -> Markup:
    """The chart as inline SVG text."""
    return Markup(chart.render(is_unicode=True))


def _nice(width: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k not below *width*."""
    exp = math.floor(math.log10(width))
    for step in _NICE_STEPS + (10,):
        if step * 10 ** exp >= width - 1e-9:
            return step * 10 ** exp
    return 10 ** (exp + 1)


def histogram_bins(values: list[float]) -> tuple[float, float, int]:
    """(start, width, count) of bins chosen from the data.

    The width follows the spread of the middle half of the units (Freedman–Diaconis), rounded to
    a nice step, so units crowded into a few points are spread over several bars; at least five
    bars over the whole range when the units are few, at most MAX_BINS.
    """
    lo, hi = min(values), max(values)
    ordered = sorted(values)
    n = len(ordered)
    iqr = ordered[(3 * (n - 1)) // 4] - ordered[(n - 1) // 4]
    spread = hi - lo
    if spread <= 0:
        width = 1.0
    else:
        fd = 2 * iqr / n ** (1 / 3) if iqr > 0 else spread / max(1, math.ceil(math.sqrt(n)))
        width = _nice(max(min(fd, spread / 5), spread / MAX_BINS, 0.5))
    start = math.floor(lo / width) * width
    bins = max(1, math.ceil((hi - start) / width - 1e-9))  # the top edge is closed: a full score is in
    return start, width, bins
