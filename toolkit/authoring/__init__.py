"""Write a template in Excel: the authoring workbook and the office's own 考核细则 table.

- :func:`blank_workbook` writes an authoring workbook holding a working example of a kind;
- :func:`spec_to_workbook` writes any spec (bundled or a file) as an authoring workbook;
- :func:`workbook_to_spec` reads an authoring workbook, or a 考核细则 table in the usual office
  shape, loads it through the spec loader (errors as 工作表!单元格) and writes the spec and,
  where the checklist gives points, its scoring scheme.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import yaml

from ..errors import ConfigError, SpecError
from ..i18n import Msg, Words, define
from ..spec.load import find_template
from ..spec.model import TemplateSpec
from ..spec.parse import parse_spec
from .examples import DEFAULT_GRADES, EXAMPLES, KINDS
from .from_spec import spec_rows
from .places import SOURCE, Places
from .read import read_sheets
from .to_spec import is_authoring_workbook, load_authored, read_authoring
from .vocab import COLUMNS
from .workbook import write_workbook

__all__ = ["KINDS", "blank_workbook", "spec_to_workbook", "workbook_to_spec", "read_spec_workbook", "ReadBack", "dump_yaml"]


define("authoring", {"kind": ("--kind 应为以下之一：{kinds}，实际为 {got}", "--kind: expected one of {kinds}, got {got}")})


def blank_workbook(out: str | Path, kind: str = "checklist", lang: str = "zh") -> Path:
    """An authoring workbook filled with the example of *kind* (checklist, form, table or survey)."""
    if kind not in EXAMPLES:
        raise ConfigError(Msg("authoring.kind", {"kinds": Words("、".join(KINDS), ", ".join(KINDS)), "got": repr(kind)}))
    spec = parse_spec(EXAMPLES[kind], f"<example {kind}>")
    rows = spec_rows(spec, lang)
    if kind == "checklist":
        rows["template"].append({"key": "total", "value": 100})
        rows["grades"] = [dict(g) for g in DEFAULT_GRADES]
    return write_workbook(rows, out, lang)


def spec_to_workbook(ref: str, out: str | Path, lang: str = "zh") -> Path:
    """The spec *ref* (a bundled id or a .yaml path) as an authoring workbook."""
    return write_workbook(spec_rows(find_template(ref), lang), out, lang)


class ReadBack(NamedTuple):
    """What a workbook says: the loaded spec, its raw mapping, the grades for a scheme, where each part came from."""

    spec: TemplateSpec
    raw: dict
    grades: list
    places: Places


def read_spec_workbook(path: str | Path, lang: str = "zh", template_id: str | None = None) -> ReadBack:
    """The spec of an authoring workbook or of an office 考核细则 table."""
    sheets = read_sheets(path)
    name = Path(path).name
    if is_authoring_workbook(sheets):
        authored = read_authoring(sheets, name, lang)
        return ReadBack(load_authored(authored), authored.raw, authored.grades, authored.places)
    from .office_table import read_office_table
    return ReadBack(*read_office_table(sheets, Path(path), lang, template_id))


def workbook_to_spec(path: str | Path, out: str | Path, lang: str = "zh", template_id: str | None = None) -> dict:
    """Write the spec read from *path* to *out* (and ``<out stem>-scoring.yaml`` when it implies one)."""
    from ..score.scheme import parse_scheme
    from .scoring import implied_scheme

    out = Path(out)
    spec, raw, grades, places = read_spec_workbook(path, lang, template_id)
    scheme = None if spec.scoring else implied_scheme(spec, out.name, grades)
    written = {"spec": str(out), "template_id": spec.id, "scheme": None}
    if scheme is not None:
        scheme_path = out.with_name(f"{out.stem}-scoring.yaml")
        raw = {**raw, "scoring": scheme_path.name}
        spec = parse_spec(raw, str(out))
        try:  # the grades are what the workbook can get wrong here: their errors come back at their cells
            parse_scheme({**scheme, "template": spec.id}, SOURCE, spec=spec)
        except SpecError as exc:
            raise places.translate(exc) from None
        written["scheme"] = str(scheme_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dump_yaml(_ordered(raw)), encoding="utf-8")
    if scheme is not None:
        Path(written["scheme"]).write_text(dump_yaml(scheme), encoding="utf-8")
    return written


_TOP_ORDER = ("id", "version", "title", "title_en", "description", "scoring", "return_key", "sheets", "rules",
              "summary")
_FIELD_ORDER = tuple(k for k, *_ in COLUMNS["fields"] if k not in ("sheet", "area"))


def _ordered(raw: dict) -> dict:
    """The spec's keys in the order docs/spec-format.md lists them (ids first)."""
    def fields(lst):
        return [{k: f[k] for k in sorted(f, key=lambda k: _FIELD_ORDER.index(k) if k in _FIELD_ORDER else 99)}
                for f in lst]
    out = {k: raw[k] for k in _TOP_ORDER if k in raw}
    sheets = []
    for sheet in out.get("sheets", []):
        sheet = dict(sheet)
        for key in ("fields", "columns"):
            if key in sheet:
                sheet[key] = fields(sheet[key])
        if "areas" in sheet:
            sheet["areas"] = [{**a, **({"columns": fields(a["columns"])} if "columns" in a else {})}
                              for a in sheet["areas"]]
        sheets.append(sheet)
    if sheets:
        out["sheets"] = sheets
    return out


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data) -> str:
    """YAML as a person writes it: keys in order, Chinese as is, multi-line text as a block."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


