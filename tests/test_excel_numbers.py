"""Numbers match the office suite: ROUND is half away from zero on the number as shown, and numbers
within 2**-48 of each other are equal (0.1 + 0.2 == 0.3), as LibreOffice (and Excel) compute them.
The expected values are LibreOffice's own, cached in workbooks it recalculated
(tests/fixtures/make_fixtures.py makes them)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import FIXTURES

from toolkit.expr.language import evaluate, excel_round, to_excel
from toolkit.read.locate import extract
from toolkit.read.reader import read_workbook
from toolkit.spec.load import find_template
from toolkit.validate.stage import build_return

LO = FIXTURES / "lo"


def _maker():
    """tests/fixtures/make_fixtures.py, the source of truth for what was typed into the fixtures."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cases() -> list[tuple[str, str, float]]:
    formulas = openpyxl.load_workbook(LO / "excel_cases.xlsx")["cases"]
    values = openpyxl.load_workbook(LO / "excel_cases.xlsx", data_only=True)["cases"]
    return [(expr, formula, value) for (expr, formula), (_, value)
            in zip(formulas.iter_rows(min_row=2, values_only=True), values.iter_rows(min_row=2, values_only=True))]


def test_the_fixture_holds_libreoffice_values_for_every_case():
    maker = _maker()
    cases = _cases()
    assert [c[0] for c in cases] == list(maker.ROUND_CASES + maker.ARITHMETIC_CASES)
    assert all(isinstance(value, (int, float)) for _, _, value in cases)
    assert all(formula.startswith("=ROUND(") for expr, formula, _ in cases if expr.startswith("round("))


@pytest.mark.parametrize("expr, formula, shown", _cases(), ids=[c[0] for c in _cases()])
def test_expression_gives_what_libreoffice_shows(expr, formula, shown):
    """The same expression, as the toolkit computes it and as LibreOffice calculated its formula (the
    cell stores 15 significant digits: 1 - 0.9 is kept as 0.1, so values compare to that precision)."""
    value = evaluate(expr, {})
    if isinstance(shown, bool):
        assert value is shown
    else:
        assert value == pytest.approx(shown, abs=1e-300, rel=1e-15)
    assert to_excel(expr, lambda n: n) is not None


def test_the_inspection_rate_of_one_in_sixteen_is_six_point_three_as_in_the_workbook():
    """The unit's own workbook (recalculated by LibreOffice) shows 6.3; the toolkit computes 6.3 from
    the same typed counts, not Python's 6.2. The same for the answer rate (5 of 8 → 62.5)."""
    INSPECTION_FILLED = _maker().INSPECTION_FILLED
    path = LO / "inspection_U001.xlsx"
    spec = find_template("inspection-survey")
    ret = build_return(spec, extract(spec, read_workbook(path.read_bytes(), "xlsx")))
    cached = _cached_by_name(path)
    assert cached["f_problems_found"] == INSPECTION_FILLED["f_problems_found"]
    for field in ("rectify_rate", "answer_rate"):
        assert ret.entries[(field, None)].value == cached[f"f_{field}"], field
    assert cached["f_rectify_rate"] == 6.3


def _cached_by_name(path: Path) -> dict:
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for name, dn in wb.defined_names.items():
        for sheet, ref in dn.destinations:
            out[name] = wb[sheet][ref.replace("$", "")].value
    return out


@pytest.mark.parametrize("x, digits, expected", [
    (5, 0, 5), (25, -1, 30), (-25, -1, -30), (10**30 + 5, -1, 10**30 + 10), (2.5, 0, 3.0),
    (float("inf"), 1, float("inf")), (1e300, 2, 1e300), (1.25, 10**9, 1.25), (None, 1, None),
])
def test_excel_round_edges(x, digits, expected):
    result = excel_round(x, digits)
    assert result == expected and type(result) is type(expected)


def test_the_fixture_holds_the_formula_generate_writes_today():
    """The recalculated workbook is still what the toolkit generates (LibreOffice only drops the quotes
    around a sheet name that needs none): a change to the formula means making the fixture again."""
    import io

    from toolkit.generate.master import MasterContext, build_master
    spec = find_template("inspection-survey")
    master = build_master(spec, MasterContext(campaign="2026", year=2026, deadline="2026-12-20", contact="王",
                                              phone="0571-88000000"))
    fresh, recalculated = (_formulas(openpyxl.load_workbook(src)) for src in
                           (io.BytesIO(master), LO / "inspection_U001.xlsx"))
    assert fresh["f_rectify_rate"].replace("'", "") == recalculated["f_rectify_rate"].replace("'", "")
    assert fresh["f_answer_rate"].replace("'", "") == recalculated["f_answer_rate"].replace("'", "")


def _formulas(wb) -> dict:
    return {name: wb[sheet][ref.replace("$", "")].value
            for name, dn in wb.defined_names.items() for sheet, ref in dn.destinations}


@pytest.mark.parametrize("expr, formula", [
    ("round(x)", "ROUND(x,0)"),         # Excel's ROUND requires the number of digits
    ("round(x, 1)", "ROUND(x,1)"),
    ("count(a, b)", None),              # count() leaves out 0 and false, COUNTA does not: no formula
])
def test_excel_translation_says_what_the_toolkit_computes(expr, formula):
    assert to_excel(expr, lambda n: n) == formula
