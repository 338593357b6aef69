"""A 考核细则 table in the shape offices write it (title row, 考核项目/考核内容/分值/评分标准/佐证材料,
areas in merged cells with their points in the title, bonus and veto areas in rows of their own, a 合计
row) becomes a template and a scoring scheme that generate, collect and score end to end."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from clirun import cli
from conftest import fill_by_name, outbox_file, write_roster

from toolkit.authoring import read_spec_workbook, workbook_to_spec
from toolkit.campaign.folder import create_campaign
from toolkit.errors import SpecError
from toolkit.generate.outbox import generate_outbox
from toolkit.read.collect import collect
from toolkit.score.scheme import load_scheme
from toolkit.spec.load import load_spec
from toolkit.validate.stage import validate_campaign

ROWS = [  # (row, 序号, 考核项目, 考核内容, 分值, 评分标准, 佐证材料)
    (3, 1, "一、组织建设（40分）", "按期进行换届选举", 20, "未按期换届的扣20分。", "换届选举批复"),
    (4, 2, None, "落实“三会一课”制度", "20分", "每少开展1次扣2分，扣完为止。", "会议记录"),
    (5, 3, "二、党员管理（60分）", "规范发展党员", 30, "程序不规范的每人次扣5分。", "发展党员档案"),
    (6, 4, None, "按月足额交纳党费", 20, "每发现1人未按时交纳扣2分。", "党费收缴台账"),
    (7, 5, None, "开展党员教育培训", 10, "未达到规定学时的扣5分。", None),
    (9, 1, None, "获得市级以上表彰", 3, "每项加3分。", "表彰文件"),
    (10, 2, None, "工作经验被上级推广", 2, "每项加2分。", None),
    (12, 1, None, "发生严重违纪违法问题", None, "存在即一票否决。", None),
]


def office_table(path: Path, changes: dict | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "考核细则"
    ws["A1"] = "2026年度基层党组织建设考核细则"
    ws.merge_cells("A1:F1")
    for col, head in enumerate(["序号", "考核项目", "考核内容", "分值", "评分标准", "佐证材料"], start=1):
        ws.cell(2, col, head)
    for row, *values in ROWS:
        for col, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(row, col, value)
    ws.merge_cells("B3:B4")
    ws.merge_cells("B5:B7")
    ws["A8"] = "三、加分项（最高加5分）"
    ws.merge_cells("A8:F8")
    ws["A11"] = "四、一票否决项"
    ws.merge_cells("A11:F11")
    ws["A13"], ws["D13"] = "合计", 100
    for ref, value in (changes or {}).items():
        ws[ref] = value
    wb.save(path)
    return path


def test_the_office_table_becomes_a_checklist_with_areas_points_bonus_and_veto(tmp_path):
    made = cli("spec-from-xlsx", office_table(tmp_path / "考核细则.xlsx"), "-o", tmp_path / "party.yaml",
               "--id", "party-2026")
    assert made.returncode == 0, made.stderr
    spec = load_spec(tmp_path / "party.yaml")
    assert spec.id == "party-2026" and spec.title == "2026年度基层党组织建设考核细则"
    check = next(s for s in spec.sheets if s.kind == "checklist")
    assert [(a.id, a.title, a.kind, a.cap) for a in check.areas] == [
        ("a1", "一、组织建设（40分）", "normal", None), ("a2", "二、党员管理（60分）", "normal", None),
        ("bonus", "三、加分项（最高加5分）", "bonus", 5), ("veto", "四、一票否决项", "veto", None)]
    a1 = check.areas[0].items
    assert [(i.id, i.content, i.max_points, i.evidence) for i in a1] == [
        ("a1_1", "按期进行换届选举", 20, "换届选举批复"), ("a1_2", "落实“三会一课”制度", 20, "会议记录")]
    assert a1[1].standard == "每少开展1次扣2分，扣完为止。"
    assert [i.id for i in check.areas[3].items] == ["v_1"]
    assert [c.id for c in check.areas[3].columns] == ["occurred", "note"]
    scheme = load_scheme(tmp_path / "party-scoring.yaml")
    assert scheme.max_total == 100 and scheme.bonus_max == 5


def test_areas_in_the_project_column_and_headers_with_more_words(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["一级指标", "考核内容及要求", "分值（分）", "评分标准及扣分办法"])
    ws.append(["一、学习教育（10分）", "开展集中学习", 6, "每少1次扣1分"])
    ws.append([None, "撰写心得体会", 4, "未撰写的扣4分"])
    ws.append(["加分项（封顶2分）", "理论文章在市级以上刊物发表", 2, "每篇加1分"])
    ws.append(["一票否决", "出现意识形态重大失误", None, "存在即否决"])
    ws.merge_cells("A2:A3")
    wb.save(tmp_path / "rules.xlsx")
    spec = read_spec_workbook(tmp_path / "rules.xlsx").spec
    areas = spec.sheets[2].areas
    assert [(a.id, a.kind, a.cap, len(a.items)) for a in areas] == [("a1", "normal", None, 2), ("bonus", "bonus", 2, 1),
                                                                      ("veto", "veto", None, 1)]
    assert areas[0].items[1].standard == "未撰写的扣4分" and spec.title == "rules"


def test_notes_under_the_table_end_it(tmp_path):
    path = office_table(tmp_path / "t.xlsx", {"A15": "备注：1. 佐证材料须加盖公章。2. 本细则由组织部负责解释。"})
    spec = read_spec_workbook(path).spec
    assert [a.title for a in spec.sheets[2].areas][-1] == "四、一票否决项"


@pytest.mark.parametrize("changes, where, words", [
    ({"D4": 15}, "考核细则!B3", ["40分", "35分"]),
    ({"D6": None}, "考核细则!D6", ["分值"]),
    ({"D6": "二十"}, "考核细则!D6", ["二十"]),
    ({"D13": 90}, "考核细则!D13", ["90分", "100分"]),
    ({"C7": None}, "考核细则!C7", ["考核内容"]),
    ({"A9": None, "C9": None, "D9": None, "E9": None, "F9": None,
      "A10": None, "C10": None, "D10": None, "E10": None}, "考核细则!A8", ["三、加分项", "没有"]),
])
def test_what_cannot_be_placed_is_reported_by_cell(tmp_path, changes, where, words):
    with pytest.raises(SpecError) as info:
        workbook_to_spec(office_table(tmp_path / "t.xlsx", changes), tmp_path / "t.yaml")
    assert info.value.zh.startswith(f"t.xlsx：{where}："), info.value.zh
    for w in words:
        assert w in info.value.zh, info.value.zh
    assert not (tmp_path / "t.yaml").exists()


@pytest.mark.parametrize("name", ["office-rules-lo.xlsx", "office-rules-lo.xls"])
def test_the_office_table_saved_by_libreoffice_reads_the_same(name, tmp_path):
    fixtures = Path(__file__).parent / "fixtures" / "authoring"
    built = read_spec_workbook(office_table(tmp_path / "t.xlsx"), template_id="party").spec
    assert read_spec_workbook(fixtures / name, template_id="party").spec == built


def _values(spec, changes: dict) -> dict:
    values = {}
    for area in next(s for s in spec.sheets if s.kind == "checklist").areas:
        for item in area.items:
            if area.kind == "veto":
                values[f"f_{item.id}_occurred"] = "否"
            else:
                values[f"f_{item.id}_self_score"] = item.max_points if area.kind == "normal" else 0
                values[f"f_{item.id}_evidence"] = "见附件"
    return {**values, **changes}


def test_the_template_from_the_office_table_generates_collects_and_scores(tmp_path):
    workbook_to_spec(office_table(tmp_path / "考核细则.xlsx"), tmp_path / "rules" / "party.yaml", template_id="party")
    roster = write_roster(tmp_path / "roster.csv", [("U1", "第一党支部", "乡镇", "张三", "13800000001"),
                                                    ("U2", "第二党支部", "乡镇", "李四", "13800000002"),
                                                    ("U3", "第三党支部", "部门", "王五", "13800000003")])
    campaign = create_campaign(tmp_path / "camp", str(tmp_path / "rules" / "party.yaml"), roster, year=2026,
                               deadline="2026-12-20")
    generate_outbox(campaign, workers=1)
    spec = campaign.template()
    returns = {"U1": {"f_b_1_self_score": 3},                       # 100 + 3 bonus
               "U2": {"f_a2_2_self_score": 14},                     # loses 6
               "U3": {"f_v_1_occurred": "是", "f_v_1_note": "支部一名党员受到严重警告处分"}}
    paths = [fill_by_name(outbox_file(campaign, code), tmp_path / "returns" / outbox_file(campaign, code).name,
                          _values(spec, changes)) for code, changes in returns.items()]
    collect(campaign, [str(p) for p in paths], workers=1)
    validate_campaign(campaign, "zh")
    with open(campaign.dir / "out" / "issues.csv", encoding="utf-8-sig") as fh:
        assert list(csv.DictReader(fh)) == []
    proc = cli("score", campaign.dir, "--json")
    assert proc.returncode == 0, proc.stderr
    with open(campaign.dir / "out" / "scores.csv", encoding="utf-8-sig") as fh:
        scores = {r["unit_code"]: r for r in csv.DictReader(fh)}
    # 103 earns 优秀 by points, but 15% of three graded units is no one: the quota makes it 良好
    assert float(scores["U1"]["total"]) == 103 and scores["U1"]["rank"] == "1" and scores["U1"]["grade"] == "良好"
    assert float(scores["U2"]["total"]) == 94 and scores["U2"]["rank"] == "2"
    assert scores["U3"]["vetoed"] in ("1", "true", "True", "是") and scores["U3"]["grade"] == "较差"
