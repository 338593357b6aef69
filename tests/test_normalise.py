"""Normalising what units really type: examples per type, then properties."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from toolkit.codes import CATALOGUE
from toolkit.normalise.values import (
    CODES,
    Parsed,
    display,
    normalise,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
    parse_number,
    parse_percent,
    parse_text,
)
from toolkit.spec.model import Field

NUM, INT, DATE = "value.not_a_number", "value.not_an_integer", "value.not_a_date"
BOOL, CHOICE, ERR = "value.not_a_bool", "value.not_a_choice", "value.error_cell"
CN, AMBIG = "value.chinese_numeral", "value.percent_ambiguous"
NBSP, IDEO = "\u00a0", "\u3000"
ERROR_CELLS = ["#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", " #n/a "]


def ok(value, warning=None) -> Parsed:
    return Parsed(value=value, warning=warning)


def bad(code) -> Parsed:
    return Parsed(error=code)


def assert_parsed(got: Parsed, want: Parsed) -> None:
    assert got == want
    assert type(got.value) is type(want.value)  # 12, not 12.0; True, not 1


# --------------------------------------------------------------------------- codes


def test_codes_are_registered_with_both_languages():
    assert set(CODES) == {NUM, INT, DATE, BOOL, CHOICE, ERR, CN, AMBIG}
    for code in CODES.values():
        assert CATALOGUE[code.code] is code
        assert code.severity == ("warning" if code.code in (CN, AMBIG) else "error")
        assert all((code.title_zh, code.title_en, code.hint_zh, code.hint_en))


# --------------------------------------------------------------------------- examples

NUMBER_CASES = [
    ("12", ok(12)), (12, ok(12)), (12.0, ok(12)), (12.5, ok(12.5)), ("12.0", ok(12)),
    ("12人", ok(12)), ("12 个", ok(12)), ("3分", ok(3)), ("100元", ok(100)), ("5人次", ok(5)),
    ("１２", ok(12)), ("１，２３４．５", ok(1234.5)), ("－１２", ok(-12)), ("−12", ok(-12)),
    ("1,234", ok(1234)), ("1,234,567.5", ok(1234567.5)), (f"{NBSP}12{IDEO}", ok(12)),
    (" 12 ", ok(12)), ("\u200b12\ufeff", ok(12)), ("-12", ok(-12)), ("-3.5", ok(-3.5)),
    ("+3", ok(3)), (".5", ok(0.5)), ("1e-05", ok(1e-05)), ("¥1,234元", ok(1234)),
    (0.1 + 0.2, ok(0.3)), (13800138000.0, ok(13800138000)),
    ("十二", ok(12, CN)), ("二十三", ok(23, CN)), ("一百零五", ok(105, CN)), ("两", ok(2, CN)),
    ("十", ok(10, CN)), ("一千二百", ok(1200, CN)), ("一千零二十", ok(1020, CN)),
    ("十二人", ok(12, CN)), ("两个", ok(2, CN)), ("壹佰零伍", ok(105, CN)),
    ("约12", bad(NUM)), ("12左右", bad(NUM)), ("abc", bad(NUM)), ("12-15", bad(NUM)),
    ("1.2.3", bad(NUM)), ("十几", bad(NUM)), ("几十", bad(NUM)), ("一百五", bad(NUM)),
    ("一千二十", bad(NUM)), ("一二三", bad(NUM)), ("12万", bad(NUM)), ("1,23", bad(NUM)),
    ("1_000", bad(NUM)), ("inf", bad(NUM)), ("nan", bad(NUM)), ("人", bad(NUM)),
    ("无", bad(NUM)), (True, bad(NUM)), (dt.date(2026, 3, 5), bad(NUM)), (math.inf, bad(NUM)),
    (None, Parsed()), ("", Parsed()), ("   ", Parsed()), (f"{NBSP}{IDEO}", Parsed()),
]


@pytest.mark.parametrize("raw, want", NUMBER_CASES)
def test_parse_number(raw, want):
    assert_parsed(parse_number(raw), want)


@pytest.mark.parametrize("raw, want", [
    ("12", ok(12)), (12.0, ok(12)), ("12.0", ok(12)), ("12人", ok(12)), ("十二", ok(12, CN)),
    (12.5, bad(INT)), ("12.5", bad(INT)), ("abc", bad(NUM)), ("1e3", ok(1000)), ("", Parsed()),
])
def test_parse_int(raw, want):
    assert_parsed(parse_int(raw), want)


def test_field_unit_is_an_accepted_suffix():
    assert_parsed(parse_number("12万元", unit="万元"), ok(12))
    assert_parsed(parse_number("12万元"), bad(NUM))


@pytest.mark.parametrize("raw, scale, want", [
    ("85%", 100, ok(85)), ("85%", 1, ok(0.85)), ("85 ％", 100, ok(85)), ("８５％", 1, ok(0.85)),
    ("85", 100, ok(85)), (85, 100, ok(85)), ("0.85", 1, ok(0.85)), (0.85, 1, ok(0.85)),
    ("0.85", 100, ok(85, AMBIG)), (0.85, 100, ok(85, AMBIG)), (0.57, 100, ok(57, AMBIG)),
    ("1", 100, ok(100, AMBIG)), (1.0, 100, ok(100, AMBIG)), ("85", 1, ok(0.85, AMBIG)),
    ("0", 100, ok(0)), ("0", 1, ok(0)), ("0.5%", 100, ok(0.5)), ("0.5%", 1, ok(0.005)),
    ("120%", 1, ok(1.2)), ("120", 100, ok(120)), ("150", 1, ok(150)), ("八十五%", 100, ok(85, CN)),
    ("abc", 100, bad(NUM)), ("%", 100, bad(NUM)), ("约85%", 100, bad(NUM)), ("", 100, Parsed()),
])
def test_parse_percent(raw, scale, want):
    assert_parsed(parse_percent(raw, scale), want)


@pytest.mark.parametrize("raw, want", [
    *[(t, ok(True)) for t in ["是", "有", "√", "✓", "✔", "✔️", "Y", "y", "yes", "YES", "对",
                               "true", "TRUE", "1", "Ｙ", " 是 ", 1, 1.0, True]],
    *[(f, ok(False)) for f in ["否", "无", "×", "✗", "✘", "N", "n", "no", "No", "错", "false",
                                "0", "没有", 0, 0.0, False]],
    ("x", bad(BOOL)), ("可能", bad(BOOL)), (2, bad(BOOL)), ("2", bad(BOOL)),
    (dt.date(2026, 1, 1), bad(BOOL)), ("", Parsed()), (None, Parsed()),
])
def test_parse_bool(raw, want):
    assert_parsed(parse_bool(raw), want)


MARCH_5 = dt.date(2026, 3, 5)


@pytest.mark.parametrize("raw, date1904, want", [
    ("2026-03-05", False, ok(MARCH_5)), ("2026/3/5", False, ok(MARCH_5)), ("2026.3.5", False, ok(MARCH_5)),
    ("2026年3月5日", False, ok(MARCH_5)), ("2026年03月05日", False, ok(MARCH_5)), ("2026 年 3 月 5 号", False, ok(MARCH_5)),
    ("2026-3-5 10:30", False, ok(MARCH_5)), ("2026/03/05 10:30:59", False, ok(MARCH_5)),
    ("2026-03-05T10:30:00", False, ok(MARCH_5)), ("20260305", False, ok(MARCH_5)), (20260305, False, ok(MARCH_5)),
    ("２０２６年３月５日", False, ok(MARCH_5)), ("２０２６－０３－０５", False, ok(MARCH_5)),
    (46086, False, ok(MARCH_5)), (46086.75, False, ok(MARCH_5)), (44624, True, ok(MARCH_5)),
    (1, False, ok(dt.date(1900, 1, 1))), (59, False, ok(dt.date(1900, 2, 28))),
    (60, False, bad(DATE)), (61, False, ok(dt.date(1900, 3, 1))),
    (0, True, bad(DATE)), (1, True, ok(dt.date(1904, 1, 2))), (60, True, ok(dt.date(1904, 3, 1))),
    (0, False, bad(DATE)), (80001, False, bad(DATE)), (-5, False, bad(DATE)),
    (MARCH_5, False, ok(MARCH_5)), (dt.datetime(2026, 3, 5, 10, 30), False, ok(MARCH_5)),
    (dt.time(10, 30), False, bad(DATE)), (True, False, bad(DATE)),
    ("2026-02-30", False, bad(DATE)), ("2026-13-01", False, bad(DATE)), ("20260230", False, bad(DATE)),
    ("2026-3/5", False, bad(DATE)), ("2026-3-5 25:00", False, bad(DATE)), ("2026", False, bad(DATE)),
    ("46086", False, bad(DATE)), ("3/5/2026", False, bad(DATE)), ("明天", False, bad(DATE)),
    ("#REF!", False, bad(ERR)), ("", False, Parsed()),
])
def test_parse_date(raw, date1904, want):
    assert_parsed(parse_date(raw, date1904=date1904), want)


STATUS = ("未启动", "整改中", "已完成")
SYNONYMS = (("完成", "已完成"), ("已整改", "已完成"), ("进行中", "整改中"))


@pytest.mark.parametrize("raw, choices, want", [
    ("已完成", STATUS, ok("已完成")), (" 已完成\u00a0", STATUS, ok("已完成")),
    ("已 完成", STATUS, ok("已完成")), ("完成", STATUS, ok("已完成")), ("已整改", STATUS, ok("已完成")),
    ("进行中", STATUS, ok("整改中")), ("完成了", STATUS, bad(CHOICE)),
    ("优秀（A）", ("优秀(A)", "良好(B)"), ok("优秀(A)")), ("excellent", ("Excellent", "Good"), ok("Excellent")),
    ("ＧＯＯＤ", ("Excellent", "Good"), ok("Good")), (3.0, ("1", "2", "3"), ok("3")), (4, ("1", "2", "3"), bad(CHOICE)),
    ("#N/A", STATUS, bad(ERR)), ("", STATUS, Parsed()),
])
def test_parse_choice(raw, choices, want):
    assert_parsed(parse_choice(raw, choices, SYNONYMS), want)


@pytest.mark.parametrize("raw, want", [
    ("  张三 ", ok("张三")), (f"{NBSP}张三{IDEO}", ok("张三")), ("第一 党支部", ok("第一 党支部")),
    (13800138000.0, ok("13800138000")), (12, ok("12")), (0.5, ok("0.5")), (0.1 + 0.2, ok("0.3")),
    (MARCH_5, ok("2026-03-05")), (dt.datetime(2026, 3, 5), ok("2026-03-05")),
    (dt.datetime(2026, 3, 5, 10, 30), ok("2026-03-05 10:30:00")), (True, ok("true")),
    ("#VALUE!", bad(ERR)), ("", Parsed()), (None, Parsed()),
])
def test_parse_text(raw, want):
    assert_parsed(parse_text(raw), want)


@pytest.mark.parametrize("error", ERROR_CELLS)
@pytest.mark.parametrize("ftype", ["text", "int", "number", "percent", "date", "bool", "choice", "score"])
def test_error_cells_for_every_type(error, ftype):
    field = Field("f", "F", type=ftype, choices=("是", "否"))
    assert_parsed(normalise(field, error), bad(ERR))


@pytest.mark.parametrize("field, raw, kwargs, want", [
    (Field("n", "N", type="int"), "12人", {}, ok(12)),
    (Field("n", "N", type="number", unit="万元"), "3.5万元", {}, ok(3.5)),
    (Field("p", "P", type="percent", scale=1), "85%", {}, ok(0.85)),
    (Field("p", "P", type="percent"), "0.85", {}, ok(85, AMBIG)),
    (Field("d", "D", type="date"), 44624, {"date1904": True}, ok(MARCH_5)),
    (Field("b", "B", type="bool"), "√", {}, ok(True)),
    (Field("c", "C", type="choice", choices=STATUS, synonyms=SYNONYMS), "完成", {}, ok("已完成")),
    (Field("s", "S", type="score"), "3分", {}, ok(3)),
    (Field("s", "S", type="score"), "2.5", {"max_points": 5}, ok(2.5)),
    (Field("s", "S", type="score"), "满分", {"max_points": 5.0}, ok(5)),
    (Field("s", "S", type="score"), "满分", {}, bad(NUM)),
    (Field("s", "S", type="score"), "12", {"max_points": 5}, ok(12)),  # bounds are checked elsewhere
    (Field("t", "T"), " 备注 ", {}, ok("备注")),
])
def test_normalise_dispatches_on_field_type(field, raw, kwargs, want):
    assert_parsed(normalise(field, raw, **kwargs), want)


def test_normalise_rejects_an_unknown_type():
    with pytest.raises(ValueError):
        normalise(Field("x", "X", type="colour"), "red")


@pytest.mark.parametrize("value, text", [
    (None, ""), (12, "12"), (12.0, "12"), (0.5, "0.5"), (-0.0, "0"), (1e-05, "0.00001"),
    (1e20, "100000000000000000000"), (True, "true"), (False, "false"), (MARCH_5, "2026-03-05"),
    (dt.datetime(2026, 3, 5, 8, 0), "2026-03-05 08:00:00"), ("已完成", "已完成"),
])
def test_display(value, text):
    assert display(value) == text


# --------------------------------------------------------------------------- properties

_FULL_WIDTH = str.maketrans("0123456789,.-+e", "０１２３４５６７８９，．－＋ｅ")
DECORATIONS = [
    lambda s: s, lambda s: s.translate(_FULL_WIDTH), lambda s: f"  {s} ", lambda s: f"{NBSP}{s}{NBSP}",
    lambda s: f"{IDEO}{s}{IDEO}", lambda s: f"{s}人", lambda s: f"{s} 个", lambda s: f"{s}分",
    lambda s: f"{s}元", lambda s: f"{IDEO}{s.translate(_FULL_WIDTH)} 人{NBSP}",
]
finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@given(n=st.integers(min_value=-10**30, max_value=10**30), fmt=st.sampled_from([str, "{:,}".format]),
       decorate=st.sampled_from(DECORATIONS))
def test_any_int_parses_back(n, fmt, decorate):
    raw = decorate(fmt(n))
    assert_parsed(parse_number(raw), ok(n))
    assert_parsed(parse_int(raw), ok(n))


@given(x=finite_floats, fmt=st.sampled_from([str, "{:,}".format]), decorate=st.sampled_from(DECORATIONS))
@example(x=1e16, fmt=str, decorate=DECORATIONS[1]).via("exponent, full width")
@example(x=-1e-05, fmt=str, decorate=DECORATIONS[5]).via("small negative with a unit")
def test_any_float_parses_back(x, fmt, decorate):
    parsed = parse_number(decorate(fmt(x)))
    assert parsed.error is None and parsed.warning is None
    assert parsed.value == x
    assert isinstance(parsed.value, int) == x.is_integer()


digitless_text = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=12)


@given(text=digitless_text)
@example(text="十几").via("vague numeral")
@example(text="约十二").via("approximate numeral")
@example(text="十").via("a numeral on a percent field of scale 1: 0.1, still flagged as a numeral")
def test_text_without_digits_never_becomes_a_silent_number(text):
    for parsed in (parse_number(text), parse_int(text), parse_percent(text, 100), parse_percent(text, 1)):
        assert parsed.value is None or parsed.warning == CN
        if parsed.value is None:  # not understood: an error, unless the cell is blank
            assert parsed.error is not None or parse_text(text) == Parsed()


@given(x=st.one_of(st.integers(min_value=-10**30, max_value=10**30), finite_floats))
def test_display_round_trips_numbers(x):
    text = display(x)
    assert "e" not in text.lower() and not text.endswith(".0")
    assert parse_number(text).value == x
    assert display(parse_number(text).value) == text


@given(x=finite_floats)
def test_numeric_cells_keep_excel_precision(x):
    value = parse_number(x).value
    rounded = float(f"{x:.15g}")
    assert value == (rounded if math.isfinite(rounded) else x)
    assert parse_text(x).value == display(value)


DATE_FORMATS = [
    lambda d: d.isoformat(), lambda d: f"{d.year}-{d.month}-{d.day}", lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d:%Y/%m/%d}", lambda d: f"{d.year}.{d.month}.{d.day}", lambda d: f"{d:%Y.%m.%d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日", lambda d: f"{d:%Y年%m月%d日}",
    lambda d: f"{d.year}-{d.month}-{d.day} 10:30", lambda d: f"{d:%Y-%m-%d %H:%M:%S}",
    lambda d: f"{d:%Y%m%d}", lambda d: int(f"{d:%Y%m%d}"),
    lambda d: f" {d.year}年{d.month}月{d.day}日 ".translate(_FULL_WIDTH).replace(" ", IDEO),
    lambda d: d, lambda d: dt.datetime.combine(d, dt.time(23, 59)),
]


@given(d=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2119, 1, 1)),
       fmt=st.sampled_from(DATE_FORMATS))
def test_any_date_in_any_pattern_parses_back(d, fmt):
    assert_parsed(parse_date(fmt(d)), ok(d))


@given(d=st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2119, 1, 1)),
       fraction=st.floats(min_value=0, max_value=0.999))
def test_excel_serials_in_both_systems(d, fraction):
    serial1900 = (d - dt.date(1899, 12, 30)).days
    serial1904 = (d - dt.date(1904, 1, 1)).days
    assert_parsed(parse_date(serial1900 + fraction), ok(d))
    assume(serial1904 >= 1)
    assert_parsed(parse_date(serial1904 + fraction, date1904=True), ok(d))


any_raw = st.one_of(
    st.none(), st.text(max_size=15), st.integers(), st.floats(), st.booleans(), st.dates(),
    st.datetimes(), st.times(), st.sampled_from(ERROR_CELLS + ["十二", "85%", "2026.3.5", "√"]),
)


@settings(max_examples=300)
@given(raw=any_raw, ftype=st.sampled_from(["text", "int", "number", "percent", "date", "bool",
                                          "choice", "score"]), scale=st.sampled_from([1, 100]))
def test_normalise_never_raises_and_is_consistent(raw, ftype, scale):
    field = Field("f", "F", type=ftype, scale=scale, choices=("是", "否"), synonyms=(("对", "是"),))
    parsed = normalise(field, raw, max_points=10)
    assert not (parsed.error and parsed.warning)
    assert parsed.error is None or parsed.value is None
    assert parsed.warning is None or parsed.value is not None
    assert parsed.error is None or parsed.error in CODES
    assert parsed.warning is None or parsed.warning in CODES
