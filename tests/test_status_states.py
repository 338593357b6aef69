"""`toolkit status`: units that sent only unusable files, files waiting in review, late returns."""

from __future__ import annotations

import csv
import datetime as dt
import json

import openpyxl
import yaml
from conftest import fill, outbox_file
from typer.testing import CliRunner

from toolkit.campaign.folder import load_campaign
from toolkit.campaign.status import STATUS_COLUMNS, UnitState, unit_statuses
from toolkit.cli.commands import app

runner = CliRunner()


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def status_rows(campaign) -> dict[str, dict]:
    with open(campaign.out / "status.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == STATUS_COLUMNS
        return {r["unit_code"]: r for r in reader}


def chase_rows(campaign) -> dict[str, list]:
    ws = openpyxl.load_workbook(campaign.out / "chase-list.xlsx").worksheets[0]
    return {row[0]: [c for c in row if c is not None] for row in ws.iter_rows(values_only=True)
            if row and row[0] in ("U001", "U002", "U003")}


def test_a_unit_that_sent_only_a_word_file_is_unusable_with_the_reason(campaign, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "U002_第二党支部自评.docx").write_bytes(b"PK\x03\x04 not really a package")
    (inbox / "机关党支部.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    fill(outbox_file(campaign, "U001"), inbox / "U001.xlsx", {("基本信息", "C6"): 12})
    assert cli("collect", campaign.dir, inbox).exit_code == 0
    result = cli("status", campaign.dir, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["unusable"] == ["U002", "U003"] and summary["missing"] == []
    rows = status_rows(campaign)
    assert (rows["U002"]["state"], rows["U003"]["state"]) == ("unusable", "unusable")
    assert rows["U002"]["source"].endswith("U002_第二党支部自评.docx")
    statuses = {s.unit_code: s for s in unit_statuses(load_campaign(campaign.dir))}
    assert statuses["U002"].state is UnitState.UNUSABLE
    assert statuses["U002"].reason_code == "intake.corrupt" and "损坏" in statuses["U002"].reason
    chase = chase_rows(campaign)
    assert set(chase) == {"U002", "U003"}
    assert "报送文件无法使用" in chase["U002"] and "U002_第二党支部自评.docx" in chase["U002"][-1]
    screen = cli("status", campaign.dir)
    assert "报送文件无法使用 2" in screen.stdout.replace("\n", "")


def test_status_in_english_names_the_reason(campaign, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "U002.docx").write_bytes(b"PK\x03\x04 not really a package")
    cli("collect", campaign.dir, inbox)
    statuses = {s.unit_code: s for s in unit_statuses(load_campaign(campaign.dir), "en")}
    assert statuses["U002"].state == "unusable" and "损坏" not in statuses["U002"].reason
    cli("status", campaign.dir, "--lang", "en")
    assert "unusable" in chase_rows(campaign)["U002"]


def test_a_file_in_review_marks_the_units_it_may_belong_to(campaign, tmp_path):
    inbox = tmp_path / "inbox"
    fill(outbox_file(campaign, "U002"), inbox / "U003_机关党支部.xlsx", {("基本信息", "C6"): 20})
    cli("collect", campaign.dir, inbox)
    cli("status", campaign.dir)
    rows = status_rows(campaign)
    assert {c: r["state"] for c, r in rows.items()} == {"U001": "missing", "U002": "review", "U003": "review"}
    statuses = {s.unit_code: s for s in unit_statuses(load_campaign(campaign.dir))}
    assert statuses["U003"].reason_code == "identify.filename_mismatch"
    assert "待人工确认" in chase_rows(campaign)["U002"]


def test_review_outranks_an_unusable_file_and_an_accepted_return_outranks_both(campaign, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "U003.docx").write_bytes(b"PK\x03\x04 broken")
    fill(outbox_file(campaign, "U002"), inbox / "U003_机关党支部.xlsx", {("基本信息", "C6"): 20})
    (inbox / "U001.docx").write_bytes(b"PK\x03\x04 broken")
    fill(outbox_file(campaign, "U001"), inbox / "U001_第一党支部.xlsx", {("基本信息", "C6"): 20})
    cli("collect", campaign.dir, inbox)
    cli("status", campaign.dir)
    assert {c: r["state"] for c, r in status_rows(campaign).items()} == {
        "U001": "accepted", "U002": "review", "U003": "review"}


def test_a_return_received_after_the_deadline_is_late(campaign, tmp_path):
    config = yaml.safe_load((campaign.dir / "campaign.yaml").read_text(encoding="utf-8"))
    config["deadline"] = "2020-01-31"
    (campaign.dir / "campaign.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    fill(outbox_file(campaign, "U001"), tmp_path / "inbox" / "U001.xlsx", {("基本信息", "C6"): 12})
    cli("collect", campaign.dir, tmp_path / "inbox")
    summary = json.loads(cli("status", campaign.dir, "--json").stdout)
    assert summary["late"] == ["U001"]
    rows = status_rows(campaign)
    assert [rows[c]["late"] for c in ("U001", "U002", "U003")] == ["true", "false", "false"]
    assert "逾期" in cli("status", campaign.dir).stdout
    chase = chase_rows(campaign)
    assert "已报送（逾期）" in chase["U001"]  # a late return counts as not done: the office sees it


def test_a_return_before_the_deadline_is_not_late(campaign, tmp_path):
    config = yaml.safe_load((campaign.dir / "campaign.yaml").read_text(encoding="utf-8"))
    config["deadline"] = "2999-12-31"
    (campaign.dir / "campaign.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    fill(outbox_file(campaign, "U001"), tmp_path / "inbox" / "U001.xlsx", {("基本信息", "C6"): 12})
    cli("collect", campaign.dir, tmp_path / "inbox")
    cli("status", campaign.dir)
    assert status_rows(campaign)["U001"]["late"] == "false" and "U001" not in chase_rows(campaign)


def _set_deadline(campaign, text: str) -> None:
    config = yaml.safe_load((campaign.dir / "campaign.yaml").read_text(encoding="utf-8"))
    config["deadline"] = text
    (campaign.dir / "campaign.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    cli("status", campaign.dir)


def test_a_deadline_with_a_time_of_day_is_kept_to_the_minute(campaign, tmp_path):
    # the office writes `deadline: 2026-12-20 17:00`; a return that came in before it is on time
    from toolkit.campaign.deadline import local_time
    fill(outbox_file(campaign, "U001"), tmp_path / "inbox" / "U001.xlsx", {("基本信息", "C6"): 12})
    cli("collect", campaign.dir, tmp_path / "inbox")
    received = local_time(_received_at(campaign, "U001"))
    _set_deadline(campaign, (received - dt.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M"))
    assert status_rows(campaign)["U001"]["late"] == "true"
    _set_deadline(campaign, (received + dt.timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M"))
    assert status_rows(campaign)["U001"]["late"] == "false"
    _set_deadline(campaign, received.strftime("%Y-%m-%d"))  # a date alone: the whole day is on time
    assert status_rows(campaign)["U001"]["late"] == "false"


def _received_at(campaign, code: str) -> str:
    from toolkit.campaign.ledger import Ledger
    with Ledger(campaign.db_path) as ledger:
        return next(f.received_at for f in ledger.files() if f.unit_code == code and f.status == "accepted")


def test_lateness_goes_by_the_offices_clock_not_utc(monkeypatch):
    # received 2026-12-20 17:30 UTC is 2026-12-21 01:30 in Beijing: late for a 12-20 deadline there
    import time

    from toolkit.campaign.deadline import is_late
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert is_late("2026-12-20T17:30:00+00:00", "2026-12-20")
        assert not is_late("2026-12-20T08:59:00+00:00", "2026-12-20 17:00")
        assert is_late("2026-12-20T09:01:00+00:00", "2026-12-20 17:00")
        # the day a return counts as received (rectification checks, rectification.csv) is the office's too
        from toolkit.campaign.deadline import received_day
        assert received_day("2026-12-20T17:30:00+00:00") == dt.date(2026, 12, 21)
        assert received_day("") is None and received_day("not a time") is None
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
