"""The bundled template specs in toolkit/templates/, and the spec loader's error messages."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from toolkit.errors import ConfigError, SpecError
from toolkit.expr.language import evaluate, names_in, to_excel
from toolkit.output.print_layout import column_px
from toolkit.spec.load import TEMPLATES_DIR, bundled_templates, find_template, load_spec
from toolkit.spec.model import Field, TemplateSpec
from toolkit.spec.parse import parse_spec

EXPECTED_IDS = ("annual-assessment", "gap-sprint", "evaluation", "inspection-survey", "rectification-ledger")
# Placeholders the generator fills in an instructions sheet (toolkit.generate.master._Builder._instructions).
PLACEHOLDERS = {"deadline", "contact", "phone", "campaign", "year", "unit_name", "unit_code", "return_to", "title"}
PHONE_SAMPLES_OK = ("13800000001", "19912345678", "0571-88000000", "057188000000", "010-12345678",
                    "0571-88000000-123")
PHONE_SAMPLES_BAD = ("12800000001", "1380000000", "88000000", "0571-880", "电话13800000001", "")


def _spec_files() -> list[Path]:
    """Every template spec in toolkit/templates/ (scoring schemes and other YAML files have no `sheets`)."""
    out = []
    for path in sorted(TEMPLATES_DIR.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(raw, dict) and "sheets" in raw:
            out.append(path)
    return out


SPEC_FILES = _spec_files()


@pytest.fixture(scope="module")
def specs() -> dict[str, TemplateSpec]:
    return {s.id: s for s in (load_spec(p) for p in SPEC_FILES)}


def _all_fields(spec: TemplateSpec) -> list[tuple[str, Field]]:
    """(where, field) for every form field, checklist column (sheet and area) and table column."""
    out = []
    for sheet in spec.sheets:
        out += [(f"{sheet.id}.{f.id}", f) for f in sheet.fields]
        out += [(f"{sheet.id}.columns.{c.id}", c) for c in sheet.columns]
        for area in sheet.areas:
            if area.columns != sheet.columns:
                out += [(f"{sheet.id}.{area.id}.columns.{c.id}", c) for c in area.columns]
    return out


def _first_form(spec: TemplateSpec):
    return next(s for s in spec.sheets if s.kind == "form")


# --------------------------------------------------------------------------- bundled templates


def test_every_expected_template_is_bundled():
    assert {p.stem for p in SPEC_FILES} >= set(EXPECTED_IDS)
    assert {s.id for s in bundled_templates()} >= set(EXPECTED_IDS)


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.stem)
def test_template_loads_and_is_named_after_its_file(path):
    spec = load_spec(path)
    assert spec.id == path.stem
    assert find_template(spec.id) == spec
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(raw["version"], str), "quote the version, or 2026.10 becomes 2026.1"
    assert spec.title and spec.title_en


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.stem)
def test_ids_are_unique_and_well_formed(path):
    spec = load_spec(path)
    ids = [f.id for s in spec.sheets for f in s.fields] + [i.id for s in spec.sheets for i in s.items]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", i) for i in ids)
    for sheet in spec.sheets:
        area_ids = [a.id for a in sheet.areas]
        assert len(area_ids) == len(set(area_ids)), sheet.id
        for area in sheet.areas:
            col_ids = [c.id for c in area.columns]
            assert len(col_ids) == len(set(col_ids)), area.id
    # Table values of a return are keyed by (column id, row) and form values by id, so a table
    # column id must not repeat in another table nor name a form field.
    table_ids = [c.id for s in spec.sheets if s.kind == "table" for c in s.columns]
    assert len(table_ids) == len(set(table_ids))
    assert not set(table_ids) & set(spec.form_fields)
    names = [s.name for s in spec.sheets]
    assert len({n.lower() for n in names}) == len(names)
    assert not {"_meta", "_lists"} & {n.lower() for n in names}


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.stem)
def test_first_form_sheet_prefills_unit_code_and_name(path):
    spec = load_spec(path)
    assert spec.sheets[0].kind == "instructions"
    form = _first_form(spec)
    fields = {f.id: f for f in form.fields}
    assert fields["unit_code"].prefill == "unit_code"
    assert fields["unit_name"].prefill == "unit_name"
    assert [f.id for f in form.fields[:2]] == ["unit_code", "unit_name"]


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.stem)
def test_choice_fields_have_choices_and_synonyms_map_to_them(path):
    spec = load_spec(path)
    for where, f in _all_fields(spec):
        if f.type == "choice":
            assert len(f.choices) >= 2, where
            assert len(set(f.choices)) == len(f.choices), where
        synonyms = [s for s, _ in f.synonyms]
        assert len(synonyms) == len(set(synonyms)), where
        assert not set(synonyms) & set(f.choices), where
        assert all(choice in f.choices for _, choice in f.synonyms), where


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.stem)
def test_every_field_has_help_and_english_label(path):
    spec = load_spec(path)
    for where, f in _all_fields(spec):
        assert f.help and len(f.help) <= 255, where
        assert f.label_en, where
        assert len(f.label) <= 32, where
        if f.pattern:
            assert f.pattern_hint, where


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.stem)
def test_instructions_use_only_known_placeholders(path):
    spec = load_spec(path)
    for sheet in spec.sheets:
        if sheet.kind == "instructions":
            used = set(re.findall(r"\{(\w+)\}", sheet.text))
            assert used <= PLACEHOLDERS, used - PLACEHOLDERS
            assert "deadline" in used


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.stem)
def test_required_if_uses_names_in_scope(path):
    """The loader does not check names in required_if, so check the bundled ones here."""
    spec = load_spec(path)
    form_names = set(spec.form_fields)
    for sheet in spec.sheets:
        for f in sheet.fields:
            if f.required_if:
                assert names_in(f.required_if) <= form_names, f.id
        scopes = [sheet.columns] + [a.columns for a in sheet.areas]
        for columns in scopes:
            for c in columns:
                if c.required_if:
                    assert names_in(c.required_if) <= {x.id for x in columns} | {"true", "True"}, c.id


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.stem)
def test_computed_fields_become_excel_formulas(path):
    spec = load_spec(path)
    for f in spec.form_fields.values():
        if f.formula:
            assert to_excel(f.formula, lambda n: f"[{n}]") is not None, f.id
            assert not f.required and f.prefill is None


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.stem)
def test_phone_patterns_accept_mobiles_and_landlines(path):
    spec = load_spec(path)
    patterns = [f for _, f in _all_fields(spec) if f.pattern]
    assert patterns, "every template asks for a contact phone"
    for f in patterns:
        for ok in PHONE_SAMPLES_OK:
            assert re.fullmatch(f.pattern, ok), (f.id, ok)
        for bad in PHONE_SAMPLES_BAD:
            assert not re.fullmatch(f.pattern, bad), (f.id, bad)


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.stem)
def test_master_workbook_builds(path):
    from toolkit.generate.master import MasterContext, build_master

    spec = load_spec(path)
    data = build_master(spec, MasterContext(campaign="2026年度考核", year=2026, deadline="2026-12-20",
                                            contact="王老师", phone="0571-88000000"))
    assert data[:2] == b"PK"


def test_annual_assessment_points(specs):
    spec = specs["annual-assessment"]
    assert spec.version == "2026.1"
    assert spec.title == "年度基层党组织建设考核自评表"
    assert spec.scoring == "annual-assessment-scoring"
    assert [s.kind for s in spec.sheets] == ["instructions", "form", "checklist"]
    check = next(s for s in spec.sheets if s.kind == "checklist")
    normal = [i for a in check.areas if a.kind == "normal" for i in a.items]
    assert sum(i.max_points for i in normal) == 100
    assert all(i.max_points > 0 and i.standard for i in normal)
    assert len([a for a in check.areas if a.kind == "normal"]) == 7
    bonus = [a for a in check.areas if a.kind == "bonus"]
    assert len(bonus) == 1 and bonus[0].cap == 5 and 2 <= len(bonus[0].items) <= 3
    veto = [a for a in check.areas if a.kind == "veto"]
    assert len(veto) == 1 and 2 <= len(veto[0].items) <= 3
    assert all(i.max_points == 0 for i in veto[0].items)
    occurred = veto[0].columns[0]
    assert (occurred.id, occurred.type, occurred.required) == ("occurred", "bool", True)
    cols = {c.id: c for c in check.columns}
    assert (cols["self_score"].type, cols["self_score"].required) == ("score", True)
    assert cols["evidence"].required_if == "self_score > 0"
    assert "note" in cols


def test_annual_assessment_form_and_rules(specs):
    spec = specs["annual-assessment"]
    f = spec.form_fields
    assert (f["members"].type, f["members"].required, f["members"].min) == ("int", True, 0)
    assert (f["last_election"].type, f["last_election"].required) == ("date", True)
    assert (f["dues_collected"].type, f["dues_collected"].unit) == ("number", "元")
    assert evaluate(f["formal_members"].formula, {"members": 30, "prob_members": 4}) == 26
    rules = {r.id: r for r in spec.rules}
    assert rules["prob_le_members"].severity == "error"
    values = {"members": 30, "prob_members": 4, "new_members": 3, "formal_members": 26, "dues_collected": 8000.5}
    assert all(evaluate(r.expr, values) for r in spec.rules)
    assert evaluate(rules["prob_le_members"].expr, {**values, "prob_members": 31}) is False
    assert evaluate(rules["new_le_members"].expr, {**values, "new_members": 31}) is False
    assert evaluate(rules["prob_le_members"].expr, {**values, "prob_members": None}) is None


def test_evaluation_indicators(specs):
    spec = specs["evaluation"]
    role = spec.form_fields["evaluator_role"]
    assert (role.type, role.required, role.choices) == ("choice", True, ("自评", "互评", "点评"))
    check = next(s for s in spec.sheets if s.kind == "checklist")
    assert 8 <= len(check.items) <= 10
    assert sum(i.max_points for i in check.items) == 100
    assert [(c.id, c.type, c.required) for c in check.columns][0] == ("score", "score", True)


def test_inspection_survey_counts_rates_and_likert(specs):
    spec = specs["inspection-survey"]
    f = spec.form_fields
    for fid in ("members_interviewed", "branches_visited", "problems_found", "problems_rectified",
                "suggestions_collected", "suggestions_answered"):
        assert (f[fid].type, f[fid].min) == ("int", 0), fid
    for fid in ("participation_rate", "completion_rate", "pass_rate"):
        assert (f[fid].type, f[fid].scale, f[fid].min, f[fid].max) == ("percent", 100, 0, 100), fid
    values = {"problems_found": 10, "problems_rectified": 8, "suggestions_collected": 5,
              "suggestions_answered": 5, "members_interviewed": 12, "branches_visited": 3}
    assert all(evaluate(r.expr, values) for r in spec.rules)
    assert not all(evaluate(r.expr, {**values, "problems_rectified": 11}) for r in spec.rules)
    assert evaluate(f["rectify_rate"].formula, values) == 80
    assert evaluate(f["rectify_rate"].formula, {**values, "problems_found": 0}) == 0
    survey = next(s for s in spec.sheets if s.kind == "checklist")
    answer = survey.column("answer")
    assert answer.choices == ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
    assert ("很满意", "非常满意") in answer.synonyms


def test_gap_sprint_tables(specs):
    spec = specs["gap-sprint"]
    gaps, sprint = spec.sheet("gaps"), spec.sheet("sprint")
    assert (gaps.kind, sprint.kind) == ("table", "table")
    assert [c.id for c in gaps.columns][1:] == ["section", "target", "progress", "gap", "cause"]
    assert {"task", "measures", "owner", "deadline", "task_section"} <= {c.id for c in sprint.columns}
    assert gaps.column("section").choices == sprint.column("task_section").choices
    assert gaps.rows >= 10 and sprint.rows >= 10 and gaps.key and sprint.key
    deadline = sprint.column("deadline")
    assert (deadline.type, deadline.in_period) == ("date", True)


def test_rectification_ledger_row_rules(specs):
    spec = specs["rectification-ledger"]
    ledger = spec.sheet("ledger")
    assert ledger.key == ("item_id",)
    status = ledger.column("status")
    assert status.choices == ("未启动", "整改中", "已完成")
    syn = dict(status.synonyms)
    assert (syn["完成"], syn["已整改"], syn["进行中"]) == ("已完成", "已完成", "整改中")
    assert ledger.column("source").choices == ("组织生活会", "巡察反馈", "督查检查", "自查自纠", "其他")
    rules = {r.id: r for r in ledger.row_rules}
    closed = {"status": "已完成", "closed_on": "2026-05-20", "evidence": "整改报告"}
    assert all(evaluate(r.expr, closed) for r in ledger.row_rules)
    assert evaluate(rules["closed_needs_date"].expr, {**closed, "closed_on": None}) is False
    assert rules["closed_needs_date"].severity == "error"
    assert evaluate(rules["closed_needs_evidence"].expr, {**closed, "evidence": ""}) is False
    assert rules["closed_needs_evidence"].severity == "error"
    open_item = {"status": "整改中", "closed_on": None, "evidence": None}
    assert all(evaluate(r.expr, open_item) for r in ledger.row_rules)
    for c in ("problem", "measure", "owner", "deadline", "status"):
        assert ledger.column(c).required, c


# --------------------------------------------------------------------------- loader errors


def _base() -> dict:
    return {
        "id": "t", "version": "1", "title": "测试表",
        "sheets": [
            {"id": "intro", "kind": "instructions", "name": "填报说明", "text": "请于{deadline}前报送"},
            {"id": "basic", "kind": "form", "name": "基本信息", "fields": [
                {"id": "unit_code", "label": "单位代码", "prefill": "unit_code"},
                {"id": "unit_name", "label": "单位名称", "prefill": "unit_name"},
                {"id": "members", "label": "党员总数", "type": "int"},
                {"id": "prob_members", "label": "预备党员数", "type": "int"},
                {"id": "formal", "label": "正式党员数", "type": "int", "formula": "members - prob_members"},
            ]},
            {"id": "check", "kind": "checklist", "name": "考核指标",
             "columns": [{"id": "self_score", "label": "自评分", "type": "score"}],
             "areas": [{"id": "a1", "title": "责任落实", "items": [{"id": "a1_1", "content": "内容", "max": 100}]}]},
            {"id": "ledger", "kind": "table", "name": "台账", "key": ["item_id"],
             "columns": [{"id": "item_id", "label": "编号"},
                         {"id": "status", "label": "状态", "type": "choice", "choices": ["未启动", "已完成"]}],
             "row_rules": [{"id": "r", "expr": "status != '已完成'", "message": "m"}]},
        ],
        "rules": [{"id": "r1", "expr": "prob_members <= members", "message": "预备党员不能多于党员"}],
    }


def _error(change) -> str:
    raw = _base()
    change(raw)
    with pytest.raises(SpecError) as exc:
        parse_spec(raw, "t.yaml")
    return str(exc.value)


def test_base_spec_is_valid():
    spec = parse_spec(_base(), "t.yaml")
    assert spec.id == "t" and len(spec.sheets) == 4


def test_misspelt_key_names_path_and_suggests():
    def change(raw):
        fld = raw["sheets"][1]["fields"][2]
        fld["lable"] = fld.pop("label")
    msg = _error(change)
    assert msg.startswith("t.yaml: sheets[1].fields[2].lable: ")
    assert "unknown key 'lable' (did you mean 'label'?)" in msg


def test_misspelt_top_level_key():
    msg = _error(lambda raw: raw.__setitem__("titel", raw.pop("title")))
    assert msg.startswith("t.yaml: titel: ")
    assert "(did you mean 'title'?)" in msg


def test_wrong_field_type_suggests_int():
    msg = _error(lambda raw: raw["sheets"][1]["fields"][0].__setitem__("type", "integer"))
    assert msg.startswith("t.yaml: sheets[1].fields[0].type: ")
    assert "got 'integer' (did you mean 'int'?)" in msg


def test_wrong_value_type_of_a_key():
    msg = _error(lambda raw: raw["sheets"][1]["fields"][2].__setitem__("required", "yes"))
    assert msg == "t.yaml: sheets[1].fields[2].required: expected bool, got str 'yes'"


def test_wrong_sheet_kind_suggests():
    msg = _error(lambda raw: raw["sheets"][2].__setitem__("kind", "chcklist"))
    assert msg.startswith("t.yaml: sheets[2].kind: ")
    assert "(did you mean 'checklist'?)" in msg


def test_missing_required_keys():
    msg = _error(lambda raw: raw["sheets"][1]["fields"][2].pop("label"))
    assert msg == "t.yaml: sheets[1].fields[2].label: expected a value (required), got nothing"
    msg = _error(lambda raw: raw.pop("title"))
    assert msg == "t.yaml: title: expected a value (required), got nothing"
    msg = _error(lambda raw: raw["sheets"][2].pop("kind"))
    assert msg == "t.yaml: sheets[2].kind: expected a value (required), got nothing"


def test_choice_without_choices():
    msg = _error(lambda raw: raw["sheets"][3]["columns"][1].pop("choices"))
    assert msg.startswith("t.yaml: sheets[3].columns[1].choices: ")


def test_synonym_of_an_unknown_choice():
    msg = _error(lambda raw: raw["sheets"][3]["columns"][1].__setitem__("synonyms", {"已完毕": ["完成"]}))
    assert msg.startswith("t.yaml: sheets[3].columns[1].synonyms: ")
    assert "(did you mean '已完成'?)" in msg


def test_duplicate_field_id():
    msg = _error(lambda raw: raw["sheets"][1]["fields"][3].__setitem__("id", "members"))
    assert msg == ("t.yaml: sheets[1].fields[3].id: expected an id used once in the template (fields, items, "
                   "table columns), got 'members', already used at sheets[1].fields[2].id")


def test_item_id_clashing_with_field_id():
    msg = _error(lambda raw: raw["sheets"][2]["areas"][0]["items"][0].__setitem__("id", "members"))
    assert msg.startswith("t.yaml: sheets[2].areas[0].items[0].id: expected an id used once")
    assert "already used at sheets[1].fields[2].id" in msg


def test_duplicate_table_column_id():
    msg = _error(lambda raw: raw["sheets"][3]["columns"].append({"id": "status", "label": "状态2"}))
    assert msg == "t.yaml: sheets[3].columns: expected each column id once, got 'status' twice"


def test_id_with_a_dot():
    msg = _error(lambda raw: raw["sheets"][1]["fields"][2].__setitem__("id", "a1.1"))
    assert msg.startswith("t.yaml: sheets[1].fields[2].id: ")
    assert "(no dots), got 'a1.1'" in msg
    msg = _error(lambda raw: raw["sheets"][2]["areas"][0]["items"][0].__setitem__("id", "a1.1"))
    assert msg.startswith("t.yaml: sheets[2].areas[0].items[0].id: ")


def test_key_naming_an_unknown_column():
    msg = _error(lambda raw: raw["sheets"][3].__setitem__("key", ["item"]))
    assert msg.startswith("t.yaml: sheets[3].key: ")
    assert "(did you mean 'item_id'?)" in msg


def test_unknown_name_in_rule_expression():
    msg = _error(lambda raw: raw["rules"][0].__setitem__("expr", "prob_members <= member"))
    assert msg.startswith("t.yaml: rules[0].expr: ")
    assert "unknown name 'member' (did you mean 'members'?)" in msg


def test_unknown_name_in_row_rule_and_formula():
    msg = _error(lambda raw: raw["sheets"][3]["row_rules"][0].__setitem__("expr", "statuss != '已完成'"))
    assert msg.startswith("t.yaml: sheets[3].row_rules[0].expr: ")
    assert "unknown name 'statuss' (did you mean 'status'?)" in msg
    msg = _error(lambda raw: raw["sheets"][1]["fields"][4].__setitem__("formula", "membres - prob_members"))
    assert msg.startswith("t.yaml: sheets[1].fields[4].formula: ")
    assert "(did you mean 'members'?)" in msg


def test_row_rule_cannot_use_form_fields():
    msg = _error(lambda raw: raw["sheets"][3]["row_rules"][0].__setitem__("expr", "members > 0"))
    assert msg.startswith("t.yaml: sheets[3].row_rules[0].expr: ")
    assert "unknown name 'members'" in msg


@pytest.mark.parametrize("expr", ["__import__('os')", "eval('1+1')", "members.__class__",
                                  "open('/etc/passwd')", "[x for x in members]", "lambda: 1"])
def test_unsafe_expression_is_rejected(expr):
    msg = _error(lambda raw: raw["rules"][0].__setitem__("expr", expr))
    assert msg.startswith("t.yaml: rules[0].expr: expected a valid expression, got ")


def test_unsafe_required_if_is_rejected():
    msg = _error(lambda raw: raw["sheets"][2]["columns"][0].__setitem__("required_if", "__import__('os')"))
    assert msg.startswith("t.yaml: sheets[2].columns[0].required_if: expected a valid expression")


def test_expression_syntax_error():
    msg = _error(lambda raw: raw["rules"][0].__setitem__("expr", "prob_members <="))
    assert msg.startswith("t.yaml: rules[0].expr: expected a valid expression, got syntax error")


def test_non_mapping_sheet():
    msg = _error(lambda raw: raw["sheets"].__setitem__(1, "基本信息"))
    assert msg == "t.yaml: sheets[1]: expected a mapping (key: value), got str"


def test_non_mapping_field():
    msg = _error(lambda raw: raw["sheets"][1]["fields"].__setitem__(2, ["members", "党员总数"]))
    assert msg == "t.yaml: sheets[1].fields[2]: expected a mapping (key: value), got list"


def test_bad_sheet_name():
    msg = _error(lambda raw: raw["sheets"][3].__setitem__("name", "台账[2026]"))
    assert msg.startswith("t.yaml: sheets[3].name: ")
    msg = _error(lambda raw: raw["sheets"][3].__setitem__("name", "整" * 32))
    assert msg.startswith("t.yaml: sheets[3].name: ")


def test_bad_pattern_scale_and_severity():
    msg = _error(lambda raw: raw["sheets"][1]["fields"][2].__setitem__("pattern", "([0-9]"))
    assert msg.startswith("t.yaml: sheets[1].fields[2].pattern: expected a valid regular expression")
    msg = _error(lambda raw: raw["sheets"][1]["fields"][2].__setitem__("scale", 10))
    assert msg.startswith("t.yaml: sheets[1].fields[2].scale: ")
    msg = _error(lambda raw: raw["rules"][0].__setitem__("severity", "warn"))
    assert msg.startswith("t.yaml: rules[0].severity: ")
    assert "(did you mean 'warning'?)" in msg


def test_min_greater_than_max():
    def change(raw):
        raw["sheets"][1]["fields"][2].update({"min": 10, "max": 5})
    assert _error(change).startswith("t.yaml: sheets[1].fields[2].min: ")


def test_spec_error_is_a_config_error_with_exit_code_2():
    assert issubclass(SpecError, ConfigError) and SpecError.exit_code == 2


def test_load_spec_names_the_file(tmp_path):
    bad = copy.deepcopy(_base())
    bad["sheets"][1]["fields"][2]["type"] = "integer"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SpecError, match=re.escape(f"{path}: sheets[1].fields[2].type: ")):
        load_spec(path)


def test_a_tab_after_a_key_is_refused_as_ever(tmp_path):
    path = tmp_path / "tab.yaml"  # libyaml (the fast reader) takes it, PyYAML does not: the refusal stays
    path.write_text("id:\tt\nversion: '1'\ntitle: x\nsheets: []\n", encoding="utf-8")
    with pytest.raises(SpecError, match=re.escape(str(path)) + r" line 1: not valid YAML"):
        load_spec(path)


def test_load_spec_reports_the_yaml_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: t\nversion: '1'\ntitle: x\nsheets:\n  - id: a\n    kind: [form\n", encoding="utf-8")
    with pytest.raises(SpecError, match=re.escape(str(path)) + r" line \d+: not valid YAML"):
        load_spec(path)


def test_duplicate_area_id():
    def change(raw):
        raw["sheets"][2]["areas"].append(dict(raw["sheets"][2]["areas"][0], items=[{"id": "zz_1", "content": "x", "max": 1}]))
    msg = _error(change)
    assert msg.startswith("t.yaml: sheets[2].areas: expected each area id once")


def test_reserved_sheet_name():
    msg = _error(lambda raw: raw["sheets"][1].__setitem__("name", "_meta"))
    assert msg.startswith("t.yaml: sheets[1].name: expected a sheet name other than _meta and _lists")


def test_unknown_name_in_required_if():
    def change(raw):
        raw["sheets"][2]["columns"].append({"id": "evidence", "label": "佐证", "required_if": "self_scor > 0"})
    msg = _error(change)
    assert msg.startswith("t.yaml: sheets[2].columns[1].required_if: ")
    assert "(did you mean 'self_score'?)" in msg


# --------------------------------------------------------------------------- how the bundled templates print


def _master(spec_id: str):
    import io

    import openpyxl

    from toolkit.generate.master import MasterContext, build_master
    data = build_master(find_template(spec_id), MasterContext(campaign="2026年度考核", year=2026,
                                                              deadline="2026-12-20"))
    return openpyxl.load_workbook(io.BytesIO(data))


def _key_rows(ws) -> dict:
    return {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}


def test_the_survey_sheet_shows_questions_and_answers_only():
    ws = _master("inspection-survey")["满意度评价"]
    head = [ws.cell(3, c).value for c in range(2, 8)]
    assert head[:3] == ["编号", "调查问题", "评价要点"] and head[4:] == ["评价（必填）", "意见建议"]
    assert ws.column_dimensions["E"].hidden  # 分值: there are no points to show
    keys = _key_rows(ws)
    assert all(ws.cell(r, 5).value in (None, "") for k, r in keys.items() if k != "#header")  # no column of 0s
    assert ws.row_dimensions[keys["#total"]].hidden
    assert not any("合计" in str(ws.cell(keys["#total"], c).value or "") for c in range(1, 8))


def test_the_scoring_checklist_keeps_its_points_and_total():
    ws = _master("annual-assessment")["考核指标"]
    keys = _key_rows(ws)
    assert ws.cell(2 + 1, 3).value == "考核内容" and not ws.column_dimensions["E"].hidden
    assert ws.cell(keys["a1_1"], 5).value == 4
    assert "合计" in ws.cell(keys["#total"], 2).value and not ws.row_dimensions[keys["#total"]].hidden


def test_veto_items_start_a_page_and_show_no_points():
    ws = _master("annual-assessment")["考核指标"]
    keys = _key_rows(ws)
    veto = keys["#area:veto"]
    assert [b.id for b in ws.row_breaks.brk] == [veto - 1]  # the break falls just above the veto heading
    # Excel ignores manual breaks under "fit to page": the sheet is one page wide by a fixed scale
    assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
    # the file stores each width with the padding Excel adds (0.71 of a character)
    visible = sum(column_px(d.width - 0.71) * (d.max - d.min + 1) for d in ws.column_dimensions.values() if not d.hidden)
    assert visible * int(ws.page_setup.scale) / 100 <= (11.69 - 1.0) * 96 < visible * (int(ws.page_setup.scale) + 5) / 100
    assert int(ws.page_setup.scale) >= 50
    assert ws.cell(veto, 6).value == "是否存在（必填）" and ws.cell(veto, 7).value == "情况说明"
    assert ws.row_dimensions[veto].height >= 30  # its own column headers, wrapped, are not clipped
    for item in ("v_1", "v_2", "v_3"):
        assert ws.cell(keys[item], 5).value == "—"  # not 0 points


def test_the_instructions_name_the_veto_column_as_it_is_called():
    spec = find_template("annual-assessment")
    veto = next(a for a in next(s for s in spec.sheets if s.kind == "checklist").areas if a.kind == "veto")
    note = next(c for c in veto.columns if c.id == "note")
    text = next(s for s in spec.sheets if s.kind == "instructions").text
    line = next(x for x in text.splitlines() if "一票否决" in x)
    assert f"“{note.label}”栏" in line and "备注栏" not in line


@pytest.mark.parametrize("spec_id, sheets", [("gap-sprint", ("差距清单", "冲刺清单")),
                                             ("rectification-ledger", ("整改台账",))])
def test_blank_ledger_rows_print_with_borders_to_fill_by_hand(spec_id, sheets):
    wb = _master(spec_id)
    for name in sheets:
        ws = wb[name]
        rows = [r for r, key in ((r, ws.cell(r, 1).value) for r in range(1, ws.max_row + 1)) if key == "#row"]
        assert len(rows) >= 10, name
        last_col = max(c for c in range(2, ws.max_column + 1) if ws.cell(3, c).value)
        letter = openpyxl_letter(last_col)
        assert ws.print_area == f"'{name}'!$A$1:${letter}${rows[-1]}", name  # the blank rows are printed
        assert ws.print_title_rows == "$1:$3", name
        for r in rows:
            assert ws.row_dimensions[r].height >= 24, (name, r)  # tall enough to write in
            assert all(ws.cell(r, c).border.bottom.style for c in range(2, last_col + 1)), (name, r)


def openpyxl_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(col)


def test_indicator_rows_are_as_tall_as_their_wrapped_text():
    from toolkit.generate.master import display_width
    spec = find_template("annual-assessment")
    ws = _master("annual-assessment")["考核指标"]
    keys = _key_rows(ws)
    for item in next(s for s in spec.sheets if s.kind == "checklist").items:
        longest = max(display_width(item.content, 0, 10_000), display_width(item.standard, 0, 10_000))
        lines = -(-longest // 38)  # a 42-wide column holds about 18 CJK characters a line
        assert ws.row_dimensions[keys[item.id]].height >= 15 * lines, item.id


def test_ledger_headers_are_as_tall_as_their_wrapped_labels():
    ws = _master("gap-sprint")["差距清单"]
    narrow = ws.column_dimensions["B"].width  # 序号（必填） in a column 8 wide wraps onto three lines
    assert ws.cell(3, 2).value == "序号（必填）" and narrow < 10
    assert ws.row_dimensions[3].height >= 3 * 14


def test_the_bonus_heading_names_its_cap_once():
    ws = _master("annual-assessment")["考核指标"]
    assert ws.cell(_key_rows(ws)["#area:bonus"], 2).value == "八、加分项（封顶5分）"


def test_the_total_names_the_bonus_only_where_there_is_one():
    wb = _master("evaluation")
    ws = next(w for w in wb.worksheets if "#total" in _key_rows(w))
    assert ws.cell(_key_rows(ws)["#total"], 2).value == "合计"
    annual = _master("annual-assessment")["考核指标"]
    assert annual.cell(_key_rows(annual)["#total"], 2).value == "合计（基础分+加分，加分封顶）"


def test_a_plain_total_row_is_the_templates_own_when_the_hidden_keys_are_lost():
    from toolkit.read.locate import locate_checklist
    from toolkit.read.reader import Grid, Submission
    spec = find_template("evaluation")
    sheet = next(s for s in spec.sheets if s.kind == "checklist")
    ws = _master("evaluation")[sheet.name]
    rows = [[None] + [c.value for c in row[1:]] for row in ws.iter_rows()]  # the key column cleared
    sub = Submission(spec.id, spec.version)
    locate_checklist(sheet, Grid(sheet.name, rows), sub)
    assert any(r[1] == "合计" for r in rows)
    assert [f.code for f in sub.findings] == []  # 合计 is not a row the unit inserted
