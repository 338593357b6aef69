"""The filled example of a blank authoring workbook, one per kind of template.

``toolkit spec-template --kind checklist|form|table|survey`` writes one of these: a small
template that loads as it is, so the author edits a working example instead of an empty grid.
"""

from __future__ import annotations

__all__ = ["EXAMPLES", "KINDS", "DEFAULT_GRADES", "UNIT_FIELDS", "SELF_SCORE_COLUMNS", "VETO_COLUMNS"]

_INTRO = {"id": "intro", "kind": "instructions", "name": "填报说明",
          "text": "一、本表由{unit_name}于{deadline}前报送。\n二、联系人：{contact}，联系电话：{phone}。"}
# The parts every checklist template is built of (the office-table reader builds its template from
# them too): the unit's prefilled code and name, the self-score columns and a veto item's columns.
UNIT_FIELDS = [{"id": "unit_code", "label": "单位代码", "prefill": "unit_code", "help": "已预先填写，请勿修改。"},
               {"id": "unit_name", "label": "单位名称", "prefill": "unit_name", "help": "已预先填写，请勿修改。"}]
SELF_SCORE_COLUMNS = [{"id": "self_score", "label": "自评分", "type": "score", "required": True, "help": "不得超过该项分值。"},
                      {"id": "evidence", "label": "佐证材料", "required_if": "self_score > 0", "width": 36,
                       "help": "注明材料名称及页码。"}]
VETO_COLUMNS = [{"id": "occurred", "label": "是否存在", "type": "bool", "required": True},
                {"id": "note", "label": "情况说明", "required_if": "occurred == true", "width": 36}]

_CHECKLIST = {
    "id": "my-assessment", "version": "2026.1", "title": "年度考核自评表",
    "sheets": [_INTRO,
               {"id": "basic", "kind": "form", "name": "基本信息", "fields": UNIT_FIELDS + [
                   {"id": "members", "label": "党员总数", "type": "int", "required": True, "min": 0, "unit": "人"}]},
               {"id": "check", "kind": "checklist", "name": "考核指标", "columns": SELF_SCORE_COLUMNS, "areas": [
                   {"id": "a1", "title": "一、组织生活（60分）", "items": [
                       {"id": "a1_1", "content": "按期召开支部党员大会", "standard": "每少1次扣2分，扣完为止。", "max": 30,
                        "evidence": "会议记录"},
                       {"id": "a1_2", "content": "每月开展主题党日", "standard": "每少1次扣1分，扣完为止。", "max": 30}]},
                   {"id": "a2", "title": "二、党费管理（40分）", "items": [
                       {"id": "a2_1", "content": "按月足额交纳党费", "standard": "每发现1人未按时交纳扣2分。", "max": 40}]},
                   {"id": "bonus", "title": "三、加分项", "kind": "bonus", "cap": 3, "items": [
                       {"id": "b_1", "content": "获县级以上表彰", "standard": "每项加1分。", "max": 3}]},
                   {"id": "veto", "title": "四、一票否决项", "kind": "veto", "columns": VETO_COLUMNS, "items": [
                       {"id": "v_1", "content": "发生严重违纪违法问题", "standard": "存在即一票否决。"}]}]}],
    "rules": [{"id": "members_positive", "expr": "members > 0", "message": "党员总数应大于0，请核实。",
               "severity": "warning", "fields": ["members"]}],
}

_FORM = {
    "id": "my-form", "version": "2026.1", "title": "基本情况统计表",
    "sheets": [_INTRO, {"id": "basic", "kind": "form", "name": "基本信息", "fields": UNIT_FIELDS + [
        {"id": "members", "label": "党员总数", "type": "int", "required": True, "min": 0, "unit": "人"},
        {"id": "prob_members", "label": "预备党员数", "type": "int", "required": True, "min": 0, "unit": "人"},
        {"id": "org_type", "label": "党组织类别", "type": "choice", "required": True,
         "choices": ["党支部", "党总支", "基层党委"], "synonyms": {"党支部": ["支部"]}},
        {"id": "phone", "label": "联系电话", "required": True, "pattern": r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
         "pattern_hint": "11位手机号码或带区号的固定电话"}]}],
    "rules": [{"id": "prob_le_members", "expr": "prob_members <= members", "message": "预备党员数不能多于党员总数。",
               "fields": ["prob_members", "members"]}],
    "summary": [{"id": "prob_share", "label": "预备党员占比", "numerator": "prob_members", "denominator": "members"}],
}

_TABLE = {
    "id": "my-ledger", "version": "2026.1", "title": "整改台账",
    "sheets": [_INTRO, {"id": "basic", "kind": "form", "name": "基本信息", "fields": UNIT_FIELDS},
               {"id": "ledger", "kind": "table", "name": "整改台账", "rows": 15, "key": ["item_no"], "columns": [
                   {"id": "item_no", "label": "整改编号", "required": True},
                   {"id": "problem", "label": "问题描述", "required": True, "width": 36},
                   {"id": "status", "label": "整改状态", "type": "choice", "required": True,
                    "choices": ["未启动", "整改中", "已完成"], "synonyms": {"已完成": ["完成", "已整改"]}},
                   {"id": "closed_on", "label": "完成时间", "type": "date"}],
                "row_rules": [{"id": "closed_needs_date", "expr": "status != '已完成' or filled(closed_on)",
                               "message": "已完成的事项须填写完成时间。", "fields": ["closed_on"]}]}],
}

_SURVEY = {
    "id": "my-survey", "version": "2026.1", "title": "满意度调查表",
    "sheets": [_INTRO, {"id": "basic", "kind": "form", "name": "基本信息", "fields": UNIT_FIELDS},
               {"id": "survey", "kind": "checklist", "name": "调查问卷", "columns": [
                   {"id": "answer", "label": "评价", "type": "choice", "required": True,
                    "choices": ["满意", "基本满意", "不满意"]}],
                "areas": [{"id": "q", "title": "一、工作评价", "items": [
                    {"id": "q_1", "content": "对支部组织生活的评价", "max": 0},
                    {"id": "q_2", "content": "对党员教育管理的评价", "max": 0}]}]}],
}

EXAMPLES = {"checklist": _CHECKLIST, "form": _FORM, "table": _TABLE, "survey": _SURVEY}
KINDS = tuple(EXAMPLES)

DEFAULT_GRADES = [{"grade": "优秀", "min": 90, "quota": 0.15}, {"grade": "良好", "min": 80},
                  {"grade": "一般", "min": 60}, {"grade": "较差"}]
