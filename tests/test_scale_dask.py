"""`toolkit collect DIR SOURCE --dask ADDRESS` on a LocalCluster of two workers: every output file
is the one a local collect gives, byte for byte once timestamps are taken out."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import MINI_SPEC, fill_by_name, outbox_file, write_roster
from distributed import LocalCluster
from typer.testing import CliRunner

from toolkit.campaign.folder import create_campaign
from toolkit.cli import app
from toolkit.generate.outbox import generate_outbox

runner = CliRunner()

UNITS = [(f"U{n:03d}", f"第{n}党支部", "县委" if n % 2 else "部门", "张三", "13800000000") for n in range(1, 9)]
CHECKLIST = {"f_a1_1_self_score": 50, "f_a1_2_self_score": 30, "f_b_1_self_score": 0, "f_v_1_occurred": "否"}


def cli(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
        yield local


def returns(campaign, inbox: Path) -> None:
    """Six good returns, one faulty, a duplicate under another name, a broken file and a stranger."""
    for n, (code, *_) in enumerate(UNITS[:7], start=1):
        values = {**CHECKLIST, "f_members": 10 * n, "f_prob": n % 3}
        if code == "U007":
            values["f_prob"] = 500  # more probationary than members: a rule error
        fill_by_name(outbox_file(campaign, code), inbox / f"{code}.xlsx", values)
    shutil.copy(inbox / "U001.xlsx", inbox / "U001 副本.xlsx")
    (inbox / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (inbox / "notes.txt").write_text("见附件", encoding="utf-8")


def twin_campaigns(root: Path) -> tuple[Path, Path, Path]:
    roster = write_roster(root / "roster.csv", UNITS)
    campaign = create_campaign(root / "a" / "camp", str(MINI_SPEC), roster, year=2026, deadline="2026-12-20")
    generate_outbox(campaign, workers=1)
    inbox = root / "inbox"
    inbox.mkdir()
    returns(campaign, inbox)
    twin = root / "b" / "camp"
    shutil.copytree(campaign.dir, twin)
    return campaign.dir, twin, inbox


_STAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")


def comparable(path: Path, root: Path) -> dict[str, bytes]:
    """The file's bytes (a workbook: each member's) with timestamps and the campaign's own folder taken out."""
    data = path.read_bytes()
    parts = {"": data}
    if data[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as z:  # zip headers hold the time of writing: compare the members
            parts = _inline_strings({name: z.read(name) for name in z.namelist()})
    return {name: _STAMP.sub(b"<time>", body.replace(str(root).encode(), b"<campaign>")) for name, body in parts.items()}


_SHARED = re.compile(rb"<si>(.*?)</si>", re.S)
_CELL = re.compile(rb'(<c [^>]*?)t="s"([^>]*)><v>(\d+)</v>')


def _inline_strings(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Worksheets with each shared string written in its cell: two timestamps written in the same
    second share one string and a second apart do not, which renumbers every string after them."""
    shared = _SHARED.findall(parts.pop("xl/sharedStrings.xml", b""))
    return {name: _CELL.sub(lambda m: m[1] + b't="inline"' + m[2] + b"><is>" + shared[int(m[3])] + b"</is>", body)
            if name.startswith("xl/worksheets/") else body for name, body in parts.items()}


def outputs(folder: Path) -> dict[str, dict[str, bytes]]:
    return {str(p.relative_to(folder)): comparable(p, folder) for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith("toolkit.db") and p.name != ".lock"}


def test_collect_on_a_cluster_writes_what_a_local_collect_writes(tmp_path, cluster):
    local, distributed, inbox = twin_campaigns(tmp_path)
    cli("collect", local, inbox)
    cli("collect", distributed, inbox, "--dask", cluster.scheduler_address)
    assert "read_on_worker" in cluster.scheduler.task_prefixes  # the files were read on the cluster
    for folder in (local, distributed):
        cli("run", folder)  # validate, status, merge, report: what the ledger says decides all of them
    a, b = outputs(local), outputs(distributed)
    assert sorted(a) == sorted(b)
    assert "out/ledger.csv" in a and "out/values.csv" in a and any(k.startswith("received/") for k in a)
    assert any(k.startswith("feedback/") for k in a)  # U007's faulty return got its feedback workbook
    for name in a:
        assert a[name] == b[name], name
    ledger = a["out/ledger.csv"][""].decode("utf-8-sig")
    assert "broken.xlsx" in ledger and "notes.txt" in ledger and ledger.count(",accepted,") == 7
    assert ",duplicate,ledger.duplicate," in ledger and "intake.corrupt" in ledger


def test_a_held_return_is_read_again_on_the_cluster_after_the_roster_is_fixed(tmp_path, cluster):
    roster = write_roster(tmp_path / "roster.csv", UNITS[:2])
    campaign = create_campaign(tmp_path / "camp", str(MINI_SPEC), roster, year=2026)
    generate_outbox(campaign, workers=1)
    inbox = tmp_path / "inbox"
    fill_by_name(outbox_file(campaign, "U002"), inbox / "U002.xlsx", {**CHECKLIST, "f_members": 5})
    write_roster(tmp_path / "camp" / Path(campaign.roster_file).name, UNITS[:1])  # U002 left out by mistake
    cli("collect", campaign.dir, inbox, "--dask", cluster.scheduler_address)
    assert "identify.unit_not_in_roster" in (campaign.dir / "out" / "ledger.csv").read_text(encoding="utf-8-sig")
    write_roster(tmp_path / "camp" / Path(campaign.roster_file).name, UNITS[:2])
    cli("collect", campaign.dir, inbox, "--dask", cluster.scheduler_address)
    ledger = (campaign.dir / "out" / "ledger.csv").read_text(encoding="utf-8-sig")
    assert "U002,mini,1,accepted" in ledger


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_DASK_TIMEOUT", "2")
    roster = write_roster(tmp_path / "roster.csv", UNITS[:1])
    campaign = create_campaign(tmp_path / "camp", str(MINI_SPEC), roster, year=2026)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.txt").write_text("x")
    result = runner.invoke(app, ["collect", str(campaign.dir), str(tmp_path / "in"), "--dask", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "无法连接 Dask 调度器" in result.output


class _Unpicklable(Exception):
    """Like a reader's Rust panic: an exception that cannot be pickled (it holds a lock)."""

    def __init__(self, message: str):
        super().__init__(message)
        import threading
        self.handle = threading.Lock()


def _fails_from_a_panic(job):
    from toolkit.read.reader import ReadError
    try:
        raise _Unpicklable("range start index out of range")
    except _Unpicklable as exc:
        raise ReadError("cannot read the workbook") from exc


def test_a_readers_error_keeps_its_type_once_distributed_is_imported():
    """distributed makes exceptions pickle with their cause (tblib); a cause that cannot be pickled
    must not turn the reader's ReadError into a RuntimeError (a roster error would exit 1, not 2)."""
    import tblib.pickling_support

    from toolkit.intake.isolated import run_isolated
    from toolkit.read.reader import ReadError

    # what importing distributed does for the exception classes that exist by then (import order varies)
    tblib.pickling_support.install(ReadError, _Unpicklable)

    with pytest.raises(ReadError, match="cannot read the workbook"):
        run_isolated(_fails_from_a_panic, None)
