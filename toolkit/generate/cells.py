"""The stateless parts of a master workbook: cell formats, data validations, widths and text.

:func:`cell_formats` adds the cell formats a master uses to an xlsxwriter workbook;
:func:`data_validation` turns a spec field into the data validation of its input cell (input
prompt and error message); :func:`display_width` sizes a column to its text (CJK counting
double). :class:`toolkit.generate.master._Builder` puts them together.
"""

from __future__ import annotations

import datetime as dt

from ..i18n import t
from ..spec.model import Field

__all__ = ["cell_formats", "data_validation", "format_text", "number_text", "with_max_points"]


def data_validation(f: Field, lang: str, list_source) -> dict | None:
    """The data-validation dict of an input cell (input prompt and error message)."""
    prompt = {"input_title": f.label[:32], "input_message": (f.help or f.label)[:255]}
    err = {"error_title": t("dv.error_title", lang)}
    if f.type in ("int", "number", "score", "percent"):
        lo = f.min if f.min is not None else (0 if f.type in ("score", "percent") else -1e9)
        hi = f.max if f.max is not None else ({"percent": 100 if f.scale == 100 else 1}.get(f.type, 1e12))
        kind = "integer" if f.type == "int" else "decimal"
        msg = t("dv.int" if kind == "integer" else "dv.decimal", lang, lo=number_text(lo), hi=number_text(hi))
        return {"validate": kind, "criteria": "between", "minimum": lo, "maximum": hi,
                "error_message": msg[:255], **prompt, **err}
    if f.type == "date":
        return {"validate": "date", "criteria": "between", "minimum": dt.date(1950, 1, 1),
                "maximum": dt.date(2100, 12, 31), "error_message": t("dv.date", lang), **prompt, **err}
    if f.type in ("bool", "choice"):
        choices = (t("bool.yes", "zh"), t("bool.no", "zh")) if f.type == "bool" else f.choices
        return {"validate": "list", "source": list_source(tuple(choices)),
                "error_message": t("dv.list", lang), "error_type": "warning" if f.synonyms else "stop",
                **prompt, **err}
    return {"validate": "any", **prompt}


def with_max_points(f: Field, max_points: float) -> Field:
    from dataclasses import replace
    return replace(f, min=0, max=max_points)


def number_text(x) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def format_text(text: str, values: dict) -> str:
    out = text
    for key, value in values.items():
        out = out.replace("{" + key + "}", str(value))
    return out


def cell_formats(wb) -> dict:
    border = {"border": 1, "valign": "vcenter", "font_size": 10}
    return {
        "title": wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        "code": wb.add_format({"font_size": 9, "font_color": "#595959"}),
        "header": wb.add_format({**border, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True,
                                 "align": "center"}),
        "area": wb.add_format({**border, "bold": True, "bg_color": "#F2F2F2"}),
        "label": wb.add_format({**border, "text_wrap": True}),
        "label_c": wb.add_format({**border, "align": "center"}),
        "help": wb.add_format({**border, "text_wrap": True, "font_color": "#595959", "font_size": 9}),
        "text": wb.add_format({"text_wrap": True, "valign": "top", "font_size": 11}),
        "locked": wb.add_format({**border, "bg_color": "#F2F2F2", "num_format": "@"}),
        "formula": wb.add_format({**border, "bg_color": "#F2F2F2", "num_format": "0.##"}),
        "input": wb.add_format({**border, "locked": False}),
        "input_text": wb.add_format({**border, "locked": False, "num_format": "@", "text_wrap": True}),
        "input_date": wb.add_format({**border, "locked": False, "num_format": "yyyy-mm-dd"}),
        "input_pct": wb.add_format({**border, "locked": False, "num_format": "0.##"}),
        "cf_required": wb.add_format({"bg_color": "#FFF2CC"}),
        "carried": wb.add_format({**border, "bg_color": "#EDEDED", "text_wrap": True, "num_format": "@"}),
    }
