"""`toolkit serve`: every page and action of the desk, in process (Starlette's TestClient)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time

import pytest
from desk_support import csrf_of, make_campaign, post_files, returns, upload_and_wait, wait_job, xlsx_from, zip_of
from starlette.testclient import TestClient

from toolkit.campaign.folder import load_campaign
from toolkit.desk import create_app
from toolkit.desk.auth import PASSWORD_FILE, Sessions, check_password, store_password
from toolkit.intake.archive import Limits

BASE = "http://127.0.0.1"


@pytest.fixture
def camp(tmp_path, request):
    if "loaded" in request.fixturenames:  # the campaign as the upload left it, copied
        return load_campaign(shutil.copytree(request.getfixturevalue("uploaded_once"), tmp_path / "camp"))
    return make_campaign(tmp_path)


@pytest.fixture
def client(camp):
    with TestClient(create_app(camp.dir), base_url=BASE) as c:
        yield c


def upload_three(client, camp, folder):
    """A zip of three returns through Upload."""
    job = upload_and_wait(client, [zip_of(returns(camp, folder / "in"), folder / "returns.zip")])
    assert job["state"] == "done", job
    return job


@pytest.fixture(scope="module")
def uploaded_once(tmp_path_factory):
    """The campaign folder after a zip of three returns went through the desk's Upload, made once."""
    root = tmp_path_factory.mktemp("uploaded")
    camp = make_campaign(root)
    with TestClient(create_app(camp.dir), base_url=BASE) as c:
        upload_three(c, camp, root)
    return camp.dir


@pytest.fixture
def loaded(camp, client):
    """The desk after a zip of three returns went through Upload (a copy of the folder it left: see camp)."""
    return client


def count(html: str, state: str) -> int:
    import re
    return int(re.search(rf'id="count-{state}"><span class="n">(\d+)<', html).group(1))


# --------------------------------------------------------------------------- overview


def test_overview_counts_units_by_state_and_shows_days_to_the_deadline(client, camp):
    page = client.get("/")
    assert page.status_code == 200 and "总览" in page.text
    assert count(page.text, "missing") == 6 and count(page.text, "accepted") == 0
    assert "截止日期 2026-12-20" in page.text


def test_overview_after_an_upload_counts_accepted_faulty_review_and_groups(loaded):
    page = loaded.get("/").text
    assert [count(page, s) for s in ("accepted", "faulty", "review", "unusable", "missing", "late")] == [1, 1, 1, 0, 3, 0]
    assert page.count('href="/units?group=') == 3  # 县委, 部门, 乡镇


def test_days_to_the_deadline_are_counted_from_today(camp):
    import datetime as dt

    from toolkit.desk.work import overview
    assert overview(camp, "zh", today=dt.date(2026, 12, 10)).days_left == 10
    assert overview(camp, "zh", today=dt.date(2026, 12, 22)).days_left == -2


def test_chase_list_downloads_a_workbook_of_the_units_to_chase(loaded):
    reply = loaded.get("/download/chase-list")
    assert reply.status_code == 200
    ws = xlsx_from(reply.content).active
    codes = {row[0] for row in ws.iter_rows(values_only=True)}
    assert {"U002", "U003", "U004"} <= codes and "U001" not in codes


# --------------------------------------------------------------------------- units


def test_units_lists_every_roster_unit_with_state_contact_and_phone(loaded):
    page = loaded.get("/units").text
    for code in ("U001", "U002", "U003", "U004", "U005", "U006"):
        assert f'href="/units/{code}"' in page
    assert "13800000002" in page and "李四" in page and "需退回修改" in page


def test_units_search_and_filter_by_state_and_group(loaded):
    assert loaded.get("/units", params={"q": "财政"}).text.count('<tr data-state=') == 1
    faulty = loaded.get("/units", params={"state": "faulty"}).text
    assert faulty.count('<tr data-state=') == 1 and "/units/U002" in faulty
    township = loaded.get("/units", params={"group": "乡镇"}).text
    assert township.count('<tr data-state=') == 1 and "/units/U006" in township
    assert loaded.get("/units", params={"state": "missing", "group": "部门"}).text.count('<tr data-state=') == 2


def test_unit_page_shows_files_issues_with_sheet_and_cell_feedback_and_values(loaded):
    page = loaded.get("/units/U002").text
    assert "U002_第二党支部.xlsx" in page and "已接收" in page            # the file and its ledger row
    assert "基本信息" in page and ">C6<" in page and "很多" in page         # the issue at its sheet and cell
    assert 'href="/download/feedback/U002"' in page
    reply = loaded.get("/download/feedback/U002")
    assert reply.status_code == 200 and "U002" in reply.headers["content-disposition"]
    assert xlsx_from(reply.content).sheetnames                              # a real workbook
    ok = loaded.get("/units/U001").text
    assert "党员人数" in ok and ">30<" in ok                                 # its values, by label
    assert loaded.get("/download/feedback/U001").status_code == 404         # nothing to correct


def test_unit_page_of_an_unknown_unit_is_404(client):
    assert client.get("/units/U999").status_code == 404


def test_a_hostile_roster_is_shown_as_text_everywhere(loaded):
    for path in ("/", "/units", "/units/U004", "/review", "/units?q=%3Cscript%3E"):
        page = loaded.get(path).text
        assert "<script>alert" not in page, path
    units = loaded.get("/units").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in units
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;点我&#34;)" in units      # shown as typed, quotes escaped
    assert "script-src 'self'" in loaded.get("/units").headers["content-security-policy"]


# --------------------------------------------------------------------------- upload


def test_upload_says_what_each_file_became(client, camp, tmp_path):
    upload_three(client, camp, tmp_path)
    job = [j for j in client.app.state.desk.runner.jobs.values() if j.kind == "upload"][0]
    page = client.get(f"/upload/{job.id}").text
    for name in ("U001_第一党支部.xlsx", "U002_第二党支部.xlsx", "U001_第一党支部(2).xlsx"):
        assert name in page
    assert "待人工确认" in page and "已接收" in page
    assert not list((camp.dir / "uploads").rglob("*.xlsx"))  # staged copies go; originals are in received/
    assert len(list(camp.received.rglob("*.zip"))) == 1


def test_upload_of_a_folder_keeps_its_paths_inside_the_campaign(client, camp, tmp_path):
    files = returns(camp, tmp_path / "in")
    job = upload_and_wait(client, [files["ok"], files["review"]],
                          names=["收件/U001_第一党支部.xlsx", "../../../../etc/U001_第一党支部(2).xlsx"])
    sources = [f["source"] for f in job["result"]["files"]]
    assert len(sources) == 2 and all(str(camp.dir / "uploads") in s for s in sources)
    assert any(s.endswith("收件/U001_第一党支部.xlsx") for s in sources)
    assert not (tmp_path / "etc").exists()


def test_an_upload_over_the_total_size_is_refused_and_nothing_is_kept(camp, tmp_path):
    files = returns(camp, tmp_path / "in")
    with TestClient(create_app(camp.dir, max_upload_mb=1), base_url=BASE) as c:
        csrf = csrf_of(c.get("/upload").text)
        big = tmp_path / "big.xlsx"
        big.write_bytes(b"PK" + b"\0" * (2 * 2**20))
        reply = post_files(c, [files["ok"], big], csrf)
        assert reply.status_code == 413 and "1 MB" in reply.text
        assert not (camp.dir / "uploads").exists() and not list(camp.received.rglob("*.*"))


def test_a_file_over_the_collect_limit_is_refused_with_its_reason(camp, tmp_path):
    files = returns(camp, tmp_path / "in")
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK" + b"\0" * 300_000)
    with TestClient(create_app(camp.dir, limits=Limits(max_file_bytes=200_000)), base_url=BASE) as c:
        job = upload_and_wait(c, [files["ok"], big])
    assert [r["name"] for r in job["result"]["refused"]] == ["big.xlsx"]
    assert [f["status"] for f in job["result"]["files"]] == ["accepted"]


def test_an_upload_with_no_file_is_a_clear_400(client):
    reply = client.post("/upload", data={"csrf": csrf_of(client.get("/upload").text)})
    assert reply.status_code == 400 and "没有选择文件" in reply.text


# --------------------------------------------------------------------------- CSRF


@pytest.mark.parametrize("path", ["/upload", "/review/" + "0" * 64, "/results/run", "/logout", "/login"])
def test_every_post_without_its_csrf_token_is_refused(client, path):
    client.get("/")
    reply = client.post(path, data={"action": "reject", "reason": "x", "password": "x"})
    assert reply.status_code == 403 and "页面已过期" in reply.text
    wrong = client.post(path, data={"csrf": "forged", "action": "reject", "reason": "x"})
    assert wrong.status_code == 403


def test_a_token_of_another_session_does_not_pass(camp, client):
    token = csrf_of(client.get("/upload").text)
    with TestClient(create_app(camp.dir), base_url=BASE) as other:
        other.get("/")
        assert other.post("/results/run", data={"csrf": token}).status_code == 403


# --------------------------------------------------------------------------- downloads


@pytest.mark.parametrize("path", ["/download/out/..%2Ftoolkit.db", "/download/out/../campaign.yaml",
                                  "/download/out/%2e%2e%2fcampaign.yaml", "/download/feedback/..%2F..%2Fcampaign.yaml",
                                  "/download/out/%2Fetc%2Fpasswd", "/static/..%2F..%2F..%2Fcampaign.py",
                                  "/static/../work.py", "/download/out/toolkit.db"])
def test_no_path_from_the_request_reaches_the_disk(loaded, path):
    reply = loaded.get(path)
    assert reply.status_code == 404, path
    assert b"SQLite" not in reply.content and b"template" not in reply.content


def test_feedback_downloads_only_what_the_index_names(loaded, camp):
    (camp.feedback / "index.csv").write_text("unit_code,file\nU001,../campaign.yaml\n", encoding="utf-8")
    assert loaded.get("/download/feedback/U001").status_code == 404


# --------------------------------------------------------------------------- review


def review_sha(client) -> str:
    import re
    return re.search(r'action="/review/([0-9a-f]{64})"', client.get("/review").text).group(1)


def test_review_shows_what_every_carrier_says(loaded):
    page = loaded.get("/review").text
    assert "U001_第一党支部(2).xlsx" in page
    assert "unit.props" in page and "unit.meta" in page and "U003" in page
    assert '<option value="U003">U003 机关党支部</option>' in page  # the unit its carriers name, offered first


def test_crediting_against_the_carriers_needs_force_like_resolve(loaded):
    sha, csrf = review_sha(loaded), csrf_of(loaded.get("/review").text)
    refused = loaded.post(f"/review/{sha}", data={"csrf": csrf, "action": "assign", "unit": "U005"})
    assert refused.status_code == 409 and "U003 机关党支部" in refused.text
    forced = loaded.post(f"/review/{sha}", data={"csrf": csrf, "action": "assign", "unit": "U005", "force": "on",
                                                 "reason": "电话核实"}, follow_redirects=False)
    assert forced.status_code == 303
    assert wait_job(loaded, forced.headers["location"].split("job=")[1])["state"] == "done"
    assert "已报送" in loaded.get("/units/U005").text


def test_crediting_a_review_item_moves_the_unit_out_of_review(loaded):
    sha, csrf = review_sha(loaded), csrf_of(loaded.get("/review").text)
    reply = loaded.post(f"/review/{sha}", data={"csrf": csrf, "action": "assign", "unit": "U003"},
                        follow_redirects=False)
    job = wait_job(loaded, reply.headers["location"].split("job=")[1])
    assert job["state"] == "done"
    assert "已记录" in loaded.get(reply.headers["location"]).text
    page = loaded.get("/").text
    assert count(page, "review") == 0 and count(page, "accepted") == 2
    assert "没有待确认的文件" in loaded.get("/review").text


def test_rejecting_needs_a_reason_and_is_recorded(loaded, camp):
    sha, csrf = review_sha(loaded), csrf_of(loaded.get("/review").text)
    assert loaded.post(f"/review/{sha}", data={"csrf": csrf, "action": "reject"}).status_code == 400
    reply = loaded.post(f"/review/{sha}", data={"csrf": csrf, "action": "reject", "reason": "单位名称被改动"},
                        follow_redirects=False)
    assert wait_job(loaded, reply.headers["location"].split("job=")[1])["state"] == "done"
    from toolkit.campaign.ledger import Ledger
    with Ledger(camp.db_path) as ledger:
        assert ledger.decisions(sha)[-1][:3] == ("reject", "", "单位名称被改动")


# --------------------------------------------------------------------------- results


def test_results_run_merge_score_and_report_then_download(loaded):
    csrf = csrf_of(loaded.get("/results").text)
    reply = loaded.post("/results/run", data={"csrf": csrf}, follow_redirects=False)
    assert wait_job(loaded, reply.headers["location"].split("job=")[1])["state"] == "done"
    page = loaded.get("/results").text
    for name in ("consolidated.xlsx", "values.csv", "issues.csv", "ledger.csv", "status.csv"):
        assert f'href="/download/out/{name}"' in page
    assert xlsx_from(loaded.get("/download/out/consolidated.xlsx").content).sheetnames
    values = loaded.get("/download/out/values.csv")
    assert values.status_code == 200 and "unit_code" in values.text
    report = loaded.get("/report")
    assert report.status_code == 200 and "<html" in report.text.lower()
    assert report.headers["content-security-policy"].startswith("sandbox")


# --------------------------------------------------------------------------- one writer, the campaign lock


def test_an_upload_during_a_run_waits_for_it_and_says_so(loaded, camp, tmp_path):
    desk = loaded.app.state.desk
    release, started = threading.Event(), threading.Event()
    blocker = desk.runner.submit("results", lambda job: (started.set(), release.wait(30)))
    started.wait(10)
    files = returns(camp, tmp_path / "again")
    reply = post_files(loaded, [files["ok"]], csrf_of(loaded.get("/upload").text))
    assert reply.json()["waiting"] is True
    queued = loaded.get(f"/api/jobs/{reply.json()['job']}").json()
    assert queued["state"] == "queued" and "不会混在一起" in queued["text"]
    assert "不会混在一起" in loaded.get("/").text  # every page says a job is running
    release.set()
    assert wait_job(loaded, reply.json()["job"])["state"] == "done" and blocker.state == "done"


def test_a_job_waits_while_another_toolkit_process_holds_the_campaign(loaded, camp):
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time\n"
                               f"f = open({str(camp.dir / '.toolkit.lock')!r}, 'a+b')\n"
                               "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        reply = loaded.post("/results/run", data={"csrf": csrf_of(loaded.get("/results").text)},
                            follow_redirects=False)
        job_id = reply.headers["location"].split("job=")[1]
        end = time.monotonic() + 10
        while loaded.get(f"/api/jobs/{job_id}").json()["state"] != "waiting" and time.monotonic() < end:
            time.sleep(0.05)
        waiting = loaded.get(f"/api/jobs/{job_id}").json()
        assert waiting["state"] == "waiting" and "另一个 toolkit 命令" in waiting["text"]
    finally:
        holder.kill()
        holder.wait()
    assert wait_job(loaded, job_id)["state"] == "done"


# --------------------------------------------------------------------------- sign-in off loopback


def test_off_loopback_the_desk_refuses_to_start_without_a_password(camp):
    with pytest.raises(PermissionError):
        create_app(camp.dir, host="0.0.0.0")


def test_off_loopback_every_page_asks_for_the_password_and_sessions_expire(camp):
    store_password(camp.dir, "correct horse")
    stored = (camp.dir / PASSWORD_FILE).read_text()
    assert "correct horse" not in stored and '"salt"' in stored
    app = create_app(camp.dir, host="0.0.0.0")
    with TestClient(app, base_url="http://192.168.1.5:8765") as c:
        assert c.get("/units", follow_redirects=False).headers["location"] == "/login"
        assert c.get("/download/out/values.csv", follow_redirects=False).status_code == 303
        csrf = csrf_of(c.get("/login").text)
        assert c.post("/login", data={"csrf": csrf, "password": "wrong"}).status_code == 401
        before = c.cookies.get("toolkit_desk")
        signed = c.post("/login", data={"csrf": csrf, "password": "correct horse"}, follow_redirects=False)
        assert signed.status_code == 303 and c.cookies.get("toolkit_desk") != before  # a new session
        assert c.get("/units").status_code == 200
        app.state.desk.sessions.idle = 0  # an idle session expires
        time.sleep(0.01)
        assert c.get("/units", follow_redirects=False).status_code == 303


def test_passwords_are_salted_scrypt_hashes(tmp_path):
    store_password(tmp_path, "secret-one")
    store_password(tmp_path / ".." / tmp_path.name, "secret-one")
    import json
    stored = json.loads((tmp_path / PASSWORD_FILE).read_text())
    assert stored["algorithm"] == "scrypt" and check_password("secret-one", stored)
    assert not check_password("secret-two", stored)
    assert Sessions().get("no-such-token") is None


# --------------------------------------------------------------------------- language and the command


def test_english_with_lang_en(camp):
    with TestClient(create_app(camp.dir, lang="en"), base_url=BASE) as c:
        page = c.get("/").text
        assert "Overview" in page and "Missing" in page and "总览" not in page


def test_serve_command_binds_loopback_and_sets_a_password_off_it(camp, monkeypatch):
    from typer.testing import CliRunner

    import toolkit.desk.server as serve_module
    from toolkit.cli.commands import app
    started = []
    monkeypatch.setattr(serve_module, "serve", lambda desk, host, port: started.append((host, port)))
    result = CliRunner().invoke(app, ["serve", str(camp.dir), "--port", "9100"])
    assert result.exit_code == 0, result.output
    assert started == [("127.0.0.1", 9100)] and "http://127.0.0.1:9100/" in result.stdout
    assert not (camp.dir / PASSWORD_FILE).exists()
    monkeypatch.delenv("TOOLKIT_DESK_PASSWORD", raising=False)
    short = CliRunner().invoke(app, ["serve", str(camp.dir), "--host", "0.0.0.0"], input="abc\nabc\n")
    assert short.exit_code == 2 and "密码" in short.stderr
    monkeypatch.setenv("TOOLKIT_DESK_PASSWORD", "a long password")
    assert CliRunner().invoke(app, ["serve", str(camp.dir), "--host", "0.0.0.0"]).exit_code == 0
    assert (camp.dir / PASSWORD_FILE).is_file() and started[-1] == ("0.0.0.0", 8765)


def test_the_pipeline_reports_progress_for_the_upload_bar(camp, tmp_path):
    import toolkit
    files = returns(camp, tmp_path / "in")
    seen: list[tuple[str, int]] = []
    toolkit.run_collect(camp, [files["ok"], files["faulty"]], progress=lambda n: seen.append(("collect", n)))
    toolkit.run_validate(camp, progress=lambda n: seen.append(("validate", n)))
    assert sum(n for s, n in seen if s == "collect") == 2 and sum(n for s, n in seen if s == "validate") == 2
