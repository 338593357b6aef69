"""Decide which template, version and unit a return belongs to.

Every carrier the generator wrote is read — custom document properties, the
hidden ``_meta`` sheet, the visible code line on each sheet, the unit code
and name cells — plus the structure fingerprint from labels and the file
name. Carriers that agree identify the return; any disagreement sends it to
review with both sides named. A return is never credited to the wrong unit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..campaign.folder import Roster
from ..campaign.unit_names import names_in, path_index, units_named_in_path
from ..catalogue.identify import CODES
from ..codes import Detail
from ..generate.stamp import STAMP_CARRIERS, Stamp
from ..model import FileStatus
from ..output.names import file_name_part
from ..spec import layout
from ..spec.model import TemplateSpec, structure_labels
from .locate import extract, norm_label
from .reader import RawWorkbook, Submission

__all__ = ["Identity", "Expected", "identify", "CODES", "fingerprint_score", "return_key",
           "units_named_in_path"]



@dataclass
class Identity:
    """The outcome: status is accepted, review, unidentified or rejected."""

    status: str
    template_id: str = ""
    template_version: str = ""
    unit_code: str = ""
    reason_code: str = ""
    detail: Detail = Detail()
    carriers: dict[str, str] = field(default_factory=dict)
    submission: Submission | None = None
    return_key: str = ""


@dataclass(frozen=True)
class Expected:
    """What this campaign issued: the stamps its workbooks carry, and per unit the table rows prefilled.

    ``stamps`` empty means no check (a caller that knows no campaign). ``carried`` is
    unit code → sheet id → item id → column id → text, from outbox/carry.json.
    """

    stamps: frozenset = frozenset()
    carried: dict = field(default_factory=dict)


def _campaign_check(raw: RawWorkbook, meta: dict, expected: Expected, carriers: dict) -> Identity | None:
    """A workbook issued for another campaign, year or round is refused; one issued before stamps passes."""
    if not expected.stamps:
        return None
    parts = {}
    for part, prop, key in STAMP_CARRIERS:
        values = {v for v in (_text(raw.props.get(prop)), meta.get(key, "")) if v}
        if len({Stamp(**{part: v}).normalised() for v in values}) > 1:
            carriers[f"campaign.{part}"] = " / ".join(sorted(values))
            return Identity(FileStatus.REVIEW, reason_code="identify.carriers_disagree",
                            detail=Detail(f"campaign_{part}", {"values": " / ".join(sorted(values))}), carriers=carriers)
        if values:
            parts[part] = carriers[f"campaign.{part}"] = values.pop()
    stamp = Stamp(**parts)
    if not parts or any(stamp.fits(s) for s in expected.stamps):
        return None
    return Identity(FileStatus.REJECTED, reason_code="identify.other_campaign", detail=stamp.describe(), carriers=carriers)


def _meta_sheet(raw: RawWorkbook) -> dict[str, str]:
    grid = raw.sheets.get(layout.META_SHEET)
    if grid is None:
        return {}
    return {str(grid.get(r, 0)): _text(grid.get(r, 1)) for r in range(grid.n_rows) if grid.get(r, 0)}


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _code_lines(raw: RawWorkbook) -> list[layout.CodeLine]:
    found = []
    for name, grid in raw.sheets.items():
        if name.startswith("_"):
            continue
        for row in grid.rows[:6]:
            for value in row[:12]:
                if isinstance(value, str) and "TK|" in value:
                    line = layout.parse_code_line(value)
                    if line:
                        found.append(line)
    return found


def fingerprint_score(spec: TemplateSpec, raw: RawWorkbook) -> float:
    """Share of the template's structure labels present anywhere in the workbook."""
    present = {f"sheet:{n}" for n in raw.sheets}
    cells = set()
    for grid in raw.sheets.values():
        for row in grid.rows[:600]:
            cells.update(norm_label(v) for v in row[:16] if isinstance(v, str))
    labels = structure_labels(spec)
    hits = 0
    for label in labels:
        kind, _, text = label.partition(":")
        if kind == "sheet":
            hits += label in present
        else:
            hits += norm_label(text.split(":", 1)[-1] if kind == "item" else text) in cells
    return hits / max(1, len(labels))


def _template_votes(raw: RawWorkbook, meta: dict, lines: list[layout.CodeLine]) -> dict[str, tuple[str, str]]:
    votes = {}
    if raw.props.get("toolkit_template_id"):
        votes["props"] = (raw.props["toolkit_template_id"], _text(raw.props.get("toolkit_template_version")))
    if meta.get("template_id"):
        votes["meta"] = (meta["template_id"], meta.get("template_version", ""))
    for n, line in enumerate(lines):
        votes[f"code_line{n}"] = (line.template_id, line.version)
    return votes


def identify(raw: RawWorkbook, spec: TemplateSpec, roster: Roster, accepted_versions: set[str],
             filename: str, known_templates: set[str] = frozenset(), expected: Expected = Expected()) -> Identity:
    """Identify one workbook against the campaign's template and roster (and, given *expected*, its campaign)."""
    if raw.props.get("toolkit_output"):  # consolidated.xlsx, scoring-sheet.xlsx … of any campaign
        return Identity(FileStatus.REJECTED, reason_code="intake.toolkit_output",
                        detail=Detail("marked", {"what": _text(raw.props["toolkit_output"])}),
                        carriers={"props": f"toolkit_output {_text(raw.props['toolkit_output'])}"})
    meta, lines = _meta_sheet(raw), _code_lines(raw)
    votes = _template_votes(raw, meta, lines)
    templates = {tid for tid, _ in votes.values()}
    carriers = {k: f"{v[0]} {v[1]}" for k, v in votes.items()}
    if len(templates) > 1:
        return Identity(FileStatus.REVIEW, reason_code="identify.carriers_disagree",
                        detail=Detail("template", {"values": " / ".join(sorted(templates))}), carriers=carriers)
    if not templates:
        score = fingerprint_score(spec, raw)
        carriers["fingerprint"] = f"{score:.2f}"
        if score < 0.8:
            return Identity(FileStatus.UNIDENTIFIED, reason_code="identify.unknown_template",
                            detail=Detail("structure", {"score": score, "template": spec.id}), carriers=carriers)
        version = spec.version
    else:
        tid = templates.pop()
        if tid != spec.id:
            code = "identify.wrong_template" if tid in known_templates else "identify.unknown_template"
            status = FileStatus.REJECTED if code == "identify.wrong_template" else FileStatus.UNIDENTIFIED
            detail = Detail("other" if code == "identify.unknown_template" else "", {"found": tid, "template": spec.id})
            return Identity(status, template_id=tid, reason_code=code, detail=detail, carriers=carriers)
        other = _campaign_check(raw, meta, expected, carriers)
        if other is not None:
            other.template_id, other.template_version = tid, _text(raw.props.get("toolkit_template_version"))
            return other
        versions = {v for _, v in votes.values() if v}
        version = sorted(versions)[-1] if versions else spec.version
        if len(versions) > 1:
            return Identity(FileStatus.REVIEW, spec.id, version, reason_code="identify.carriers_disagree",
                            detail=Detail("version", {"values": " / ".join(sorted(versions))}), carriers=carriers)
        if version not in accepted_versions:
            return Identity(FileStatus.REJECTED, spec.id, version, reason_code="identify.version_not_accepted",
                            detail=Detail("", {"version": version, "accepted": ", ".join(sorted(accepted_versions))}),
                            carriers=carriers)
    sub = extract(spec, raw)
    ident = _unit(raw, meta, lines, sub, roster, filename, carriers)
    ident.template_id, ident.template_version, ident.submission = spec.id, version, sub
    ident.return_key = return_key(spec, sub)
    if ident.status in (FileStatus.ACCEPTED, FileStatus.REVIEW) and is_blank(spec, sub, expected.carried.get(ident.unit_code, {})):
        # nobody's return, whoever it names: a person settling it in review could only make it supersede one
        ident.detail = Detail("", {"unit": _blank_return_unit(ident, roster)})
        ident.status, ident.reason_code = FileStatus.REJECTED, "read.blank_return"
    elif not votes and ident.status == FileStatus.ACCEPTED:
        ident.reason_code = "identify.by_content"
    return ident


def _blank_return_unit(ident: Identity, roster) -> str:
    """The unit a blank return names: the one it was credited to, else the units its carriers name."""
    if ident.unit_code:
        return f"{ident.unit_code} {roster.by_code()[ident.unit_code].name}"
    named = {c for k, v in ident.carriers.items() if k.startswith("unit.") for c in v.split(" / ")}
    return " / ".join(sorted(named))


def is_blank(spec: TemplateSpec, sub: Submission, carried: dict) -> bool:
    """True when no input cell holds a value beyond what generate prefilled.

    Prefilled fields (unit code and name, roster columns) and computed ones do not count; a
    table row counts unless it is a carried item whose every cell still reads as it was carried
    (*carried*: sheet id → item id → column id → text).
    """
    from .locate import item_field

    inputs = {(s.id, f.id) for s in spec.sheets if s.kind == "form" for f in s.fields if f.is_input}
    inputs |= {(s.id, f"{i.id}.{c.id}") for s in spec.sheets if s.kind == "checklist"
               for a in s.areas for i in a.items for c in a.columns if c.is_input}
    rows: dict[tuple[str, int], dict[str, str]] = {}
    for v in sub.values:
        if v.row is not None:
            rows.setdefault((v.sheet_id, v.row), {})[v.field_id] = _text(v.raw)
        elif (v.sheet_id, v.field_id) in inputs and _text(v.raw):
            return False
    for (sheet_id, _), cells in rows.items():
        item = cells.pop(item_field(sheet_id), "")
        was = carried.get(sheet_id, {}).get(item) if item else None
        if was is None or any(text != was.get(cid, "") for cid, text in cells.items()):
            return False
    return True


def return_key(spec: TemplateSpec, sub: Submission) -> str:
    """What tells apart several returns of one unit (e.g. 互评|市财政局|张三); empty for most templates."""
    if not spec.return_key:
        return ""
    from ..normalise.values import display, normalise

    fields, raw = spec.form_fields, {v.field_id: v.raw for v in sub.values if v.row is None}
    parts = [display(normalise(fields[k], raw.get(k)).value) for k in spec.return_key]
    return "|".join(parts)


def _unit(raw, meta, lines, sub: Submission, roster: Roster, filename: str, carriers: dict) -> Identity:
    by_code, namesakes = roster.by_code(), _namesakes(roster)
    cells = {v.field_id: _text(v.raw) for v in sub.values if v.field_id in ("unit_code", "unit_name")}
    votes = {"props": _text(raw.props.get("toolkit_unit_code")), "meta": meta.get("unit_code", ""),
             "code_cell": cells.get("unit_code", "")}
    for n, line in enumerate(lines):
        votes[f"code_line{n}"] = line.unit_code
    name_cell = cells.get("unit_name", "")
    named = namesakes.get(name_cell, ())
    if len(named) == 1:
        votes["name_cell"] = named[0].code
    votes = {k: v for k, v in votes.items() if v}
    carriers.update({f"unit.{k}": v for k, v in votes.items()})
    codes = set(votes.values())
    if len(named) > 1:  # several units share the name (第一党支部 of two townships): it names none of them
        carriers["unit.name_cell"] = " / ".join(u.code for u in named)
        if not codes:
            return Identity(FileStatus.REVIEW, reason_code="identify.unit_unknown", carriers=carriers,
                            detail=Detail("namesakes", {"name": name_cell, "units": " / ".join(u.code for u in named)}))
    if not codes:
        return Identity(FileStatus.REVIEW, reason_code="identify.unit_unknown", detail=Detail("", {"name": name_cell}),
                        carriers=carriers)
    if len(codes) > 1:
        named = " / ".join(f"{c} {by_code[c].name if c in by_code else '?'}" for c in sorted(codes))
        return Identity(FileStatus.REVIEW, reason_code="identify.carriers_disagree", detail=Detail("units", {"units": named}),
                        carriers=carriers)
    code = codes.pop()
    if code not in by_code:
        return Identity(FileStatus.REVIEW, unit_code="", reason_code="identify.unit_not_in_roster",
                        detail=Detail("", {"unit": code}), carriers=carriers)
    other = _filename_unit(filename, roster, code)
    if other:
        return Identity(FileStatus.REVIEW, unit_code="", reason_code="identify.filename_mismatch",
                        detail=Detail("", {"carried": f"{code} {by_code[code].name}", "named": f"{other.code} {other.name}"}),
                        carriers=carriers)
    return Identity(FileStatus.ACCEPTED, unit_code=code, carriers=carriers)


def _filename_unit(filename: str, roster: Roster, code: str):
    """Another roster unit that the file's name names, else its nearest folder or archive that names one.

    The nearest naming part decides: a file called 自评表.xlsx in a folder A02_东湖街道党委 is A02's
    by its folder. Codes match as whole tokens, whatever their case or width (a04, Ａ04); a code of
    digits only (5, 12) only where the name starts with it, so dates and "(2)" copies name nobody. A name
    counts where it stands on its own, not inside a longer unit name (城关镇党委机关支部).
    """
    codes, by_name, lengths = path_index(roster)
    own = unicodedata.normalize("NFKC", code).casefold()
    for part in reversed([p for p in re.split(r"[\\/]|!/", filename) if p]):
        text = unicodedata.normalize("NFKC", part)
        tokens = [t.casefold() for t in re.findall(r"[0-9A-Za-z]+", text)]
        lead = re.match(r"\s*([0-9A-Za-z]+)", text)
        first = lead.group(1).casefold() if lead else None
        coded = {t for t in tokens if t in codes and (not t.isdigit() or t == first)}
        if own in coded or _holds_code(text, code):  # its own code: the part names this unit (whatever else it names)
            return None
        named = {codes[t].code: codes[t] for t in coded} | names_in(text, by_name, lengths)
        if named:
            return None if code in named else next(iter(named.values()))
    return None


def _holds_code(text: str, code: str) -> bool:
    """Whether *text* holds a code that is not one token (A-01/2, 甲.03) as written or as its file name writes it.

    The toolkit's own file names shorten a long unit name, so the code is what names the unit there.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    forms = {unicodedata.normalize("NFKC", c).casefold() for c in (code, file_name_part(code))}
    return any(not f.isascii() or not f.isalnum()
               for f in forms if re.search(rf"(?<![0-9a-z]){re.escape(f)}(?![0-9a-z])", folded))


def _namesakes(roster: Roster) -> dict[str, tuple]:
    """Name → the units of that name (two 第一党支部 under two townships are both listed)."""
    hit = roster.__dict__.get("_namesakes")
    if hit is None:
        hit = {}
        for u in roster.units:
            hit[u.name] = hit.get(u.name, ()) + (u,)
        object.__setattr__(roster, "_namesakes", hit)
    return hit
