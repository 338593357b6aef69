"""Merge, score and report stay flat in memory whatever the campaign's size (issue 16).

What keeps them flat, each asserted here on a tiny campaign: merge and score hold one unit's
return at a time (streamed from the ledger), the score trace is packed per unit, the workbooks
are written row by row without keeping finished rows, and the report reads the per-value files
a row at a time. And the stage packages that were restructured for it import in one direction.
"""

from __future__ import annotations

import ast
import datetime as dt
import tracemalloc
import weakref
import zipfile
from pathlib import Path

import openpyxl
from test_scoring_stage import built, camp  # noqa: F401  (fixtures: an annual campaign, validated)

import toolkit.merge.merged as merged_module
from toolkit.campaign.folder import load_campaign
from toolkit.merge.stage import merge_campaign
from toolkit.output.xlsxfile import new_workbook
from toolkit.report.page import words
from toolkit.report.sections import issues_section
from toolkit.score.rules import TraceRow
from toolkit.score.stage import score_campaign
from toolkit.score.trace import Trace

PACKAGE = Path(__file__).resolve().parent.parent / "toolkit"


def test_merge_and_score_hold_one_return_at_a_time(camp, monkeypatch):  # noqa: F811
    live: list[weakref.ref] = []
    most, calls = [0], [0]
    real = merged_module.stored_return

    def tracked(*args, **kwargs):
        most[0] = max(most[0], sum(r() is not None for r in live))  # still alive when the next is read
        calls[0] += 1
        ret = real(*args, **kwargs)
        live.append(weakref.ref(ret))
        return ret

    monkeypatch.setattr(merged_module, "stored_return", tracked)
    campaign = load_campaign(camp)
    merge_campaign(campaign, "zh")
    result = score_campaign(campaign, "zh")
    assert calls[0] == 10  # five returns, read once by merge and once by score
    assert most[0] <= 1
    assert [r["unit_code"] for r in result.scores if r["rank"] == 1] == ["P01"]


def test_the_trace_is_packed_per_unit_and_reads_as_rows(camp):  # noqa: F811
    result = score_campaign(load_campaign(camp), "zh")
    rows = list(result.trace)
    assert len(result.trace) == len(rows) and rows == list(result.trace)  # read again, the same rows
    assert [r["unit_code"] for r in rows[:1]] == ["P01"] and rows[0] == result.trace[0]
    for code in ("P01", "Q02"):
        assert result.trace.unit(code) == [r for r in rows if r["unit_code"] == code]
    assert "Q03" not in result.trace and result.trace.unit("Q03") == []  # never returned: no trace
    assert any(r["vetoed"] for r in result.trace.unit("Q02"))


def _held_by_trace(units: int) -> int:
    """Bytes a Trace still holds in memory after *units* units of 40 wordy rows each were added."""
    rows = [TraceRow(f"ind_{n}", "fixed", "党员人数=32；" * 8, 4.0, 5.0, (), "area_a",
                     None, (("party_members", 32), ("=", 4.0))) for n in range(40)]
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        trace = Trace()
        for n in range(units):
            trace.add(f"U{n:05d}", rows)
        held = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    assert len(trace) == 40 * units and trace.unit("U00003")[5]["inputs"] == "党员人数=32；" * 8
    return held


def test_the_packed_trace_is_kept_on_disk_not_in_memory():
    small, large = _held_by_trace(40), _held_by_trace(160)
    # a unit's packed record is over 2 KB; in memory stays only where it is (well under 300 bytes a unit)
    assert (large - small) / 120 < 300, (small, large)


def test_a_workbook_written_in_row_order_keeps_no_finished_row(tmp_path):
    wb = new_workbook(tmp_path / "big.xlsx", rows_in_order=True)
    ws = wb.add_worksheet("rows")
    ws.forget_rows = True
    ws.write_string(0, 2, "<r><t>x</t></r>")  # text that looks like rich-text markup stays text
    for r in range(300):
        ws.write_string(r, 0, f"=row {r}")  # text that looks like a formula stays text
        ws.write_number(r, 1, r)
        ws.set_row(r, 30)
        assert len(ws.table) <= 1 and len(ws.row_info) <= 1 and len(ws.row_sizes) <= 1
    ws.put_away()
    wb.close()
    sheet = openpyxl.load_workbook(tmp_path / "big.xlsx")["rows"]
    assert [sheet.cell(r + 1, 1).value for r in (0, 299)] == ["=row 0", "=row 299"]
    assert sheet.cell(300, 2).value == 299 and sheet.cell(300, 1).data_type == "s"
    assert sheet.cell(1, 3).value == "<r><t>x</t></r>"
    assert sheet.row_dimensions[1].height == 30 and sheet.row_dimensions[300].height == 30


def test_the_report_reads_issues_once_as_they_come():
    rows = [{"unit_code": "U1", "code": "value.not_a_number", "severity": "error"},
            {"unit_code": "U2", "code": "value.not_a_number", "severity": "error"},
            {"unit_code": "U2", "code": "value.out_of_range", "severity": "warning"}]
    w = words("zh")
    once = issues_section(iter(rows), "zh", w)  # a generator over issues.csv can be read only once
    assert once == issues_section(rows, "zh", w)
    assert [(r["code"], r["count"], r["units"]) for r in once["rows"]] == \
        [("value.not_a_number", 2, 2), ("value.out_of_range", 1, 1)]
    assert once["summary"] == "共 2 个错误、1 个提示，涉及 2 个单位。"


def _imports(package: str) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports, at the top or inside a function."""
    folder = PACKAGE / package
    names = {p.stem for p in folder.glob("*.py")}
    out: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(a.name for a in node.names)
        out[path.stem] = found & names - {path.stem}
    return out


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    def visit(node, path):
        if node in path:
            return path[path.index(node):] + [node]
        for nxt in sorted(graph.get(node, ())):
            found = visit(nxt, path + [node])
            if found:
                return found
        return None
    return next((c for c in (visit(n, []) for n in sorted(graph)) if c), None)


def test_merge_and_score_modules_import_one_way():
    for package in ("merge", "score"):
        assert _cycle(_imports(package)) is None, f"toolkit.{package}: {_cycle(_imports(package))}"


CELLS = [["plain", " leading space", "a & b < c > d", "_x0041_ typed", "bell\x07", "<r>x</r>", "行\n二", ""],
         [12, 3.5, 1e20, -0.1, dt.date(2026, 3, 5), dt.datetime(2026, 3, 5, 8, 30), None, 0]]


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_a_row_put_at_once_is_the_row_the_cell_by_cell_calls_make(tmp_path):
    """put_row writes a row's XML straight to the sheet's file: the same cells, formats and heights
    as xlsxwriter's write_* and set_row, byte for byte."""
    made = {}
    for how in ("cells", "row"):
        wb = new_workbook(tmp_path / f"{how}.xlsx", rows_in_order=True)
        fmt, date = wb.add_format({"border": 1}), wb.add_format({"num_format": "yyyy-mm-dd"})
        ws = wb.add_worksheet("s")
        ws.write_string(0, 0, "head", fmt)  # an ordinary row before, and after, the rows put at once
        for r, (values, height) in enumerate(zip(CELLS * 2, (None, 30, 15, 40.5)), start=1):
            cells = [(v, date if isinstance(v, dt.date) else fmt if n % 3 else None) for n, v in enumerate(values)]
            if how == "row":
                ws.put_row(r, cells, height)
                continue
            for c, (v, f) in enumerate(cells):
                if v is None or v == "":
                    ws.write_blank(r, c, None, f)
                elif isinstance(v, str):
                    ws.write_string(r, c, v, f)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, v, f)
                else:
                    ws.write_number(r, c, v, f)
            if height is not None:
                ws.set_row(r, height)
        ws.merge_range(6, 0, 6, 3, "sign", fmt)
        wb.close()
        made[how] = _sheet_xml(tmp_path / f"{how}.xlsx")
    assert made["row"] == made["cells"]
    assert "&lt;r&gt;x&lt;/r&gt;" in made["row"] and "_x005F_x0041_" in made["row"] and "bell\u2407" in made["row"]


def test_status_attention_and_the_ledger_csv_stream_the_ledger_rows(camp, monkeypatch):  # noqa: F811
    """Stages that only filter or count the ledger's rows read them one at a time, never as one list."""
    from toolkit.campaign.ledger import Ledger
    from toolkit.campaign.status import unit_statuses
    from toolkit.pipeline.stages import attention, export_ledger

    campaign = load_campaign(camp)
    with Ledger(campaign.db_path) as ledger:
        every = ledger.files()
        assert list(ledger.each_file()) == every and len(every) > 1
        assert ledger.accepted() == [f for f in every if f.status == "accepted"]
    states, ledger_csv = unit_statuses(campaign), export_ledger(campaign).read_bytes()
    monkeypatch.setattr(Ledger, "files", lambda self: (_ for _ in ()).throw(AssertionError("a list of every row")))
    assert unit_statuses(campaign) == states and export_ledger(campaign).read_bytes() == ledger_csv
    attention(campaign)
