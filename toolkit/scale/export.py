"""``toolkit export DIR --parquet``: the campaign's results as typed Parquet tables.

The tables go to DIR/out/parquet/<table>.parquet: campaign (one row: name, year, template id,
version and title), metrics (the template's numeric fields and summary rates, which the roll-up
sums and divides), values, scores, score_trace, issues, ledger and status. Values are read from
the ledger's normalised returns (not from values.csv) so each keeps its type: ``number`` for
numeric fields, ``date`` for dates, ``flag`` for yes/no, and ``value`` as values.csv writes it.
Each value row carries the unit's group and state, the template id and version of its return,
the field's type and ``current`` (the return the campaign's own totals count: a unit with several
returns under a return key counts its newest). The other tables are the campaign's own CSV files
(out/*.csv), typed column by column, so they say exactly what the campaign's outputs say.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from ..campaign.folder import Campaign
from ..errors import ConfigError
from ..i18n import Msg
from ..merge.stage import load_merged
from ..normalise.values import display
from ..output.safety import looks_like_formula
from ..spec.model import TemplateSpec
from . import require

__all__ = ["export_parquet", "parquet_dir", "TABLES", "field_types", "schemas", "value_rows", "csv_rows"]

TABLES = ("campaign", "metrics", "values", "scores", "score_trace", "issues", "ledger", "status")


def parquet_dir(campaign: Campaign) -> Path:
    return campaign.out / "parquet"


def schemas() -> dict[str, Any]:
    """Every table's Arrow schema (a roll-up of campaigns without scores still has typed empty tables)."""
    pa = require("pyarrow")
    s, i, f, b = pa.string(), pa.int32(), pa.float64(), pa.bool_()
    return {
        "campaign": pa.schema([("campaign_name", s), ("year", i), ("template_id", s), ("template_version", s),
                               ("template_title", s), ("units", i)]),
        "metrics": pa.schema([("key", s), ("kind", s), ("label", s), ("label_en", s), ("numerator", s),
                              ("denominator", s), ("position", i)]),
        "values": pa.schema([("unit_code", s), ("unit_name", s), ("group", s), ("state", s), ("template_id", s),
                             ("template_version", s), ("sheet", s), ("field", s), ("field_type", s), ("row", i),
                             ("value", s), ("number", f), ("date", pa.date32()), ("flag", b), ("raw", s),
                             ("current", b)]),
        "scores": pa.schema([("unit_code", s), ("unit_name", s), ("group", s), ("total", f), ("rank", i),
                             ("group_rank", i), ("grade", s), ("vetoed", b), ("state", s)]),
        "score_trace": pa.schema([("unit_code", s), ("indicator", s), ("rule", s), ("inputs", s), ("points", f),
                                  ("max_points", f), ("note", s)]),
        "issues": pa.schema([("unit_code", s), ("source", s), ("sha256", s), ("sheet", s), ("cell", s),
                             ("field", s), ("code", s), ("severity", s), ("value", s), ("message", s)]),
        "ledger": pa.schema([("source", s), ("sha256", s), ("size", pa.int64()), ("unit_code", s),
                             ("template_id", s), ("template_version", s), ("status", s), ("reason_code", s),
                             ("message", s), ("received_at", s)]),
        "status": pa.schema([("unit_code", s), ("unit_name", s), ("group", s), ("contact", s), ("state", s),
                             ("errors", i), ("warnings", i), ("source", s), ("phone", s), ("late", b)]),
    }


def field_types(spec: TemplateSpec) -> dict[str, str]:
    """Field id as values.csv names it (form field, ``item.column``, table column) → its type."""
    types: dict[str, str] = {}
    for sheet in spec.sheets:
        types.update({f.id: f.type for f in sheet.fields})
        for area in sheet.areas:
            for item in area.items:
                types.update({f"{item.id}.{c.id}": c.type for c in area.columns})
        if sheet.kind == "table":
            types.update({c.id: c.type for c in sheet.columns})
    return types


def export_parquet(campaign: Campaign) -> dict[str, int]:
    """Write DIR/out/parquet/<table>.parquet for every table; return the row count of each."""
    pa = require("pyarrow")
    import pyarrow.parquet as pq

    status_csv = campaign.out / "status.csv"
    if not status_csv.is_file():
        raise ConfigError(Msg("scale.run_first", {"path": status_csv, "dir": campaign.dir}))
    spec = campaign.template()
    rows = {"campaign": [_campaign_row(campaign, spec)], "metrics": metric_rows(spec),
            "values": value_rows(campaign, spec)}
    for table in ("scores", "score_trace", "issues", "ledger", "status"):
        rows[table] = csv_rows(campaign.out / f"{table}.csv")
    folder = parquet_dir(campaign)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, schema in schemas().items():
        table = pa.Table.from_pylist([_typed(r, schema) for r in rows[name]], schema=schema)
        tmp = folder / f"{name}.parquet.part"
        pq.write_table(table, tmp)
        tmp.replace(folder / f"{name}.parquet")  # whole or not at all: a roll-up never reads half a table
        counts[name] = table.num_rows
    return counts


def _campaign_row(campaign: Campaign, spec: TemplateSpec) -> dict:
    return {"campaign_name": campaign.name, "year": campaign.year, "template_id": spec.id,
            "template_version": spec.version, "template_title": spec.title, "units": len(campaign.roster().units)}


def metric_rows(spec: TemplateSpec) -> list[dict]:
    """What the totals add up (numeric form fields) and divide (summary rates), in the template's order."""
    rows = [{"key": f.id, "kind": "sum", "label": f.label, "label_en": f.label_en or f.label}
            for f in spec.form_fields.values() if f.type in ("int", "number")]
    rows += [{"key": f"rate:{r.id}", "kind": "rate", "label": r.label, "label_en": r.label_en or r.label,
              "numerator": r.numerator, "denominator": r.denominator} for r in spec.summary]
    return [r | {"position": n} for n, r in enumerate(rows)]


def value_rows(campaign: Campaign, spec: TemplateSpec) -> list[dict]:
    """Every value of every return (the current one and those it superseded under a return key), typed."""
    merged = load_merged(campaign)
    types = field_types(spec)
    sheet_names = {s.id: s.name for s in spec.sheets}
    out = []
    for mu in merged.returned():
        for file, ret in mu.returns:
            current = ret is mu.ret
            for e in ret.entries.values():
                kind = types.get(e.field_id, e.field.type)
                out.append({"unit_code": mu.unit.code, "unit_name": mu.unit.name, "group": mu.unit.group,
                            "state": str(mu.status.state), "template_id": file.template_id or spec.id,
                            "template_version": file.template_version or spec.version,
                            "sheet": sheet_names.get(e.sheet_id, e.sheet), "field": e.field_id, "field_type": kind,
                            "row": e.row, "value": display(e.value), "raw": _raw(e.raw), "current": current,
                            **_typed_value(e.value)})
    return out


def _typed_value(value: Any) -> dict:
    if isinstance(value, bool):
        return {"flag": value}
    if isinstance(value, (int, float)):
        return {"number": float(value)}
    if isinstance(value, dt.datetime):
        return {"date": value.date()}
    if isinstance(value, dt.date):
        return {"date": value}
    return {}


def _raw(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, (dt.date, dt.datetime, dt.time, bool, int, float)):
        return display(raw)
    return str(raw)


def csv_rows(path: Path) -> list[dict]:
    """A contract CSV's rows with csv_safe's quote taken off again (Parquet holds the text as it was)."""
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: _unquoted(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def _unquoted(text: str | None) -> str | None:
    if text and text.startswith("'") and looks_like_formula(text[1:]):
        return text[1:]
    return text


def _typed(row: dict, schema) -> dict:
    """One row cast to the schema's types: empty text is null for numbers, flags and dates."""
    import pyarrow as pa

    out = {}
    for column in schema:
        value = row.get(column.name)
        if isinstance(value, str) and column.type != pa.string():
            value = _parse(value.strip(), column.type)
        elif value is not None and column.type == pa.string() and not isinstance(value, str):
            value = str(value)
        out[column.name] = value
    return out


def _parse(text: str, kind) -> Any:
    import pyarrow as pa

    if text == "":
        return None
    if kind == pa.bool_():
        return text.lower() in ("true", "1", "yes")
    if pa.types.is_integer(kind):
        return int(float(text))
    if pa.types.is_floating(kind):
        return float(text)
    return text
