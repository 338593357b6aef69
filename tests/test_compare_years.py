"""Year on year over two demo years built from the samples, with known changes."""

from __future__ import annotations

import csv
import shutil

import openpyxl
import pytest
from typer.testing import CliRunner

from toolkit.campaign.ledger import Ledger
from toolkit.cli.commands import app
from toolkit.cli.demo import DEMO_NAME, SAMPLES_DIR
from toolkit.generate.stamp import Stamp


def _run(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def years(tmp_path_factory):
    """2025: the sample returns with A01 scoring lower and C05 without its veto; 2026: the samples."""
    tmp = tmp_path_factory.mktemp("years")
    returns_2025 = tmp / "returns-2025"
    shutil.copytree(SAMPLES_DIR / "returns", returns_2025)
    a01 = next(returns_2025.glob("A01_*.xlsx"))
    wb = openpyxl.load_workbook(a01)
    ws = wb["考核指标"]
    for row in ws.iter_rows(min_row=4):
        if isinstance(row[0].value, str) and row[0].value.startswith("a1_"):
            row[5].value = 0  # A01 lost the responsibility points last year
    wb.save(a01)
    c05 = next(returns_2025.glob("C05_*.xlsx"))
    wb = openpyxl.load_workbook(c05)
    for sheet, ref in wb.defined_names["f_v_1_occurred"].destinations:
        wb[sheet][ref.replace("$", "")] = "否"
    wb.save(c05)
    _run("init", str(tmp / "y2025"), "--template", "annual-assessment", "--roster",
         str(SAMPLES_DIR / "roster.csv"), "--year", "2025")
    _run("generate", str(tmp / "y2025"))
    with Ledger(tmp / "y2025" / "toolkit.db") as ledger:  # the sample returns stand in for 2025's own workbooks
        ledger.record_stamp(Stamp(DEMO_NAME, "2026"))
    _run("run", str(tmp / "y2025"), str(returns_2025))
    _run("demo", str(tmp / "y2026"))
    _run("compare", str(tmp / "y2025"), str(tmp / "y2026"))
    _run("report", str(tmp / "y2026"))
    rows = {r["unit_code"]: r for r in csv.DictReader(open(tmp / "y2026" / "out" / "compare.csv", encoding="utf-8-sig"))}
    return tmp, rows


def test_a_unit_that_improved(years):
    _, rows = years
    a01 = rows["A01"]
    assert float(a01["delta"]) > 0 and float(a01["new_total"]) - float(a01["old_total"]) == pytest.approx(float(a01["delta"]))
    assert int(a01["rank_change"]) > 0


def test_a_vetoed_unit_moves_down_a_grade(years):
    _, rows = years
    c05 = rows["C05"]
    assert c05["new_grade"] == "较差" and c05["old_grade"] != "较差" and c05["grade_move"] == "down"


def test_units_that_never_returned_are_not_zero(years):
    _, rows = years
    for code in ("A10", "C09"):
        assert rows[code]["old_total"] == "" and rows[code]["new_total"] == "" and rows[code]["delta"] == ""


def test_workbook_and_report_section(years):
    tmp, _ = years
    wb = openpyxl.load_workbook(tmp / "y2026" / "out" / "compare.xlsx")
    assert {"总体对比", "指标变化", "等次变动", "新增与撤销"} <= set(wb.sheetnames)
    html = (tmp / "y2026" / "out" / "report.html").read_text(encoding="utf-8")
    assert "年度对比" in html
