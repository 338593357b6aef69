"""The operator's own mistakes (exit 2) in Chinese: the wording of each known English message.

The details of the ledger's reasons are no longer matched here: intake, reading and
identification record them as a code's template variant and values (:class:`toolkit.codes.Detail`),
rendered in the reader's language from the catalogue.
"""

from __future__ import annotations

import re

__all__ = ["ERRORS", "error_in_chinese"]


# The operator's own mistakes (exit 2) a head office meets, as the CLI shows them in Chinese; the
# English original is printed below it (what an IT colleague or a search engine understands).
ERRORS: tuple[tuple[str, str], ...] = (
    ("roster file not found: (.+)", "找不到名单文件：{0}"),
    ("(.+): the roster is empty; add a header row and one row per unit", "{0}：名单是空的，请加上表头行，每个单位一行"),
    ("(.+): row (.+) (header) lacks column(s) (.+); the roster needs (.+); the row holds: (.+)",
     "{0}：第 {1} 行（表头）缺少列 {2}；名单需要这些列：{3}；该行现有：{4}"),
    ("(.+): row (.+) (header) lacks column(s) (.+); the roster needs (.+)",
     "{0}：第 {1} 行（表头）缺少列 {2}；名单需要这些列：{3}"),
    ("(.+): no header row in the first (.+) rows; the roster needs the columns (.+); row (.+) holds: (.+)",
     "{0}：前 {1} 行中找不到表头；名单需要这些列：{2}；第 {3} 行现有：{4}"),
    ("(.+): row (.+): unit_code (.+) differs from (.+) (row (.+)) only in case or width; give the units codes "
     "that differ in letters or digits", "{0}：第 {1} 行的单位代码 {2} 与第 {4} 行的 {3} 只有大小写或全角半角之差，"
     "请使用字母或数字不同的代码"),
    *((f"(.+): row (.+): unit_code (.+) {en}; the code line printed on every sheet carries the code, so use letters, "
       "digits and signs such as - _ . / without spaces or |",
       f"{{0}}：第 {{1}} 行的单位代码 {{2}} {zh}；每个工作表上的表码行要带上单位代码，请只用字母、数字和 - _ . / 等符号，"
       "不要有空格或 |") for en, zh in (
        ("has (.+) characters (at most (.+))", "有 {3} 个字符（最多 {4} 个）"), ("contains a space", "含有空格"),
        ("contains |", "含有 |"), ("contains an invisible control character", "含有看不见的控制字符"))),
    ("(.+): row (.+): unit_name of unit (.+) has (.+) characters (at most (.+)); shorten it",
     "{0}：第 {1} 行（单位 {2}）的单位名称有 {3} 个字（最多 {4} 个），请缩短"),
    ("(.+): row (.+): unit_code is empty; give every unit a code", "{0}：第 {1} 行的单位代码为空，请为每个单位填写代码"),
    ("(.+): row (.+): unit_name is empty for unit (.+)", "{0}：第 {1} 行（单位 {2}）的单位名称为空"),
    ("(.+): row (.+): unit_code (.+) duplicates row (.+); every unit needs its own code",
     "{0}：第 {1} 行的单位代码 {2} 与第 {3} 行重复，每个单位的代码必须不同"),
    ("(.+): no units below the header row", "{0}：表头下面没有单位"),
    ("(.+): not UTF-8 or GBK text; save the roster as CSV UTF-8 or as .xlsx",
     "{0}：不是 UTF-8 或 GBK 编码的文本，请另存为“CSV UTF-8”或 .xlsx"),
    ("(.+): not a readable CSV file ((.+)); save the roster as CSV UTF-8 or as .xlsx",
     "{0}：无法读取的 CSV 文件（{1}），请另存为“CSV UTF-8”或 .xlsx"),
    ("(.+): cannot read the roster workbook ((.+)); save it as .xlsx or CSV",
     "{0}：无法读取名单工作簿（{1}），请另存为 .xlsx 或 CSV"),
    ("(.+): the roster workbook could not be read safely ((.+)); open it in Excel, save it again and retry",
     "{0}：名单工作簿无法安全读取（{1}），请用 Excel 打开后重新保存再试"),
    ("(.+): not found — is (.+) a campaign folder? Create one with `toolkit init (.+) --template ID --roster FILE`",
     "{0} 不存在——{1} 是考核任务文件夹吗？可用 `toolkit init {2} --template 模板 --roster 名单` 创建"),
    ("(.+) already exists; choose a new folder or edit that file", "{0} 已存在，请换一个新文件夹，或直接修改该文件"),
    ("(.+): key (.+) uses a YAML alias (*name); write its value out in full",
     "{0}：键 {1} 用了 YAML 别名（*名称），请把它的值完整写出"),
    ("(.+): unknown key (.+) (did you mean (.+)?); keys: (.+)", "{0}：未知的键 {1}（是不是 {2}？）；可用的键：{3}"),
    ("(.+): unknown key (.+); keys: (.+)", "{0}：未知的键 {1}；可用的键：{2}"),
    ("(.+): key (.+) is missing; add `(.+)`", "{0}：缺少键 {1}，请加上 `{2}`"),
    ("(.+): key (.+) must be text, got (.+)", "{0}：键 {1} 应为文字，填写的是 {2}"),
    ("(.+): key (.+) must be text of at most (.+) characters, got (.+)", "{0}：键 {1} 的文字最多 {2} 个字，现有 {3} 个"),
    ("(.+): key (.+) must be a date like 2026-12-31, got (.+)", "{0}：键 {1} 应为实际存在的日期，如 2026-12-31，填写的是 {2}"),
    ("(.+): key (.+) must be a date like 2026-12-31 or a date and time like 2026-12-31 17:00, got (.+)",
     "{0}：键 {1} 应为实际存在的日期，如 2026-12-31，或日期加时间，如 2026-12-31 17:00，填写的是 {2}"),
    ("(.+): key 'year' must be a year such as 2026 (from (.+) to (.+)), got (.+)",
     "{0}：键 'year' 应为 {1} 至 {2} 之间的年份，如 2026，填写的是 {3}"),
    ("(.+): key 'round' must be a round number such as 2 (from (.+) to (.+)), got (.+)",
     "{0}：键 'round' 应为 {1} 至 {2} 之间的轮次，如 2，填写的是 {3}"),
    ("(.+): key 'resubmit_days' must be a number of days such as 7 (from (.+) to (.+)), got (.+)",
     "{0}：键 'resubmit_days' 应为 {1} 至 {2} 之间的天数，如 7，填写的是 {3}"),
    ("(.+): key 'locale' must be zh-CN or en, got (.+)", "{0}：键 'locale' 应为 zh-CN 或 en，填写的是 {1}"),
    ("(.+): key 'accept_versions' must be a version or a list of versions, e.g. accept_versions: [\"2025.1\"]",
     "{0}：键 'accept_versions' 应为一个版本号或版本号列表，如 accept_versions: [\"2025.1\"]"),
    ("(.+): not valid YAML: (.+)", "{0}：不是有效的 YAML 格式：{1}"),
    ("(.+): expected a mapping of keys such as name, year, template", "{0}：应为 name、year、template 等键及其值"),
    ("(.+): (.+) bytes is too large for a campaign.yaml (at most (.+)); it holds a few keys such as name, year, template",
     "{0}：{1} 字节，作为 campaign.yaml 过大（最多 {2}）；它只需 name、year、template 等几个键"),
    ("year (.+): expected a year from (.+) to (.+), such as 2026", "年份 {0}：应为 {1} 至 {2} 之间的年份，如 2026"),
    ("(.+): no such file or folder; check the path you gave", "{0}：文件或文件夹不存在，请检查路径"),
    ("(.+): the folder cannot be read ((.+)); check its permissions", "{0}：无法读取该文件夹（{1}），请检查权限"),
    ("no file in the ledger match sha256 (.+); copy the sha256 from out/ledger.csv",
     "台账中没有 sha256 为 {0} 的文件，请从 out/ledger.csv 复制 sha256"),
    ("(.+) files in the ledger match sha256 (.+); copy the sha256 from out/ledger.csv",
     "台账中有 {0} 个文件的 sha256 以 {1} 开头，请从 out/ledger.csv 复制更长的 sha256"),
    ("--unit (.+): no such unit_code in the roster (.+)", "--unit {0}：名单 {1} 中没有这个单位代码"),
    ("(.+): the file's carriers name the unit (.+), not (.+); check the file, or add --force to credit it to (.+) anyway",
     "{0}：文件的标识信息指向单位 {1}，而不是 {2}；请核实该文件，确需归入 {3} 时请加 --force"),
    ("(.+): the file's carriers say it was issued for another campaign ((.+)); check the file, or add "
     "--force to credit it to (.+) anyway", "{0}：文件的标识信息表明它是为另一次考核（{1}）下发的，不属于本次考核；"
     "请核实该文件，确需归入 {2} 时请加 --force"),
    ("(.+): nothing is filled in beyond the prefilled cells (a blank return); check the file, or add --force to "
     "credit it to (.+) anyway", "{0}：除预填内容外没有填写任何数据（未填写的表格），归入后会取代该单位已有的报送；"
     "请核实该文件，确需归入 {1} 时请加 --force"),
    ("give exactly one of --unit CODE or --reject (with --reason)", "请二选一：--unit 单位代码，或 --reject（用 --reason 写明原因）"),
    ("(.+): expected a date like 2026-12-31, got (.+)", "{0}：应为日期，如 2026-12-31，填写的是 {1}"),
    ("(.+): expected a date like 2026-12-31 or a date and time like 2026-12-31 17:00, got (.+)",
     "{0}：应为日期，如 2026-12-31，或日期加时间，如 2026-12-31 17:00，填写的是 {1}"),
    ("(.+): the disk is full; free some space and run collect again (everything recorded so far is kept)",
     "{0}：磁盘已满；请腾出空间后重新运行收取（已记录的内容都在）"),
    ("(.+): the ledger is damaged (table (.+) is missing); restore it from a backup, or move it aside and collect "
     "again (the originals in received/ are kept)",
     "{0}：台账已损坏（缺少数据表 {1}）；请从备份恢复，或把它移到别处后重新收取（received/ 中的原件都在）"),
    ("(.+): the ledger cannot be opened ((.+)); restore it from a backup, or move it aside and collect again "
     "(the originals in received/ are kept)", "{0}：台账无法打开（{1}）；请从备份恢复，或把它移到别处后重新收取（received/ 中的原件都在）"),
)


def _compile(phrase: str) -> re.Pattern:
    parts = phrase.split("(.+)")
    return re.compile("(.+?)".join(re.escape(p) for p in parts) + r"\Z", re.S)


def _book(pairs) -> tuple:
    return tuple((_compile(en), zh) for en, zh in pairs)


_ERROR_RULES = _book(ERRORS)


def _translate(rules, text: str) -> str | None:
    for pattern, zh in rules:
        found = pattern.match(text)
        if found:
            return zh.format(*found.groups())
    return None


def error_in_chinese(message: str) -> str | None:
    """The Chinese wording of an operator error (exit 2), or None when it has none yet."""
    return _translate(_ERROR_RULES, message)
