"""The detail of a rejection in the user's language.

Intake, the package checks and the reader record a rejection's detail in plain English (the
ledger keeps it as recorded: exact, and what an IT colleague searches for). A Chinese-speaking
office reads it through :func:`localise`: each known phrasing has its Chinese wording, with the
file names, sizes and counts carried over; a detail with no known phrasing (a reader's own
message) is shown as it was recorded.
"""

from __future__ import annotations

import re

__all__ = ["localise", "PHRASES", "ERRORS", "error_in_chinese"]

_NEEDS = "，请解压后提交其中的文件"

# (English phrasing as recorded, its Chinese wording); {0}, {1}, … are the phrasing's (.+) parts, in order.
PHRASES: tuple[tuple[str, str], ...] = (
    ("0 bytes", "0 字节"),
    ("password-protected Office file", "Office 文件设有打开密码"),
    ("Word document (doc)", "Word 文档（doc）"),
    ("Word document (docx)", "Word 文档（docx）"),
    ("PowerPoint presentation (pptx)", "PowerPoint 演示文稿（pptx）"),
    ("PowerPoint presentation (ppt)", "PowerPoint 演示文稿（ppt）"),
    ("OpenDocument text or presentation", "OpenDocument 文本或演示文稿"),
    ("Excel binary workbook (xlsb); save it as .xlsx", "Excel 二进制工作簿（xlsb），请另存为 .xlsx"),
    ("PDF document", "PDF 文档"),
    ("picture (image file)", "图片文件"),
    ("unrecognised content", "无法识别的内容"),
    ("RAR archive", "RAR 压缩包"),
    ("7-Zip archive", "7-Zip 压缩包"),
    ("gzip archive", "gzip 压缩包"),
    ("That compression method is not supported", "压缩方式不受支持"),
    ("compression type (.+)", "压缩方式 {0} 不受支持"),
    ("RAR archive; unpack it and offer the files", "RAR 压缩包" + _NEEDS),  # as ledgers before 2026-11 recorded it
    ("7-Zip archive; unpack it and offer the files", "7-Zip 压缩包" + _NEEDS),
    ("gzip archive; unpack it and offer the files", "gzip 压缩包" + _NEEDS),
    ("zip package cannot be opened (truncated or damaged)", "zip 文件无法打开（不完整或已损坏）"),
    ("OLE2 (.xls) file cannot be opened (truncated or damaged)", ".xls 文件无法打开（不完整或已损坏）"),
    ("OLE2 (.xls) file without a Workbook stream", ".xls 文件中没有工作簿数据"),
    ("OLE2 (.xls) file cannot be opened ((.+))", ".xls 文件无法打开（{0}）"),
    ("Excel 2003 XML spreadsheet; save it as .xlsx", "Excel 2003 XML 表格，请另存为 .xlsx"),
    ("web page (HTML) with a spreadsheet name; save it as .xlsx", "网页文件（HTML）改成了表格的扩展名，请另存为 .xlsx"),
    ("text file (e.g. CSV); save it as .xlsx", "文本文件（如 CSV），请另存为 .xlsx"),
    ("not a regular file", "不是普通文件"),
    ("a link to a file that is not there", "这是一个快捷方式（链接），它指向的文件已不存在"),
    ("cannot read the file ((.+))", "无法读取该文件（{0}）"),
    ("the archive holds no files", "压缩包内没有文件"),
    ("archive nested more than (.+) deep", "压缩包嵌套超过 {0} 层"),
    ("archive cannot be opened ((.+))", "压缩包无法打开（{0}）"),
    ("password-protected archive member", "压缩包内的这个文件设有密码"),
    ("archive member cannot be unpacked ((.+))", "压缩包内的这个文件无法解压（{0}）"),
    ("(.+); unpack it and offer the files", "{0}" + _NEEDS),
    ("unpacks to (.+) (limit (.+))", "解压后达 {0}（上限 {1}）"),
    ("(.+) entries (limit (.+))", "共 {0} 个文件（上限 {1}）"),
    ("(.+) MiB (limit (.+) MiB); the file was not kept", "{0} MiB（上限 {1} MiB），文件过大，未予保存"),
    ("(.+) MiB (limit (.+) MiB)", "{0} MiB（上限 {1} MiB）"),
    ("(.+): compressed (.+):1 to (.+)", "{0}：压缩比 {1}:1，解压后达 {2}"),
    ("the workbook part is missing", "缺少工作簿的主体部分"),
    ("the package cannot be unpacked ((.+))", "文件无法解压（{0}）"),
    ("(.+): DOCTYPE or ENTITY declaration", "{0}：含有 DOCTYPE 或 ENTITY 声明"),
    ("(.+): not XML", "{0}：不是 XML 内容"),
    ("(.+): XML prolog too long", "{0}：XML 声明部分过长"),
    ("(.+): dimension (.+) claims (.+) cells", "{0}：声明的范围 {1} 共 {2} 个单元格"),
    ("(.+): cells (.+) span (.+) cells", "{0}：单元格分布在 {1}，共 {2} 个单元格"),
    ("content.xml: repeated rows and columns fill (.+) cells", "content.xml：重复的行列展开后共 {0} 个单元格"),
    ("sheet dimensions out of order (rows (.+), columns (.+))", "工作表的范围记录错乱（行 {0}，列 {1}）"),
    ("a sheet claims (.+) cells", "有工作表声明了 {0} 个单元格"),
    ("the cells of a sheet span (.+) cells", "有工作表的单元格范围达 {0} 个单元格"),
    ("two parts named (.+)", "文件中有两个同名部件：{0}"),
    ("(.+): not well-formed XML ((.+))", "{0}：XML 内容格式错误（{1}）"),
    ("the reader ran out of memory (limit (.+) MiB)", "读取时内存超出上限（{0} MiB）"),
    ("the reader took longer than (.+) s", "读取时间超过 {0} 秒"),
    ("the reader used more than (.+) s of CPU", "读取占用处理器时间超过 {0} 秒"),
    ("the reader process ended abruptly ((.+))", "读取进程意外终止（{0}），多为内存超出上限"),
    ("campaign (.+), year (.+), round (.+)", "属于“{0}”（{1} 年度，第 {2} 轮）"),
    ("campaign (.+), year (.+)", "属于“{0}”（{1} 年度）"),
    ("(.+)/ of the campaign folder (.+)", "考核任务文件夹 {1} 中的 {0}/，是本工具写出的文件"),
    ("feedback workbook (.+) as written", "本工具写出的退回修改表 {0}，未作改动"),
)


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


_RULES, _ERROR_RULES = _book(PHRASES), _book(ERRORS)


def _translate(rules, text: str) -> str | None:
    for pattern, zh in rules:
        found = pattern.match(text)
        if found:
            return zh.format(*found.groups())
    return None


def localise(detail: str, lang: str, code: str = "") -> str:
    """*detail* as the user reads it: the Chinese wording of a known phrasing, else as recorded.

    The reader's own message on a file it could not read (``read.unreadable``) is English from
    the library: it is shown as recorded, introduced as the reader's words.
    """
    if lang == "en" or not detail:
        return detail
    zh = _translate(_RULES, detail)
    if zh is not None:
        return zh
    return f"读取程序报告“{detail}”" if code == "read.unreadable" else detail


def error_in_chinese(message: str) -> str | None:
    """The Chinese wording of an operator error (exit 2), or None when it has none yet."""
    return _translate(_ERROR_RULES, message)
