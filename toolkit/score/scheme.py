"""Scoring schemes (评分细则): declarative YAML, loaded, validated and compiled.

A scheme applies to one template and lists its ``indicators`` (each scored by one rule) and its
``grades``. The format is documented in docs/scoring.md and in :mod:`toolkit.score.engine`; scoring
itself lives in :mod:`toolkit.score.engine`. Validation errors name the file, the key path
(``indicators[3].bands[1].points``), what was expected and, for a misspelt key or value,
"did you mean …", like template specs (:mod:`toolkit.spec.model`).

The model (:class:`ScoringScheme`, :class:`Indicator`, :class:`Grade`, the key tables) lives in
:mod:`toolkit.score.scheme_model`, the rule compilers and the validation context in
:mod:`toolkit.score.scheme_rules`; this module loads and parses, and re-exports their public names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..i18n import Msg, Words, define
from ..spec.errors import did_you_mean as spec_did_you_mean
from ..spec.errors import expected, found, type_name
from ..spec.load import TEMPLATES_DIR, find_template, read_yaml
from ..spec.model import TemplateSpec
from ..spec.parse import near
from .scheme_model import FAULTY_MODES, GRADE_KEYS, RULES, SPECIAL_AREAS, TOP_KEYS, VETO_RANKS, Grade, Indicator, ScoringScheme
from .scheme_rules import SchemeContext, compile_entry, expression_names, value_fields

__all__ = ["RULES", "Indicator", "Grade", "ScoringScheme", "load_scheme", "parse_scheme",
           "expression_names", "value_fields"]


# --------------------------------------------------------------------------- loading

define("score.scheme", {
    "not_found": ("找不到评分细则文件：{path}", "scoring scheme file not found: {path}"),
    "unknown": ("没有名为 {ref} 的评分细则{hint}；内置评分细则：{known}；或给出 .yaml 文件的路径",
                "unknown scoring scheme {ref}{hint}; bundled schemes: {known}; or give a path to a .yaml file"),
})


def load_scheme(ref: str | Path, base: Path | None = None, *, spec: TemplateSpec | None = None) -> ScoringScheme:
    """Load a scheme: a bundled scheme id (``toolkit/templates/<id>.yaml``) or a path (relative to *base*).

    The scheme's ``template`` is loaded too (relative to the scheme's folder) unless *spec* is
    given, in which case the scheme must apply to it. Raises :class:`SpecError`.
    """
    path = _scheme_path(str(ref), base)
    return parse_scheme(read_yaml(path, "scoring scheme"), str(path), spec=spec, base=path.parent)


def _scheme_path(ref: str, base: Path | None) -> Path:
    candidate = Path(ref)
    if base is not None and not candidate.is_absolute():
        candidate = base / candidate
    if ref.endswith((".yaml", ".yml")) or candidate.is_file():
        if not candidate.is_file():
            raise SpecError(Msg("score.scheme.not_found", {"path": candidate}))
        return candidate
    path = TEMPLATES_DIR / f"{ref}.yaml"
    if path.is_file():
        return path
    known = [p.stem for p in TEMPLATES_DIR.glob("*-scoring.yaml")]
    raise SpecError(Msg("score.scheme.unknown", {"ref": repr(ref), "hint": spec_did_you_mean(ref, known),
                                                  "known": Words("、".join(known) or "无", ", ".join(known) or "none")}))


def parse_scheme(raw: Any, source: str = "<scheme>", *, spec: TemplateSpec | None = None,
                 base: Path | None = None) -> ScoringScheme:
    """Validate a parsed YAML mapping and compile it against its template."""
    ctx = SchemeContext(source, base)
    top = ctx.mapping(raw, "", TOP_KEYS, required=("id", "title", "template", "version"))
    ref = top["template"]
    if spec is None or ref.endswith((".yaml", ".yml")):
        loaded = _template(ctx, ref)
    else:
        loaded = spec if ref == spec.id else None
    if spec is not None and (loaded is None or loaded.id != spec.id):
        ctx.fail("template", expected("campaign_template", template=spec.id), repr(ref))
    ctx.spec = spec or loaded
    entries = list(top.get("indicators") or [])
    if top.get("from_checklist"):
        entries.insert(0, {"rule": "checklist"})
    if not entries:
        ctx.fail("indicators", expected("indicators"), found("none"))
    offset = 1 if top.get("from_checklist") else 0
    indicators = _indicators(ctx, entries, offset)
    grades = _grades(ctx, top.get("grades"))
    _check_veto_grades(ctx, indicators, grades)
    scope = ctx.choice(top.get("quota_scope", "overall"), "quota_scope", ("overall", "group"))
    faulty = ctx.choice(top.get("faulty", "hold"), "faulty", FAULTY_MODES)
    veto_rank = ctx.choice(top.get("veto_rank", "last"), "veto_rank", VETO_RANKS)
    return ScoringScheme(
        id=str(top["id"]), title=top["title"], template=ctx.spec.id, version=str(top["version"]),
        indicators=tuple(indicators), grades=grades, quota_scope=scope, faulty=faulty, veto_rank=veto_rank,
        area_titles=_area_titles(ctx.spec, indicators), description=top.get("description", ""),
        path=source)


def _template(ctx: "SchemeContext", ref: str) -> TemplateSpec:
    try:
        return find_template(ref, ctx.base)
    except SpecError as exc:
        ctx.fail("template", expected("template_ref"), Words(exc.zh or str(exc), str(exc)))


def _indicators(ctx: "SchemeContext", entries: list, offset: int) -> list[Indicator]:
    """Compile every entry; checklist entries expand, replacing indicators take their item's place."""
    compiled = []
    for n, entry in enumerate(entries):
        path = f"indicators[{n - offset}]" if n >= offset else "from_checklist"
        compiled.extend(compile_entry(ctx, entry, path))
    replacers: dict[str, Indicator] = {}
    for ind in compiled:
        for item_id in ind.replaces:
            if item_id in replacers:
                ctx.fail(f"{ind.params['path']}.replace", expected("replaced_once"),
                         found("replaced_by", value=repr(item_id), by=repr(replacers[item_id].id)))
            replacers[item_id] = ind
    generated = {i.params["item"] for i in compiled if i.params.get("generated")}
    out, placed = [], set()
    for ind in compiled:
        if ind.params.get("generated") and ind.params["item"] in replacers:
            ind = replacers[ind.params["item"]]
            if ind.id in placed:
                continue
        elif set(ind.replaces) & generated:
            continue  # placed where the first item it replaces would have been
        out.append(ind)
        placed.add(ind.id)
    seen = set()
    for ind in out:
        if ind.id in seen:
            ctx.fail(f"{ind.params['path']}.id", expected("indicator_once"), found("twice", value=repr(ind.id)))
        seen.add(ind.id)
    return out


def _grades(ctx: "SchemeContext", raw: Any) -> tuple[Grade, ...]:
    if not isinstance(raw, list) or not raw:
        ctx.fail("grades", expected("grade_list", example="[{grade: 优秀, min: 90, quota: 0.15}, …]"),
                 found("nothing") if raw is None else type_name(raw))
    out = []
    for n, entry in enumerate(raw):
        path = f"grades[{n}]"
        d = ctx.mapping(entry, path, GRADE_KEYS, required=("grade",))
        last = n == len(raw) - 1
        if last and "min" in d:
            ctx.fail(f"{path}.min", expected("last_grade_min"), repr(d["min"]))
        if not last and d.get("min") is None:
            ctx.fail(f"{path}.min", expected("grade_min"), found("nothing"))
        if out and d.get("min") is not None and d["min"] >= out[-1].min:
            ctx.fail(f"{path}.min", expected("grade_below", min=out[-1].min), repr(d["min"]))
        quota = d.get("quota")
        if quota is not None and not (0 < quota <= 1) or (last and quota is not None):
            ctx.fail(f"{path}.quota", expected("quota"), repr(quota))
        if d["grade"] in [g.grade for g in out]:
            ctx.fail(f"{path}.grade", expected("once", what="grade"), repr(d["grade"]))
        out.append(Grade(str(d["grade"]), d.get("min"), quota))
    return tuple(out)


def _check_veto_grades(ctx: "SchemeContext", indicators, grades) -> None:
    names = [g.grade for g in grades]
    for ind in indicators:
        if ind.rule != "veto":
            continue
        grade = ind.params.get("grade") or names[-1]
        if grade not in names:
            ctx.fail(f"{ind.params['path']}.grade", expected("grades", grades=", ".join(names)), near(grade, names))
        if grade == names[0] and len(names) > 1:
            ctx.fail(f"{ind.params['path']}.grade", expected("veto_grade"), repr(grade))
        ind.params["grade"] = grade


def _area_titles(spec: TemplateSpec, indicators) -> dict[str, str]:
    titles = {a.id: a.title for s in spec.sheets for a in s.areas}
    out = {}
    for ind in indicators:
        if ind.area not in out:
            out[ind.area] = titles.get(ind.area) or SPECIAL_AREAS.get(ind.area) or ind.title
    return out
