"""`toolkit demo` and `toolkit run` end to end on toolkit/samples/ (see samples/make_samples.py for who sent what).

One demo run (run twice, to check that the second changes nothing) is shared by the module;
an English demo and a fresh `init` + `run` campaign are shared the same way.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from clirun import cli_subprocess
from test_scoring_stage import cli, read_csv

from toolkit.cli.demo import DEMO_NAME

SAMPLES = Path(__file__).resolve().parent.parent / "toolkit" / "samples"
RETURNS = SAMPLES / "returns"
OUTPUTS = ("ledger.csv", "issues.csv", "status.csv", "chase-list.xlsx", "values.csv", "totals.csv",
           "consolidated.xlsx", "scores.csv", "score_trace.csv", "scoring-sheet.xlsx", "report.html")
STABLE = ("ledger.csv", "issues.csv", "status.csv", "values.csv", "totals.csv", "scores.csv",
          "score_trace.csv", "report.html", "consolidated.xlsx", "scoring-sheet.xlsx")
NEVER_RETURNED = {"A10", "B10", "C09", "C10"}
MISSING = NEVER_RETURNED  # nothing received
NOT_RETURNED = MISSING | {"C02", "C03", "C04"}  # C02's file came under C03's name; C04 sent a Word file
EXTERNAL = [re.compile(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", re.I), re.compile(r"@import", re.I),
            re.compile(r"url\(\s*['\"]?\s*(https?:)?//", re.I)]


@dataclass
class Run:
    dir: Path
    proc: object
    summary: dict
    first: dict[str, bytes]  # stable outputs after the first run

    def out(self, name: str) -> Path:
        return self.dir / "out" / name

    def ledger(self) -> list[dict]:
        return read_csv(self.out("ledger.csv"))[1]

    def by_source(self) -> dict[str, dict]:
        """Ledger rows by their source relative to samples/returns."""
        return {relative(r["source"]): r for r in self.ledger()}

    def status(self) -> dict[str, dict]:
        return {r["unit_code"]: r for r in read_csv(self.out("status.csv"))[1]}

    def issues(self, unit: str) -> list[dict]:
        return [r for r in read_csv(self.out("issues.csv"))[1] if r["unit_code"] == unit]


def relative(source: str) -> str:
    return source.replace("\\", "/").split("samples/returns/", 1)[1]


def run_demo(root: Path, *extra: str, as_json: bool = True, process: bool = False) -> Run:
    d = root / "演示"
    proc = (cli_subprocess if process else cli)("demo", d, *(("--json",) if as_json else ()), *extra)
    assert proc.returncode == 0, proc.stderr
    return Run(d, proc, json.loads(proc.stdout) if as_json else {},
               {n: (d / "out" / n).read_bytes() for n in STABLE})


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    first = run_demo(tmp_path_factory.mktemp("demo"), process=True)  # the demo's one run as a real process
    again = cli("demo", first.dir, "--json")
    assert again.returncode == 0, again.stderr
    first.again = json.loads(again.stdout)
    return first


@pytest.fixture(scope="module")
def demo_en(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("demo_en"), "--lang", "en", as_json=False)  # messages on screen


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    d = tmp_path_factory.mktemp("fresh") / "2026-考核"
    init = cli("init", d, "--template", "annual-assessment", "--roster", SAMPLES / "roster.csv", "--year", "2026",
               "--deadline", "2026-12-20", "--name", DEMO_NAME, "--json")  # the samples are the demo campaign's
    assert init.returncode == 0, init.stderr
    assert json.loads(init.stdout)["units"] == 40
    proc = cli("run", d, RETURNS, "--json")
    assert proc.returncode == 0, proc.stderr
    return Run(d, proc, json.loads(proc.stdout), {})


# --------------------------------------------------------------------------- the run itself


def test_demo_writes_every_output(demo):
    for name in OUTPUTS:
        assert demo.out(name).is_file(), name
    assert (demo.dir / "outbox" / "manifest.csv").is_file()
    assert len(list((demo.dir / "outbox").glob("*.xlsx"))) == 40


def test_demo_json_summary(demo):
    s = demo.summary
    assert s["generated"] == 40
    assert s["collected"] == {"accepted": 33, "superseded": 1, "duplicate": 1, "rejected": 1, "review": 1}
    assert s["status"] == "ok" and s["state"] == {"accepted": 32, "faulty": 1, "missing": 4, "review": 2, "unusable": 1}
    assert s["faulty"] == 1 and s["scored"] == 33
    assert s["merge"]["units"] == 40 and s["merge"]["returned"] == 33
    assert Path(s["report"]) == demo.out("report.html")


# --------------------------------------------------------------------------- the sample facts


def test_the_word_file_is_rejected(demo):
    row = demo.by_source()["C04_市国资运营公司党委_年度基层党组织建设考核自评表.xlsx"]
    assert (row["status"], row["reason_code"], row["unit_code"]) == ("rejected", "intake.not_a_workbook", "")
    assert demo.status()["C04"]["state"] == "unusable"  # not plain 未报送: the office knows what came


def test_a_neighbours_file_goes_to_review_and_is_credited_to_nobody(demo):
    row = demo.by_source()["C03_市水务集团党委_年度基层党组织建设考核自评表.xlsx"]
    assert (row["status"], row["reason_code"], row["unit_code"]) == ("review", "identify.filename_mismatch", "")
    assert "C02" in row["message"] and "C03" in row["message"]
    status = demo.status()
    assert status["C02"]["state"] == "review" and status["C03"]["state"] == "review"
    assert not [r for r in read_csv(demo.out("values.csv"))[1] if r["unit_code"] in ("C02", "C03")]
    scores = {r["unit_code"]: r for r in read_csv(demo.out("scores.csv"))[1]}
    assert "C02" not in scores and "C03" not in scores  # scores.csv holds scored units only (contract)
    assert set(r["state"] for r in scores.values()) <= {"accepted", "faulty"}


def test_a_resubmission_supersedes_the_first_return(demo):
    a05 = {k: v for k, v in demo.by_source().items() if k.startswith("A05_")}
    assert {k.split("!/", 1)[1]: v["status"] for k, v in a05.items()} == {
        "第一次报送/A05_北塘街道党委_年度基层党组织建设考核自评表.xlsx": "superseded",
        "更正后/A05_北塘街道党委_年度基层党组织建设考核自评表.xlsx": "accepted"}
    assert demo.status()["A05"]["source"].endswith("!/更正后/A05_北塘街道党委_年度基层党组织建设考核自评表.xlsx")
    assert demo.status()["A05"]["state"] == "accepted"  # the corrected score is within the maximum


def test_the_same_bytes_again_are_a_duplicate(demo):
    rows = demo.by_source()
    original = rows["B05_市财政局机关党委_年度基层党组织建设考核自评表.xlsx"]
    copy = rows["微信文件_B05_市财政局机关党委_年度基层党组织建设考核自评表.xlsx"]
    assert original["status"] == "accepted"
    assert (copy["status"], copy["reason_code"], copy["sha256"]) == ("duplicate", "ledger.duplicate", original["sha256"])


def test_a_missing_required_value_makes_the_unit_faulty_with_feedback(demo):
    assert demo.status()["A03"]["state"] == "faulty"
    errors = [(r["code"], r["field"], r["sheet"]) for r in demo.issues("A03") if r["severity"] == "error"]
    assert errors == [("value.required", "secretary", "基本信息")]
    assert (demo.dir / "feedback" / "A03_西山乡党委_退回修改.xlsx").is_file()
    index = read_csv(demo.dir / "feedback" / "index.csv")[1]
    assert [r["unit_code"] for r in index] == ["A03"]
    ws = openpyxl.load_workbook(demo.out("consolidated.xlsx"))["基本信息"]
    assert next(r for r in ws.iter_rows(values_only=True) if r[0] == "A03")[3] == "需退回修改"


def test_an_inserted_row_is_a_warning(demo):
    assert [(r["code"], r["severity"]) for r in demo.issues("A04")] == [("structure.row_inserted", "warning")]
    assert demo.status()["A04"]["state"] == "accepted"


@pytest.mark.parametrize("unit, name", [("A07", "A07_白沙乡党委_年度基层党组织建设考核自评表.xlsx"),
                                        ("A08", "A08_金桥街道党委_年度基层党组织建设考核自评表.xls"),
                                        ("A09", "A09_柳河镇党委_年度基层党组织建设考核自评表.ods")])
def test_returns_resaved_by_libreoffice_are_accepted(demo, unit, name):
    row = demo.by_source()[name]
    assert (row["status"], row["unit_code"]) == ("accepted", unit)
    values = {r["field"]: r["value"] for r in read_csv(demo.out("values.csv"))[1] if r["unit_code"] == unit}
    assert values["unit_code"] == unit and int(values["members"]) > 0 and values["v_1.occurred"] == "false"


def test_a_gbk_zip_from_windows_is_read_with_chinese_names(demo):
    rows = demo.by_source()
    for code, name in (("B01", "市委办公室机关党委"), ("B02", "市政府办公室机关党委"), ("B03", "市发展改革委机关党委")):
        source = f"2026年度自评表（市直部门第一批）.zip!/市直部门报送/{code}_{name}_年度基层党组织建设考核自评表.xlsx"
        assert (rows[source]["status"], rows[source]["unit_code"]) == ("accepted", code)


def test_a_renamed_file_is_still_identified(demo):
    row = demo.by_source()["关于报送2026年度自评表的函(修改版)(1).xlsx"]
    assert (row["status"], row["unit_code"]) == ("accepted", "A06")


def test_the_veto_item_answered_yes(demo):
    scores = {r["unit_code"]: r for r in read_csv(demo.out("scores.csv"))[1]}
    assert (scores["C05"]["vetoed"], scores["C05"]["grade"]) == ("true", "较差")
    assert [c for c, r in scores.items() if r["vetoed"] == "true"] == ["C05"]
    assert not {c for c, r in scores.items() if r["total"] == ""}
    assert not NOT_RETURNED & set(scores)  # units without a usable return are in status.csv, not scored


def test_numbers_and_dates_as_people_type_them(demo):
    rows = read_csv(demo.out("values.csv"))[1]
    got = {(r["unit_code"], r["field"]): (r["value"], r["raw"]) for r in rows}
    assert got[("A02", "members")] == ("32", "32人")
    assert got[("A02", "prob_members")] == ("2", "２")
    assert got[("A02", "dues_collected")] == ("4860.5", "4,860.5元")
    assert got[("B04", "theme_days")] == ("12", "１２")
    assert got[("B04", "last_election")] == ("2024-03-05", "2024年3月5日")
    assert got[("B04", "party_lectures")] == ("4", "四")
    assert [r["code"] for r in demo.issues("B04")] == ["value.chinese_numeral"]


def test_missing_units_are_the_ones_that_never_returned_a_usable_file(demo):
    assert {c for c, r in demo.status().items() if r["state"] == "missing"} == MISSING
    assert {c for c, r in demo.status().items() if r["state"] in ("review", "unusable")} == NOT_RETURNED - MISSING


def _offered() -> list[str]:
    """Every file and archive member in samples/returns, named as the ledger names them."""
    out = []
    for path in sorted(RETURNS.iterdir()):
        if path.suffix != ".zip":
            out.append(path.name)
            continue
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                name = info.filename if info.flag_bits & 0x800 else info.filename.encode("cp437").decode("gbk")
                out.append(f"{path.name}!/{name}")
    return out


def test_every_offered_file_appears_exactly_once(demo):
    rows = demo.ledger()
    assert sorted(relative(r["source"]) for r in rows) == sorted(_offered())
    pairs = [(r["source"], r["sha256"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    for r in rows:
        if "!/" not in r["source"]:
            assert hashlib.sha256(Path(r["source"]).read_bytes()).hexdigest() == r["sha256"]
        stored = list((demo.dir / "received" / r["sha256"][:2]).glob(r["sha256"] + "*"))
        assert len(stored) == 1 and hashlib.sha256(stored[0].read_bytes()).hexdigest() == r["sha256"]


def test_the_report_names_the_missing_units_and_loads_nothing_from_outside(demo):
    html = demo.out("report.html").read_text(encoding="utf-8")
    status = demo.status()
    for code in NOT_RETURNED:
        assert status[code]["unit_name"] in html, code
    for pattern in EXTERNAL:
        assert not pattern.search(html), pattern.pattern
    assert "<h2>报送情况" in html


def test_consolidated_and_scoring_sheet_of_the_demo(demo):
    wb = openpyxl.load_workbook(demo.out("consolidated.xlsx"))
    summary = {r[0]: r for r in wb.worksheets[0].iter_rows(min_row=4, values_only=True) if r[0]}
    assert summary["全部"][1:6] == (40, 33, 32, 1, 7)
    assert summary["国有企业"][1:6] == (10, 5, 5, 0, 5)
    sheet = openpyxl.load_workbook(demo.out("scoring-sheet.xlsx"))
    assert sheet.sheetnames[0] == "总表" and set(sheet.sheetnames[1:4]) == {"乡镇街道", "市直部门", "国有企业"}
    assert len([n for n in sheet.sheetnames if n.endswith("评分卡")]) == 33


# --------------------------------------------------------------------------- re-runs and other commands


def test_running_the_demo_twice_changes_nothing(demo):
    for name in STABLE:
        assert demo.out(name).read_bytes() == demo.first[name], name
    assert len(demo.ledger()) == len(_offered())
    assert demo.again["collected"] == demo.summary["collected"]
    assert demo.again["state"] == demo.summary["state"]


def test_other_commands_print_json(demo):
    status = cli("status", demo.dir, "--json")
    assert status.returncode == 0, status.stderr
    got = json.loads(status.stdout)
    assert sorted(got["missing"]) == sorted(MISSING) and got["faulty"] == ["A03"]
    assert got["review"] == ["C02", "C03"] and got["unusable"] == ["C04"]
    score = cli("score", demo.dir, "--json")
    assert score.returncode == 0, score.stderr
    assert json.loads(score.stdout)["vetoed"] == ["C05"]
    templates = cli("templates", "--json")
    assert "annual-assessment" in {t["id"] for t in json.loads(templates.stdout)["templates"]}
    for name in ("status.csv", "scores.csv", "score_trace.csv"):
        assert demo.out(name).read_bytes() == demo.first[name], name


def test_english_demo(demo_en):
    ledger = demo_en.by_source()
    assert ledger["C04_市国资运营公司党委_年度基层党组织建设考核自评表.xlsx"]["message"].startswith(
        "Not a readable spreadsheet")
    issue = next(r for r in demo_en.issues("A03") if r["code"] == "value.required")
    assert "Required" in issue["message"] and "必填" not in issue["message"]
    html = demo_en.out("report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Return status" in html and "报送情况" not in html
    assert openpyxl.load_workbook(demo_en.out("scoring-sheet.xlsx")).sheetnames[0] == "All units"
    assert openpyxl.load_workbook(demo_en.out("consolidated.xlsx")).sheetnames[0] == "Summary"
    states = [r["state"] for r in read_csv(demo_en.out("status.csv"))[1]]
    assert (states.count("accepted"), states.count("faulty"), states.count("missing")) == (32, 1, 4)
    assert (states.count("review"), states.count("unusable")) == (2, 1)


def test_english_demo_messages_on_screen(demo_en):
    screen = demo_en.proc.stdout
    assert "Demo done" in screen and "Merged returns of 33/40 units" in screen
    assert "演示完成" not in screen and "已汇总" not in screen


def test_run_on_a_fresh_campaign_does_every_stage(fresh, demo):
    for name in OUTPUTS:
        assert fresh.out(name).is_file(), name
    s = fresh.summary
    assert s["collected"] == demo.summary["collected"] and s["state"] == demo.summary["state"]
    assert s["scored"] == 33 and Path(s["report"]) == fresh.out("report.html")
    strip = ("status", "reason_code", "unit_code", "sha256")
    assert {k: tuple(v[c] for c in strip) for k, v in fresh.by_source().items()} == \
        {k: tuple(v[c] for c in strip) for k, v in demo.by_source().items()}
    for name in ("values.csv", "scores.csv", "score_trace.csv", "totals.csv"):
        assert fresh.out(name).read_bytes() == demo.first[name], name


def test_run_without_sources_reworks_what_is_collected_and_changes_nothing(fresh):
    before = {name: fresh.out(name).read_bytes() for name in STABLE}
    proc = cli("run", fresh.dir, "--json")
    assert proc.returncode == 0, proc.stderr
    again = json.loads(proc.stdout)
    assert again["collected"] == fresh.summary["collected"] and again["state"] == fresh.summary["state"]
    for name in STABLE:
        assert fresh.out(name).read_bytes() == before[name], name


def test_run_on_a_folder_that_is_not_a_campaign(tmp_path):
    proc = cli("run", tmp_path / "nothing", RETURNS)
    assert proc.returncode == 2
    assert "campaign.yaml" in proc.stderr and "Traceback" not in proc.stderr


def test_demo_refuses_a_folder_holding_another_campaign(tmp_path):
    """The demo reuses its own folder, but never pours the samples into a real campaign."""
    real = tmp_path / "2026-考核"
    assert cli("init", real, "--template", "annual-assessment", "--roster", SAMPLES / "roster.csv",
               "--year", "2026").returncode == 0
    proc = cli("demo", real)
    assert proc.returncode == 2
    assert "campaign.yaml" in proc.stderr and "Traceback" not in proc.stderr
    assert not (real / "toolkit.db").exists() and not (real / "out" / "ledger.csv").exists()
