"""Make the demo roster and realistic filled returns in toolkit/samples/ (run once; outputs are committed).

    python samples/make_samples.py            # needs LibreOffice (soffice) for the .xls/.ods/re-saved returns

The returns behave like real ones: most valid; some renamed, re-saved by
LibreOffice as .xlsx, .xls and .ods, one zip whose member names are GBK
encoded, numbers typed as text and full-width, a missing required field, an
inserted row, a resubmission, one unit's file sent under another unit's
name, a Word file renamed .xlsx, a metadata-stripped copy, and units that
never return. Everything is deterministic (seeded).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HERE = ROOT / "toolkit" / "samples"  # package data: `toolkit demo` finds it in an installed wheel too

from toolkit.campaign.folder import create_campaign  # noqa: E402
from toolkit.generate.outbox import generate_outbox  # noqa: E402

COUNTIES = ["城关镇", "东湖街道", "西山乡", "南岭镇", "北塘街道", "青石镇", "白沙乡", "金桥街道",
            "柳河镇", "石门乡", "双溪镇", "红旗街道", "新港镇", "长安乡", "凤凰街道"]
DEPARTMENTS = ["市委办公室", "市政府办公室", "市发展改革委", "市教育局", "市财政局", "市人力社保局",
               "市自然资源局", "市住房城乡建设局", "市交通运输局", "市卫生健康委", "市审计局", "市市场监管局",
               "市统计局", "市医保局", "市信访局"]
ENTERPRISES = ["市城投集团", "市交通集团", "市水务集团", "市国资运营公司", "市文旅集团", "市农发集团",
               "市金融控股公司", "市能源集团", "市公交公司", "市粮食储备公司"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗"
GIVEN = ["建国", "海燕", "晓明", "丽华", "志强", "秀英", "伟", "敏", "军", "静", "磊", "洋", "霞", "勇", "艳"]

NEVER_RETURN = {"A10", "B10", "C09", "C10"}


def roster_rows() -> list[tuple]:
    rng = random.Random(7)
    rows = []
    for prefix, group, names, suffix in (("A", "乡镇街道", COUNTIES, "党委"), ("B", "市直部门", DEPARTMENTS, "机关党委"),
                                         ("C", "国有企业", ENTERPRISES, "党委")):
        for n, name in enumerate(names, start=1):
            contact = rng.choice(SURNAMES) + rng.choice(GIVEN)
            rows.append((f"{prefix}{n:02d}", f"{name}{suffix}", group, contact, f"139{rng.randrange(10**7, 10**8)}"))
    return rows


def write_roster(path: Path) -> None:
    import csv
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("unit_code", "unit_name", "group", "contact", "phone"))
        w.writerows(roster_rows())


def set_name(wb, name: str, value) -> str:
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    wb[sheet][ref.replace("$", "")] = value
    return f"{sheet}!{ref}"


def fill_valid(wb, rng: random.Random, code: str) -> None:
    members = rng.randrange(12, 80)
    prob = rng.randrange(0, 4)
    values = {
        "f_org_type": "党支部" if members < 50 else "党总支", "f_secretary": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "f_members": members, "f_prob_members": prob, "f_new_members": min(prob, rng.randrange(0, 3)),
        "f_general_meetings": rng.choice([4, 4, 5, 6]), "f_committee_meetings": rng.choice([10, 12, 12, 13]),
        "f_group_meetings": rng.choice([12, 12, 18, 24]), "f_party_lectures": rng.choice([3, 4, 4, 5]),
        "f_theme_days": rng.choice([10, 12, 12]), "f_last_election": dt.datetime(rng.choice([2023, 2024, 2025]),
                                                                                   rng.randrange(1, 13), 15),
        "f_dues_collected": round(members * rng.uniform(80, 260), 2),
        "f_contact_person": rng.choice(SURNAMES) + rng.choice(GIVEN), "f_contact_phone": f"137{rng.randrange(10**7, 10**8)}",
    }
    for name, value in values.items():
        set_name(wb, name, value)
    ws = wb["考核指标"]
    for row in ws.iter_rows(min_row=4):
        key = row[0].value
        if not isinstance(key, str) or key.startswith("#"):
            continue
        max_points = row[4].value or 0
        if key.startswith("v_"):
            row[5].value = "否"
            continue
        if key.startswith("b_"):
            score = rng.choice([0, 0, 1, 2])
        else:
            score = max_points if rng.random() < 0.7 else max(0, max_points - rng.choice([0.5, 1, 1, 2]))
        row[5].value = score
        if score:
            row[6].value = f"{rng.choice(['支委会会议记录', '党员大会记录', '学习台账', '工作方案'])}第{rng.randrange(1, 30)}页"


def save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        zf.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>自评报告</w:t></w:r></w:p></w:body></w:document>')
    return buf.getvalue()


class _RawNameInfo(zipfile.ZipInfo):
    """A zip entry whose name is written as raw bytes without the UTF-8 flag."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("cp437"), self.flag_bits


def gbk_zip(members: list[tuple[str, bytes, tuple]]) -> bytes:
    """A zip as Windows' built-in compressor writes it: GBK names, no UTF-8 flag."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, when in members:
            info = _RawNameInfo(name.encode("gbk").decode("cp437"), date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def strip_metadata(wb) -> bytes:
    """Copy the visible sheets' values into a brand-new workbook (what copy-paste does)."""
    new = openpyxl.Workbook()
    new.remove(new.active)
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        target = new.create_sheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    target.cell(cell.row, cell.column, cell.value)
    return save(new)


def libreoffice(src: Path, fmt: str, outdir: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", "--headless", "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    return outdir / (src.stem + "." + fmt)


def main() -> None:
    write_roster(HERE / "roster.csv")
    returns = HERE / "returns"
    shutil.rmtree(returns, ignore_errors=True)
    returns.mkdir()
    with tempfile.TemporaryDirectory() as tmp:
        camp = create_campaign(Path(tmp) / "c", "annual-assessment", HERE / "roster.csv", year=2026,
                               name="2026年度基层党组织建设考核（演示）", deadline="2026-12-20")
        generate_outbox(camp, workers=1)
        outbox = {p.name.split("_", 1)[0]: p for p in camp.outbox.glob("*.xlsx")}
        make_returns(outbox, returns, Path(tmp))


def make_returns(outbox: dict[str, Path], returns: Path, tmp: Path) -> None:
    rng = random.Random(2026)
    filled = {}
    for code in sorted(outbox):
        wb = openpyxl.load_workbook(outbox[code])
        fill_valid(wb, rng, code)
        filled[code] = wb
    special = {"A02", "A03", "A04", "A05", "A06", "A07", "A08", "A09", "B01", "B02", "B03", "B04", "B05",
               "C02", "C03", "C04", "C05", "C06"}
    for code, wb in filled.items():
        if code not in special and code not in NEVER_RETURN:
            (returns / outbox[code].name).write_bytes(save(wb))
    name = lambda code: outbox[code].name  # noqa: E731
    # numbers typed as text, full-width and with units
    wb = filled["A02"]
    set_name(wb, "f_members", "32人")
    set_name(wb, "f_prob_members", "２")
    set_name(wb, "f_dues_collected", "4,860.5元")
    (returns / name("A02")).write_bytes(save(wb))
    # a required field left empty: the unit gets a feedback workbook
    wb = filled["A03"]
    set_name(wb, "f_secretary", None)
    (returns / name("A03")).write_bytes(save(wb))
    # a row inserted into the checklist
    wb = filled["A04"]
    ws = wb["考核指标"]
    row = next(c.row for c in ws["A"] if c.value == "a2_2")
    ws.insert_rows(row + 1)
    ws.cell(row + 1, 3, "自行增加：开展读书班2次")
    ws.cell(row + 1, 6, 2)
    (returns / name("A04")).write_bytes(save(wb))
    # a resubmission: first with a score above the maximum, then corrected, in one zip with dates
    wb = filled["A05"]
    first_ref = set_name(wb, "f_a1_1_self_score", 50)
    first = save(wb)
    set_name(wb, "f_a1_1_self_score", 4)
    second = save(wb)
    del first_ref
    (returns / (name("A05").rsplit("_", 1)[0] + "_两次报送.zip")).write_bytes(gbk_zip([
        ("第一次报送/" + name("A05"), first, (2026, 12, 1, 9, 0, 0)),
        ("更正后/" + name("A05"), second, (2026, 12, 10, 9, 0, 0))]))
    # renamed by the unit
    (returns / "关于报送2026年度自评表的函(修改版)(1).xlsx").write_bytes(save(filled["A06"]))
    # numbers and dates as people type them
    wb = filled["B04"]
    set_name(wb, "f_party_lectures", "四")
    set_name(wb, "f_last_election", "2024年3月5日")
    set_name(wb, "f_theme_days", "１２")
    (returns / name("B04")).write_bytes(save(wb))
    # the same file twice (sent by mail and by messenger)
    data = save(filled["B05"])
    (returns / name("B05")).write_bytes(data)
    (returns / ("微信文件_" + name("B05"))).write_bytes(data)
    # a neighbour's file: C02's return renamed with C03's name
    (returns / name("C03")).write_bytes(save(filled["C02"]))
    # a Word file renamed .xlsx
    (returns / name("C04")).write_bytes(docx_bytes())
    # a veto item answered yes
    wb = filled["C05"]
    set_name(wb, "f_v_1_occurred", "是")
    set_name(wb, "f_v_1_note", "支部一名党员受到党内严重警告处分")
    (returns / name("C05")).write_bytes(save(wb))
    # copied into a new workbook: no properties, no _meta sheet
    (returns / name("C06")).write_bytes(strip_metadata(filled["C06"]))
    # a zip from Windows' compressor: GBK member names
    (returns / "2026年度自评表（市直部门第一批）.zip").write_bytes(gbk_zip([
        ("市直部门报送/" + name(c), save(filled[c]), (2026, 12, 5, 10, 0, 0)) for c in ("B01", "B02", "B03")]))
    # re-saved by LibreOffice as .xlsx, .xls and .ods
    for code, fmt in (("A07", "xlsx"), ("A08", "xls"), ("A09", "ods")):
        src = tmp / "lo-src" / name(code)
        src.parent.mkdir(exist_ok=True)
        src.write_bytes(save(filled[code]))
        converted = libreoffice(src, fmt, tmp / f"lo-{fmt}")
        shutil.copyfile(converted, returns / converted.name)
    print(f"wrote {len(list(returns.iterdir()))} files to {returns}")


if __name__ == "__main__":
    main()
