"""The command line's help in Chinese (the default) or English (``--lang en``).

Typer takes one help text per command and option when the app is defined; the English texts
live there, next to the code. Before the arguments are parsed, :func:`localise_help` puts the
Chinese texts of this catalogue in their place unless the command line asks for English
(``--lang en`` anywhere, or ``TOOLKIT_LANG=en``). A command's Chinese help is followed by its
English text, as errors print the Chinese message with the English original below. A command or
option missing here keeps its English help.
"""

from __future__ import annotations

import os
import re
from typing import Sequence

from ..i18n import lang_of

__all__ = ["help_language", "localise_help", "lang_after_command", "usage_error_zh", "COMMAND_HELP_ZH",
           "PARAM_HELP_ZH"]

# command name → Chinese help ("" is the toolkit itself)
COMMAND_HELP_ZH = {
    "": "考核工作工具：下发模板、收取报送、检查、汇总、评分、出报告。",
    "templates": "列出内置模板（编号、版本、名称）。",
    "describe": "查看模板的工作表和填报项目。",
    "init": "新建考核任务文件夹。",
    "next": "开始下一轮：按单位预填未完成事项、差距和上轮数值，并生成表格。",
    "generate": "为每个单位生成一份预填表格，放在 DIR/outbox/，附 manifest.csv。",
    "collect": "收取报送文件：保存原件、识别单位、记入台账。",
    "validate": "检查每份已接收的报送：写出 out/issues.csv，为需修改的单位生成 feedback/ 退回修改表。",
    "status": "谁已报送、谁未报送、谁需修改：写出 out/status.csv 和 out/chase-list.xlsx（催报名单）。",
    "merge": "汇总已接收的报送：写出 out/values.csv、out/totals.csv 和 out/consolidated.xlsx。",
    "score": "评分、排名、定等次：写出 out/scores.csv、out/score_trace.csv、out/scoring-sheet.xlsx。",
    "report": "写出 out/report.html：报送情况、汇总、得分、等次、失分项、常见问题（单文件，可打印）。",
    "resolve": "处理待人工确认的文件：确认归属单位，或退回；记录经办人和时间。",
    "run": "一次完成收取（给出文件时）、检查、报送情况、汇总、评分和报告。",
    "compare": "年度对比：在 NEW_DIR 写出 out/compare.xlsx 和 out/compare.csv（之后运行 toolkit report NEW_DIR）。",
    "demo": "用内置样例完整演示一次考核：从名单到报告。",
    "spec-template": "写出模板编写工作簿（含填好的示例），在 Excel 中编写模板。",
    "spec-from-xlsx": "把模板编写工作簿或考核细则表转换为模板定义（YAML），指标有分值时同时写出评分细则。",
    "spec-to-xlsx": "把模板定义（含内置模板）写成模板编写工作簿。",
}

# parameter name, or "command:parameter" for a command's own meaning → Chinese help
PARAM_HELP_ZH = {
    "as_json": "在标准输出打印机器可读的摘要（JSON）。",
    "lang": "提示信息和输出文件的语言：zh（中文，默认）或 en（英文）。",
    "debug": "出错时显示详细的调用栈。",
    "version": "显示发行包名称（assessment-toolkit）和版本并退出。",
    "directory": "考核任务文件夹。",
    "template": "内置模板编号或模板定义文件（YAML）的路径。",
    "roster": "单位名单：CSV（UTF-8 或 GBK）或 xlsx。",
    "year": "考核年度，如 2026。",
    "name": "考核任务名称。",
    "deadline": "报送截止时间，格式 YYYY-MM-DD（当天结束前均算按时）或 YYYY-MM-DD HH:MM。",
    "contact": "联系人（印在填报说明中）。",
    "phone": "联系电话（印在填报说明中）。",
    "return_to": "报送方式，如电子邮箱或地址（印在填报说明中）。",
    "sources": "报送的文件、文件夹或压缩包。",
    "run:sources": "报送的文件、文件夹或压缩包（不给出时：按已收取的文件重新处理）。",
    "sha256": "文件的 sha256（唯一的前几位即可）。",
    "unit": "把文件记为该单位代码的报送。",
    "reject": "退回该文件。",
    "reason": "原因（记入台账）。",
    "force": "即使文件的标识信息指向其他单位或其他考核，也按指定单位记录（核实后使用）。",
    "describe:template": "内置模板编号或模板定义文件。",
    "next:directory": "已完成的考核任务文件夹。",
    "next:new_dir": "下一轮的考核任务文件夹。",
    "next:template": "换用另一模板（如 gap-sprint）。",
    "compare:old_dir": "上一年度的考核任务文件夹。",
    "compare:new_dir": "本年度的考核任务文件夹。",
    "demo:directory": "演示任务的创建位置。",
    "out_file": "要写出的文件。",
    "kind": "示例的类型：checklist（考核指标）、form（表单）、table（台账）或 survey（调查问卷）。",
    "spec-from-xlsx:workbook": "模板编写工作簿，或考核细则表。",
    "template_id": "考核细则表生成的模板编号（字母、数字、- 和 _）。",
    "spec-to-xlsx:template": "内置模板编号或模板定义文件。",
}

_MORE_ZH = "英文说明 / English: 加 --lang en（如 toolkit {command} --help --lang en）。"


def help_language(argv: Sequence[str]) -> str:
    """en when the command line asks for English (``--lang en`` or TOOLKIT_LANG=en), else zh."""
    args = list(argv)
    for n, arg in enumerate(args):
        if arg == "--lang" and n + 1 < len(args):
            return lang_of(args[n + 1])
        if arg.startswith("--lang="):
            return lang_of(arg.split("=", 1)[1])
    return lang_of(os.environ.get("TOOLKIT_LANG"))


def lang_after_command(argv: Sequence[str]) -> list[str]:
    """``toolkit --lang en status DIR`` as ``toolkit status DIR --lang en`` (every command takes
    --lang, the toolkit itself takes none); ``toolkit --lang en --help`` as ``toolkit --help``."""
    args = list(argv)
    if args[:1] == ["--lang"] and len(args) > 1:
        lang, rest = ["--lang", args[1]], args[2:]
    elif args[:1] and args[0].startswith("--lang="):
        lang, rest = [args[0]], args[1:]
    else:
        return args
    return rest + lang if rest and not rest[0].startswith("-") else rest


def localise_help(group, lang: str) -> None:
    """Put the Chinese help texts in place on *group* (a Click group built for this invocation)."""
    if lang == "en":
        return
    group.help = _both(COMMAND_HELP_ZH[""], group.help)
    group.epilog = _MORE_ZH.format(command="COMMAND")
    _help_option_zh(group)
    for param in group.params:  # the group's own options (--version)
        if param.name in PARAM_HELP_ZH and hasattr(param, "help"):
            param.help = PARAM_HELP_ZH[param.name]
    for name, command in group.commands.items():
        _help_option_zh(command)
        if name in COMMAND_HELP_ZH:
            command.help = _both(COMMAND_HELP_ZH[name], command.help)
            command.short_help = COMMAND_HELP_ZH[name]
        command.epilog = _MORE_ZH.format(command=name)
        for param in command.params:
            zh = PARAM_HELP_ZH.get(f"{name}:{param.name}") or PARAM_HELP_ZH.get(param.name or "")
            if zh and hasattr(param, "help"):
                param.help = zh


def _help_option_zh(command) -> None:
    """--help itself described in Chinese (Click creates the option when the help is shown)."""
    make = command.get_help_option

    def get_help_option(ctx):
        option = make(ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option
    command.get_help_option = get_help_option


def _both(zh: str, en: str | None) -> str:
    return f"{zh}\n\n{en}" if en else zh


# Click's usage errors (English) → the same in Chinese; the English original is printed below.
# A group named "hint" (click's "did you mean") is added in brackets.
_USAGE_ZH = (
    (re.compile(r"Missing argument '(.+?)'\.?$"), "缺少参数 {0}"),
    (re.compile(r"Missing option '(.+?)'\.?$"), "缺少选项 {0}"),
    (re.compile(r"No such option: (\S+?)\.?(?: \(Possible options: (?P<hint>.+)\)| Did you mean (?P<hint2>\S+?)\?)?$"),
     "没有选项 {0}"),
    (re.compile(r"No such command '(.+?)'\.?(?: Did you mean '?(?P<hint>[^'?]+)'?\?)?$"),
     "没有命令 {0}；全部命令见 toolkit --help"),
    (re.compile(r"Option '(.+?)' requires an argument\.?$"), "选项 {0} 后面需要一个值"),
    (re.compile(r"Got unexpected extra arguments?(?:\(s\))? \((.*)\)$"), "多余的参数：{0}"),
    (re.compile(r"Invalid value for '(.+?)': (.*)$", re.S), "{0} 的值无效：{1}"),
)


def usage_error_zh(message: str) -> str | None:
    """A usage error in Chinese, or None when it is not one of the usual ones."""
    for pattern, template in _USAGE_ZH:
        m = pattern.match(message.strip())
        if m:
            named = m.groupdict()
            hint = named.get("hint") or named.get("hint2")
            return template.format(*m.groups()) + (f"（是否想用 {hint}？）" if hint else "")
    return None
