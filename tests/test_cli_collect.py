"""The command line around collect: `toolkit collect`, `toolkit resolve`, `toolkit status`."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import fill, outbox_file
from typer.testing import CliRunner

from toolkit.campaign.ledger import Ledger
from toolkit.cli.commands import app

runner = CliRunner()


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def ledger_rows(campaign) -> list[dict]:
    with open(campaign.out / "ledger.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def row_for(campaign, suffix: str) -> dict:
    hits = [r for r in ledger_rows(campaign) if r["source"].endswith(suffix)]
    assert len(hits) == 1, hits
    return hits[0]


@pytest.fixture
def inbox(campaign, tmp_path) -> Path:
    """U001 correct, U002 sent as U003's file name (review), a neighbour's file (review), two bad files."""
    folder = tmp_path / "inbox"
    fill(outbox_file(campaign, "U001"), folder / "U001_第一党支部_迷你表.xlsx", {("基本信息", "C6"): 12})
    fill(outbox_file(campaign, "U002"), folder / "U003_机关党支部_迷你表.xlsx", {("基本信息", "C6"): 20})
    fill(outbox_file(campaign, "U001"), folder / "neighbour.xlsx", {("基本信息", "C5"): "第二党支部",
                                                                    ("基本信息", "C6"): 15})
    (folder / "empty.xlsx").write_bytes(b"")
    (folder / "scan.xlsx").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    return folder


# --------------------------------------------------------------------------- collect


def test_collect_exits_0_with_faults_and_writes_the_ledger(campaign, inbox):
    result = cli("collect", campaign.dir, inbox)
    assert result.exit_code == 0, result.output
    rows = {Path(r["source"]).name: (r["status"], r["reason_code"]) for r in ledger_rows(campaign)}
    assert rows == {
        "U001_第一党支部_迷你表.xlsx": ("accepted", ""),
        "U003_机关党支部_迷你表.xlsx": ("review", "identify.filename_mismatch"),
        "neighbour.xlsx": ("review", "identify.carriers_disagree"),
        "empty.xlsx": ("rejected", "intake.empty_file"),
        "scan.xlsx": ("rejected", "intake.not_a_workbook"),
    }
    assert "out/ledger.csv" in result.stdout
    assert (campaign.out / "ledger.csv").read_bytes()[:3] == b"\xef\xbb\xbf"


def test_collect_json_summary(campaign, inbox):
    result = cli("collect", campaign.dir, inbox, "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary == {"status": "ok", "exit_code": 0, "offered": 5, "new": 5,
                       "collected": {"accepted": 1, "review": 2, "rejected": 2}}
    again = json.loads(cli("collect", campaign.dir, inbox, "--json").stdout)
    assert again == {"status": "ok", "exit_code": 0, "offered": 5, "new": 0,
                     "collected": {"accepted": 1, "review": 2, "rejected": 2}}


def test_collect_again_changes_nothing(campaign, inbox):
    assert cli("collect", campaign.dir, inbox).exit_code == 0
    first = (campaign.out / "ledger.csv").read_bytes()
    with Ledger(campaign.db_path) as ledger:
        count = len(ledger.files())
    assert cli("collect", campaign.dir, inbox, inbox / "empty.xlsx").exit_code == 0
    assert (campaign.out / "ledger.csv").read_bytes() == first
    with Ledger(campaign.db_path) as ledger:
        assert len(ledger.files()) == count


def test_collect_missing_source_exits_2_naming_the_path(campaign, inbox, tmp_path):
    missing = tmp_path / "不存在的文件夹"
    result = cli("collect", campaign.dir, inbox, missing)
    assert result.exit_code == 2
    assert str(missing) in result.stderr
    assert "Traceback" not in result.output
    with Ledger(campaign.db_path) as ledger:
        assert ledger.files() == []  # nothing half-collected


def test_collect_outside_a_campaign_exits_2(tmp_path, inbox):
    result = cli("collect", tmp_path / "nowhere", inbox)
    assert result.exit_code == 2
    assert "campaign.yaml" in result.stderr


def test_console_script_collect_json(campaign, inbox):
    exe = shutil.which("toolkit")
    cmd = [exe] if exe else [sys.executable, "-m", "toolkit"]
    proc = subprocess.run(cmd + ["collect", str(campaign.dir), str(inbox), "--json"], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["collected"] == {"accepted": 1, "review": 2, "rejected": 2}


@pytest.mark.parametrize("debug", [False, True])
def test_a_reader_panic_is_a_rejection_without_a_backtrace_on_the_console(campaign, tmp_path, debug):
    """calamine panics on a damaged NAME record; Rust prints that to fd 2 unless --debug asks for it."""
    data = (Path(__file__).parent / "fixtures" / "lo" / "mini_U001.xls").read_bytes()
    at = data.find(b"\x00f_rate") - 9  # high byte of the NAME record's formula length
    inbox = tmp_path / "panic"
    inbox.mkdir()
    (inbox / "panic.xls").write_bytes(data[:at] + b"\x35" + data[at + 1:])
    exe = shutil.which("toolkit")
    cmd = [exe] if exe else [sys.executable, "-m", "toolkit"]
    proc = subprocess.run(cmd + ["collect", str(campaign.dir), str(inbox), "--json"] + (["--debug"] if debug else []),
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8", "RUST_BACKTRACE": "1"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["collected"] == {"rejected": 1}
    assert ("panicked" in proc.stderr) is debug


def test_file_names_with_square_brackets_show_as_they_are(campaign, tmp_path):
    """Console output is not markup: "[draft]" in a file name is not swallowed as a style tag."""
    folder = tmp_path / "brackets"
    folder.mkdir()
    (folder / "报送[draft].xlsx").write_bytes(b"%PDF-1.4\n")
    result = cli("collect", campaign.dir, folder)
    assert result.exit_code == 0, result.output
    assert "报送[draft].xlsx" in result.stdout


# --------------------------------------------------------------------------- resolve


def test_resolve_assigns_a_review_item_to_a_unit(campaign, inbox):
    cli("collect", campaign.dir, inbox)
    review = row_for(campaign, "U003_机关党支部_迷你表.xlsx")
    assert (review["status"], review["unit_code"]) == ("review", "")
    result = cli("resolve", campaign.dir, review["sha256"][:12], "--unit", "U002")
    assert result.exit_code == 0, result.output
    row = row_for(campaign, "U003_机关党支部_迷你表.xlsx")
    assert (row["status"], row["reason_code"], row["unit_code"]) == ("accepted", "ledger.resolved_assign", "U002")
    who = getpass.getuser()
    assert who in row["message"] and dt.date.today().isoformat() in row["message"]
    with Ledger(campaign.db_path) as ledger:
        (action, unit, by, at), = ledger.db.execute("SELECT action, unit_code, who, at FROM resolutions")
        assert (action, unit, by) == ("assign", "U002", who)
        assert dt.datetime.fromisoformat(at).date() == dt.date.today()
        assert ledger.payload(review["sha256"]).value_map()[("members", None)].raw == 20
    # the decision survives another collect run
    cli("collect", campaign.dir, inbox)
    assert row_for(campaign, "U003_机关党支部_迷你表.xlsx")["status"] == "accepted"
    # the same decision again changes nothing
    assert cli("resolve", campaign.dir, review["sha256"][:12], "--unit", "U002").exit_code == 0
    assert row_for(campaign, "U003_机关党支部_迷你表.xlsx") == row
    with Ledger(campaign.db_path) as ledger:
        assert ledger.db.execute("SELECT COUNT(*) FROM resolutions").fetchone() == (1,)


def test_resolve_rejects_with_a_reason(campaign, inbox):
    cli("collect", campaign.dir, inbox)
    review = row_for(campaign, "neighbour.xlsx")
    result = cli("resolve", campaign.dir, review["sha256"], "--reject", "--reason", "单位名称被改动")
    assert result.exit_code == 0, result.output
    row = row_for(campaign, "neighbour.xlsx")
    assert (row["status"], row["reason_code"], row["unit_code"]) == ("rejected", "ledger.resolved_reject", "")
    assert "单位名称被改动" in row["message"] and getpass.getuser() in row["message"]


def test_resolve_json_summary(campaign, inbox):
    cli("collect", campaign.dir, inbox)
    sha = row_for(campaign, "neighbour.xlsx")["sha256"]
    summary = json.loads(cli("resolve", campaign.dir, sha, "--unit", "U001", "--json").stdout)
    assert summary == {"status": "ok", "exit_code": 0, "sha256": sha, "action": "assign", "unit_code": "U001"}


@pytest.mark.parametrize("args,needle", [
    (["deadbeef", "--unit", "U001"], "deadbeef"),
    (["SHA", "--unit", "U404"], "U404"),
    (["SHA"], "--unit"),
    (["SHA", "--unit", "U001", "--reject"], "--unit"),
])
def test_resolve_usage_errors_exit_2(campaign, inbox, args, needle):
    cli("collect", campaign.dir, inbox)
    sha = row_for(campaign, "neighbour.xlsx")["sha256"]
    before = (campaign.out / "ledger.csv").read_bytes()
    result = cli("resolve", campaign.dir, *[sha if a == "SHA" else a for a in args])
    assert result.exit_code == 2
    assert needle in result.stderr and "Traceback" not in result.output
    assert (campaign.out / "ledger.csv").read_bytes() == before


def test_resolve_cannot_assign_an_unreadable_file(campaign, inbox):
    cli("collect", campaign.dir, inbox)
    sha = row_for(campaign, "empty.xlsx")["sha256"]
    result = cli("resolve", campaign.dir, sha, "--unit", "U003")
    assert result.exit_code == 2
    assert "rejected" in result.stderr
    assert row_for(campaign, "empty.xlsx")["status"] == "rejected"


# --------------------------------------------------------------------------- status


def test_status_writes_status_csv_and_chase_list(campaign, inbox):
    cli("collect", campaign.dir, inbox)
    result = cli("status", campaign.dir, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["missing"] == [] and summary["review"] == ["U002", "U003"]  # their files wait in review
    with open(campaign.out / "status.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == ["unit_code", "unit_name", "group", "contact", "state", "errors", "warnings",
                                 "source", "phone", "late"]
    assert [(r["unit_code"], r["state"], r["late"]) for r in rows] == [
        ("U001", "accepted", "false"), ("U002", "review", "false"), ("U003", "review", "false")]
    assert rows[0]["source"].endswith("U001_第一党支部_迷你表.xlsx") and rows[1]["phone"] == "13800000002"
    assert rows[2]["source"].endswith("U003_机关党支部_迷你表.xlsx")  # the file that waits
    wb = openpyxl.load_workbook(campaign.out / "chase-list.xlsx")
    cells = [[c for c in row if c is not None] for row in wb.worksheets[0].iter_rows(values_only=True)]
    listed = {row[0]: row for row in cells if row and row[0] in ("U001", "U002", "U003")}
    assert set(listed) == {"U002", "U003"}
    assert {"李四", "13800000002", "第二党支部", "待人工确认"} <= set(map(str, listed["U002"]))
    assert {"王五", "13800000003", "机关党支部", "待人工确认"} <= set(map(str, listed["U003"]))
    assert "文件名指向另一单位" in listed["U003"][-1]


def test_status_after_resolve_counts_the_assigned_unit(campaign, inbox):
    cli("collect", campaign.dir, inbox)
    sha = row_for(campaign, "U003_机关党支部_迷你表.xlsx")["sha256"]
    cli("resolve", campaign.dir, sha, "--unit", "U002")
    summary = json.loads(cli("status", campaign.dir, "--json").stdout)
    assert summary["missing"] == ["U003"] and summary["review"] == []


def test_a_damaged_ledger_is_named_with_what_to_do(campaign, inbox):
    campaign.db_path.write_bytes(b"not a database at all" * 100)
    result = cli("collect", campaign.dir, inbox, "--json")
    assert result.exit_code == 2
    assert str(campaign.db_path) in result.stderr and "received/" in result.stderr
    assert json.loads(result.stdout)["exit_code"] == 2


@pytest.mark.parametrize("args, chinese", [
    (("collect", "{tmp}/nowhere", "{inbox}"), "是考核任务文件夹吗"),
    (("collect", "{camp}", "{tmp}/missing"), "文件或文件夹不存在，请检查路径"),
    (("resolve", "{camp}", "ffff", "--reject"), "台账中没有 sha256 为 'ffff' 的文件"),
    (("resolve", "{camp}", "ffff", "--unit", "U001", "--reject"), "请二选一"),
])
def test_operator_errors_read_in_chinese(campaign, inbox, tmp_path, args, chinese):
    filled = [a.format(tmp=tmp_path, inbox=inbox, camp=campaign.dir) for a in args]
    result = cli(*filled)
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：") and chinese in result.stderr.splitlines()[0]
    assert "error: " in result.stderr


def test_status_says_when_accepted_returns_belong_to_units_no_longer_in_the_roster(campaign, inbox):
    cli("collect", campaign.dir, inbox)
    cli("validate", campaign.dir)
    roster = campaign.dir / campaign.roster_file
    lines = roster.read_text(encoding="utf-8").splitlines()
    roster.write_text("\n".join(line for line in lines if not line.startswith("U001,")) + "\n", encoding="utf-8")
    result = cli("status", campaign.dir)
    assert result.exit_code == 0
    assert "名单之外的单位（U001）" in result.stderr
