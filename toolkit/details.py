"""The detail of a rejection in the user's language.

Intake, the package checks and the reader record a rejection's detail in plain English (the
ledger keeps it as recorded: exact, and what an IT colleague searches for). A Chinese-speaking
office reads it through :func:`localise`: each known phrasing has its Chinese wording, with the
file names, sizes and counts carried over; a detail with no known phrasing (a reader's own
message) is shown as it was recorded.
"""

from __future__ import annotations

import re

__all__ = ["localise", "PHRASES"]

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
)


def _compile(phrase: str) -> re.Pattern:
    parts = phrase.split("(.+)")
    return re.compile("(.+?)".join(re.escape(p) for p in parts) + r"\Z", re.S)


_RULES = tuple((_compile(en), zh) for en, zh in PHRASES)


def localise(detail: str, lang: str, code: str = "") -> str:
    """*detail* as the user reads it: the Chinese wording of a known phrasing, else as recorded.

    The reader's own message on a file it could not read (``read.unreadable``) is English from
    the library: it is shown as recorded, introduced as the reader's words.
    """
    if lang == "en" or not detail:
        return detail
    for pattern, zh in _RULES:
        found = pattern.match(detail)
        if found:
            return zh.format(*found.groups())
    return f"读取程序报告“{detail}”" if code == "read.unreadable" else detail
