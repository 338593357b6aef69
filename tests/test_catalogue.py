"""The code catalogue: every code documented, both languages, and a named example that produces it.

:data:`EXAMPLES` names, for every code of the catalogue, a test that produces it and asserts
it exactly; tests/catalogue_check.py checks, after the test has run, that the code is in the
ledger, issues.csv, offered files or issues it produced (a parametrised example: the run whose
parameters name the code). Codes of identification, reading and the ledger have their examples
here; the others live next to their stage's tests. docs/issue-codes.md is generated from the catalogue
by tests/gen_issue_codes.py and must match it.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from catalogue_check import example_node, expected_codes, produced_codes
from conftest import DEFAULT_UNITS, MINI_SPEC, outbox_file, returned, write_roster
from gen_issue_codes import DOC, code_modules, render

from toolkit.campaign.folder import create_campaign
from toolkit.campaign.ledger import Ledger
from toolkit.codes import CATALOGUE, Detail, code_info, hint, title
from toolkit.read.collect import collect, reason_message
from toolkit.read.resolve import resolve_file
from toolkit.states import Severity

TESTS = Path(__file__).resolve().parent

# The tests that stand for many codes at once (each run of them names its code)
VALUE_TEST = "test_validate.py::test_value_issue"
SPEC_CHECK_TEST = "test_validate.py::test_checks_spec_issue"
INTAKE_TEST = "test_intake.py::test_rejected_files_get_exact_codes"
EXAMPLE_TEST = "test_catalogue.py::test_example"
EXAMPLES = {
    "intake.empty_file": INTAKE_TEST,
    "intake.encrypted": INTAKE_TEST,
    "intake.not_a_workbook": INTAKE_TEST,
    "intake.corrupt": INTAKE_TEST,
    "intake.unsupported_archive": INTAKE_TEST,
    "intake.encrypted_archive": "test_intake.py::test_encrypted_archive_member_is_rejected",
    "intake.too_large": "test_intake.py::test_too_large_file_is_not_read",
    "intake.zip_bomb": "test_intake.py::test_one_gigabyte_zip_bomb_is_rejected_from_the_directory",
    "intake.too_many_members": "test_intake.py::test_too_many_members",
    "intake.too_deep": "test_intake.py::test_archives_nested_too_deep_are_rejected",
    "intake.hostile_xml": "test_intake.py::test_billion_laughs_is_rejected",
    "intake.sheet_too_large": "test_intake.py::test_whole_sheet_dimension_is_rejected",
    "read.unreadable": EXAMPLE_TEST,
    "read.blank_template": EXAMPLE_TEST,
    "read.unsafe": "test_isolation.py::test_crafted_file_is_recorded_even_when_it_gets_past_the_checks",
    "identify.carriers_disagree": EXAMPLE_TEST,
    "identify.filename_mismatch": EXAMPLE_TEST,
    "identify.unit_unknown": EXAMPLE_TEST,
    "identify.unit_not_in_roster": "test_catalogue.py::test_unit_not_in_roster",
    "identify.unknown_template": EXAMPLE_TEST,
    "identify.wrong_template": EXAMPLE_TEST,
    "identify.version_not_accepted": EXAMPLE_TEST,
    "identify.by_content": EXAMPLE_TEST,
    "identify.other_campaign": EXAMPLE_TEST,
    "read.blank_return": EXAMPLE_TEST,
    "intake.toolkit_output": EXAMPLE_TEST,
    "rectification.item_deleted": "test_rounds.py::test_deleted_item_is_an_issue_and_stays_carried",
    "rectification.deadline_moved": "test_rounds.py::test_deadline_moved_later_needs_a_reason",
    "rectification.closed_after_received": "test_rounds.py::test_closing_date_after_collection_is_an_error",
    "rectification.reopened": "test_rounds.py::test_reopened_item_flagged_with_its_old_id",
    "ledger.duplicate": "test_catalogue.py::test_ledger_duplicate_and_superseded",
    "ledger.superseded": "test_catalogue.py::test_ledger_duplicate_and_superseded",
    "ledger.resolved_assign": "test_catalogue.py::test_ledger_resolutions",
    "ledger.resolved_reject": "test_catalogue.py::test_ledger_resolutions",
    "structure.sheet_missing": "test_validate.py::test_missing_sheet",
    "structure.sheet_renamed": "test_validate.py::test_renamed_sheet_is_found_by_its_content_and_read",
    "structure.field_missing": "test_validate.py::test_deleted_form_row_is_field_missing",
    "structure.item_missing": "test_validate.py::test_deleted_item_row",
    "structure.label_edited": "test_validate.py::test_edited_label",
    "structure.row_inserted": "test_validate.py::test_inserted_row_does_not_shift_values",
    "structure.extra_column": "test_validate.py::test_extra_column_in_a_table",
    "structure.header_missing": "test_validate.py::test_deleted_table_header",
    "value.required": VALUE_TEST,
    "value.out_of_range": VALUE_TEST,
    "value.score_over_max": VALUE_TEST,
    "value.pattern_mismatch": SPEC_CHECK_TEST,
    "value.date_out_of_period": SPEC_CHECK_TEST,
    "value.evidence_required": SPEC_CHECK_TEST,
    "value.not_a_number": VALUE_TEST,
    "value.not_an_integer": VALUE_TEST,
    "value.not_a_date": VALUE_TEST,
    "value.not_a_bool": VALUE_TEST,
    "value.not_a_choice": VALUE_TEST,
    "value.error_cell": VALUE_TEST,
    "value.chinese_numeral": VALUE_TEST,
    "value.percent_ambiguous": VALUE_TEST,
    "table.duplicate_key": SPEC_CHECK_TEST,
    "rule.failed": VALUE_TEST,
    "rule.warning": SPEC_CHECK_TEST,
}
# Office decisions recorded in the ledger: nobody has anything to fix, so no hint (toolkit/campaign/ledger.py).
HINTLESS: set[str] = set()


def all_codes() -> dict:
    """Every code any toolkit module declares (importing them all completes the catalogue)."""
    codes = {}
    for _, module_codes in code_modules():
        codes.update(module_codes)
    return codes


# --------------------------------------------------------------------------- the catalogue


def test_every_code_has_a_named_example():
    codes = all_codes()
    assert set(CATALOGUE) == set(codes), "a code registered outside a module's CODES"
    assert sorted(set(codes) - set(EXAMPLES)) == [], "codes without an example: add a test and list it"
    assert sorted(set(EXAMPLES) - set(codes)) == [], "examples of codes no longer in the catalogue"


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_named_example_runs_and_is_checked_for_its_code(code, request):
    """The example exists, and one of its runs stands for the code: after that run,
    tests/catalogue_check.py fails it unless the code is among what it produced."""
    items = [i for i in request.session.items if example_node(i) == EXAMPLES[code]]
    if not items:  # its file is not part of this run: collect it (module-level tests only)
        module = pytest.Module.from_parent(request.session, path=TESTS / EXAMPLES[code].split("::")[0])
        items = [i for i in module.collect() if example_node(i) == EXAMPLES[code]]
    assert items, f"{EXAMPLES[code]} does not exist"
    assert any(code in expected_codes(i, items) for i in items), \
        f"no run of {EXAMPLES[code]} stands for {code}: give it {code!r} as a parameter"


def test_the_check_reads_the_codes_a_campaign_holds(campaign, tmp_path):
    """What catalogue_check reads: reason codes of the ledger and codes of out/issues.csv."""
    typed = returned(campaign, "U001", tmp_path / "typed" / "U001.xlsx")
    (tmp_path / "in").mkdir()
    _offer(campaign, shutil.copyfile(outbox_file(campaign, "U002"), tmp_path / "in" / "U002.xlsx"))
    _offer(campaign, shutil.copyfile(typed, tmp_path / "in" / "U001-again.xlsx"))
    _offer(campaign, typed)
    assert produced_codes(tmp_path) == {"read.blank_template", "ledger.duplicate"}
    (campaign.out / "issues.csv").write_text("unit_code,code\nU001,value.required\n", encoding="utf-8-sig")
    assert produced_codes(campaign.dir) == {"read.blank_template", "ledger.duplicate", "value.required"}


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_code_is_well_formed_in_both_languages(code):
    entry = code_info(code)
    assert re.fullmatch(r"[a-z]+\.[a-z_]+", entry.code)
    assert isinstance(entry.severity, Severity)  # declared as model's StrEnum, not spelt as a string
    assert entry.title_zh and entry.title_en and title(code) == entry.title_zh and title(code, "en") == entry.title_en
    assert re.search(r"[\u4e00-\u9fff]", entry.title_zh) and not re.search(r"[\u4e00-\u9fff]", entry.title_en)
    if code not in HINTLESS:
        assert entry.hint_zh and entry.hint_en, f"{code} has no fix-it hint"
        assert hint(code) == entry.hint_zh and hint(code, "en") == entry.hint_en


def test_hintless_codes_are_only_the_office_decisions():
    assert {c for c, e in all_codes().items() if not (e.hint_zh and e.hint_en)} <= HINTLESS


def test_issue_codes_doc_is_up_to_date():
    assert DOC.is_file(), "run: python -m tests.gen_issue_codes"
    assert DOC.read_text(encoding="utf-8") == render(), "docs/issue-codes.md is stale: python -m tests.gen_issue_codes"
    text = DOC.read_text(encoding="utf-8")
    for code in EXAMPLES:
        assert f"| `{code}` |" in text


# --------------------------------------------------------------------------- examples: reading, identifying, the ledger


def _offer(campaign, path: Path):
    """Collect one file; its ledger row."""
    collect(campaign, [str(path)], workers=1)
    with Ledger(campaign.db_path) as ledger:
        return next(f for f in ledger.files() if f.source == str(path))


def _save(wb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _copied_values(src: Path, keep_unit_cells: bool):
    """Everything typed copied into a brand-new workbook: no properties, no _meta, no code lines."""
    wb, new = openpyxl.load_workbook(src), openpyxl.Workbook()
    new.remove(new.active)
    for ws in wb.worksheets:
        if ws.sheet_state == "visible":
            copy = new.create_sheet(ws.title)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None and cell.coordinate != "B2":  # B2: the code line
                        copy.cell(cell.row, cell.column, cell.value)
    if not keep_unit_cells:
        new["基本信息"]["C4"] = new["基本信息"]["C5"] = None
    return new


def _retemplated(src: Path, template_id: str, version: str):
    """Every template carrier (properties, _meta, code lines) says *template_id* *version*."""
    wb = openpyxl.load_workbook(src)
    for prop in wb.custom_doc_props.props:
        if prop.name in ("toolkit_template_id", "toolkit_template_version"):
            prop.value = template_id if prop.name.endswith("_id") else version
    wb["_meta"]["B2"], wb["_meta"]["B3"] = template_id, version
    for ws in wb.worksheets:
        if not ws.title.startswith("_"):
            ws["B2"] = ws["B2"].value.replace("TK|mini|1|", f"TK|{template_id}|{version}|")
    return wb


def _last_year(src: Path):
    """A unit's typed return of the same template, issued for the campaign a year earlier."""
    wb = openpyxl.load_workbook(src)
    for prop in wb.custom_doc_props.props:
        if prop.name == "toolkit_year":
            prop.value = "2025"
    meta = wb["_meta"]
    for row in meta.iter_rows():
        if row[0].value == "year":
            row[1].value = "2025"
    return wb


def _output_workbook(path: Path) -> None:
    from toolkit.output.xlsxfile import new_workbook
    wb = new_workbook(path)
    wb.add_worksheet("评分表").write_string(0, 0, "单位代码")
    wb.close()


def _other_unit_in_meta(src: Path):
    wb = openpyxl.load_workbook(src)
    wb["_meta"]["B4"] = "U002"
    return wb


def _hello():
    wb = openpyxl.Workbook()
    wb.active["A1"] = "各单位报表"
    return wb


def _half_a_sheet(src: Path) -> bytes:
    """A package that passes intake (sizes, XML prologs) but whose sheet XML stops half-way."""
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            zout.writestr(name, data[: len(data) // 2] if name == "xl/worksheets/sheet2.xml" else data)
    return buf.getvalue()


@pytest.mark.parametrize("case, name, status, code", [
    ("unreadable", "U001.xlsx", "rejected", "read.unreadable"),
    ("other_unit_in_meta", "U001.xlsx", "review", "identify.carriers_disagree"),
    ("blank", "U001.xlsx", "rejected", "read.blank_template"),
    ("renamed", "U002_第二党支部.xlsx", "review", "identify.filename_mismatch"),
    ("copied_without_unit", "报表.xlsx", "review", "identify.unit_unknown"),
    ("hello", "报表.xlsx", "unidentified", "identify.unknown_template"),
    ("another_template", "U001.xlsx", "rejected", "identify.wrong_template"),
    ("old_version", "U001.xlsx", "rejected", "identify.version_not_accepted"),
    ("copied_with_unit", "报表.xlsx", "accepted", "identify.by_content"),
    ("last_year", "U001.xlsx", "rejected", "identify.other_campaign"),
    ("resaved", "U001.xlsx", "rejected", "read.blank_return"),
    ("scoring_sheet", "scoring-sheet.xlsx", "rejected", "intake.toolkit_output"),
])
def test_example(campaign, tmp_path, case, name, status, code):
    src = outbox_file(campaign, "U001")
    path = tmp_path / "in" / case / name
    path.parent.mkdir(parents=True)
    if case == "unreadable":
        path.write_bytes(_half_a_sheet(src))
    elif case == "blank":  # the issued workbook sent back untouched
        shutil.copyfile(src, path)
    elif case == "renamed":
        returned(campaign, "U001", path)
    elif case == "scoring_sheet":  # the office's own output, collected with a folder that holds it
        _output_workbook(path)
    else:
        typed = returned(campaign, "U001", tmp_path / "typed" / "U001.xlsx")
        _save({"other_unit_in_meta": lambda: _other_unit_in_meta(typed),
               "copied_without_unit": lambda: _copied_values(typed, False),
               "copied_with_unit": lambda: _copied_values(typed, True),
               "last_year": lambda: _last_year(typed),
               "resaved": lambda: openpyxl.load_workbook(src),  # opened and saved again, nothing typed
               "hello": _hello,
               "another_template": lambda: _retemplated(src, "evaluation", "1"),  # a bundled template
               "old_version": lambda: _retemplated(src, "mini", "0.9")}[case](), path)
    row = _offer(campaign, path)
    assert (row.status, row.reason_code) == (status, code)
    if code_info(code).templates():  # its detail is stored as data and shown in the reader's language
        assert isinstance(row.detail, Detail) and row.ident_detail == row.detail.text(code, "en")
        zh, en = (row.detail.text(code, "zh"), row.detail.text(code, "en"))
        assert reason_message("zh")(code, row.detail).startswith(f"{title(code)}：{zh}。" if zh else f"{title(code)}。")
        assert code == "read.unreadable" or not re.search(r"[a-z]{3,} [a-z]{3,}", zh)  # a reader's own words stay
        assert reason_message("en")(code, row.detail).startswith(f"{title(code, 'en')}: {en}." if en else title(code, "en"))
    assert row.unit_code == ("U001" if status == "accepted" or code == "read.blank_return" else "")
    if code == "identify.other_campaign":  # the message names the campaign and the year it belongs to
        message = reason_message("zh")(row.reason_code, row.detail)
        assert campaign.name in message and "2025" in message


def test_unit_not_in_roster(campaign, tmp_path):
    roster = write_roster(tmp_path / "two.csv", DEFAULT_UNITS[:2])
    smaller = create_campaign(tmp_path / "two", str(MINI_SPEC), roster, year=2026, deadline="2026-12-20")
    row = _offer(smaller, returned(campaign, "U003", tmp_path / "in" / "U003.xlsx"))
    assert (row.status, row.reason_code, row.unit_code) == ("review", "identify.unit_not_in_roster", "")


def test_a_file_held_for_the_campaign_is_read_again_once_the_campaign_is_fixed(campaign, tmp_path):
    """The roster lacked the unit, then a version was not accepted: fixing campaign files and collecting again takes them."""
    from toolkit.campaign.folder import load_campaign
    roster = write_roster(tmp_path / "two.csv", DEFAULT_UNITS[:2])
    smaller = create_campaign(tmp_path / "two", str(MINI_SPEC), roster, year=2026, deadline="2026-12-20")
    u3 = returned(campaign, "U003", tmp_path / "in" / "U003.xlsx")
    typed = returned(campaign, "U001", tmp_path / "typed" / "U001.xlsx")
    old = _save(_retemplated(typed, "mini", "0.9"), tmp_path / "in" / "U001.xlsx")
    collect(smaller, [str(u3), str(old)], workers=1)
    assert (_offer(smaller, u3).reason_code, _offer(smaller, old).reason_code) == (
        "identify.unit_not_in_roster", "identify.version_not_accepted")
    write_roster(smaller.dir / "roster.csv", DEFAULT_UNITS)
    config = yaml.safe_load((smaller.dir / "campaign.yaml").read_text(encoding="utf-8"))
    config["accept_versions"] = ["1", "0.9"]
    (smaller.dir / "campaign.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    collect(load_campaign(smaller.dir), [], workers=1)
    with Ledger(smaller.dir / "toolkit.db") as ledger:
        rows = {Path(f.source).name: (f.status, f.reason_code, f.unit_code) for f in ledger.files()}
    assert rows == {"U003.xlsx": ("accepted", "", "U003"), "U001.xlsx": ("accepted", "", "U001")}


def test_ledger_duplicate_and_superseded(campaign, tmp_path):
    (tmp_path / "a").mkdir()
    first = returned(campaign, "U001", tmp_path / "a" / "U001.xlsx")
    same = shutil.copyfile(first, tmp_path / "a" / "U001-copy.xlsx")
    wb = openpyxl.load_workbook(first)
    wb["基本信息"]["C6"] = 31
    newer = _save(wb, tmp_path / "b" / "U001.xlsx")
    collect(campaign, [str(first), str(same)], workers=1)
    collect(campaign, [str(newer)], workers=1)
    with Ledger(campaign.db_path) as ledger:
        rows = {Path(f.source).relative_to(tmp_path).as_posix(): (f.status, f.reason_code, f.unit_code)
                for f in ledger.files()}
    assert rows == {"a/U001.xlsx": ("superseded", "ledger.superseded", "U001"),
                    "a/U001-copy.xlsx": ("duplicate", "ledger.duplicate", "U001"),
                    "b/U001.xlsx": ("accepted", "", "U001")}


def test_ledger_resolutions(campaign, tmp_path):
    (tmp_path / "in").mkdir()
    mismatch = returned(campaign, "U001", tmp_path / "in" / "U002_第二党支部.xlsx")
    typed = returned(campaign, "U003", tmp_path / "typed" / "U003.xlsx")
    unknown = _save(_copied_values(typed, False), tmp_path / "in" / "报表.xlsx")
    assert _offer(campaign, mismatch).status == "review" and _offer(campaign, unknown).status == "review"
    resolve_file(campaign, _offer(campaign, mismatch).sha256, unit="U001", reason="电话核实")
    resolve_file(campaign, _offer(campaign, unknown).sha256, unit=None, reason="无法确认")
    assigned, rejected = _offer(campaign, mismatch), _offer(campaign, unknown)
    assert (assigned.status, assigned.reason_code, assigned.unit_code) == ("accepted", "ledger.resolved_assign", "U001")
    assert (rejected.status, rejected.reason_code) == ("rejected", "ledger.resolved_reject")
    assert "电话核实" in assigned.message


@pytest.mark.parametrize("written, accepted", [
    ("2025.1", {"1", "2025.1"}),          # one version, written alone (YAML reads a number)
    ("'0.9'", {"1", "0.9"}),               # quoted: one version, not its characters
    ("['0.9']", {"1", "0.9"}),             # a list naming only the old one keeps the current
    ("[]", {"1"}),
])
def test_accept_versions_however_written_keeps_the_current_version(campaign, written, accepted):
    from toolkit.campaign.folder import load_campaign
    path = campaign.dir / "campaign.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"accept_versions: {written}\n", encoding="utf-8")
    c = load_campaign(campaign.dir)
    assert c.accepted_versions(c.template()) == accepted


def test_accept_versions_as_a_mapping_is_refused(campaign):
    from toolkit.campaign.folder import load_campaign
    from toolkit.errors import CampaignError
    path = campaign.dir / "campaign.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "accept_versions: {old: '0.9'}\n", encoding="utf-8")
    with pytest.raises(CampaignError, match="accept_versions"):
        load_campaign(campaign.dir)
