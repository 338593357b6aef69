"""`toolkit next` carries only what a valid return says: open items (a closing that failed
validation is still open), 上年数 from valid returns only, and typed text exactly as typed."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from conftest import DEFAULT_UNITS, fill_by_name, write_roster
from test_rounds import fill_ledger, item, ledger_rows, outbox, rect, run_round
from typer.testing import CliRunner

from toolkit.campaign.folder import create_campaign, load_campaign
from toolkit.cli.commands import app
from toolkit.generate.outbox import generate_outbox
from toolkit.read.collect import collect
from toolkit.validate.stage import validate_campaign

SECRET = "内部评价：较差"


def roster_with_secret(tmp_path):
    rows = [u + (f"{SECRET}{n}",) for n, u in enumerate(DEFAULT_UNITS)]
    return write_roster(tmp_path / "roster.csv", rows, extra_header=("office_note",))


def next_round(old, new_dir):
    result = CliRunner().invoke(app, ["next", str(old.dir), str(new_dir), "--deadline", "2026-09-30"])
    assert result.exit_code == 0, result.output
    return load_campaign(new_dir)


def all_text(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith(".xml"))


def ledger_round(tmp_path):
    r1 = create_campaign(tmp_path / "r1", "rectification-ledger", roster_with_secret(tmp_path), year=2026,
                         deadline="2026-06-30")
    generate_outbox(r1, workers=1)
    fill_ledger(outbox(r1, "U001"), tmp_path / "in1" / "u1.xlsx", {
        1: item(item_id="巡察-01", problem="X 已整改到位", status="已完成", closed_on="2026-05-20", evidence="会议记录"),
        2: item(item_id="巡察-02", problem="Y 称已完成但无佐证", status="已完成", closed_on="2026-05-21"),
        3: item(item_id="⟦r:office_note⟧", problem="Z ⟦r:office_note⟧", measure="⟦unit_name⟧ 自己写的")})
    run_round(r1, tmp_path / "in1")
    return r1


def test_an_item_whose_closing_failed_validation_is_still_open_and_carried(tmp_path):
    r1 = ledger_round(tmp_path)
    r2 = next_round(r1, tmp_path / "r2")
    problems = [r["problem"] for r in ledger_rows(outbox(r2, "U001")) if str(r["key"]).startswith("#item:")]
    assert "Y 称已完成但无佐证" in problems  # 已完成 without evidence: not signed off
    assert "X 已整改到位" not in problems  # validly closed


def test_rectification_csv_counts_a_failed_closing_as_not_closed(tmp_path):
    r1 = ledger_round(tmp_path)
    got = rect(r1)
    assert got[("U001", "Y 称已完成但无佐证")]["status"] == "not_closed"
    assert got[("U001", "X 已整改到位")]["status"] == "closed"


def test_text_a_unit_typed_like_a_placeholder_is_never_expanded(tmp_path):
    r1 = ledger_round(tmp_path)
    r2 = next_round(r1, tmp_path / "r2")
    path = outbox(r2, "U001")
    rows = {r["problem"]: r for r in ledger_rows(path)}
    z = rows["Z ⟦r:office_note⟧"]
    assert z["item_id"] == "⟦r:office_note⟧" and z["measure"] == "⟦unit_name⟧ 自己写的"
    assert SECRET not in all_text(path)  # the office-only roster column never reaches the unit
    ws = openpyxl.load_workbook(path)["基本信息"]
    assert "第一党支部" in [c.value for row in ws.iter_rows() for c in row]  # the spec's own tokens still are


def test_last_years_values_come_only_from_a_valid_return(tmp_path):
    roster = write_roster(tmp_path / "roster.csv", DEFAULT_UNITS)
    c1 = create_campaign(tmp_path / "y1", "annual-assessment", roster, year=2026)
    generate_outbox(c1, workers=1)
    # every self score left blank: the return has errors (faulty)
    fill_by_name(outbox(c1, "U002"), tmp_path / "in" / "u2.xlsx", {"f_members": "32人", "f_prob_members": 2})
    collect(c1, [str(tmp_path / "in")], workers=1)
    validate_campaign(c1)
    from toolkit.campaign.status import unit_statuses
    assert {s.unit_code: s.state for s in unit_statuses(c1)}["U002"] == "faulty"
    result = CliRunner().invoke(app, ["next", str(c1.dir), str(tmp_path / "y2"), "--year", "2027"])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(outbox(load_campaign(tmp_path / "y2"), "U002"))["基本信息"]
    prior = {ws.cell(r, 1).value: ws.cell(r, 5).value for r in range(4, 25)}
    assert prior.get("members") is None and prior.get("prob_members") is None


def test_a_next_round_is_generated_with_its_carry_over_and_never_without(tmp_path):
    """generate sits below rounds: the carry-over is worked out above (carry_over) and passed down;
    a campaign that follows another cannot be generated without it, so nothing is silently left out."""
    from toolkit.campaign.carried import read_carry
    from toolkit.rounds.carry import carry_over

    r1 = ledger_round(tmp_path)
    r2 = next_round(r1, tmp_path / "r2")
    first = read_carry(r2)
    with pytest.raises(TypeError, match="carry_over"):
        generate_outbox(r2, workers=1)
    again = generate_outbox(r2, carry=carry_over(r2), workers=1)
    assert read_carry(r2) == first and first["U001"].tables
    problems = [r["problem"] for r in ledger_rows(outbox(r2, "U001")) if str(r["key"]).startswith("#item:")]
    assert "Y 称已完成但无佐证" in problems and len(again) == len(DEFAULT_UNITS)
    assert carry_over(r1) is None  # a first round carries nothing
