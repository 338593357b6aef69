"""Codes of the ledger (:mod:`toolkit.campaign.ledger`): duplicates, newer returns, the office's decisions."""

from __future__ import annotations

from ..states import Severity
from .entry import Code, declare

__all__ = ["CODES"]

CODES = declare(
    Code("ledger.duplicate", Severity.INFO, "重复报送（内容完全相同）", "Duplicate (same bytes)",
         "同一文件已收到，无需处理", "The same file was received before; nothing to do"),
    Code("ledger.superseded", Severity.INFO, "已被该单位更新的报送取代", "Superseded by a newer return",
         "以该单位最新报送的文件为准", "The unit's newest return counts"),
    Code("ledger.resolved_assign", Severity.INFO, "已人工确认归属单位", "Assigned to a unit by the office",
         "办公室已核实该文件的填报单位，按该单位的报送处理", "The office confirmed the unit; it counts as that unit's return"),
    Code("ledger.resolved_reject", Severity.ERROR, "已人工退回", "Rejected by the office",
         "办公室已退回该文件，请按退回原因修改后重新报送", "The office rejected this file; fix it as told and send it again"),
)
