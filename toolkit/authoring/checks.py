"""Checks the spec loader cannot make, because they are about what the author declared in words.

An area titled "一、组织生活（60分）" must hold items worth 60 points, and the normal items of
the template must add up to the base points total of the 模板 sheet (基础分合计, often 100).
"""

from __future__ import annotations

import re

from ..i18n import define
from ..spec.model import TemplateSpec
from .places import said

__all__ = ["check_points", "declared_points"]

_DECLARED = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]\s*\Z")


define("authoring", {
    "area_points": ("标题写明{declared}分，但该区各指标分值合计为{points}分，请核对分值或标题",
                    "expected the area's items to add up to the {declared} points its title declares, got a sum of {points}"),
    "total_points": ("基础分合计应为{total}分，但基础指标分值合计为{base}分，请核对各指标分值",
                     "expected the normal indicators to add up to the declared {total} points, got a sum of {base}"),
})


def declared_points(title: str) -> float | None:
    """The points an area title declares at its end: "一、组织生活（60分）" → 60."""
    m = _DECLARED.search(title or "")
    return float(m.group(1)) if m else None


def _fmt(x: float) -> str:
    return f"{x:g}"


def check_points(authored, spec: TemplateSpec) -> None:
    """Stop at the area title or the total that the items' points do not add up to."""
    places = authored.places
    base = 0.0
    for s_no, sheet in enumerate(spec.sheets):
        for a_no, area in enumerate(sheet.areas):
            points = sum(i.max_points for i in area.items)
            if area.kind == "normal":
                base += points
            declared = declared_points(area.title)
            if area.kind == "normal" and declared is not None and abs(declared - points) > 1e-9:
                row = places.rows[f"sheets[{s_no}].areas[{a_no}]"]
                places.fail(row, "title", said("area_points", declared=_fmt(declared), points=_fmt(points)))
    if authored.total is not None and abs(authored.total - base) > 1e-9:
        places.fail(authored.total_row, "total", said("total_points", total=_fmt(authored.total), base=_fmt(base)))
