"""campaign.yaml edited by hand: every wrong key is exit 2 at once, naming the file and the key."""

from __future__ import annotations

import time

import pytest
from conftest import MINI_SPEC
from typer.testing import CliRunner

from toolkit.campaign.folder import create_campaign, load_campaign
from toolkit.cli.commands import app
from toolkit.errors import CampaignError

runner = CliRunner()


@pytest.fixture
def folder(tmp_path, roster_csv):
    c = create_campaign(tmp_path / "camp", str(MINI_SPEC), roster_csv, year=2026, deadline="2026-12-20")
    return c.dir


def write(folder, text: str) -> None:
    (folder / "campaign.yaml").write_text(f"template: {MINI_SPEC}\nroster: roster.csv\n" + text, encoding="utf-8")


def refused(folder) -> str:
    with pytest.raises(CampaignError) as info:
        load_campaign(folder)
    assert info.value.exit_code == 2
    assert str(folder / "campaign.yaml") in str(info.value)
    return str(info.value)


@pytest.mark.parametrize("text, key", [
    ("name: 考核\nyear: 2026\ndeadline: 2026-02-30\n", "'deadline'"),
    ("name: 考核\nyear: 2026\ndeadline: '2026-13-01'\n", "'deadline'"),
    ("name: 考核\nyear: 2026\ndeadline: next friday\n", "'deadline'"),
    ("name: 考核\nyear: 2026\nperiod_start: 2026-04-31\n", "'period_start'"),
    ("name: 考核\nyear: 2026\nperiod_end: [2026-12-31]\n", "'period_end'"),
])
def test_an_impossible_or_unreadable_date_is_refused_with_its_key(folder, text, key):
    write(folder, text)
    message = refused(folder)
    assert f"key {key} must be a date like 2026-12-31" in message  # deadline: '… or a date and time like …'


@pytest.mark.parametrize("year", ["-5", "12345678901234567890", "0", "3000", "2026.5", "true", "二〇二六", "[2026]"])
def test_a_year_out_of_range_or_not_a_year_is_refused(folder, year):
    write(folder, f"name: 考核\nyear: {year}\n")
    assert "key 'year' must be a year such as 2026 (from 1900 to 2999), got" in refused(folder)


@pytest.mark.parametrize("year", ["2026", "'2026'", "2026.0"])
def test_a_year_written_as_digits_is_read(folder, year):
    write(folder, f"name: 考核\nyear: {year}\n")
    assert load_campaign(folder).year == 2026


@pytest.mark.parametrize("key, value", [
    ("name", "[甲, 乙]"), ("contact", "{a: 1}"), ("phone", "[1, 2]"), ("return_to", "true"),
    ("template", "[mini]"), ("roster", "{file: r.csv}"), ("scoring", "[a]"), ("previous", "[..]"),
])
def test_a_list_or_mapping_where_text_belongs_is_refused(folder, key, value):
    text = {"name": "考核", "year": "2026", key: value}
    write(folder, "".join(f"{k}: {v}\n" for k, v in text.items() if k not in ("template", "roster") or k == key))
    assert f"key {key!r} must be text, got" in refused(folder)


def test_a_phone_number_written_as_a_number_is_text(folder):
    write(folder, "name: 考核\nyear: 2026\nphone: 12345678\ndeadline: 2026-12-20\nround: 2\n")
    c = load_campaign(folder)
    assert (c.config["phone"], c.deadline, c.config["round"]) == (12345678, "2026-12-20", 2)


def test_an_alias_bomb_is_refused_at_once_naming_the_key(folder):
    lol = ["lol: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 12):
        lol.append(f"l{n}: &{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}"] * 9) + "]")
    write(folder, "name: 考核\nyear: 2026\ncontact: &x [1]\nphone: *x\n")
    assert "key 'phone' uses a YAML alias (*name); write its value out in full" in refused(folder)
    bomb = "name: 考核\nyear: 2026\nreturn_to:\n" + "".join(f"  {line}\n" for line in lol)
    write(folder, bomb)
    started = time.perf_counter()
    assert "key 'return_to' uses a YAML alias" in refused(folder)
    assert time.perf_counter() - started < 2  # 9**12 strings were never built


def test_an_alias_for_text_is_refused_too(folder):
    write(folder, "name: &n 考核\nyear: 2026\ncontact: *n\n")
    assert "key 'contact' uses a YAML alias" in refused(folder)


@pytest.mark.parametrize("text, expected", [
    ("name: 考核\nyear: 2026\nround: 0\n", "key 'round' must be a round number such as 2"),
    ("name: 考核\nyear: 2026\nround: [2]\n", "key 'round' must be a round number such as 2"),
    ("name: 考核\nyear: 2026\nlocale: fr\n", "key 'locale' must be zh-CN or en"),
    ("name: 考核\nyear: 2026\nlocale: [en]\n", "key 'locale' must be text"),
    ("name: 考核\nyear: 2026\naccept_versions: [[1]]\n", "key 'accept_versions' must be a version or a list"),
    ("name: 考核\nyear: 2026\nname2: x\n", "unknown key 'name2' (did you mean 'name'?)"),
    ("name: 考核\n" + "x: " + "[" * 5000 + "]" * 5000 + "\n", "not valid YAML"),
    ("name:\t考核\nyear: 2026\n", "not valid YAML"),  # a tab after the colon: libyaml would take it, PyYAML never did
])
def test_other_wrong_keys_are_refused_with_the_key(folder, text, expected):
    write(folder, text)
    assert expected in refused(folder)


def test_a_bad_campaign_yaml_is_exit_2_in_chinese_on_any_command(folder):
    write(folder, "name: 考核\nyear: 2026\ndeadline: 2026-02-30\n")
    result = runner.invoke(app, ["status", str(folder)])
    assert result.exit_code == 2, result.output
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith("错误：") and "campaign.yaml：键 'deadline' 应为实际存在的日期" in first
    assert "Traceback" not in result.output


def test_init_refuses_an_impossible_year_before_creating_anything(tmp_path, roster_csv):
    result = runner.invoke(app, ["init", str(tmp_path / "c"), "--template", str(MINI_SPEC), "--roster",
                                 str(roster_csv), "--year", "-5"])
    assert result.exit_code == 2, result.output
    assert "year -5: expected a year from 1900 to 2999" in result.stderr
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("text", ["2026-12-20 17:00", "2026-12-20T17:00", "2026-12-20 17:00:30", "2026-12-20"])
def test_a_deadline_may_carry_a_time_of_day(folder, text):
    write(folder, f"name: 考核\nyear: 2026\ndeadline: '{text}'\n")
    assert load_campaign(folder).deadline == text


@pytest.mark.parametrize("text", ["2026-12-20 25:00", "2026-12-20 17", "2026-12-20 five"])
def test_a_deadline_with_an_impossible_time_is_refused(folder, text):
    write(folder, f"name: 考核\nyear: 2026\ndeadline: '{text}'\n")
    assert "key 'deadline' must be a date like 2026-12-31 or a date and time like 2026-12-31 17:00" in refused(folder)
