"""Codes of reading (:mod:`toolkit.read.collect`): a workbook its reader could not read."""

from __future__ import annotations

from ..states import Severity
from .entry import Code, declare

__all__ = ["CODES"]

CODES = declare(
    Code("read.unreadable", Severity.ERROR, "文件无法读取（已损坏）", "The workbook cannot be read",
         "请重新保存为 .xlsx 后报送", "Save it again as .xlsx and send it again",
         "读取程序报告“{message}”", "{message}", example={"message": "range start index 18446744073709538069 out of range"}),
    Code("read.blank_template", Severity.ERROR, "下发的模板原样退回，未填写", "The issued template, not filled in",
         "请填写后再报送（办公室收取时请勿把 outbox 文件夹当作报送）",
         "Fill it in and send it again (the office should not collect its own outbox folder)",
         "{unit}", "{unit}", example={"unit": "U001 第一党支部"}),
    Code("read.unsafe", Severity.ERROR, "文件无法安全读取", "The workbook could not be read safely",
         "读取时超出内存或时间限制，请用 Excel 打开后重新保存再报送",
         "Reading it went beyond the memory or time limits; open it in Excel and save it again",
         example={"limit": 512, "seconds": 60, "how": "SIGABRT"},
         variants={"memory": ("读取时内存超出上限（{limit} MiB）", "the reader ran out of memory (limit {limit} MiB)"),
                   "timeout": ("读取时间超过 {seconds:g} 秒", "the reader took longer than {seconds:g} s"),
                   "cpu": ("读取占用处理器时间超过 {seconds} 秒", "the reader used more than {seconds} s of CPU"),
                   "crashed": ("读取进程意外终止（{how}），多为内存超出上限", "the reader process ended abruptly ({how})")}),
    Code("read.blank_return", Severity.ERROR, "表格未填写（仅打开后另存）", "Nothing filled in (only opened and saved again)",
         "除预填内容外没有填写任何数据，不作为报送；请填写后再报送",
         "Nothing beyond the prefilled cells holds a value; it does not count. Fill it in and send it again",
         "{unit}", "{unit}", example={"unit": "U001 第一党支部"}),
)
