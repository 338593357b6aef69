"""A template's sheets and fields as plain data (for `toolkit describe`)."""

from __future__ import annotations

from . import layout
from .model import Field, TemplateSpec

__all__ = ["describe_spec"]


def _bounds(f: Field, max_points: float | None = None) -> str:
    lo = f.min if f.min is not None else (0 if f.type in ("score", "percent") else None)
    hi = max_points if max_points is not None else f.max
    if f.type == "percent" and hi is None:
        hi = 100 if f.scale == 100 else 1
    if lo is None and hi is None:
        return ""
    return f"{_bound(lo)}..{_bound(hi)}"


def _bound(x) -> str:
    return "" if x is None else (str(int(x)) if float(x).is_integer() else str(x))


def _entry(fid: str, f: Field, name: str, max_points: float | None = None, label: str | None = None) -> dict:
    kind = "computed" if f.formula else ("prefill" if f.prefill else "input")
    return {"id": fid, "label": label or f.label, "type": f.type, "required": f.required,
            "bounds": _bounds(f, max_points), "choices": list(f.choices), "defined_name": name,
            "help": f.help or "", "kind": kind, "formula": f.formula or "", "prefill": f.prefill or ""}


def describe_spec(spec: TemplateSpec) -> dict:
    """Sheets and fields: id, label, type, required, bounds, choices, defined name."""
    sheets = []
    for sheet in spec.sheets:
        fields = []
        if sheet.kind == "form":
            fields = [_entry(f.id, f, layout.defined_name(f.id)) for f in sheet.fields]
        elif sheet.kind == "checklist":
            for area in sheet.areas:
                for item in area.items:
                    for c in area.columns:
                        mp = item.max_points if c.type == "score" else None
                        fields.append(_entry(f"{item.id}.{c.id}", c, layout.defined_name(item.id, c.id), mp,
                                             f"{item.content[:30]} — {c.label}"))
        elif sheet.kind == "table":
            fields = [_entry(c.id, c, f"t_{sheet.id}") for c in sheet.columns]
        sheets.append({"id": sheet.id, "name": sheet.name, "kind": sheet.kind, "fields": fields})
    return {"id": spec.id, "version": spec.version, "title": spec.title, "fingerprint": spec.fingerprint,
            "sheets": sheets}
