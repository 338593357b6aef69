"""The scoring scheme a filled workbook implies: the self scores, the bonus cap, the veto, the grades.

When the checklist gives points (and the 模板 sheet names no scheme of its own), the scheme
scores each normal item by its self score up to its points, adds the bonus areas up to their
caps, lets a veto item answered 是 decide the grade, and grades by the 等次 sheet (or the
usual 优秀 ≥ 90 at most 15%, 良好 ≥ 80, 一般 ≥ 60, 较差). It is loaded by the scheme loader
before it is written, so it is valid for the spec beside it.
"""

from __future__ import annotations

from ..spec.model import TemplateSpec
from .examples import DEFAULT_GRADES

__all__ = ["implied_scheme"]


def _score_column(columns) -> str | None:
    return next((c.id for c in columns if c.type == "score"), None)


def implied_scheme(spec: TemplateSpec, spec_file: str, grades: list[dict] | None = None) -> dict | None:
    """The raw scheme for *spec* (saved as *spec_file*), or None when its checklist gives no points."""
    checklists = [s for s in spec.sheets if s.kind == "checklist"]
    normal = [a for s in checklists for a in s.areas if a.kind == "normal" and _score_column(a.columns)]
    if not normal or sum(i.max_points for a in normal for i in a.items) <= 0:
        return None
    indicators: list[dict] = [{"rule": "checklist", "areas": [a.id for a in normal]}]
    item_ids = {i.id for s in checklists for i in s.items}
    for area in (a for s in checklists for a in s.areas if a.kind == "bonus" and _score_column(a.columns)):
        ind_id = area.id if area.id not in item_ids else f"{area.id}_points"
        indicators.append({"id": ind_id, "title": area.title, "rule": "bonus", "areas": [area.id]}
                          | ({} if area.cap is not None else {"cap": sum(i.max_points for i in area.items)}))
    vetoes = [a for s in checklists for a in s.areas if a.kind == "veto"]
    column = next((c.id for a in vetoes for c in a.columns if c.type == "bool"), None)
    grades = grades or DEFAULT_GRADES
    if vetoes and column:
        indicators.append({"id": "veto" if "veto" not in item_ids else "veto_items", "title": "一票否决项",
                           "rule": "veto", "areas": [a.id for a in vetoes], "column": column,
                           "grade": grades[-1]["grade"]})
    return {"id": f"{spec.id}-scoring", "version": spec.version, "title": f"{spec.title}评分细则",
            "template": spec_file, "indicators": indicators, "grades": grades}
