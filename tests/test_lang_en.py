"""`--lang en` end to end: unique metric labels in totals, English workbooks validate without label warnings."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
import yaml
from conftest import MINI_SPEC, fill_by_name
from typer.testing import CliRunner

from toolkit.cli.commands import app
from toolkit.spec.load import bundled_templates

runner = CliRunner()

EN_LABELS = {"unit_code": "Unit code", "unit_name": "Unit name", "members": "Party members",
             "prob": "Probationary members", "formal": "Full members", "rate": "Participation rate",
             "held": "Meeting held", "kind": "Kind", "elected": "Election date"}


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def english_spec(tmp_path, summary_label: str = "预备党员占比", summary_label_en: str = "Share of probationary") -> str:
    """The mini spec with English labels and a summary rate."""
    spec = yaml.safe_load(MINI_SPEC.read_text(encoding="utf-8"))
    for field in spec["sheets"][1]["fields"]:
        field["label_en"] = EN_LABELS[field["id"]]
    spec["summary"] = [{"id": "prob_share", "label": summary_label, "label_en": summary_label_en,
                        "numerator": "prob", "denominator": "members"}]
    path = tmp_path / "mini-en.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return str(path)


def english_campaign(tmp_path, roster_csv, spec: str):
    folder = tmp_path / "camp"
    assert cli("init", folder, "--template", spec, "--roster", roster_csv, "--contact", "a", "--phone", "1",
               "--lang", "en").exit_code == 0
    assert cli("generate", folder, "--lang", "en").exit_code == 0
    for n, code in enumerate(("U001", "U002"), start=1):
        src = next((folder / "outbox").glob(f"{code}_*.xlsx"))
        fill_by_name(src, tmp_path / "inbox" / src.name, {"f_members": 10 * n, "f_prob": n, "f_a1_1_self_score": 50,
                                                          "f_a1_2_self_score": 30, "f_b_1_self_score": 0,
                                                          "f_v_1_occurred": "否"})
    assert cli("collect", folder, tmp_path / "inbox", "--lang", "en").exit_code == 0
    return folder


def read_rows(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_workbooks_generated_in_english_validate_without_label_warnings(tmp_path, roster_csv):
    folder = english_campaign(tmp_path, roster_csv, english_spec(tmp_path))
    assert cli("validate", folder, "--lang", "en").exit_code == 0
    codes = {r["code"] for r in read_rows(folder / "out" / "issues.csv")}
    assert "structure.label_edited" not in codes and "structure.field_missing" not in codes


def test_a_label_edited_in_an_english_workbook_is_still_reported(tmp_path, roster_csv):
    spec = english_spec(tmp_path)
    folder = tmp_path / "camp"
    cli("init", folder, "--template", spec, "--roster", roster_csv, "--lang", "en")
    cli("generate", folder, "--lang", "en")
    import openpyxl
    src = next((folder / "outbox").glob("U001_*.xlsx"))
    wb = openpyxl.load_workbook(src)
    ws = wb["基本信息"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "Party members (required)")
    cell.value = "Members (edited)"
    ws[cell.coordinate.replace("B", "C")] = 12
    (tmp_path / "inbox").mkdir()
    wb.save(tmp_path / "inbox" / src.name)
    cli("collect", folder, tmp_path / "inbox")
    cli("validate", folder, "--lang", "en")
    edited = [r for r in read_rows(folder / "out" / "issues.csv") if r["code"] == "structure.label_edited"]
    assert [r["field"] for r in edited] == ["members"]


def test_totals_labels_are_unique_when_a_rate_shares_a_fields_label(tmp_path, roster_csv):
    spec = english_spec(tmp_path, summary_label="预备党员", summary_label_en="Probationary members")
    folder = english_campaign(tmp_path, roster_csv, spec)
    cli("validate", folder)
    assert [r for r in read_rows(folder / "out" / "issues.csv") if r["severity"] == "error"] == []
    for lang in ("en", "zh"):
        assert cli("merge", folder, "--lang", lang).exit_code == 0
        rows = read_rows(folder / "out" / "totals.csv")
        per_group = Counter((r["group"], r["metric"]) for r in rows)
        assert max(per_group.values()) == 1, [k for k, n in per_group.items() if n > 1]
        metrics = {r["metric"] for r in rows}
        shared = "Probationary members" if lang == "en" else "预备党员"
        assert {f"{shared} [prob]", f"{shared} [prob_share]"} <= metrics


@pytest.mark.parametrize("spec", bundled_templates(), ids=lambda s: s.id)
def test_bundled_templates_name_every_total_once_in_english(spec):
    labels = [f.label_en or f.label for f in spec.form_fields.values() if f.type in ("int", "number")]
    labels += [r.label_en or r.label for r in spec.summary]
    assert [label for label, n in Counter(labels).items() if n > 1] == []
