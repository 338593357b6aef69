"""Checks the spec loader cannot make, because they are about what the author declared in words.

An area titled "一、组织生活（60分）" must hold items worth 60 points, and the normal items of
the template must add up to the base points total of the 模板 sheet (基础分合计, often 100).
"""

from __future__ import annotations

import re

from ..spec.model import TemplateSpec

__all__ = ["check_points", "declared_points"]

_DECLARED = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]\s*\Z")


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
                places.fail(row, "title", f"expected the area's items to add up to the {_fmt(declared)} points its title "
                            f"declares, got a sum of {_fmt(points)}",
                            f"标题写明{_fmt(declared)}分，但该区各指标分值合计为{_fmt(points)}分，请核对分值或标题")
    if authored.total is not None and abs(authored.total - base) > 1e-9:
        places.fail(authored.total_row, "total", f"expected the normal indicators to add up to the declared "
                    f"{_fmt(authored.total)} points, got a sum of {_fmt(base)}",
                    f"基础分合计应为{_fmt(authored.total)}分，但基础指标分值合计为{_fmt(base)}分，请核对各指标分值")
