"""The normalised values are produced once, by validate, and stored in the ledger; merge and score
read them back and never normalise again (unless validate has not stored them for the current spec)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt

import pytest
from conftest import DEFAULT_UNITS, MINI_SPEC, write_roster
from test_validate import BLANK, submit

import toolkit.validate.stage as stage_module
import toolkit.validate.stored as stored_module
from toolkit.campaign.folder import create_campaign
from toolkit.campaign.ledger import Ledger
from toolkit.campaign.values import decode_entries, encode_entries, spec_key
from toolkit.generate.outbox import generate_outbox
from toolkit.merge.stage import load_merged, merge_campaign
from toolkit.output.csvfile import write_csv
from toolkit.read.collect import collect
from toolkit.validate.stage import build_return, validate_campaign


def collected(tmp_path):
    """Two units' returns collected, not validated."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    roster = write_roster(tmp_path / "roster.csv", DEFAULT_UNITS)
    campaign = create_campaign(tmp_path / "camp", str(MINI_SPEC), roster, year=2026, deadline="2026-12-20")
    generate_outbox(campaign, workers=1)
    submit(campaign, tmp_path / "in", "U001", changes={("基本信息", "C6"): "12人", ("基本信息", "C12"): "2026.3.5"})
    submit(campaign, tmp_path / "in", "U002", changes={("基本信息", "C6"): BLANK})
    collect(campaign, [str(tmp_path / "in" / "returns")], workers=1)
    return campaign


@pytest.fixture
def validated(tmp_path):
    campaign = collected(tmp_path)
    validate_campaign(campaign, "zh", workers=1)
    return campaign


def _no_normalising(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("merge normalised a return again")
    for module in (stage_module, stored_module):
        monkeypatch.setattr(module, "build_return", refuse)


def test_merge_reads_the_values_validate_stored_without_normalising_again(validated, monkeypatch):
    merge_campaign(validated, "zh")
    expected = (validated.out / "values.csv").read_bytes()
    _no_normalising(monkeypatch)
    merge_campaign(validated, "zh")
    assert (validated.out / "values.csv").read_bytes() == expected
    units = {mu.unit.code: mu for mu in load_merged(validated).loaded()}
    assert units["U001"].value("members") == 12                    # "12人" normalised by validate
    assert units["U001"].value("elected") == dt.date(2026, 3, 5)   # a date keeps its type in the store


def test_the_store_is_keyed_by_the_specs_content_not_where_it_was_loaded_from(validated):
    """A bundled template's path is where the package is installed: the same template read by
    another installation (or through another path) must find validate's values."""
    spec = validated.template()
    moved = dataclasses.replace(spec, path="/elsewhere/templates/mini.yaml")
    assert spec_key(moved) == spec_key(spec)
    assert spec_key(dataclasses.replace(spec, version="9.9")) != spec_key(spec)


def test_stored_values_equal_the_normalised_return(validated):
    spec = validated.template()
    with Ledger(validated.db_path) as ledger:
        sha = next(f.sha256 for f in ledger.accepted() if f.unit_code == "U001")
        fresh = build_return(spec, ledger.payload(sha), validated.period)
    stored = {mu.unit.code: mu for mu in load_merged(validated).loaded()}["U001"].ret
    assert {k: (e.value, e.raw, e.sheet, e.cell) for k, e in stored.entries.items()} == \
           {k: (e.value, e.raw, e.sheet, e.cell) for k, e in fresh.entries.items()}


def test_without_stored_values_the_pipeline_normalises_them_in_validate(validated, monkeypatch):
    """A return accepted after the last validate (or a template edited since) has no stored values:
    the pipeline's merge has validate store them first (merge itself never normalises)."""
    with Ledger(validated.db_path) as ledger:
        ledger.set_values("another-spec", [])
    calls = []
    monkeypatch.setattr(stored_module, "build_return", lambda *a, **k: calls.append(1) or build_return(*a, **k))
    from toolkit.pipeline.stages import validated as complete
    assert complete(validated) == 2 and calls
    assert {mu.unit.code: mu for mu in load_merged(validated).loaded()}["U001"].value("members") == 12
    assert complete(validated) == 0  # stored now: nothing to do


def test_stored_values_of_another_spec_are_not_read(validated):
    with Ledger(validated.db_path) as ledger:
        sha = next(f.sha256 for f in ledger.accepted() if f.unit_code == "U001")
        assert ledger.values_text(sha, "another-spec") is None


def test_entries_codec_keeps_types():
    rows = [("s", "f", None, "表", "C6", "2026.3.5", dt.date(2026, 3, 5)), ("s", "g", 2, "表", "B7", "1", True),
            ("s", "h", None, "表", "C8", dt.datetime(2026, 1, 2, 3, 4), 0.5)]
    assert decode_entries(encode_entries(rows)) == rows


def test_write_csv_streams_rows_and_keeps_formulas_as_text(tmp_path):
    def rows():
        yield {"a": "=1+1", "b": 3.0, "extra": "ignored"}
        yield {"a": "-5", "b": True}
        yield {"b": None}
    write_csv(tmp_path / "x.csv", ("a", "b"), rows())
    with open(tmp_path / "x.csv", encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [["a", "b"], ["'=1+1", "3"], ["-5", "true"], ["", ""]]


def _double(x):
    return 2 * x


def test_validation_takes_each_return_from_the_ledger_as_the_pool_needs_it():
    from concurrent.futures import ProcessPoolExecutor

    from toolkit.validate.stage import _windowed

    taken = []

    def jobs():
        for n in range(500):
            taken.append(n)
            yield n

    results = _windowed(ProcessPoolExecutor(2), _double, jobs(), ahead=2, chunk=10)
    first = next(results)
    assert len(taken) <= 30  # three chunks of ten at most, not the 500 jobs map() would take at once
    assert [first, *results] == [2 * n for n in range(500)]
