"""The Python API: `import toolkit`, the stages without printing, the results as typed DataFrames."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import DEFAULT_UNITS, MINI_SPEC, generated_campaign, write_roster
from test_validate import submit

import toolkit

DOCS = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_the_examples_in_docs_api_md_run(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 3
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the example's mkdtemp lands in tmp_path
    namespace: dict = {}
    exec(compile("\n".join(blocks), str(DOCS), "exec"), namespace)
    status = namespace["status"]
    assert len(status) == len(toolkit.open_campaign(namespace["folder"]).roster().units)
    assert (status["state"] == "accepted").sum() > 0
    assert namespace["scores"]["rank"].min() == 1
    assert "value.required" in set(namespace["issues"]["code"])
    folder = namespace["folder"]
    assert folder.is_relative_to(tmp_path) and (folder / "out" / "report.html").is_file()


def test_import_toolkit_loads_neither_pandas_nor_a_stage():
    code = ("import sys, toolkit; print(sorted(m for m in sys.modules "
            "if m == 'pandas' or m.startswith('toolkit.') or m in ('openpyxl', 'yaml')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_every_public_name_resolves_and_the_stage_packages_do_not_hide_the_stages():
    import toolkit.generate.outbox  # noqa: F401  (sets toolkit.generate to the package)
    import toolkit.report.stage  # noqa: F401
    import toolkit.validate.stage  # noqa: F401
    for name in toolkit.__all__:
        assert getattr(toolkit, name) is not None, name
    for name in ("run_generate", "run_collect", "run_validate", "run_status", "run_merge", "run_score",
                 "run_report", "run_pipeline", "read_values", "read_status"):
        assert callable(getattr(toolkit, name)) and name in toolkit.__all__
    assert set(dir(toolkit)) >= set(toolkit.__all__)
    with pytest.raises(AttributeError):
        toolkit.no_such_name  # noqa: B018


@pytest.fixture(scope="module")
def piped_once(tmp_path_factory):
    """The mini campaign after run_pipeline: U001 returned clean, U002 with an error, U003 nothing."""
    root = tmp_path_factory.mktemp("piped")
    campaign = generated_campaign(root / "camp", write_roster(root / "roster.csv", DEFAULT_UNITS))
    files = {"U001": submit(campaign, root, "U001"),
             "U002": submit(campaign, root, "U002", changes={("基本信息", "C6"): "很多"})}
    results = toolkit.run_pipeline(campaign, [root / "returns"])
    return campaign, results, files


@pytest.fixture
def piped(piped_once, tmp_path):
    """piped_once's campaign folder copied for the test (which may change it), its results and returns."""
    campaign, results, files = piped_once
    return toolkit.open_campaign(shutil.copytree(campaign.dir, tmp_path / "camp")), results, files


def test_run_pipeline_writes_what_toolkit_run_writes_and_returns_each_stage(piped):
    campaign, results, _ = piped
    assert set(results) == {"collect", "validate", "status", "merge", "report"}  # the mini spec has no scheme
    assert results["collect"].counts == {"accepted": 2}
    for name in ("ledger.csv", "issues.csv", "status.csv", "values.csv", "consolidated.xlsx", "report.html"):
        assert (campaign.out / name).is_file(), name
    assert {s.unit_code: str(s.state) for s in results["status"]} == {"U001": "accepted", "U002": "faulty",
                                                                     "U003": "missing"}


def test_status_frame_is_typed(piped):
    status = toolkit.read_status(toolkit.open_campaign(piped[0].dir))
    assert list(status.columns) == ["unit_code", "unit_name", "group", "contact", "state", "errors", "warnings",
                                    "source", "phone", "late"]
    assert list(status["state"].cat.categories) == ["missing", "unusable", "review", "faulty", "accepted"]
    assert str(status["errors"].dtype) == "Int64" and str(status["late"].dtype) == "boolean"
    by_unit = status.set_index("unit_code")
    assert by_unit.loc["U002", "errors"] == 1 and by_unit.loc["U001", "errors"] == 0
    assert by_unit.loc["U002", "state"] == "faulty" and not by_unit.loc["U001", "late"]
    assert pd.isna(by_unit.loc["U003", "source"])  # an empty cell is <NA>


def test_ledger_frame_is_typed(piped):
    campaign, _, files = piped
    ledger = toolkit.read_ledger(campaign)
    assert str(ledger["status"].dtype) == "category" and str(ledger["size"].dtype) == "Int64"
    assert str(ledger["received_at"].dtype).startswith("datetime64") and str(ledger["received_at"].dt.tz) == "UTC"
    sizes = dict(zip(ledger["unit_code"], ledger["size"]))
    assert sizes == {unit: path.stat().st_size for unit, path in files.items()}
    assert set(ledger["status"]) == {"accepted"}


def test_issues_frame_is_typed(piped):
    issues = toolkit.read_issues(piped[0])
    assert list(issues["severity"].cat.categories) == ["error", "warning"]
    row = issues[issues["unit_code"] == "U002"].iloc[0]
    assert (row["code"], row["severity"], row["cell"], row["value"]) == ("value.not_a_number", "error", "C6", "很多")


def test_values_frame_carries_group_state_version_and_type(piped):
    campaign = piped[0]
    values = toolkit.read_values(campaign)
    members = values[values["field"] == "members"].set_index("unit_code")
    assert members.loc["U001", "number"] == 30 and members.loc["U001", "field_type"] == "int"
    assert members.loc["U001", "group"] == "县委" and members.loc["U001", "state"] == "accepted"
    assert members.loc["U002", "state"] == "faulty" and pd.isna(members.loc["U002", "number"])
    assert members.loc["U001", "template_version"] == campaign.template().version
    assert str(values["row"].dtype) == "Int64" and str(values["current"].dtype) == "boolean"
    assert str(values["date"].dtype).startswith("datetime64") and str(values["flag"].dtype) == "boolean"
    assert set(values["unit_code"]) == {"U001", "U002"}


def test_a_word_outside_the_categories_is_kept(piped):
    campaign = piped[0]
    path = campaign.out / "status.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["state"] = "archived"  # a newer toolkit's state, say
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    status = toolkit.read_status(campaign)
    assert status["state"].iloc[0] == "archived"
    assert list(status["state"].cat.categories) == ["missing", "unusable", "review", "faulty", "accepted",
                                                    "archived"]


def test_a_table_not_yet_written_is_a_config_error_saying_which_stage(campaign):
    with pytest.raises(toolkit.ConfigError, match=r"issues\.csv does not exist: run the validate stage"):
        toolkit.read_issues(campaign)
    with pytest.raises(toolkit.ConfigError, match="no scoring scheme") as caught:
        toolkit.read_scores(campaign)
    assert "评分方案" in caught.value.zh


def test_the_stages_one_by_one_print_nothing(campaign, tmp_path, capsys):
    collected = toolkit.run_collect(campaign, [submit(campaign, tmp_path, "U001")], lang="en")
    validated = toolkit.run_validate(campaign, lang="en")
    statuses = toolkit.run_status(campaign, lang="en")
    summary = toolkit.run_merge(campaign, lang="en")
    report = toolkit.run_report(campaign, lang="en")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert (collected.offered, collected.new, collected.counts) == (1, 1, {"accepted": 1})
    assert (validated.returns, validated.faulty, validated.issues_csv) == (1, 0, campaign.out / "issues.csv")
    assert summary.returned == 1 and summary.units == 3 and report.path.name == "report.html"
    assert statuses.counts == {"accepted": 1, "missing": 2} and len(statuses) == 3
    assert [str(s.state) for s in statuses] == ["accepted", "missing", "missing"]
    assert toolkit.read_ledger(campaign)["unit_code"].tolist() == ["U001"]


def test_create_campaign_takes_the_contact_lines(tmp_path, roster_csv):
    c = toolkit.create_campaign(tmp_path / "c", str(MINI_SPEC), roster_csv, year=2026, contact="王老师",
                                phone="0571-1")
    assert (c.config["contact"], c.config["phone"]) == ("王老师", "0571-1") and "return_to" not in c.config
    with pytest.raises(toolkit.CampaignError, match="already exists"):
        toolkit.create_campaign(tmp_path / "c", str(MINI_SPEC), roster_csv)
