"""Generated workbooks: identity carriers, names, validation, protection, determinism, injection."""

from __future__ import annotations

import hashlib
import zipfile

import openpyxl
import pytest
from conftest import MINI_SPEC, outbox_file, write_roster

from toolkit.campaign.folder import create_campaign
from toolkit.generate.outbox import generate_outbox, unit_filename
from toolkit.spec.layout import parse_code_line
from toolkit.spec.load import load_spec


def test_manifest_lists_every_unit_with_sha256(campaign):
    import csv
    rows = list(csv.DictReader(open(campaign.outbox / "manifest.csv", encoding="utf-8-sig")))
    assert [r["unit_code"] for r in rows] == ["U001", "U002", "U003"]
    assert list(rows[0]) == ["unit_code", "unit_name", "file", "sha256", "template_id", "template_version"]
    for r in rows:
        data = (campaign.outbox / r["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"]
        assert r["template_id"] == "mini" and r["template_version"] == "1"
    assert open(campaign.outbox / "manifest.csv", "rb").read(3) == b"\xef\xbb\xbf"


def test_file_name_is_code_name_title(campaign):
    assert outbox_file(campaign, "U001").name == "U001_第一党支部_迷你表.xlsx"


def test_identity_carriers_all_four(campaign):
    path = outbox_file(campaign, "U002")
    wb = openpyxl.load_workbook(path)
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["toolkit_template_id"] == "mini"
    assert props["toolkit_template_version"] == "1"
    assert props["toolkit_unit_code"] == "U002"
    spec = load_spec(MINI_SPEC)
    assert props["toolkit_fingerprint"] == spec.fingerprint
    meta = wb["_meta"]
    assert meta.sheet_state == "veryHidden"
    kv = {r[0]: r[1] for r in meta.iter_rows(values_only=True)}
    assert kv["unit_code"] == "U002" and kv["template_id"] == "mini" and kv["fingerprint"] == spec.fingerprint
    for ws in wb.worksheets:
        if ws.title.startswith("_"):
            continue
        line = parse_code_line(ws["B2"].value)
        assert line is not None, ws.title
        assert (line.template_id, line.version, line.unit_code) == ("mini", "1", "U002")


def test_defined_names_have_no_dots_and_point_at_inputs(campaign):
    wb = openpyxl.load_workbook(outbox_file(campaign, "U001"))
    names = set(wb.defined_names.keys())
    assert {"f_members", "f_unit_code", "f_a1_1_self_score", "f_a1_1_evidence", "f_v_1_occurred", "t_ledger"} <= names
    assert not any("." in n for n in names)
    sheet, ref = next(iter(wb.defined_names["f_members"].destinations))
    assert sheet == "基本信息" and ref == "$C$6"
    assert wb["基本信息"]["B6"].value.startswith("党员人数")


def test_prefilled_identity_locked_inputs_unlocked_and_protected(campaign):
    wb = openpyxl.load_workbook(outbox_file(campaign, "U001"))
    ws = wb["基本信息"]
    assert ws["C4"].value == "U001" and ws["C5"].value == "第一党支部"
    assert ws["C4"].protection.locked and ws["C5"].protection.locked
    assert not ws["C6"].protection.locked
    for sheet in ("填报说明", "基本信息", "考核指标", "台账"):
        assert wb[sheet].protection.sheet, sheet
    assert wb["台账"].protection.insertRows is False  # False means "allowed" in openpyxl's inverted flags


def test_data_validation_prompts_and_lists(campaign):
    wb = openpyxl.load_workbook(outbox_file(campaign, "U001"))
    ws = wb["基本信息"]
    by_cell = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    members = by_cell["C6"]
    assert members.type == "whole" and members.formula1 == "0"
    assert members.prompt == "填写党员总数" and members.showInputMessage
    held = by_cell["C10"]
    assert held.type == "list" and held.formula1 == '"是,否"'
    kind = by_cell["C11"]  # five choices: on the hidden lists sheet
    assert kind.type == "list" and kind.formula1.startswith("'_lists'!")
    assert wb["_lists"].sheet_state == "hidden"
    assert by_cell["C12"].type == "date"
    check = wb["考核指标"]
    score = {str(dv.sqref): dv for dv in check.data_validations.dataValidation}["F5"]
    assert score.type == "decimal" and float(score.formula2) == 60


def test_required_inputs_highlighted_and_print_setup(campaign):
    wb = openpyxl.load_workbook(outbox_file(campaign, "U001"))
    ws = wb["基本信息"]
    ranges = [str(r.sqref) for r in ws.conditional_formatting]
    assert "C6" in ranges
    rule = ws.conditional_formatting["C6"][0] if hasattr(ws.conditional_formatting, "__getitem__") else None
    assert ws.freeze_panes == "A4"
    check = wb["考核指标"]
    assert check.page_setup.paperSize == 9 and check.page_setup.orientation == "landscape"
    assert check.print_title_rows == "$1:$3"
    assert "&P" in check.oddFooter.center.text
    assert check.column_dimensions["A"].hidden
    del rule


def test_computed_totals_are_formulas(campaign):
    wb = openpyxl.load_workbook(outbox_file(campaign, "U001"))
    check = wb["考核指标"]
    total_row = next(r for r in range(1, 30) if check.cell(r, 1).value == "#total")
    assert check.cell(total_row, 6).value == "=F4+MIN(5,F7)"
    assert wb["基本信息"]["C8"].value.startswith("=")


def test_generation_is_deterministic(campaign):
    before = {p.name: p.read_bytes() for p in campaign.outbox.iterdir()}
    generate_outbox(campaign, workers=1)
    after = {p.name: p.read_bytes() for p in campaign.outbox.iterdir()}
    assert before == after


def test_parallel_generation_gives_same_bytes(tmp_path):
    units = [(f"U{n:04d}", f"第{n}支部", "县委", "张三", "1") for n in range(210)]
    roster = write_roster(tmp_path / "r.csv", units)
    c = create_campaign(tmp_path / "c", str(MINI_SPEC), roster, year=2026)
    rows_pool = generate_outbox(c, workers=2)
    rows_one = generate_outbox(c, workers=1)
    assert [r["sha256"] for r in rows_pool] == [r["sha256"] for r in rows_one]


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1"])
def test_injection_strings_from_roster_stay_text(tmp_path, evil):
    roster = write_roster(tmp_path / "r.csv", [("U9", evil, "g", evil, "1")], extra_header=())
    c = create_campaign(tmp_path / "c", str(MINI_SPEC), roster, year=2026)
    generate_outbox(c, workers=1)
    path = next(c.outbox.glob("U9_*.xlsx"))
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/")]
        for n in sheets:
            xml = zf.read(n).decode()
            assert "HYPERLINK" not in xml and "SUM(A1)" not in xml
    wb = openpyxl.load_workbook(path)
    cell = wb["基本信息"]["C5"]
    assert cell.data_type == "s"
    assert cell.value == evil.strip()


def test_file_names_replace_illegal_characters():
    from toolkit.campaign.folder import Unit
    spec = load_spec(MINI_SPEC)
    name = unit_filename(Unit("A/1", 'x:y*"z"', "", "", ""), spec)
    assert "/" not in name and ":" not in name and "*" not in name and '"' not in name
    assert name.endswith(".xlsx")


LONG_NAME = "东湖街道党工委第一网格党支部" + "暨某某社区联合党支部委员会" * 4  # 66 characters


def test_long_unit_names_get_short_legal_files_and_every_unit_its_workbook(tmp_path):
    from toolkit.output.names import MAX_NAME_BYTES, MAX_NAME_CHARS
    longer = LONG_NAME + "第二届委员会" * 3 + "一"  # 85 characters: too long for a file name with code and title
    units = [("U001", LONG_NAME, "g", "c", "1"), ("U002", longer, "g", "c", "2"), ("U003", longer + "乙", "g", "c", "3"),
             ("U004", "短名", "g", "c", "4")]
    c = create_campaign(tmp_path / "c", str(MINI_SPEC), write_roster(tmp_path / "r.csv", units), year=2026)
    rows = generate_outbox(c, workers=1)
    files = [r["file"] for r in rows]
    assert len(set(files)) == 4 and all((c.outbox / f).is_file() for f in files)
    assert files[0] == f"U001_{LONG_NAME}_迷你表.xlsx"  # 66 characters still fit whole
    assert files[1].startswith("U002_东湖街道党工委") and "…_迷你表.xlsx" in files[1]
    assert files[3] == "U004_短名_迷你表.xlsx"
    for f in files:
        assert len(f.encode()) <= MAX_NAME_BYTES and len(f) <= MAX_NAME_CHARS
    # the file name is short, the workbook still carries the whole name
    assert openpyxl.load_workbook(c.outbox / files[1])["基本信息"]["C5"].value == longer


def test_codes_that_become_one_file_name_get_two_files(tmp_path):
    units = [("A/1", "支部", "g", "c", "1"), ("a_1", "支部", "g", "c", "2")]
    c = create_campaign(tmp_path / "c", str(MINI_SPEC), write_roster(tmp_path / "r.csv", units), year=2026)
    rows = generate_outbox(c, workers=1)
    assert len({r["file"].casefold() for r in rows}) == 2
    assert sorted(p.name for p in c.outbox.glob("*.xlsx")) == sorted(r["file"] for r in rows)


def test_awkward_codes_and_a_long_name_round_trip_through_collect_as_accepted(tmp_path):
    from test_validate import GOOD

    from toolkit.campaign.ledger import Ledger
    from toolkit.read.collect import collect
    longer = LONG_NAME + "第二届委员会" * 4  # shortened in its file name, to a start that names A04
    units = [("A-01/2", "第二党支部", "g", "c", "1"), ("甲.03_x", longer, "g", "c", "2"),
             ("=1", "第三党支部", "g", "c", "3"), ("A04", "东湖街道党工委", "g", "c", "4")]
    c = create_campaign(tmp_path / "c", str(MINI_SPEC), write_roster(tmp_path / "r.csv", units), year=2026)
    rows = generate_outbox(c, workers=1)
    returns = tmp_path / "returns"
    returns.mkdir()
    for r in rows:
        wb = openpyxl.load_workbook(c.outbox / r["file"])
        line = parse_code_line(wb["基本信息"]["B2"].value)
        assert line is not None and line.unit_code == r["unit_code"]  # the code line carries the code whole
        for (sheet, ref), value in GOOD.items():
            wb[sheet][ref] = value
        wb.save(returns / r["file"])
    collect(c, [str(returns)], workers=1)
    with Ledger(c.db_path) as ledger:
        got = {f.unit_code: f.status for f in ledger.files()}
    assert got == {code: "accepted" for code, *_ in units}
