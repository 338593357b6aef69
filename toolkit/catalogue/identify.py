"""Codes of identification (:mod:`toolkit.read.identify`): template, version, unit and campaign of a return."""

from __future__ import annotations

from ..states import Severity
from .entry import Code, declare

__all__ = ["CODES"]

CODES = declare(
    Code("identify.carriers_disagree", Severity.ERROR, "标识信息不一致，需人工确认", "Identity carriers disagree",
         "核实该文件属于哪个单位，用 toolkit resolve 指定单位或退回", "Check which unit sent it; use `toolkit resolve`",
         example={"values": "2025 / 2026", "units": "U001 第一党支部 / U002 第二党支部"},
         variants={"campaign_name": ("任务名称不一致：{values}", "campaign name: {values}"),
                   "campaign_year": ("年度不一致：{values}", "campaign year: {values}"),
                   "campaign_round": ("轮次不一致：{values}", "campaign round: {values}"),
                   "template": ("模板不一致：{values}", "template: {values}"),
                   "version": ("版本不一致：{values}", "version: {values}"),
                   "units": ("{units}", "{units}")}),
    Code("identify.filename_mismatch", Severity.ERROR, "文件名指向另一单位，需人工确认", "File name names another unit",
         "可能是误报了其他单位的表，请核实后用 toolkit resolve 处理", "Maybe a neighbour's file; check, then `toolkit resolve`",
         "{carried} / {named}", "{carried} / {named}", example={"carried": "U001 第一党支部", "named": "U002 第二党支部"}),
    Code("identify.unit_unknown", Severity.ERROR, "无法识别填报单位", "Unit cannot be identified",
         "请让单位使用下发的模板重新填报，或用 toolkit resolve 指定单位", "Ask for the issued template, or `toolkit resolve --unit`",
         "{name}", "{name}", example={"name": "第一党支部", "units": "A01 / B01"},
         variants={"namesakes": ("{name}：{units}", "{name}: {units}")}),
    Code("identify.unit_not_in_roster", Severity.ERROR, "单位代码不在名单中", "Unit code not in the roster",
         "核对名单或该文件，用 toolkit resolve 指定正确单位", "Check the roster; `toolkit resolve --unit CODE`",
         "{unit}", "{unit}", example={"unit": "U404"}),
    Code("identify.unknown_template", Severity.ERROR, "不是本次下发的模板", "Not a template of this campaign",
         "请使用下发的标准模板填报后重新报送", "Fill in the issued template and send it again",
         example={"score": 0.25, "template": "mini", "found": "hello"},
         variants={"structure": ("表格结构与 {template} 的吻合度为 {score:.0%}", "structure matches {score:.0%} of {template}"),
                   "other": ("{found} ≠ {template}", "{found} ≠ {template}")}),
    Code("identify.wrong_template", Severity.ERROR, "报送了其他模板", "Another template was returned",
         "本次收集的是另一张表，请报送正确的表", "This campaign collects another form; send that one",
         "{found} ≠ {template}", "{found} ≠ {template}", example={"found": "evaluation", "template": "mini"}),
    Code("identify.version_not_accepted", Severity.ERROR, "模板版本不符", "Template version not accepted",
         "请使用本次下发的最新模板重新填报", "Fill in the current template version and send it again",
         "{version} ∉ {accepted}", "{version} ∉ {accepted}", example={"version": "0.9", "accepted": "1.0"}),
    Code("identify.other_campaign", Severity.ERROR, "属于其他考核任务（其他年度或轮次）的表格", "A workbook of another campaign",
         "这张表是为另一次考核（见说明中的任务名称和年度）下发的，请使用本次下发的模板填报后重新报送",
         "It was issued for another campaign (named in the detail); fill in this campaign's workbook and send it",
         "属于“{name}”（{year} 年度）", "campaign {name}, year {year}", example={"name": "党建考核", "year": "2025", "round": "2"},
         variants={"round": ("属于“{name}”（{year} 年度，第 {round} 轮）", "campaign {name}, year {year}, round {round}")}),
    Code("identify.by_content", Severity.WARNING, "标识信息缺失，已按内容识别", "Identified by content only",
         "文件元数据已丢失（可能复制到了新文件），已按单位代码/名称和表格结构识别", "Metadata lost; identified by cells and structure"),
)
