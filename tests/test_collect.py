"""Collect: real office-suite files, hostile files, archives, and the ledger's bookkeeping.

Every bad input asserts its exact ledger status and reason_code.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import builders
import openpyxl
import pytest
from builders import ole_bytes
from conftest import FIXTURES, fill, outbox_file, returned

from toolkit.campaign.ledger import Ledger
from toolkit.read.collect import collect, export_ledger, stored_path

LO = FIXTURES / "lo"


# --------------------------------------------------------------------------- helpers


def ledger_csv(campaign) -> list[dict]:
    path = export_ledger(campaign, "zh")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def collect_rows(campaign, *sources: Path) -> list[dict]:
    collect(campaign, [str(s) for s in sources], workers=1)
    return ledger_csv(campaign)


def only(rows: list[dict], suffix: str) -> dict:
    hits = [r for r in rows if r["source"].endswith(suffix)]
    assert len(hits) == 1, (suffix, [r["source"] for r in rows])
    return hits[0]


def status_of(row: dict) -> tuple[str, str, str]:
    return row["status"], row["reason_code"], row["unit_code"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_hashes(folder: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(folder)): (sha(p.read_bytes()), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def db_count(campaign, table: str = "files") -> int:
    with Ledger(campaign.db_path) as ledger:
        return ledger.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def values_of(campaign, sha256: str) -> dict:
    """(field_id, row) → CellValue of a recorded return."""
    with Ledger(campaign.db_path) as ledger:
        return ledger.payload(sha256).value_map()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, (2026, 5, 1, 12, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def gbk_zip(members: dict[str, bytes]) -> bytes:
    return builders.gbk_zip(members, when=(2026, 5, 1, 12, 0, 0))


def encrypted_xlsx() -> bytes:
    """What Excel writes for a workbook with an open password: OLE2 with EncryptionInfo + EncryptedPackage."""
    agile = b"\x04\x00\x04\x00\x40\x00\x00\x00" + b'<?xml version="1.0"?><encryption/>'
    return ole_bytes({"EncryptionInfo": agile, "EncryptedPackage": os.urandom(2048)})


def docx_bytes() -> bytes:
    types = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             b'<Override PartName="/word/document.xml" ContentType="application/'
             b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    body = ('<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>说明</w:t></w:r></w:p></w:body>'
            '</w:document>').encode("utf-8")
    return zip_bytes({"[Content_Types].xml": types, "word/document.xml": body, "_rels/.rels": b"<Relationships/>"})


def rewrite_part(data: bytes, part: str, new: bytes) -> bytes:
    """A copy of a workbook package with one part replaced (everything else byte-identical)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in src.namelist():
            zf.writestr(name, new if name == part else src.read(name))
    return buf.getvalue()


def filled(campaign, unit: str, dst: Path, members: int) -> Path:
    return fill(outbox_file(campaign, unit), dst, {("基本信息", "C6"): members})


# --------------------------------------------------------------------------- LibreOffice re-saves


@pytest.mark.parametrize("name", ["mini_U001.xlsx", "mini_U001.xls", "mini_U001.ods", "mini_U001_stripped.xlsx"])
def test_libreoffice_fixture_is_accepted_with_values(campaign, tmp_path, name):
    src = shutil.copy(LO / name, tmp_path / name)
    row = only(collect_rows(campaign, Path(src)), name)
    assert status_of(row) == ("accepted", "", "U001")
    assert (row["template_id"], row["template_version"]) == ("mini", "1")
    values = values_of(campaign, row["sha256"])
    members = values[("members", None)]
    assert (members.sheet, members.cell, members.raw) == ("基本信息", "C6", "12人")
    score = values[("a1_1.self_score", None)]
    assert (score.sheet, score.cell, score.raw) == ("考核指标", "F5", 55)
    assert values[("a1_1.evidence", None)].raw == "会议记录3份"
    problem = values[("problem", 1)]
    assert (problem.sheet, problem.cell, problem.raw) == ("台账", "B4", "组织生活不规范")
    assert values[("status", 1)].raw == "整改中"
    assert str(values[("closed_on", 1)].raw).startswith("2026-06-30")
    assert ("problem", 2) not in values
    with Ledger(campaign.db_path) as ledger:
        assert ledger.payload(row["sha256"]).findings == []


# --------------------------------------------------------------------------- hostile and broken files


def test_bad_files_get_exact_codes_and_the_run_goes_on(campaign, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = filled(campaign, "U002", inbox / "U002_第二党支部_迷你表.xlsx", 25).read_bytes()
    (inbox / "01_encrypted.xlsx").write_bytes(encrypted_xlsx())
    (inbox / "02_word.xlsx").write_bytes(docx_bytes())
    (inbox / "03_empty.xlsx").write_bytes(b"")
    (inbox / "04_truncated.xlsx").write_bytes(good[: len(good) // 2])
    broken_sheet = zipfile.ZipFile(io.BytesIO(good)).read("xl/worksheets/sheet2.xml")
    (inbox / "05_cut_sheet.xlsx").write_bytes(
        rewrite_part(good, "xl/worksheets/sheet2.xml", broken_sheet[: len(broken_sheet) // 2]))
    (inbox / "06_bomb.zip").write_bytes(zip_bytes({"汇总.xlsx": b"\0" * (16 * 2**20), "ok.txt": b"fine"}))
    (inbox / "07_bomb.xlsx").write_bytes(
        rewrite_part(good, "xl/worksheets/sheet2.xml", broken_sheet + b" " * (16 * 2**20)))
    (inbox / "08_notes.txt").write_text("单位,人数\n第一党支部,12\n", encoding="utf-8")
    filled(campaign, "U003", inbox / "09_U003_机关党支部_迷你表.xlsx", 9)

    rows = collect_rows(campaign, inbox)
    got = {r["source"].replace(str(inbox) + os.sep, ""): (r["status"], r["reason_code"]) for r in rows}
    assert got == {
        "01_encrypted.xlsx": ("rejected", "intake.encrypted"),
        "02_word.xlsx": ("rejected", "intake.not_a_workbook"),
        "03_empty.xlsx": ("rejected", "intake.empty_file"),
        "04_truncated.xlsx": ("rejected", "intake.corrupt"),
        "05_cut_sheet.xlsx": ("rejected", "read.unreadable"),
        "06_bomb.zip!/汇总.xlsx": ("rejected", "intake.zip_bomb"),
        "06_bomb.zip!/ok.txt": ("rejected", "intake.not_a_workbook"),
        "07_bomb.xlsx": ("rejected", "intake.zip_bomb"),
        "08_notes.txt": ("rejected", "intake.not_a_workbook"),
        "09_U003_机关党支部_迷你表.xlsx": ("accepted", ""),
        "U002_第二党支部_迷你表.xlsx": ("accepted", ""),
    }
    assert all(r["unit_code"] == "" for r in rows if r["status"] == "rejected")
    messages = {r["source"].rsplit(os.sep, 1)[-1]: r["message"] for r in rows}
    assert messages["01_encrypted.xlsx"].startswith("文件已加密")
    assert "Word" in messages["02_word.xlsx"]


def test_lying_zip_directory_bomb_is_rejected_as_a_whole(campaign, tmp_path):
    data = bytearray(zip_bytes({"bomb.xlsx": b"\0" * 2**20}))
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 2**30)  # claims 1 GiB uncompressed
    struct.pack_into("<I", data, data.find(b"PK\x03\x04") + 22, 2**30)
    (tmp_path / "bomb.zip").write_bytes(bytes(data))
    row = only(collect_rows(campaign, tmp_path / "bomb.zip"), "bomb.zip")
    assert status_of(row) == ("rejected", "intake.zip_bomb", "")


def test_rejected_files_are_kept_in_received_too(campaign, tmp_path):
    data = docx_bytes()
    (tmp_path / "letter.xlsx").write_bytes(data)
    row = only(collect_rows(campaign, tmp_path / "letter.xlsx"), "letter.xlsx")
    assert row["sha256"] == sha(data)
    assert stored_path(campaign, row["sha256"]).read_bytes() == data


def collect_isolated(campaign, *sources: Path) -> list[dict]:
    """Collect in a child process: a reader that aborts the process must fail this test, not the test run."""
    code = ("import sys\nfrom toolkit.campaign.folder import load_campaign\nfrom toolkit.read.collect import collect\n"
            "collect(load_campaign(sys.argv[1]), sys.argv[2:], workers=1)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(campaign.dir), *map(str, sources)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "RUST_BACKTRACE": "0"})
    assert proc.returncode == 0, f"collect died ({proc.returncode}): {proc.stderr[-500:]}"
    return ledger_csv(campaign)


def _patch(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new):]


def test_xls_with_dimensions_out_of_order_is_rejected_not_fatal(campaign, tmp_path):
    """A flipped byte in a DIMENSIONS record made calamine allocate 640 GiB and abort the whole run."""
    data = (LO / "mini_U001.xls").read_bytes()
    at = data.find(b"\x00\x02\x0e\x00" + struct.pack("<IIHH", 0, 208, 0, 4))  # DIMENSIONS of 台账
    assert at > 0
    (tmp_path / "damaged.xls").write_bytes(_patch(data, at + 4, struct.pack("<I", 0x590000)))
    good = shutil.copy(LO / "mini_U001_stripped.xlsx", tmp_path / "zz_good.xlsx")
    rows = collect_isolated(campaign, tmp_path / "damaged.xls", good)
    assert status_of(only(rows, "damaged.xls")) == ("rejected", "intake.corrupt", "")
    assert "工作表的范围记录错乱（行 5832704-208，列 0-4）" in only(rows, "damaged.xls")["message"]
    assert status_of(only(rows, "zz_good.xlsx")) == ("accepted", "", "U001")


def test_xls_with_a_cell_far_out_is_rejected(campaign, tmp_path):
    data = (LO / "mini_U001.xls").read_bytes()
    at = data.find(b"\xfd\x00\x0a\x00")  # the first LABELSST cell record: row, column, xf, string index
    (tmp_path / "far.xls").write_bytes(_patch(data, at + 4, struct.pack("<HH", 60000, 40000)))
    rows = collect_isolated(campaign, tmp_path / "far.xls")
    assert status_of(only(rows, "far.xls")) == ("rejected", "intake.sheet_too_large", "")


def test_xls_that_makes_the_reader_panic_is_unreadable(campaign, tmp_path):
    """A damaged NAME record (formula length too long) made calamine panic, which ended the run."""
    data = (LO / "mini_U001.xls").read_bytes()
    flag = data.find(b"\x00f_rate")  # NAME record: the name's option byte sits 14 bytes into the body
    assert flag > 0
    (tmp_path / "panic.xls").write_bytes(_patch(data, flag - 9, b"\x35"))  # high byte of the formula length
    good = shutil.copy(LO / "mini_U001.ods", tmp_path / "zz_good.ods")
    rows = collect_isolated(campaign, tmp_path / "panic.xls", good)
    assert status_of(only(rows, "panic.xls")) == ("rejected", "read.unreadable", "")
    assert status_of(only(rows, "zz_good.ods")) == ("accepted", "", "U001")


@pytest.mark.parametrize("variant", ["lying", "missing", "moved"])
def test_xlsx_with_a_far_cell_behind_a_lying_dimension_is_rejected(campaign, tmp_path, variant):
    """calamine sizes its buffer from the cells, not <dimension>: one cell at XFD1048576 aborted the run.

    lying: <dimension ref="A1:B2"/>; missing: no <dimension>; moved: no <dimension>, and the sheet part
    stored outside xl/worksheets/ (the relationships say where it is).
    """
    import re

    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.active["XFD1048576"] = "far"
    buf = io.BytesIO()
    wb.save(buf)
    package = zipfile.ZipFile(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in package.namelist():
            data = package.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension ref=\"[^\"]*\"\s*/>",
                              b'<dimension ref="A1:B2"/>' if variant == "lying" else b"", data)
                name = "xl/data.xml" if variant == "moved" else name
            if variant == "moved":
                data = data.replace(b"worksheets/sheet1.xml", b"data.xml")
            zf.writestr(name, data)
    (tmp_path / "far.xlsx").write_bytes(out.getvalue())
    rows = collect_isolated(campaign, tmp_path / "far.xlsx")
    assert status_of(only(rows, "far.xlsx")) == ("rejected", "intake.sheet_too_large", "")
    assert "XFD1048576" in only(rows, "far.xlsx")["message"]


# --------------------------------------------------------------------------- archives


def test_gbk_named_zip_member_is_shown_in_chinese_and_accepted(campaign, tmp_path):
    src = outbox_file(campaign, "U001")
    data = filled(campaign, "U001", tmp_path / "f.xlsx", 12).read_bytes()
    archive = tmp_path / "x.zip"
    archive.write_bytes(gbk_zip({f"第一党支部/{src.name}": data}))
    assert not zipfile.ZipFile(archive).infolist()[0].flag_bits & 0x800
    rows = collect_rows(campaign, archive)
    assert [r["source"] for r in rows] == [f"{archive}!/第一党支部/U001_第一党支部_迷你表.xlsx"]
    assert status_of(rows[0]) == ("accepted", "", "U001")
    assert rows[0]["sha256"] == sha(data)


def test_nested_zip_is_walked_and_labelled(campaign, tmp_path):
    u2 = filled(campaign, "U002", tmp_path / "f2.xlsx", 20).read_bytes()
    u3 = filled(campaign, "U003", tmp_path / "f3.xlsx", 30).read_bytes()
    inner = zip_bytes({"U002_第二党支部_迷你表.xlsx": u2})
    (tmp_path / "a.zip").write_bytes(zip_bytes({"b.zip": inner, "县委/U003_机关党支部_迷你表.xlsx": u3}))
    rows = collect_rows(campaign, tmp_path / "a.zip")
    a = str(tmp_path / "a.zip")
    assert {r["source"]: status_of(r) for r in rows} == {
        f"{a}!/b.zip!/U002_第二党支部_迷你表.xlsx": ("accepted", "", "U002"),
        f"{a}!/县委/U003_机关党支部_迷你表.xlsx": ("accepted", "", "U003"),
    }
    assert {r["sha256"] for r in rows} == {sha(u2), sha(u3)}


# --------------------------------------------------------------------------- the ledger


def test_later_collect_run_supersedes_earlier_return(campaign, tmp_path):
    first = filled(campaign, "U001", tmp_path / "run1" / "U001_first.xlsx", 10)
    second = filled(campaign, "U001", tmp_path / "run2" / "U001_second.xlsx", 11)
    os.utime(first, (2_000_000_000, 2_000_000_000))  # the first file even looks newer on disk
    os.utime(second, (1_700_000_000, 1_700_000_000))
    collect_rows(campaign, first)
    rows = collect_rows(campaign, second)
    assert status_of(only(rows, "U001_first.xlsx")) == ("superseded", "ledger.superseded", "U001")
    assert status_of(only(rows, "U001_second.xlsx")) == ("accepted", "", "U001")
    with Ledger(campaign.db_path) as ledger:
        assert [f.source for f in ledger.accepted()] == [str(second)]


def test_within_one_run_the_newer_file_wins(campaign, tmp_path):
    inbox = tmp_path / "inbox"
    newer = filled(campaign, "U001", inbox / "a_revised.xlsx", 13)
    older = filled(campaign, "U001", inbox / "b_draft.xlsx", 12)   # walked after, but older
    os.utime(newer, (1_800_000_000, 1_800_000_000))
    os.utime(older, (1_700_000_000, 1_700_000_000))
    rows = collect_rows(campaign, inbox)
    assert status_of(only(rows, "a_revised.xlsx")) == ("accepted", "", "U001")
    assert status_of(only(rows, "b_draft.xlsx")) == ("superseded", "ledger.superseded", "U001")
    assert values_of(campaign, only(rows, "a_revised.xlsx")["sha256"])[("members", None)].raw == 13


def test_same_bytes_under_two_names_is_a_duplicate(campaign, tmp_path):
    inbox = tmp_path / "inbox"
    original = filled(campaign, "U002", inbox / "U002.xlsx", 20)
    shutil.copy(original, inbox / "U002_副本.xlsx")  # walked after U002.xlsx (name order)
    rows = collect_rows(campaign, inbox)
    first, copy = only(rows, "U002.xlsx"), only(rows, "U002_副本.xlsx")
    assert first["sha256"] == copy["sha256"]
    assert status_of(first) == ("accepted", "", "U002")
    assert status_of(copy) == ("duplicate", "ledger.duplicate", "U002")
    assert str(original) in copy["message"]
    # the same bytes again in a later run, under a third name and inside an archive
    (tmp_path / "later.zip").write_bytes(zip_bytes({"转发/U002.xlsx": original.read_bytes()}))
    rows = collect_rows(campaign, tmp_path / "later.zip")
    assert status_of(only(rows, "later.zip!/转发/U002.xlsx")) == ("duplicate", "ledger.duplicate", "U002")
    assert status_of(only(rows, str(original))) == ("accepted", "", "U002")
    assert len(list(campaign.received.rglob("*.xlsx"))) == 1


def test_ledger_from_an_earlier_version_is_brought_up_to_date(campaign, tmp_path):
    """A campaign's toolkit.db written before a column was added still opens, keeps its rows and collects."""
    import sqlite3

    first = filled(campaign, "U001", tmp_path / "run1" / "U001.xlsx", 10)
    collect_rows(campaign, first)
    db = sqlite3.connect(campaign.db_path)
    columns = ", ".join(row[1] for row in db.execute("PRAGMA table_info(files)") if row[1] not in ("return_key", "ident_params"))
    with db:  # the files table as the first version created it
        db.executescript(f"""
            CREATE TABLE old (
              id INTEGER PRIMARY KEY, source TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER, kind TEXT,
              ident_status TEXT NOT NULL, ident_unit TEXT, ident_reason TEXT, ident_detail TEXT,
              unit_code TEXT, template_id TEXT, template_version TEXT, status TEXT, reason_code TEXT,
              message TEXT, received_at TEXT, mtime REAL, run INTEGER, carriers TEXT, UNIQUE(source, sha256));
            INSERT INTO old SELECT {columns} FROM files;
            DROP TABLE files;
            ALTER TABLE old RENAME TO files;""")
    db.close()
    second = filled(campaign, "U001", tmp_path / "run2" / "U001.xlsx", 11)
    rows = collect_rows(campaign, second)
    assert [status_of(r) for r in rows] == [("superseded", "ledger.superseded", "U001"), ("accepted", "", "U001")]


def _mixed_inbox(campaign, tmp_path: Path, notes: int = 0) -> tuple[Path, list[str]]:
    """Files, a folder, archives (nested, with a duplicate member) and bad files; their expected sources.

    *notes* adds that many distinct text files (rejected at intake) in notes/, to make a run long.
    """
    inbox = tmp_path / "inbox"
    u1 = filled(campaign, "U001", inbox / "U001_第一党支部_迷你表.xlsx", 12)
    filled(campaign, "U002", inbox / "sub" / "U002_第二党支部_迷你表.xlsx", 20)
    (inbox / "sub" / "~$U002_第二党支部_迷你表.xlsx").write_bytes(b"lock file, skipped")
    (inbox / "empty.xlsx").write_bytes(b"")
    (inbox / "word.xlsx").write_bytes(docx_bytes())
    u3 = filled(campaign, "U003", tmp_path / "u3.xlsx", 30).read_bytes()
    (inbox / "all.zip").write_bytes(zip_bytes({
        "U003.xlsx": u3, "copy_of_U001.xlsx": u1.read_bytes(),
        "inner.zip": zip_bytes({"deep/U003_again.xlsx": u3, "readme.txt": b"hello"})}))
    (inbox / "enc.xlsx").write_bytes(encrypted_xlsx())
    i = str(inbox)
    expected = [f"{i}/U001_第一党支部_迷你表.xlsx", f"{i}/sub/U002_第二党支部_迷你表.xlsx", f"{i}/empty.xlsx",
                f"{i}/word.xlsx", f"{i}/all.zip!/U003.xlsx", f"{i}/all.zip!/copy_of_U001.xlsx",
                f"{i}/all.zip!/inner.zip!/deep/U003_again.xlsx", f"{i}/all.zip!/inner.zip!/readme.txt",
                f"{i}/enc.xlsx"]
    if notes:
        (inbox / "notes").mkdir()
        for n in range(notes):
            (inbox / "notes" / f"{n:04d}.csv").write_text(f"单位,人数\nU{n:03d},{n}\n", encoding="utf-8")
            expected.append(f"{i}/notes/{n:04d}.csv")
    return inbox, expected


def test_every_offered_file_and_member_appears_exactly_once(campaign, tmp_path):
    inbox, expected = _mixed_inbox(campaign, tmp_path)
    # the folder, one file in it again and the archive again: still one row per (source, sha256)
    rows = collect_rows(campaign, inbox, inbox / "U001_第一党支部_迷你表.xlsx", inbox / "all.zip")
    keys = [(r["source"], r["sha256"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert sorted(r["source"] for r in rows) == sorted(expected)
    assert list(rows[0]) == ["source", "sha256", "size", "unit_code", "template_id", "template_version",
                             "status", "reason_code", "message", "received_at"]
    by_source = {r["source"].replace(str(inbox) + "/", ""): status_of(r) for r in rows}
    assert by_source["all.zip!/copy_of_U001.xlsx"] == ("duplicate", "ledger.duplicate", "U001")
    assert by_source["all.zip!/inner.zip!/deep/U003_again.xlsx"] == ("duplicate", "ledger.duplicate", "U003")
    assert by_source["all.zip!/U003.xlsx"] == ("accepted", "", "U003")
    with Ledger(campaign.db_path) as ledger:
        assert sorted(f.unit_code for f in ledger.accepted()) == ["U001", "U002", "U003"]


def test_originals_are_untouched_and_stored_byte_identical(campaign, tmp_path):
    inbox, _ = _mixed_inbox(campaign, tmp_path)
    before = tree_hashes(inbox)
    rows = collect_rows(campaign, inbox)
    assert tree_hashes(inbox) == before
    for row in rows:
        path = stored_path(campaign, row["sha256"])
        assert path is not None, row["source"]
        data = path.read_bytes()
        assert sha(data) == row["sha256"] and len(data) == int(row["size"])
        if "!/" not in row["source"]:
            assert data == Path(row["source"]).read_bytes()
    for archive in (inbox / "all.zip",):  # archives are kept as they came too, beside their members
        data = archive.read_bytes()
        assert stored_path(campaign, sha(data)).read_bytes() == data
    assert not list(campaign.received.rglob("*.part"))


def test_rerunning_collect_changes_nothing(campaign, tmp_path):
    inbox, _ = _mixed_inbox(campaign, tmp_path)
    collect_rows(campaign, inbox)
    first_csv = (campaign.out / "ledger.csv").read_bytes()
    counts = (db_count(campaign), db_count(campaign, "submissions"))
    received = tree_hashes(campaign.received)
    result = collect(campaign, [str(inbox)], workers=1)
    ledger_csv(campaign)
    assert (result.offered, result.new) == (9, 0)
    assert (campaign.out / "ledger.csv").read_bytes() == first_csv
    assert (db_count(campaign), db_count(campaign, "submissions")) == counts
    assert tree_hashes(campaign.received) == received


def _assert_complete(campaign, inbox: Path, expected: list[str]) -> list[dict]:
    """A resumed run: every offered file once, originals stored, the right winners."""
    rows = collect_rows(campaign, inbox)
    keys = [(r["source"], r["sha256"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert sorted(r["source"] for r in rows) == sorted(expected)
    with Ledger(campaign.db_path) as ledger:
        assert sorted(f.unit_code for f in ledger.accepted()) == ["U001", "U002", "U003"]
        assert all(ledger.payload(f.sha256) is not None for f in ledger.accepted())
    for row in rows:
        assert sha(stored_path(campaign, row["sha256"]).read_bytes()) == row["sha256"], row["source"]
    assert not list(campaign.received.rglob("*.part"))  # a half-written copy from the crash is swept away
    assert collect_rows(campaign, inbox) == rows  # and one more run changes nothing
    return rows


def test_worker_pool_gives_the_same_ledger(campaign, tmp_path, roster_csv):
    """Enough returns to start the process pool: the outcome is the one of an in-process run."""
    from toolkit.campaign.folder import create_campaign
    from toolkit.generate.outbox import generate_outbox

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    filled = {unit: returned(campaign, unit, tmp_path / "filled" / f"{unit}.xlsx") for unit in ("U001", "U002", "U003")}
    for n in range(72):
        unit = ("U001", "U002", "U003")[n % 3]
        shutil.copy(filled[unit], inbox / f"{n:03d}_{unit}.xlsx")
    (inbox / "999_word.xlsx").write_bytes(docx_bytes())
    twin = create_campaign(tmp_path / "twin", campaign.template_ref, roster_csv, year=2026, deadline="2026-12-20")
    generate_outbox(twin, workers=1)
    collect(campaign, [str(inbox)], workers=2)
    collect(twin, [str(inbox)], workers=1)
    def outcome(c):
        return [(r["source"], r["sha256"], status_of(r)) for r in ledger_csv(c)]
    pooled = outcome(campaign)
    assert pooled == outcome(twin)
    assert len(pooled) == 73
    assert sorted(set(s for _, _, s in pooled)) == [("accepted", "", "U001"), ("accepted", "", "U002"),
                                                   ("accepted", "", "U003"), ("duplicate", "ledger.duplicate", "U001"),
                                                   ("duplicate", "ledger.duplicate", "U002"),
                                                   ("duplicate", "ledger.duplicate", "U003"),
                                                   ("rejected", "intake.not_a_workbook", "")]
    assert sorted(p.name for p in campaign.received.rglob("*.*")) == sorted(p.name for p in twin.received.rglob("*.*"))


def test_interrupted_run_is_completed_by_the_next(campaign, tmp_path, monkeypatch):
    inbox, expected = _mixed_inbox(campaign, tmp_path)
    calls = {"n": 0}
    real_add = Ledger.add

    def crashing_add(self, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return real_add(self, **kwargs)

    monkeypatch.setattr(Ledger, "add", crashing_add)
    with pytest.raises(RuntimeError, match="power cut"):
        collect(campaign, [str(inbox)], workers=1)
    assert db_count(campaign) < len(expected)
    monkeypatch.setattr(Ledger, "add", real_add)
    _assert_complete(campaign, inbox, expected)


def test_a_resumed_run_orders_returns_as_an_uninterrupted_one(campaign, tmp_path, monkeypatch):
    """Killed after the unit's newer file was recorded: the rerun must not let its older file win."""
    inbox = tmp_path / "inbox"
    newer = returned(campaign, "U001", inbox / "a_newer.xlsx")
    older = fill(outbox_file(campaign, "U001"), inbox / "b_older.xlsx", {("基本信息", "C6"): 29})
    os.utime(newer, (1_790_000_000, 1_790_000_000))
    os.utime(older, (1_780_000_000, 1_780_000_000))
    real_add, calls = Ledger.add, {"n": 0}

    def crashing_add(self, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed")
        return real_add(self, **kwargs)

    import toolkit.read.collect as collect_module
    batches = collect_module._batches
    monkeypatch.setattr(collect_module, "_batches", lambda items: batches(items, (1,)))  # one file a batch
    monkeypatch.setattr(Ledger, "add", crashing_add)
    with pytest.raises(RuntimeError, match="killed"):
        collect(campaign, [str(inbox)], workers=1)
    monkeypatch.setattr(Ledger, "add", real_add)
    with Ledger(campaign.db_path) as ledger:
        assert [Path(f.source).name for f in ledger.files()] == ["a_newer.xlsx"]  # recorded before the kill
    collect(campaign, [str(inbox)], workers=1)
    rows = ledger_csv(campaign)
    assert status_of(only(rows, "a_newer.xlsx")) == ("accepted", "", "U001")
    assert status_of(only(rows, "b_older.xlsx")) == ("superseded", "ledger.superseded", "U001")
    later = fill(outbox_file(campaign, "U001"), tmp_path / "later" / "c.xlsx", {("基本信息", "C6"): 31})
    os.utime(later, (1_770_000_000, 1_770_000_000))  # the oldest file time, but a later run
    collect(campaign, [str(later)], workers=1)
    assert status_of(only(ledger_csv(campaign), "later/c.xlsx")) == ("accepted", "", "U001")  # a new run wins


_KILLER = textwrap.dedent("""
    import os, signal, sys
    from toolkit.read import collect as collect_module
    from toolkit.campaign.folder import load_campaign
    from toolkit.campaign.ledger import Ledger

    directory, source, where, nth = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    calls = {"n": 0}

    def hit():
        calls["n"] += 1
        if calls["n"] == nth:
            os.kill(os.getpid(), signal.SIGKILL)  # no finally blocks, no rollback, no cleanup: a real crash

    if where == "record":
        real_add = Ledger.add
        def add(self, **kwargs):
            hit()
            return real_add(self, **kwargs)
        Ledger.add = add
    else:  # "store": die after an original's temporary copy is written, before it is renamed into place
        real_replace = os.replace
        def replace(a, b):
            hit()
            return real_replace(a, b)
        os.replace = replace
    collect_module.collect(load_campaign(directory), [source], workers=1)
    print("finished without being killed")
""")


# 300 notes make two intake batches; the kills land in the second batch's intake, while the first
# batch's workbooks are recorded, and while originals are being stored.
@pytest.mark.parametrize("where,nth", [("record", 280), ("record", 306), ("store", 270)])
def test_killed_run_is_completed_by_the_next(campaign, tmp_path, where, nth):
    inbox, expected = _mixed_inbox(campaign, tmp_path, notes=300)
    proc = subprocess.run([sys.executable, "-c", _KILLER, str(campaign.dir), str(inbox), where, str(nth)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    partial = db_count(campaign)
    assert 0 < partial < len(expected)  # killed midway: some rows committed, some not
    _assert_complete(campaign, inbox, expected)
    assert db_count(campaign) == len(expected)


def test_a_file_over_the_size_limit_is_rejected_with_its_real_hash_and_not_kept(campaign, tmp_path):
    """Hashed by streaming where it lies, never copied: one oversized (or sparse) file cannot fill the store."""
    from toolkit.intake.walk import Limits
    from toolkit.read.collect import collect, export_ledger

    big = tmp_path / "in" / "U001_大文件.xlsx"
    big.parent.mkdir()
    big.write_bytes(os.urandom(5000))
    collect(campaign, [str(big.parent)], workers=1, limits=Limits(max_file_bytes=1000))
    export_ledger(campaign)
    rows = list(csv.DictReader(open(campaign.out / "ledger.csv", encoding="utf-8-sig")))
    row = only(rows, "U001_大文件.xlsx")
    assert (row["status"], row["reason_code"]) == ("rejected", "intake.too_large")
    sha = hashlib.sha256(big.read_bytes()).hexdigest()
    assert row["sha256"] == sha and row["size"] == "5000"
    assert "the file was not kept" in row["message"] or "未予保存" in row["message"]
    assert not (campaign.received / sha[:2]).exists()
    assert big.read_bytes() and big.stat().st_size == 5000  # the original where it was, untouched


def test_collecting_the_outbox_by_mistake_replaces_no_return(campaign, tmp_path):
    """The issued workbooks, untouched, are not returns: a real return stays the unit's accepted one."""
    real = returned(campaign, "U001", tmp_path / "in" / "U001.xlsx")
    collect(campaign, [str(real)], workers=1)
    collect(campaign, [str(campaign.outbox)], workers=1)
    rows = ledger_csv(campaign)
    blanks = [r for r in rows if r["source"].startswith(str(campaign.outbox)) and r["source"].endswith(".xlsx")]
    assert len(blanks) == 3
    assert {status_of(r) for r in blanks} == {("rejected", "read.blank_template", "")}
    assert any("U002 第二党支部" in r["message"] for r in blanks)
    assert status_of(only(rows, "in/U001.xlsx")) == ("accepted", "", "U001")


def test_a_second_process_on_the_same_campaign_is_told_it_is_busy(campaign, tmp_path):
    """Two collects at once could each recompute the ledger: the second stops at once (exit 2), changing nothing."""
    from toolkit.campaign.lock import CampaignBusy
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\nfrom toolkit.campaign.lock import campaign_lock\n"
         "with campaign_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(60)\n",
         str(campaign.dir)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        src = returned(campaign, "U001", tmp_path / "in" / "U001.xlsx")
        with pytest.raises(CampaignBusy, match="another toolkit command"):
            collect(campaign, [str(src)], workers=1)
        assert CampaignBusy.exit_code == 2
        with Ledger(campaign.db_path) as ledger:
            assert ledger.files() == []
    finally:
        holder.kill()
        holder.wait()
    collect(campaign, [str(src)], workers=1)  # the lock died with its process
    assert status_of(only(ledger_csv(campaign), "U001.xlsx")) == ("accepted", "", "U001")


def test_a_rejected_archive_is_kept_once(campaign, tmp_path):
    buf = io.BytesIO()
    zipfile.ZipFile(buf, "w").close()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.zip").write_bytes(buf.getvalue())
    collect(campaign, [str(tmp_path / "in")], workers=1)
    assert status_of(only(ledger_csv(campaign), "empty.zip")) == ("rejected", "intake.empty_file", "")
    assert [p.name for p in campaign.received.rglob("*.*")] == [f"{sha(buf.getvalue())}.zip"]


def test_a_killed_command_leaves_the_campaign_unlocked_and_no_workers(campaign, tmp_path):
    """Workers forked under the lock must not keep it (or themselves) alive after their command is killed."""
    from toolkit.campaign.lock import campaign_lock
    script = ("import os, sys, time\nfrom concurrent.futures import ProcessPoolExecutor\nfrom pathlib import Path\n"
              "from toolkit.campaign.lock import campaign_lock\nfrom toolkit.intake.isolated import exit_with_parent\n"
              "with campaign_lock(Path(sys.argv[1])):\n"
              "    pool = ProcessPoolExecutor(2, initializer=exit_with_parent)\n"
              "    pids = {pool.submit(os.getpid).result() for _ in range(8)}\n"
              "    print(' '.join(map(str, pids)), flush=True)\n"
              "    time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", script, str(campaign.dir)], stdout=subprocess.PIPE, text=True)
    workers = [int(p) for p in holder.stdout.readline().split()]
    assert workers
    holder.kill()  # kill -9 of the command alone, not its process group
    holder.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers)
    # A worker that ran no task is not in `workers`; the kernel kills it with the others, but on a
    # busy machine it may take a moment more to go: the campaign must be free again within the deadline.
    from toolkit.campaign.lock import CampaignBusy
    while True:
        try:
            with campaign_lock(campaign.dir):  # free again
                break
        except CampaignBusy:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie waiting for its reaper is gone for our purpose
        return fh.read().split(") ")[-1][0] != "Z"


def test_a_blank_from_an_earlier_mailing_is_known_after_the_outbox_is_generated_again(campaign, tmp_path):
    from toolkit.campaign.folder import load_campaign
    from toolkit.generate.outbox import generate_outbox
    old_blank = shutil.copy(outbox_file(campaign, "U001"), tmp_path / "U001_old_blank.xlsx")
    real = returned(campaign, "U001", tmp_path / "in" / "U001.xlsx")
    collect(campaign, [str(real)], workers=1)
    text = (campaign.dir / "campaign.yaml").read_text(encoding="utf-8").replace("2026-12-20", "2026-11-30")
    (campaign.dir / "campaign.yaml").write_text(text, encoding="utf-8")
    again = load_campaign(campaign.dir)
    generate_outbox(again, workers=1)
    assert outbox_file(again, "U001").read_bytes() != Path(old_blank).read_bytes()  # a new mailing
    collect(again, [str(old_blank)], workers=1)
    rows = ledger_csv(again)
    assert status_of(only(rows, "U001_old_blank.xlsx")) == ("rejected", "read.blank_template", "")
    assert status_of(only(rows, "in/U001.xlsx")) == ("accepted", "", "U001")


def test_file_names_that_are_not_utf8_are_collected_under_readable_names(campaign, tmp_path):
    """What Linux unzip leaves for a Windows zip: GBK bytes as the name; and bytes no encoding reads."""
    folder = tmp_path / "unzipped"
    folder.mkdir()
    gbk = os.fsencode(folder) + b"/" + "U001_第一党支部.xlsx".encode("gbk")
    shutil.copyfile(os.fsencode(returned(campaign, "U001", tmp_path / "t1.xlsx")), gbk)
    odd = os.fsencode(folder) + b"/U002_\xff\xfe.xlsx"
    shutil.copyfile(os.fsencode(returned(campaign, "U002", tmp_path / "t2.xlsx")), odd)
    assert len(os.listdir(os.fsencode(folder))) == 2
    collect(campaign, [str(folder)], workers=1)
    export_ledger(campaign)
    with open(campaign.out / "ledger.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {Path(r["source"]).name: (r["status"], r["unit_code"]) for r in csv.DictReader(fh)}
    assert rows == {"U001_第一党支部.xlsx": ("accepted", "U001"), "U002_\\xff\\xfe.xlsx": ("accepted", "U002")}


def test_the_first_batches_are_small_so_the_readers_start_early():
    import toolkit.read.collect as collect_module

    sizes = [len(b) for b in collect_module._batches(range(1000))]
    assert sizes[:3] == [16, 64, 256] and set(sizes[3:-1]) == {256} and sum(sizes) == 1000
