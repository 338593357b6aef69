"""`toolkit init --contact --phone --return-to`: stored, printed in the workbooks, warned about when empty."""

from __future__ import annotations

import json

import openpyxl
import yaml
from conftest import MINI_SPEC
from typer.testing import CliRunner

from toolkit.cli.commands import app

runner = CliRunner()


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def instructions(folder) -> list[str]:
    path = next((folder / "outbox").glob("*.xlsx"))
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]


def test_init_stores_contact_phone_and_return_to_and_the_workbooks_print_them(tmp_path, roster_csv):
    folder = tmp_path / "camp"
    result = cli("init", folder, "--template", MINI_SPEC, "--roster", roster_csv, "--contact", "组织部 王老师",
                 "--phone", "0571-88000000", "--return-to", "电子邮件发送至 zzb@example.org", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == []
    assert "联系人" not in result.stderr
    config = yaml.safe_load((folder / "campaign.yaml").read_text(encoding="utf-8"))
    assert (config["contact"], config["phone"], config["return_to"]) == (
        "组织部 王老师", "0571-88000000", "电子邮件发送至 zzb@example.org")
    assert cli("generate", folder).exit_code == 0
    lines = instructions(folder)
    assert any("联系人：组织部 王老师" in line for line in lines)
    assert "报送方式：电子邮件发送至 zzb@example.org" in lines


def test_init_warns_but_succeeds_when_the_instructions_would_print_an_empty_contact(tmp_path, roster_csv):
    folder = tmp_path / "camp"
    result = cli("init", folder, "--template", "annual-assessment", "--roster", roster_csv, "--json")
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert len(warnings) == 2 and "contact" in warnings[0] and "phone" in warnings[1]
    assert "联系人、联系电话" in result.stderr and "--contact --phone" in result.stderr
    english = cli("init", tmp_path / "en", "--template", "annual-assessment", "--roster", roster_csv,
                  "--phone", "110", "--lang", "en")
    assert english.exit_code == 0 and "the instructions print contact but" in english.stderr


def test_generate_repeats_the_warning(tmp_path, roster_csv):
    folder = tmp_path / "camp"
    cli("init", folder, "--template", MINI_SPEC, "--roster", roster_csv)
    result = cli("generate", folder)
    assert result.exit_code == 0 and "联系人" in result.stderr
    assert not [line for line in instructions(folder) if line.startswith("报送方式")]
