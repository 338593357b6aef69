"""Codes of rectification items across rounds (:mod:`toolkit.validate.rectification`)."""

from __future__ import annotations

from ..states import Severity
from .entry import Code, declare

__all__ = ["CODES"]

CODES = declare(
    Code("rectification.item_deleted", Severity.ERROR, "上一轮未销号的整改事项被删除", "A carried item was deleted",
         "未完成整改的事项不能删除，请恢复该行并如实填写整改进展", "Open items cannot be deleted; restore the row and report progress",
         "{problem}", "{problem}", {"problem": "会议记录不完整"}),
    Code("rectification.deadline_moved", Severity.ERROR, "整改时限被推后且未说明理由", "Deadline moved later without a reason",
         "请恢复原整改时限；确需延期的，在“延期理由”栏写明理由", "Restore the deadline, or give the reason for the delay",
         "{old} → {new}", "{old} → {new}", {"old": "2026-06-30", "new": "2026-12-31"}),
    Code("rectification.closed_after_received", Severity.ERROR, "完成时间晚于报送日期", "Closed after the return was sent",
         "请填写实际完成整改的日期", "Give the date the item was actually closed",
         "> {received}", "> {received}", {"received": "2026-11-20"}),
    Code("rectification.reopened", Severity.WARNING, "已销号的事项再次出现（重新整改）", "A closed item is open again",
         "请核实该事项确需重新整改，并在整改措施中说明原因", "Check that the item really is open again and say why",
         "{item_id}", "{item_id}", {"item_id": "R-3f9a2c"}),
)
