"""One language mechanism: every message in one catalogue, zh and en side by side, read through i18n.t."""

from __future__ import annotations

import ast
import importlib
import pkgutil

import pytest

import toolkit
from toolkit.i18n import CATALOGUE, Msg, Words, define, pick, t, template_names, texts


def _import_every_module() -> None:
    """Messages are defined next to the code that says them: import it all so the catalogue is whole."""
    for module in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)


_import_every_module()
KEYS = sorted(CATALOGUE)


def test_the_catalogue_holds_the_messages_of_the_modules():
    assert {"form.header", "score.sheet.title", "desk.overview"} <= set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_every_message_has_both_languages_with_the_same_parameters(key):
    zh, en = CATALOGUE[key]
    assert zh.strip() and en.strip(), key
    assert template_names(zh) == template_names(en), key


def test_a_message_renders_in_the_reader_s_language_with_its_values():
    define("test.i18n", {"late": ("逾期 {n} 天（{who}）", "{n} days late ({who})"),
                         "outer": ("错误：{inner}", "error: {inner}")})
    who = Words("第一支部", "Branch 1")
    assert t("test.i18n.late", "zh", n=3, who=who) == "逾期 3 天（第一支部）"
    assert t("test.i18n.late", "en", n=3, who=who) == "3 days late (Branch 1)"
    nested = Msg("test.i18n.late", {"n": 2, "who": "A"})
    assert t("test.i18n.outer", "en", inner=nested) == "error: 2 days late (A)"
    assert t("test.i18n.outer", "zh", inner=nested) == "错误：逾期 2 天（A）"
    w = texts("test.i18n", "en")
    assert w["late"] == "{n} days late ({who})" and w("late", n=1, who="B") == "1 days late (B)"


def test_a_message_cannot_be_defined_twice_with_different_text():
    define("test.i18n", {"same": ("同", "same")})
    define("test.i18n", {"same": ("同", "same")})  # a module imported twice says the same
    with pytest.raises(ValueError, match="test.i18n.same"):
        define("test.i18n", {"same": ("异", "other")})


def test_a_label_without_english_falls_back_to_the_chinese():
    assert pick(Words("党员人数", ""), "en") == "党员人数"
    assert pick(Words("党员人数", "Members"), "en") == "Members"
    assert pick(("党员人数", "Members"), "zh") == "党员人数"


def test_an_operator_error_is_a_message_key_with_values_shown_in_the_user_s_language(tmp_path):
    from toolkit.campaign.folder import load_roster
    from toolkit.errors import RosterError

    (tmp_path / "roster.csv").write_text("unit_code,unit_name,group,contact,phone\nA 1,一支部,,,\n", encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        load_roster(tmp_path / "roster.csv")
    exc = caught.value
    assert exc.message.key == "roster.code_unusable" and exc.message.params["row"] == 2
    assert str(exc) == exc.text("en")
    assert str(exc).endswith("row 2: unit_code 'A 1' contains a space; the code line printed on every sheet carries the code, "
                             "so use letters, digits and signs such as - _ . / without spaces or |")
    assert exc.text("zh").endswith("第 2 行的单位代码 'A 1' 含有空格；每个工作表上的表码行要带上单位代码，请只用字母、数字和 - _ . / 等符号，"
                                   "不要有空格或 |")


def test_the_cli_shows_an_operator_error_in_chinese_with_the_english_below_or_in_english_alone(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    runner = CliRunner()
    zh = runner.invoke(app, ["init", str(tmp_path / "c"), "--template", "annual-assessment", "--roster", "nowhere.csv"])
    assert zh.exit_code == 2
    assert "错误：找不到名单文件：nowhere.csv" in zh.output and "error: roster file not found: nowhere.csv" in zh.output
    en = runner.invoke(app, ["init", str(tmp_path / "c"), "--template", "annual-assessment", "--roster", "nowhere.csv",
                             "--lang", "en"])
    assert en.exit_code == 2 and "roster file not found: nowhere.csv" in en.output and "名单" not in en.output


# Modules that still choose between the two languages themselves, and why (each to move into the catalogue).
STILL_CHOOSING = {
    "toolkit/i18n.py": "the one place that tells the languages apart",
    "toolkit/cli/help.py": "Click's help texts and usage errors: the Chinese beside the English of the decorators",
}


def _language_comparisons(tree) -> list[int]:
    """Lines that compare something with the language codes "zh"/"en"/"zh-CN" (x == "en", lang != "zh", …)."""
    import ast
    codes = {"zh", "en", "zh-CN"}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Constant) and s.value in codes for s in sides):
                lines.append(node.lineno)
    return sorted(lines)


def test_no_module_outside_i18n_picks_a_language_by_comparing_codes():
    import ast
    from pathlib import Path
    root = Path(toolkit.__file__).parent
    found = {}
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root.parent).as_posix()
        lines = _language_comparisons(ast.parse(path.read_text(encoding="utf-8")))
        if lines and name not in STILL_CHOOSING:
            found[name] = lines
    assert found == {}


def test_the_language_scan_finds_a_comparison():
    import ast
    assert _language_comparisons(ast.parse('x = a if lang == "en" else b\ny = "zh" != c\nz = lang == other')) == [1, 2]


def test_a_usage_mistake_on_resolve_reads_in_chinese_with_the_english_below(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    result = CliRunner().invoke(app, ["resolve", str(tmp_path), "abc"])
    assert result.exit_code == 2
    assert "错误：请二选一：--unit 单位代码，或 --reject（用 --reason 写明原因）" in result.output
    assert "error: give exactly one of --unit CODE or --reject (with --reason)" in result.output


@pytest.mark.parametrize("lang, said", [("zh", "找不到名单文件：nowhere.csv"), ("en", "roster file not found: nowhere.csv")])
def test_a_desk_job_that_fails_says_why_in_the_desk_s_language(tmp_path, lang, said):
    from toolkit.desk.jobs import JobRunner
    from toolkit.errors import RosterError

    def work(job):
        raise RosterError(Msg("roster.not_found", {"path": "nowhere.csv"}))

    runner = JobRunner(tmp_path, lang=lang)
    job = runner.wait(runner.submit("collect", work))
    assert (job.state, job.error) == ("failed", said)


def _a_message(node) -> bool:
    """A Msg(...) (or the spec loader's error(...), which builds one), or a choice between two."""
    if isinstance(node, ast.IfExp):
        return _a_message(node.body) and _a_message(node.orelse)
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("Msg", "error")


def test_every_toolkit_error_is_raised_with_a_message_of_the_catalogue():
    """No operator error is raised as English text (there is no phrasebook to guess its Chinese from)."""
    import ast
    from pathlib import Path

    from toolkit import errors
    root = Path(__file__).parents[1] / "toolkit"
    names = set(errors.__all__) | {"CampaignBusy", "DiskFull"}
    bare = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in names and node.args:
                if not (_a_message(node.args[0]) or path.name in ("places.py", "errors.py")):
                    bare.append(f"{path.relative_to(root)}:{node.lineno} {ast.unparse(node)[:80]}")
    assert not bare, bare


def test_a_wrong_resubmit_key_reads_in_either_language():
    from toolkit.feedback.notice import ResubmitKeyError, resubmit_deadline
    with pytest.raises(ResubmitKeyError) as info:
        resubmit_deadline({"resubmit_days": 0}, "2026-12-01", "")
    assert str(info.value) == "resubmit_days must be a whole number of days from 1 to 366, got 0"
    assert info.value.message.text("zh") == "resubmit_days 应为 1 至 366 之间的整数天数，填写的是 0"


def test_a_busy_campaign_is_said_in_one_language_at_a_time(tmp_path):
    from toolkit.campaign.lock import CampaignBusy
    exc = CampaignBusy(Msg("campaign.lock.busy", {"folder": tmp_path}))
    assert str(exc) == f"another toolkit command is working on {tmp_path}; run this one again when it has finished"
    assert exc.text("zh") == f"另一个 toolkit 命令正在处理此考核任务（{tmp_path}），请等它结束后再运行"
