"""toolkit.pipeline: the stages as plain functions returning summaries, and the front ends that only show them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import cli
from conftest import write_roster
from test_validate import submit

import toolkit
from toolkit import pipeline
from toolkit.campaign.status import UnitStatus
from toolkit.model import UnitState


@pytest.fixture
def offered(campaign, tmp_path):
    """U001 returned clean, U002 with an error, and a file that is no workbook at all."""
    submit(campaign, tmp_path, "U001")
    submit(campaign, tmp_path, "U002", changes={("基本信息", "C6"): "很多"})
    (tmp_path / "returns" / "notes.xlsx").write_bytes(b"not a workbook")
    return tmp_path / "returns"


def test_run_all_answers_each_stage_in_order_with_progress_and_prints_nothing(campaign, offered, capsys):
    seen, ticks = [], []
    run = pipeline.run_all(campaign, [offered], lang="en", progress=lambda stage, n: ticks.append((stage, n)),
                           on_stage=seen.append)
    assert capsys.readouterr() == ("", "")
    assert [s.stage for s in seen] == ["collect", "validate", "status", "merge", "report"]  # no scheme: no score
    assert seen == [run.collect, run.validate, run.status, run.merge, run.report] and run.score is None
    assert sum(n for stage, n in ticks if stage == "collect") == 3
    assert sum(n for stage, n in ticks if stage == "validate") == 2
    assert [t for t in ticks if t[0] not in ("collect", "validate")] == [("status", 1), ("merge", 1), ("report", 1)]

    assert (run.collect.offered, run.collect.new, run.collect.sources) == (3, 3, 1)
    assert run.collect.counts == {"accepted": 2, "rejected": 1} and run.collect.ledger_csv.is_file()
    [bad] = run.collect.attention
    assert (bad.status, Path(bad.source).name) == ("rejected", "notes.xlsx") and bad.why
    assert (run.validate.returns, run.validate.faulty, run.validate.errors, run.validate.feedback) == (2, 1, 1, 1)
    assert run.validate.codes == {"value.not_a_number": 1} and run.validate.issues_csv.is_file()
    assert {s.unit_code: str(s.state) for s in run.status} == {"U001": "accepted", "U002": "faulty",
                                                               "U003": "missing"}
    assert all(isinstance(s, UnitStatus) for s in run.status) and all(p.is_file() for p in run.status.files)
    assert (run.merge.units, run.merge.returned) == (3, 2) and all(p.is_file() for p in run.merge.files)
    assert run.report.path == campaign.out / "report.html" and run.report.path.is_file()
    assert run.as_json() == {"collected": {"accepted": 2, "rejected": 1}, "faulty": 1,
                             "state": {"accepted": 1, "faulty": 1, "missing": 1}, "merge": run.merge.as_json(),
                             "report": str(campaign.out / "report.html")}


def test_run_all_holds_the_campaign_lock_from_collect_to_report(campaign, offered):
    """Another process cannot slip a collect or a resolve in between the stages of one run."""
    probe = ("import sys; from toolkit.campaign.lock import CampaignBusy, campaign_lock\n"
             "try:\n    with campaign_lock(sys.argv[1]): print('free')\nexcept CampaignBusy: print('busy')")
    answers = {}

    def try_lock(summary):
        if summary.stage in ("status", "merge", "report"):
            answers[summary.stage] = subprocess.run([sys.executable, "-c", probe, str(campaign.dir)],
                                                    capture_output=True, text=True, check=True).stdout.strip()
    pipeline.run_all(campaign, [offered], on_stage=try_lock)
    assert answers == {"status": "busy", "merge": "busy", "report": "busy"}


def test_status_says_what_makes_the_states_doubtful(campaign, offered, roster_csv):
    pipeline.collect(campaign, [offered])
    assert pipeline.status(campaign).unchecked == 2  # collected, never validated
    pipeline.validate(campaign)
    write_roster(campaign.dir / campaign.roster_file, [("U002", "二单位", "县委", "李四", "0571-2"),
                                              ("U003", "三单位", "市直", "王五", "0571-3")])
    summary = pipeline.status(toolkit.open_campaign(campaign.dir))  # the roster as it now stands
    assert (summary.unchecked, summary.outside) == (0, ("U001",))
    assert [s.unit_code for s in summary] == ["U002", "U003"] and summary.codes(UnitState.MISSING) == ["U003"]


def test_resolve_records_the_decision_and_writes_the_ledger_again(campaign, offered):
    [bad] = pipeline.collect(campaign, [offered]).attention
    done = pipeline.resolve(campaign, bad.sha256[:10], unit=None, reason="不是报送表")
    assert (done.sha256, done.action, done.unit_code, done.earlier) == (bad.sha256, "reject", "", None)
    assert "不是报送表" in done.ledger_csv.read_text(encoding="utf-8-sig")
    again = toolkit.run_resolve(campaign, bad.sha256, reason="仍不是")  # the API's name for it
    assert again.earlier is not None and again.earlier[:3] == ("reject", "", "不是报送表")


# --------------------------------------------------------------------------- the CLI only shows what comes back


def _fakes(campaign) -> dict:
    out = campaign.out
    units = (UnitStatus("U001", "一单位", "县委", "张三", "0571-1", UnitState.ACCEPTED, 0, 0, "a.xlsx"),
             UnitStatus("U002", "二单位", "县委", "李四", "0571-2", UnitState.FAULTY, 2, 1, "b.xlsx", late=True))
    return {
        "generate": pipeline.GenerateSummary(7, campaign.outbox, campaign.outbox / "manifest.csv"),
        "collect": pipeline.CollectSummary(5, 4, {"accepted": 4, "review": 1}, 1, out / "ledger.csv",
                                           (pipeline.Attention("ab" * 32, "review", "in/x.xlsx", "归属不明"),)),
        "validate": pipeline.ValidateSummary(4, 1, 2, 3, {"value.required": 2}, 1, out / "issues.csv",
                                             campaign.feedback),
        "status": pipeline.StatusSummary(units, (out / "status.csv", out / "chase-list.xlsx"), unchecked=1),
        "merge": pipeline.MergeSummary(9, 4, 120),
        "score": pipeline.ScoreSummary(4, {"优秀": 1}, ["U002"], ["a warning"]),
        "report": pipeline.ReportSummary(out / "report.html"),
    }


@pytest.mark.parametrize("stage", ["generate", "collect", "validate", "status", "merge", "score", "report"])
def test_each_stage_command_runs_its_pipeline_function_and_answers_its_summary(campaign, monkeypatch, stage):
    fake, calls = _fakes(campaign)[stage], []

    def spy(c, *args, **kwargs):
        calls.append((c.dir, kwargs["lang"]))
        return fake
    monkeypatch.setattr(pipeline, stage, spy)
    args = [stage, campaign.dir] + (["some-file.xlsx"] if stage == "collect" else [])
    answer = cli(*args, "--json", "--lang", "en")
    assert answer.returncode == 0, answer.stderr
    assert calls == [(campaign.dir, "en")]
    expected = {"workbooks": 7, "outbox": str(campaign.dir / "outbox")} if stage == "generate" else fake.as_json()
    assert json.loads(answer.stdout) == {"status": "ok", "exit_code": 0, **expected}


def test_the_stage_commands_print_what_the_summaries_say(campaign, monkeypatch):
    fakes = _fakes(campaign)
    for stage in fakes:
        monkeypatch.setattr(pipeline, stage, lambda *a, _fake=fakes[stage], **k: _fake)
    answers = {stage: cli(stage, campaign.dir, *(["x.xlsx"] if stage == "collect" else []), "--lang", "en")
               for stage in fakes}
    # lines as said, whatever width the console wrapped them at
    text = {stage: a._replace(stdout=a.stdout.replace("\n", ""), stderr=a.stderr.replace("\n", ""))
            for stage, a in answers.items()}
    assert f"Generated 7 prefilled workbooks in {campaign.outbox}" in text["generate"].stdout
    assert "Offered 5 files (4 new). Ledger: accepted 4, review 1" in text["collect"].stdout
    assert "abababababab" in text["collect"].stdout and "归属不明" in text["collect"].stdout
    assert "Checked 4 returns: 2 errors, 3 warnings; 1 units get a feedback workbook" in text["validate"].stdout
    assert "2 units: 1 accepted, 1 faulty" in text["status"].stdout and "(1 late)" in text["status"].stdout
    assert "1 returns are not validated yet" in text["status"].stderr
    assert "Merged returns of 4/9 units" in text["merge"].stdout
    assert "Scored 4 units" in text["score"].stdout and "a warning" in text["score"].stderr
    assert f"Report: {campaign.out / 'report.html'}" in text["report"].stdout


def test_run_goes_through_run_all_and_shows_each_stage_as_it_finishes(campaign, monkeypatch):
    fakes, calls = _fakes(campaign), []

    def run_all(c, sources, *, lang, progress, on_stage):
        calls.append(([Path(s).name for s in sources], lang))
        for stage in ("collect", "validate", "status", "merge", "score", "report"):
            on_stage(fakes[stage])
        return pipeline.RunSummary(*(fakes[s] for s in ("collect", "validate", "status", "merge", "score", "report")))
    monkeypatch.setattr(pipeline, "run_all", run_all)
    text = cli("run", campaign.dir, "in.zip")
    assert text.returncode == 0 and calls == [(["in.zip"], "zh")]
    said = text.stdout.replace("\n", "")
    lines = [said.index(words) for words in ("收到 5 个文件", "已检查 4 份报送", "已汇总 4/9", "已评分 4 个单位",
                                                    "考核报告：")]
    assert lines == sorted(lines) and "共 2 个单位" not in said  # run shows no status table
    answer = json.loads(cli("run", campaign.dir, "--json").stdout)
    assert answer == {"status": "ok", "exit_code": 0, "collected": {"accepted": 4, "review": 1}, "faulty": 1,
                      "state": {"accepted": 1, "faulty": 1}, "merge": {"units": 9, "returned": 4, "values": 120},
                      "scored": 4, "report": str(campaign.out / "report.html")}


def test_the_desk_and_the_api_take_the_same_road(campaign, offered, monkeypatch):
    """The desk's results and the API's run_pipeline are the pipeline's, not copies of it."""
    from toolkit.desk import work
    used = []
    for name, who in (("collect_validate_status", "desk upload"), ("merge_score_report", "desk results"),
                      ("run_all", "api")):
        real = getattr(pipeline.stages, name)
        monkeypatch.setattr(pipeline, name, lambda *a, _real=real, _who=who, **k: used.append(_who) or _real(*a, **k))
    ticks = []
    taken = work.take_in(campaign, [str(offered)], "zh", lambda stage, n: ticks.append(stage))
    assert taken["counts"] == {"accepted": 2, "rejected": 1} and {"collect", "validate"} <= set(ticks)
    assert work.results(campaign, "zh", lambda stage, n: None)["merge"]["returned"] == 2
    assert set(toolkit.run_pipeline(campaign)) == {"collect", "validate", "status", "merge", "report"}
    assert used == ["desk upload", "desk results", "api"]
