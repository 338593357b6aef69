"""Codes of the checks of an accepted return (:mod:`toolkit.validate.checks`): structure, values, tables, rules."""

from __future__ import annotations

from ..states import Severity
from .entry import Code, Words, declare

__all__ = ["CODES"]

CODES = declare(
    Code("structure.sheet_missing", Severity.ERROR, "缺少工作表", "Sheet missing", "请使用下发的模板，不要删除工作表", "Use the issued template; do not delete sheets",
       "{sheet_id}", "{sheet_id}", {"sheet_id": "basic"}),
    Code("structure.sheet_renamed", Severity.WARNING, "工作表被改名", "Sheet renamed", "请勿修改工作表名称", "Do not rename sheets",
       "{sheet}", "{sheet}", {"sheet": "基本信息"}),
    Code("structure.field_missing", Severity.ERROR, "找不到填报项", "Field not found", "请勿删除或改动模板中的行", "Do not delete or change template rows",
       "{label}", "{label}", {"label": "党员人数"}),
    Code("structure.item_missing", Severity.ERROR, "考核指标行被删除", "Indicator row deleted", "请恢复被删除的指标行（使用下发的模板重新填报）", "Restore the deleted indicator row",
       "{content}", "{content}", {"content": "按时召开组织生活会"}),
    Code("structure.label_edited", Severity.WARNING, "模板文字被改动", "Template text edited", "请勿修改指标内容和项目名称", "Do not edit indicator or field labels",
       "{found}", "{found}", {"found": "党员人数（人）"}),
    Code("structure.row_inserted", Severity.WARNING, "插入了模板以外的行（内容未计入）", "Row inserted (not counted)", "请勿在指标表中插入行，补充说明请写在备注栏", "Do not insert rows; write extra notes in the note column",
       "{found}", "{found}", {"found": "补充说明"}),
    Code("structure.extra_column", Severity.WARNING, "增加了模板以外的列（内容未计入）", "Extra column (not counted)", "请勿增加列", "Do not add columns",
       "{found}", "{found}", {"found": "备注2"}),
    Code("structure.header_missing", Severity.ERROR, "找不到表头", "Table header not found", "请勿删除或修改表头行", "Do not delete or edit the header row",
       "{sheet}", "{sheet}", {"sheet": "台账"}),
    Code("value.required", Severity.ERROR, "必填项未填写", "Required value missing", "请填写此项", "Fill in this value",
       "条件：{condition}", "when {condition}", {"condition": Words("「是否发生」 为 是", "'Occurred' is yes")}),
    Code("value.out_of_range", Severity.ERROR, "数值超出范围", "Value out of range", "请填写规定范围内的数值", "Enter a value inside the allowed range",
       "{bounds}", "{bounds}", {"bounds": "0..100"},
       {"computed": ("{bounds}；此项自动计算，请核对参与计算的数据", "{bounds}; computed: check the values it is computed from")}),
    Code("value.score_over_max", Severity.ERROR, "自评分超过该项分值", "Score above the maximum", "自评分不能超过该项分值", "A score cannot exceed the item's points",
       "≤ {max_points}", "≤ {max_points}", {"max_points": "60"}),
    Code("value.pattern_mismatch", Severity.ERROR, "格式不正确", "Wrong format", "请按要求的格式填写", "Use the required format",
       "{pattern}", "{pattern}", {"pattern": "11 位手机号码"}),
    Code("value.date_out_of_period", Severity.WARNING, "日期不在本次考核期内", "Date outside the campaign period", "请核对日期", "Check the date",
       "{start}..{end}", "{start}..{end}", {"start": "2026-01-01", "end": "2026-12-31"}),
    Code("value.evidence_required", Severity.ERROR, "缺少佐证材料说明", "Evidence missing", "得分项须填写佐证材料", "A claimed score needs evidence"),
    Code("table.duplicate_key", Severity.ERROR, "台账中有重复的行", "Duplicate row key", "每一事项只填一行，请合并或删除重复行", "One row per item; merge or delete duplicates",
       "与 {first} 重复", "same as {first}", {"first": "台账!B5"}),
    Code("rule.failed", Severity.ERROR, "数据之间不一致", "Values contradict each other", "请核对相关数据", "Check the related values",
       "{message}", "{message}", {"message": Words("预备党员不能多于党员", "probationary members exceed members")}),
    Code("rule.warning", Severity.WARNING, "数据可能不一致", "Values may contradict each other", "请核对相关数据", "Check the related values",
       "{message}", "{message}", {"message": Words("党员人数比上年减少一半以上", "members fell by more than half")}),
)
