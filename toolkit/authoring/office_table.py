"""A 考核细则 table as offices write it, read into a checklist template.

The usual shape: a title row, a header with columns like 考核项目 / 考核内容 / 分值 / 评分标准 /
佐证材料, and areas either in a merged 考核项目 cell beside their items or in a merged row of
their own, titled "一、责任落实（12分）". Areas whose title says 加分 are bonus areas (a cap from
"封顶5分" / "最高加5分"), 否决 makes a veto area. The template gets a 填报说明 sheet, a 基本信息
form with the unit's code and name, and the checklist with 自评分 and 佐证材料 columns (veto
items ask 是否存在 and 情况说明). What cannot be placed is reported by cell.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import SpecError
from ..i18n import Msg, define
from ..spec.model import TemplateSpec
from ..spec.parse import parse_spec
from .cells import text_of
from .checks import declared_points
from .examples import SELF_SCORE_COLUMNS, UNIT_FIELDS, VETO_COLUMNS
from .places import Places, said
from .read import SheetCells, cell_name

__all__ = ["read_office_table", "HEADERS"]

HEADERS = {
    "area": ("考核项目", "项目", "一级指标", "考核类别", "类别", "考核领域", "考核维度"),
    "content": ("考核内容", "考核要点", "二级指标", "指标内容", "内容", "考核指标", "工作内容"),
    "max": ("分值", "分数", "标准分", "满分", "基准分", "权重"),
    "standard": ("评分标准", "评分细则", "评分办法", "扣分标准", "计分方法", "考核标准", "评分方法"),
    "evidence": ("佐证材料", "佐证资料", "考核依据", "备查材料", "台账资料", "佐证"),
}
_TOTAL = re.compile(r"^\s*(合\s*计|总\s*计|总\s*分|小\s*计)")
_NOTES = re.compile(r"^\s*(备\s*注|说\s*明|注\s*[:：])")  # notes under the table end it
_CAP = re.compile(r"(?:封顶|最高|最多|不超过|上限)\s*(?:加)?\s*(\d+(?:\.\d+)?)\s*分")
_INTRO = ("一、本表由{unit_name}对照考核细则逐项自评打分，于{deadline}前报送。\n"
          "二、自评分不得超过该项分值；自评分大于0的，须在“佐证材料”栏注明材料名称。\n"
          "三、联系人：{contact}，联系电话：{phone}。")


def _norm(text) -> str:
    return re.sub(r"\s", "", str(text or ""))


def _find_header(sheet: SheetCells) -> tuple[int, dict[str, int]] | None:
    for r in range(min(10, sheet.n_rows)):
        cols: dict[str, int] = {}
        for c in range(sheet.n_cols):
            text = _norm(text_of(sheet.get(r, c)))
            # "分值（分）", "评分标准及扣分办法", "考核内容及要求": the header starts with a known name
            key = next((k for k, names in HEADERS.items() if text in names), None) or next(
                (k for k, names in HEADERS.items() for n in names if len(n) > 1 and text.startswith(n)), None)
            if key and key not in cols:
                cols[key] = c
        if "content" in cols and "max" in cols:
            return r, cols
    return None


define("authoring", {
    "not_authoring": ("{file}：应为模板编写工作簿（含“模板”“工作表”两个工作表）或含“考核内容”“分值”列的考核细则表，实际工作表为：{names}",
                      "{file}: expected an authoring workbook (sheets 模板 and 工作表) or a rules table with the columns 考核内容 and 分值, "
                      "got sheets {names}"),
    "office.no_content": ("应在本行填写考核内容，实际为空；指标区标题请单独占一行",
                          "expected the indicator's content (考核内容) in this row, got nothing; "
                          "an area title belongs in a row of its own"),
    "office.points": ("应填写该指标的分值（数字，如 5），实际为“{got}”",
                      "expected the indicator's points (分值), a number such as 5, got {got!r}"),
    "office.empty_area": ("指标区“{title}”下应有考核指标，实际没有", "expected indicators under the area {title!r}, got none"),
    "office.area_points": ("标题写明{declared:g}分，但该区各指标分值合计为{points:g}分，请核对",
                           "expected the area's items to add up to the {declared:g} points its title declares, "
                           "got a sum of {points:g}"),
    "office.total_points": ("合计应为{declared:g}分，但基础指标分值合计为{base:g}分，请核对",
                            "expected the normal indicators to add up to the declared total {declared:g}, got a sum of {base:g}"),
})


def read_office_table(sheets: list[SheetCells], path: Path, lang: str = "zh",
                      template_id: str | None = None) -> tuple[TemplateSpec, dict, list, Places]:
    """(spec, raw spec, grades, places) of the first sheet that looks like a 考核细则 table."""
    places = Places(path.name, lang)
    found = next(((s, h) for s in sheets for h in [_find_header(s)] if h), None)
    if found is None:
        names = "、".join(s.name for s in sheets)
        raise SpecError(Msg("authoring.not_authoring", {"file": path.name, "names": names}))
    sheet, (head, cols) = found
    areas = _areas(sheet, head, cols, places)
    title = _title(sheet, head) or path.stem
    raw = {"id": template_id or _template_id(path), "version": f"{dt.date.today().year}.1", "title": title,
           "sheets": [{"id": "intro", "kind": "instructions", "name": "填报说明", "text": _INTRO},
                      {"id": "basic", "kind": "form", "name": "基本信息", "fields": [dict(f) for f in UNIT_FIELDS]},
                      {"id": "check", "kind": "checklist", "name": "考核指标", "title": title,
                       "columns": [dict(c) for c in SELF_SCORE_COLUMNS], "areas": areas}]}
    return parse_spec(raw, path.name), raw, [], places


def _template_id(path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-_")
    return stem if re.match(r"^[A-Za-z][A-Za-z0-9_-]{0,60}$", stem) else "office-assessment"


def _title(sheet: SheetCells, head: int) -> str | None:
    for r in range(head - 1, -1, -1):
        texts = [t for t in (text_of(sheet.get(r, c)) for c in range(sheet.n_cols)) if t]
        if len(texts) == 1:
            return texts[0].strip()
    return None


def _full_width(sheet: SheetCells, r: int, cols: dict[str, int]) -> str | None:
    """The title of an area written in a row of its own (one text across the row, no points)."""
    texts = {_norm(sheet.merged_value(r, c)) for c in range(sheet.n_cols)} - {""}
    if len(texts) != 1:
        return None
    own = next(t for t in (text_of(sheet.get(r, c)) for c in range(sheet.n_cols)) if t)
    return own.strip() if declared_points(own) is not None or not text_of(sheet.get(r, cols["max"])) else None


def _areas(sheet: SheetCells, head: int, cols: dict[str, int], places: Places) -> list[dict]:
    areas: list[dict] = []
    origin: dict[int, tuple[int, int]] = {}
    total_cell = None
    for r in range(head + 1, sheet.n_rows):
        row_text = [text_of(sheet.get(r, c)) for c in range(sheet.n_cols)]
        if not any(row_text):
            continue
        if any(_TOTAL.match(t) for t in row_text if t):
            total_cell = (r, cols["max"])
            continue
        title, at = _full_width(sheet, r, cols), (r, next(c for c, t in enumerate(row_text) if t))
        if title is not None and _NOTES.match(title) and areas:
            break
        if title is None and "area" in cols:
            title, at = text_of(sheet.merged_value(r, cols["area"])), _merged_origin(sheet, r, cols["area"])
        if title and (not areas or _norm(title) != _norm(areas[-1]["title"])):
            areas.append(_new_area(title.strip(), areas))
            origin[len(areas) - 1] = at
        if _full_width(sheet, r, cols) is None:
            _item(sheet, r, cols, areas, places)
    _check(sheet, areas, origin, places, total_cell)
    return areas


def _merged_origin(sheet: SheetCells, r: int, c: int) -> tuple[int, int]:
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 <= r <= r1 and c0 <= c <= c1:
            return r0, c0
    return r, c


def _new_area(title: str, areas: list[dict]) -> dict:
    kinds = [a.get("kind", "normal") for a in areas]
    if "否决" in title:
        n = kinds.count("veto")
        return {"id": "veto" if not n else f"veto{n + 1}", "title": title, "kind": "veto",
                "columns": [dict(c) for c in VETO_COLUMNS], "items": []}
    if "加分" in title:
        n = kinds.count("bonus")
        cap = _CAP.search(title)
        area = {"id": "bonus" if not n else f"bonus{n + 1}", "title": title, "kind": "bonus", "items": []}
        if cap:
            area["cap"] = float(cap.group(1))
        return area
    return {"id": f"a{kinds.count('normal') + 1}", "title": title, "items": []}


def _item(sheet: SheetCells, r: int, cols: dict[str, int], areas: list[dict], places: Places) -> None:
    get = {k: text_of(sheet.get(r, c)) for k, c in cols.items() if k != "area"}
    if not any(get.values()):
        return
    where = {k: cell_name(sheet.name, r, c) for k, c in cols.items()}
    if not areas:
        areas.append({"id": "a1", "title": "考核指标", "items": []})
    area = areas[-1]
    if not get.get("content"):
        places.fail_at(where["content"], said("office.no_content"))
    prefix = {"veto": "v", "bonus": "b"}.get(area.get("kind", ""), "")
    prefix = prefix + area["id"].removeprefix("veto").removeprefix("bonus") if prefix else area["id"]
    item = {"id": f"{prefix}_{len(area['items']) + 1}", "content": get["content"].strip()}
    if get.get("standard"):
        item["standard"] = get["standard"].strip()
    if get.get("evidence"):
        item["evidence"] = get["evidence"].strip()
    if area.get("kind") != "veto":
        points = _points(get.get("max"))
        if points is None:
            got = get.get("max") or ""
            places.fail_at(where["max"], said("office.points", got=got))
        item["max"] = points
    area["items"].append(item)


def _points(text: str | None) -> float | None:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*分?\s*", text or "")
    return float(m.group(1)) if m else None


def _check(sheet: SheetCells, areas: list[dict], origin: dict, places: Places, total_cell) -> None:
    for n, area in enumerate(areas):
        cell = cell_name(sheet.name, *origin.get(n, (0, 0)))
        if not area["items"]:
            places.fail_at(cell, said("office.empty_area", title=area["title"]))
        declared = declared_points(area["title"])
        points = sum(i.get("max", 0) for i in area["items"])
        if area.get("kind", "normal") == "normal" and declared is not None and abs(declared - points) > 1e-9:
            places.fail_at(cell, said("office.area_points", declared=declared, points=points))
    if total_cell is not None:
        declared = _points(text_of(sheet.get(*total_cell)))
        base = sum(i.get("max", 0) for a in areas if a.get("kind", "normal") == "normal" for i in a["items"])
        if declared is not None and abs(declared - base) > 1e-9:
            places.fail_at(cell_name(sheet.name, *total_cell), said("office.total_points", declared=declared, base=base))
