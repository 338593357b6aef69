"""Identification: which template, version and unit a return belongs to, and when to ask a human.

Every case goes through ``collect`` and asserts the exact ledger status and
reason_code; a return that cannot be pinned to one unit is never credited to any.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import DEFAULT_UNITS, FIXTURES, MINI_SPEC, fill, outbox_file, returned, write_roster

from toolkit.campaign.folder import Unit, create_campaign, load_roster
from toolkit.campaign.ledger import Ledger
from toolkit.generate.outbox import generate_outbox, master_context, workbook_for_unit
from toolkit.read.collect import collect, export_ledger
from toolkit.read.identify import fingerprint_score, identify
from toolkit.read.reader import read_workbook
from toolkit.spec.layout import parse_code_line
from toolkit.spec.load import load_spec
from toolkit.spec.parse import parse_spec

LO = FIXTURES / "lo"
LO_FORMATS = ("xlsx", "xls", "ods")
VISIBLE_SHEETS = ["填报说明", "基本信息", "考核指标", "台账"]


# --------------------------------------------------------------------------- helpers


def collect_rows(campaign, *sources: Path) -> list[dict]:
    """Collect *sources* and return out/ledger.csv as dicts."""
    collect(campaign, [str(s) for s in sources], workers=1)
    path = export_ledger(campaign, "zh")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def only(rows: list[dict], suffix: str) -> dict:
    hits = [r for r in rows if r["source"].endswith(suffix)]
    assert len(hits) == 1, (suffix, [r["source"] for r in rows])
    return hits[0]


def collect_one(campaign, path: Path) -> dict:
    return only(collect_rows(campaign, path), path.name)


def status_of(row: dict) -> tuple[str, str, str]:
    return row["status"], row["reason_code"], row["unit_code"]


def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir(exist_ok=True)
    return folder


def mini_variant(**changes) -> object:
    """The mini spec with some top-level keys changed (e.g. another version)."""
    raw = yaml.safe_load(MINI_SPEC.read_text(encoding="utf-8"))
    raw.update(changes)
    return parse_spec(raw, str(MINI_SPEC))


# --------------------------------------------------------------------------- LibreOffice fixtures


@pytest.mark.parametrize("fmt", LO_FORMATS)
def test_libreoffice_resave_keeps_meta_sheet_and_code_lines(fmt):
    raw = read_workbook((LO / f"mini_U001.{fmt}").read_bytes(), fmt)
    spec = load_spec(MINI_SPEC)
    assert list(raw.sheets)[:4] == VISIBLE_SHEETS
    meta = raw.sheets["_meta"]
    kv = {meta.get(r, 0): meta.get(r, 1) for r in range(meta.n_rows)}
    assert (kv["template_id"], str(kv["template_version"]), kv["unit_code"], kv["unit_name"]) \
        == (spec.id, spec.version, "U001", DEFAULT_UNITS[0][1]), "stale fixture: run tests/fixtures/make_fixtures.py"
    assert not meta.visible  # LibreOffice turns veryHidden into hidden, never visible
    assert all(raw.sheets[name].visible for name in VISIBLE_SHEETS)
    for name in VISIBLE_SHEETS:
        line = parse_code_line(raw.sheets[name].get(1, 1))
        assert (line.template_id, line.version, line.unit_code) == ("mini", spec.version, "U001"), name
    assert fingerprint_score(spec, raw) == 1.0


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_libreoffice_resave_keeps_custom_properties(fmt):
    raw = read_workbook((LO / f"mini_U001.{fmt}").read_bytes(), fmt)
    assert raw.props["toolkit_template_id"] == "mini"
    assert raw.props["toolkit_template_version"] == "1"
    assert raw.props["toolkit_unit_code"] == "U001"
    assert raw.props["toolkit_unit_name"] == "第一党支部"


def test_xls_custom_properties_are_read_as_the_first_carrier(roster_csv):
    """An .xls keeps custom properties in an OLE property set: all three carriers vote."""
    raw = read_workbook((LO / "mini_U001.xls").read_bytes(), "xls")
    assert raw.props["toolkit_unit_code"] == "U001" and raw.props["toolkit_unit_name"] == "第一党支部"
    assert (raw.props["toolkit_template_id"], raw.props["toolkit_template_version"]) == ("mini", "1")
    assert raw.defined_names == {}  # names are read from xlsx only
    spec = load_spec(MINI_SPEC)
    ident = identify(raw, spec, load_roster(roster_csv), {"1"}, "mini_U001.xls", set())
    assert (ident.status, ident.unit_code, ident.reason_code) == ("accepted", "U001", "")
    assert {"props", "meta", "code_line0"} <= set(ident.carriers)


def test_xls_whose_properties_name_another_unit_goes_to_review(roster_csv):
    """The property set says U002, the _meta sheet and code lines U001: carriers disagree, never credited."""
    data = (LO / "mini_U001.xls").read_bytes()
    at = data.find("U001".encode("utf-8"), data.find(b"toolkit_unit_code"))
    assert at > 0
    raw = read_workbook(data[:at] + b"U002" + data[at + 4:], "xls")
    assert raw.props["toolkit_unit_code"] == "U002"
    ident = identify(raw, load_spec(MINI_SPEC), load_roster(roster_csv), {"1"}, "mini_U001.xls", set())
    assert (ident.status, ident.unit_code, ident.reason_code) == ("review", "", "identify.carriers_disagree")


def test_libreoffice_xlsx_keeps_defined_names():
    raw = read_workbook((LO / "mini_U001.xlsx").read_bytes(), "xlsx")
    names = raw.defined_names
    assert names["f_members"] == "基本信息!$C$6"
    assert names["f_a1_1_self_score"] == "考核指标!$F$5"
    assert names["t_ledger"] == "台账!$B$4:$D$8"
    assert not any("." in n for n in names if not n.startswith("_xlnm"))


def test_defined_names_survive_in_ods_and_xls_too():
    """The toolkit reads names only from xlsx; the other formats keep them (no dots to mangle)."""
    import re
    import zipfile

    content = zipfile.ZipFile(LO / "mini_U001.ods").read("content.xml").decode("utf-8")
    ranges = dict(re.findall(r'table:named-range table:name="(f_\w+|t_\w+)"[^>]*?table:cell-range-address="([^"]+)"',
                             content))
    assert ranges["f_members"] == "$基本信息.$C$6"
    assert ranges["t_ledger"] == "$台账.$B$4:.$D$8"
    xls = (LO / "mini_U001.xls").read_bytes()
    assert all(name in xls for name in (b"f_members", b"f_a1_1_self_score", b"t_ledger"))


def test_stripped_copy_has_no_metadata_left():
    raw = read_workbook((LO / "mini_U001_stripped.xlsx").read_bytes(), "xlsx")
    assert list(raw.sheets) == VISIBLE_SHEETS
    assert raw.props == {} and raw.defined_names == {}


# --------------------------------------------------------------------------- carriers agree / missing


def test_carriers_agree_accepted(campaign, tmp_path):
    src = fill(outbox_file(campaign, "U002"), inbox(tmp_path) / "U002_第二党支部_迷你表.xlsx",
               {("基本信息", "C6"): 30})
    row = collect_one(campaign, src)
    assert status_of(row) == ("accepted", "", "U002")
    assert (row["template_id"], row["template_version"]) == ("mini", "1")


def test_metadata_stripped_copy_accepted_by_code_line(campaign, tmp_path):
    src = shutil.copy(LO / "mini_U001_stripped.xlsx", inbox(tmp_path) / "stripped.xlsx")
    row = collect_one(campaign, Path(src))
    assert status_of(row) == ("accepted", "", "U001")
    with Ledger(campaign.db_path) as ledger:
        carriers = ledger.db.execute("SELECT carriers FROM files").fetchone()[0]
    assert '"props"' not in carriers and '"meta"' not in carriers and "code_line0" in carriers


def _without_code_lines(src: Path, dst: Path, *, drop_key_column: bool = False) -> Path:
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        ws["B2"] = None
        if drop_key_column:
            ws.delete_cols(1)
    wb.save(dst)
    return dst


@pytest.mark.parametrize("drop_key_column", [False, True], ids=["keys_kept", "keys_dropped"])
def test_no_metadata_no_code_lines_accepted_by_content(campaign, tmp_path, drop_key_column):
    src = _without_code_lines(LO / "mini_U001_stripped.xlsx", inbox(tmp_path) / "copied.xlsx",
                              drop_key_column=drop_key_column)
    row = collect_one(campaign, src)
    assert status_of(row) == ("accepted", "identify.by_content", "U001")
    assert row["message"].startswith("标识信息缺失")
    with Ledger(campaign.db_path) as ledger:
        values = ledger.payload(row["sha256"]).value_map()
    assert values[("members", None)].raw == "12人"


def test_content_only_file_with_neighbours_name_cell_goes_to_review(campaign, tmp_path):
    copied = _without_code_lines(LO / "mini_U001_stripped.xlsx", tmp_path / "c.xlsx")
    src = fill(copied, inbox(tmp_path) / "copied.xlsx", {("基本信息", "C5"): "第二党支部"})
    row = collect_one(campaign, src)
    assert status_of(row) == ("review", "identify.carriers_disagree", "")


# --------------------------------------------------------------------------- unit disagreements


def test_neighbours_unit_name_in_name_cell_goes_to_review(campaign, tmp_path):
    src = fill(outbox_file(campaign, "U001"), inbox(tmp_path) / "return.xlsx", {("基本信息", "C5"): "第二党支部",
                                                                              ("基本信息", "C6"): 30})
    row = collect_one(campaign, src)
    assert status_of(row) == ("review", "identify.carriers_disagree", "")
    assert "U001 第一党支部" in row["message"] and "U002 第二党支部" in row["message"]


def test_props_say_one_unit_code_cell_another_goes_to_review(campaign, tmp_path):
    src = fill(outbox_file(campaign, "U001"), inbox(tmp_path) / "return.xlsx", {("基本信息", "C4"): "U002",
                                                                              ("基本信息", "C6"): 30})
    row = collect_one(campaign, src)
    assert status_of(row) == ("review", "identify.carriers_disagree", "")
    assert "U001 第一党支部" in row["message"] and "U002 第二党支部" in row["message"]


def test_edited_code_line_on_one_sheet_goes_to_review(campaign, tmp_path):
    src = fill(outbox_file(campaign, "U001"), inbox(tmp_path) / "return.xlsx",
               {("台账", "B2"): "填报单位：机关党支部    表码：TK|mini|1|U003", ("基本信息", "C6"): 30})
    row = collect_one(campaign, src)
    assert status_of(row) == ("review", "identify.carriers_disagree", "")
    assert "U001" in row["message"] and "U003" in row["message"]


def test_file_renamed_to_another_unit_goes_to_review(campaign, tmp_path):
    src = returned(campaign, "U001", inbox(tmp_path) / "U003_机关党支部_迷你表.xlsx")
    row = collect_one(campaign, Path(src))
    assert status_of(row) == ("review", "identify.filename_mismatch", "")
    assert "U001 第一党支部" in row["message"] and "U003 机关党支部" in row["message"]


def test_a_file_in_a_folder_named_after_another_unit_goes_to_review(campaign, tmp_path):
    folder = inbox(tmp_path) / "U003_机关党支部"
    folder.mkdir()
    src = returned(campaign, "U001", folder / "自评表.xlsx")
    row = collect_one(campaign, Path(src))
    assert status_of(row) == ("review", "identify.filename_mismatch", "")
    assert "U001 第一党支部" in row["message"] and "U003 机关党支部" in row["message"]


@pytest.mark.parametrize("label, other", [
    ("in/U004_第一党支部机关小组_迷你表.xlsx", "U004"),      # a longer name holding U001's: not U001's file
    ("in/第一党支部机关小组.xlsx", "U004"),
    ("in/U003_机关党支部.zip!/自评表.xlsx", "U003"),          # the archive names another unit
    ("in/U003_机关党支部/U001_第一党支部.xlsx", None),        # the file's own name decides first
    ("in/第一党支部.xlsx", None),
    ("in/自评表(1).xlsx", None),
    ("in/u003_报表.xlsx", "U003"),                          # a code in lower case
    ("in/Ｕ００３_报表.xlsx", "U003"),                       # ... or full width
    ("in/U003/u001_报表.xlsx", None),                       # the file's own name decides
    ("in/第一党支部（含第一党支部机关小组）.xlsx", None),   # its own name stands on its own too
])
def test_which_unit_a_path_names(tmp_path, label, other):
    from toolkit.read.identify import _filename_unit
    units = DEFAULT_UNITS + [("U004", "第一党支部机关小组", "县委", "赵六", "13800000004")]
    roster = load_roster(write_roster(tmp_path / "r.csv", units))
    found = _filename_unit(label, roster, "U001")
    assert (found.code if found else None) == other


@pytest.mark.parametrize("order", ["neighbour_first", "own_first"])
def test_same_bytes_under_a_neighbours_name_and_its_own_name_count_for_the_unit(campaign, tmp_path, order):
    """Sent twice: once forwarded under another unit's name, once under its own; whichever comes first."""
    folder = inbox(tmp_path)
    src = returned(campaign, "U001", tmp_path / "filled.xlsx")
    neighbour, own = ("0_第二党支部转来.xlsx", "U001_第一党支部.xlsx") if order == "neighbour_first" \
        else ("z_第二党支部转来.xlsx", "U001_第一党支部.xlsx")
    shutil.copy(src, folder / neighbour)
    shutil.copy(src, folder / own)
    rows = collect_rows(campaign, folder)
    assert status_of(next(r for r in rows if r["source"].endswith(own))) == ("accepted", "", "U001")
    assert status_of(next(r for r in rows if r["source"].endswith(neighbour)))[0] in ("duplicate", "review")
    assert [r["unit_code"] for r in rows if r["status"] == "accepted"] == ["U001"]


@pytest.mark.parametrize("label, other", [
    ("in/自评表2026-1-12.xlsx", None),    # a date is not units 1 and 12
    ("in/自评表 (2).xlsx", None),         # nor a downloaded copy's number unit 2
    ("in/12_西街支部.xlsx", "12"),        # a number first in the name is a code
    ("in/5_东湖支部.xlsx", None),
])
def test_numeric_unit_codes_count_only_first_in_a_name(tmp_path, label, other):
    from toolkit.read.identify import _filename_unit
    units = [("1", "城关支部", "g", "c", "p"), ("2", "南门支部", "g", "c", "p"), ("5", "东湖支部", "g", "c", "p"),
             ("12", "西街支部", "g", "c", "p")]
    roster = load_roster(write_roster(tmp_path / "r.csv", units))
    found = _filename_unit(label, roster, "5")
    assert (found.code if found else None) == other


def test_file_named_after_its_own_unit_or_nobody_is_accepted(campaign, tmp_path):
    own = fill(outbox_file(campaign, "U003"), inbox(tmp_path) / "机关党支部-报送.xlsx", {("基本信息", "C6"): 3})
    anon = fill(outbox_file(campaign, "U002"), inbox(tmp_path) / "考核表(1).xlsx", {("基本信息", "C6"): 4})
    rows = collect_rows(campaign, own, anon)
    assert status_of(only(rows, own.name)) == ("accepted", "", "U003")
    assert status_of(only(rows, anon.name)) == ("accepted", "", "U002")


def test_unit_code_not_in_roster_goes_to_review(campaign, tmp_path):
    stranger = Unit("U999", "第九党支部", "县委", "赵六", "13800000009")
    blank = tmp_path / "U999_blank.xlsx"
    blank.write_bytes(workbook_for_unit(campaign.template(), master_context(campaign), stranger))
    src = fill(blank, inbox(tmp_path) / "U999_第九党支部_迷你表.xlsx", {("基本信息", "C6"): 30})
    row = collect_one(campaign, src)
    assert status_of(row) == ("review", "identify.unit_not_in_roster", "")
    assert "U999" in row["message"]


def test_unit_cannot_be_identified_goes_to_review(campaign, tmp_path):
    wb = openpyxl.load_workbook(LO / "mini_U001_stripped.xlsx")
    for ws in wb.worksheets:
        ws["B2"] = None
    wb["基本信息"]["C4"] = None
    wb["基本信息"]["C5"] = None
    wb.save(inbox(tmp_path) / "anonymous.xlsx")
    row = collect_one(campaign, inbox(tmp_path) / "anonymous.xlsx")
    assert status_of(row) == ("review", "identify.unit_unknown", "")


# --------------------------------------------------------------------------- template and version


def test_another_toolkit_template_is_rejected_as_wrong_template(campaign, tmp_path, roster_csv):
    other = create_campaign(tmp_path / "gap", "gap-sprint", roster_csv, year=2026)
    generate_outbox(other, workers=1)
    src = shutil.copy(next(other.outbox.glob("U001_*.xlsx")), inbox(tmp_path) / "U001_gap.xlsx")
    row = collect_one(campaign, Path(src))
    assert status_of(row) == ("rejected", "identify.wrong_template", "")
    assert row["template_id"] == "gap-sprint"
    assert "gap-sprint" in row["message"] and "mini" in row["message"]


def test_unrelated_workbook_is_unidentified(campaign, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "工资表"
    wb.active.append(["姓名", "工资"])
    wb.active.append(["张三", 5000])
    wb.save(inbox(tmp_path) / "工资表.xlsx")
    row = collect_one(campaign, inbox(tmp_path) / "工资表.xlsx")
    assert status_of(row) == ("unidentified", "identify.unknown_template", "")


def test_foreign_code_line_is_unidentified(campaign, tmp_path):
    wb = openpyxl.Workbook()
    wb.active["B2"] = "表码：TK|someone-elses|3|U001"
    wb.save(inbox(tmp_path) / "other.xlsx")
    row = collect_one(campaign, inbox(tmp_path) / "other.xlsx")
    assert status_of(row) == ("unidentified", "identify.unknown_template", "")


def test_accept_versions_adds_old_versions_and_never_drops_the_current(campaign, tmp_path):
    config = yaml.safe_load((campaign.dir / "campaign.yaml").read_text(encoding="utf-8"))
    config["accept_versions"] = ["0.5"]  # written as if it replaced the list: the current "1" still counts
    (campaign.dir / "campaign.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    from toolkit.campaign.folder import load_campaign
    campaign = load_campaign(campaign.dir)
    current = fill(outbox_file(campaign, "U001"), inbox(tmp_path) / "U001.xlsx", {("基本信息", "C6"): 12})
    assert status_of(collect_one(campaign, current)) == ("accepted", "", "U001")
    old = inbox(tmp_path) / "U002_old.xlsx"
    old.write_bytes(workbook_for_unit(mini_variant(version="0"), master_context(campaign),
                                      campaign.roster().by_code()["U002"]))
    row = collect_one(campaign, old)
    assert status_of(row) == ("rejected", "identify.version_not_accepted", "")
    assert row["template_version"] == "0"


def test_older_version_in_every_carrier_is_rejected(campaign, tmp_path):
    old = mini_variant(version="0")
    src = inbox(tmp_path) / "U001_old.xlsx"
    src.write_bytes(workbook_for_unit(old, master_context(campaign), campaign.roster().by_code()["U001"]))
    raw = read_workbook(src.read_bytes(), "xlsx")
    assert raw.props["toolkit_template_version"] == "0"
    row = collect_one(campaign, src)
    assert status_of(row) == ("rejected", "identify.version_not_accepted", "")
    assert row["template_version"] == "0"


def test_older_version_accepted_when_the_campaign_accepts_it(tmp_path, roster_csv):
    camp = create_campaign(tmp_path / "camp", str(MINI_SPEC), roster_csv, year=2026,
                           extra={"accept_versions": ["0", "1"]})
    blank = inbox(tmp_path) / "blank" / "U002_old.xlsx"
    blank.parent.mkdir()
    blank.write_bytes(workbook_for_unit(mini_variant(version="0"), master_context(camp),
                                        camp.roster().by_code()["U002"]))
    src = fill(blank, inbox(tmp_path) / "U002_old.xlsx", {("基本信息", "C6"): 30})
    row = collect_one(camp, src)
    assert status_of(row) == ("accepted", "", "U002")
    assert row["template_version"] == "0"


def test_carriers_disagreeing_on_version_go_to_review(campaign, tmp_path):
    src = fill(outbox_file(campaign, "U001"), inbox(tmp_path) / "U001.xlsx",
               {("基本信息", "B2"): "填报单位：第一党支部    表码：TK|mini|0|U001"})
    row = collect_one(campaign, src)
    assert status_of(row) == ("review", "identify.carriers_disagree", "")
    assert "0" in row["message"] and "1" in row["message"]


def test_review_and_rejected_rows_credit_no_unit(campaign, tmp_path):
    folder = inbox(tmp_path)
    fill(outbox_file(campaign, "U001"), folder / "a.xlsx", {("基本信息", "C5"): "第二党支部", ("基本信息", "C6"): 30})
    returned(campaign, "U002", folder / "U001_第一党支部.xlsx")
    rows = collect_rows(campaign, folder)
    assert [r["status"] for r in rows] == ["review", "review"]
    assert all(r["unit_code"] == "" for r in rows)
    with Ledger(campaign.db_path) as ledger:
        assert ledger.accepted() == []
