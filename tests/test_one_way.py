"""Validate's output is produced once and stored in the ledger: the normalised values and the failed
closings (rectification items marked closed whose row has an error). Merge, score, report and rounds
read them and never call validate's code; the pipeline completes the store when validate has not
covered a return, so the commands still work in any order."""

from __future__ import annotations

import sqlite3

import pytest
from test_next_carry import ledger_round, next_round
from test_rounds import ledger_rows, outbox, rect
from test_values_store import validated  # noqa: F401  (a fixture)

import toolkit.validate.checklist as checklist_module
import toolkit.validate.stage as stage_module
import toolkit.validate.stored as stored_module
from toolkit.campaign.ledger import Ledger
from toolkit.errors import CampaignError
from toolkit.merge.stage import merge_campaign
from toolkit.pipeline import stages


def _sha(campaign, unit: str) -> str:
    with Ledger(campaign.db_path) as ledger:
        return next(f.sha256 for f in ledger.accepted() if f.unit_code == unit)


def _refuse_checking(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a later stage ran validate's code")
    for module, name in ((stage_module, "build_return"), (stored_module, "build_return"),
                         (checklist_module, "run_checks"), (stored_module, "failed_closings")):
        monkeypatch.setattr(module, name, refuse)


def _forget_closings(campaign) -> None:
    """The ledger as a version before the failed closings were stored left it."""
    db = sqlite3.connect(campaign.db_path)
    with db:
        db.execute("UPDATE validations SET closings=NULL")
    db.close()


def test_validate_stores_the_failed_closings(tmp_path):
    r1 = ledger_round(tmp_path)
    with Ledger(r1.db_path) as ledger:
        stored = ledger.failed_closings()
    assert stored[_sha(r1, "U001")] == {2}  # row 2: 已完成 without evidence


def test_merge_and_the_next_round_read_the_stored_closings_without_checking_again(tmp_path, monkeypatch):
    r1 = ledger_round(tmp_path)
    expected = (r1.out / "rectification.csv").read_bytes()
    _refuse_checking(monkeypatch)
    merge_campaign(r1)
    assert (r1.out / "rectification.csv").read_bytes() == expected
    r2 = next_round(r1, tmp_path / "r2")  # carry over from r1's stored output
    problems = [r["problem"] for r in ledger_rows(outbox(r2, "U001")) if str(r["key"]).startswith("#item:")]
    assert "Y 称已完成但无佐证" in problems and "X 已整改到位" not in problems
    with Ledger(r1.db_path) as ledger:  # what merge reads is what validate stored, not a check run again
        ledger.set_closings({_sha(r1, "U001"): []})
    merge_campaign(r1)
    assert rect(r1)[("U001", "Y 称已完成但无佐证")]["status"] == "closed"


def test_a_ledger_without_stored_closings_is_completed_by_the_pipeline(tmp_path):
    r1 = ledger_round(tmp_path)
    expected = (r1.out / "rectification.csv").read_bytes()
    _forget_closings(r1)
    with pytest.raises(CampaignError) as caught:  # merge alone says what to do, never guesses
        merge_campaign(r1)
    assert "toolkit validate" in caught.value.text("en") and "U001" in caught.value.text("en")
    stages.merge(r1)
    assert (r1.out / "rectification.csv").read_bytes() == expected
    with Ledger(r1.db_path) as ledger:
        assert ledger.failed_closings()[_sha(r1, "U001")] == {2}


def test_the_next_round_of_a_ledger_without_stored_closings_is_completed_first(tmp_path):
    r1 = ledger_round(tmp_path)
    _forget_closings(r1)
    r2 = next_round(r1, tmp_path / "r2")
    problems = [r["problem"] for r in ledger_rows(outbox(r2, "U001")) if str(r["key"]).startswith("#item:")]
    assert "Y 称已完成但无佐证" in problems and "X 已整改到位" not in problems


def test_merge_alone_refuses_a_return_validate_has_not_stored(validated):  # noqa: F811
    with Ledger(validated.db_path) as ledger:
        ledger.set_values("another-spec", [])  # as if the template changed since validate
    with pytest.raises(CampaignError) as caught:
        merge_campaign(validated)
    assert "toolkit validate" in caught.value.text("en")


def test_the_pipeline_merge_after_collect_without_validate_gives_the_same_values(tmp_path, validated):  # noqa: F811
    from test_values_store import collected

    stages.merge(validated)
    expected = (validated.out / "values.csv").read_bytes()
    fresh = collected(tmp_path / "again")
    with Ledger(fresh.db_path) as ledger:
        assert not ledger.has_validation() and ledger.values_text(_sha(fresh, "U001"), "x") is None
    stages.merge(fresh)
    assert (fresh.out / "values.csv").read_bytes() == expected
    with Ledger(fresh.db_path) as ledger:
        assert not ledger.has_validation()  # the states stay as they were: nothing was checked
    assert not (fresh.out / "issues.csv").exists()
