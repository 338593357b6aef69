"""What a person reads of a roll-up: OUT/rollup.xlsx and the report section OUT/rollup.html.

The workbook holds only the tables that fit a worksheet (1,048,576 rows with the header); its
first sheet (说明) says where the rest is: OUT/rollup.parquet/<table>.parquet, which always holds
every table whole. The page is styled like the campaign's report.html (the same fonts, colours
and A4 print rules): totals per campaign and per group, the top of the ranking, grade shares,
who is missing where, and any unit code found in more than one campaign.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from ..i18n import CATALOGUE, define, locale_of, t
from ..model import UnitState
from ..output.figures import amount, count, percent, points
from ..output.xlsxfile import new_workbook, write_table
from .rollup import ROLLUP_TABLES, Rollup

__all__ = ["write_workbook", "write_page", "SHEET_ROWS", "HEADERS", "words"]

SHEET_ROWS = 1_048_576 - 1  # rows a worksheet holds below its header row
PAGE_ROWS = 100  # rows of a long table shown on the page; the Parquet files hold the rest

HEADERS = define("rollup.head", {
    "campaign": ("考核任务", "campaign"),
    "campaign_name": ("任务名称", "campaign name"),
    "year": ("年度", "year"),
    "template_id": ("模板", "template"),
    "template_version": ("版本", "version"),
    "units": ("单位数", "units"),
    "accepted": ("合格", "accepted"),
    "level": ("层级", "level"),
    "group": ("分组", "group"),
    "key": ("指标代码", "key"),
    "metric": ("指标", "metric"),
    "value": ("数值", "value"),
    "rank": ("总排名", "rank"),
    "group_rank": ("组内排名", "group rank"),
    "unit_code": ("单位代码", "unit code"),
    "unit_name": ("单位名称", "unit name"),
    "total": ("总分", "total"),
    "vetoed": ("一票否决", "vetoed"),
    "grade": ("等级", "grade"),
    "campaign_rank": ("任务内排名", "rank in campaign"),
    "state": ("状态", "state"),
    "share": ("占比", "share"),
    "contact": ("联系人", "contact"),
    "phone": ("联系电话", "phone"),
})
define("rollup.sheet", {
    "campaigns": ("考核任务", "campaigns"),
    "totals": ("汇总", "totals"),
    "ranks": ("排名", "ranks"),
    "grades": ("等级分布", "grades"),
    "missing": ("未报送", "missing"),
    "duplicates": ("单位代码重复", "duplicate codes"),
})
define("rollup.state", {
    "accepted": ("合格", "accepted"),
    "faulty": ("需退回修改", "faulty"),
    "missing": ("未报送", "missing"),
    "unusable": ("报送文件无法使用", "unusable"),
    "review": ("待人工确认", "under review"),
})
define("rollup.level", {
    "campaign": ("考核任务", "campaign"),
    "group": ("分组", "group"),
    "all": ("全部", "all"),
    "yes": ("是", "yes"),
})

_WORDS = define("rollup", {
    "title": ("{title}（{template} v{version}）多任务汇总", "Roll-up of {title} ({template} v{version})"),
    "note_title": ("说明", "Notes"),
    "note_campaigns": ("本汇总合并了 {n} 个考核任务（同一模板、同一版本）：{names}。",
                       "This roll-up combines {n} campaigns of one template and version: {names}."),
    "note_valid": ("只有合格（已接收且无错误）的报送计入合计与比率，需退回修改的单位不计入，与各任务自己的汇总一致。",
                   "Only valid returns (accepted, without errors) count in sums and rates, as in each campaign's own outputs."),
    "note_full": ("全部数据见 {folder} 文件夹（每张表一个 .parquet 文件）。",
                  "Every table in full: the folder {folder} (one .parquet file per table)."),
    "note_left_out": ("表“{sheet}”有 {rows} 行，超过一个工作表的上限，未放入本工作簿：见 {path}。",
                      "The table '{sheet}' has {rows} rows, more than a worksheet holds; it is not in this workbook: see {path}."),
    "note_duplicates": ("注意：{n} 个单位代码出现在多个考核任务中（见“单位代码重复”）。这些单位按各自的任务分别统计和排名，"
                        "从未合并为一个单位；“全部”中按任务各计一次，请核实是否为同一单位。",
                        "Note: {n} unit codes appear in more than one campaign (see 'duplicate codes'). Each is counted and ranked in its own "
                        "campaign, never merged into one unit; 'all' counts each once per campaign. Check whether they are the same unit."),
    "campaigns": ("参加汇总的考核任务", "Campaigns"),
    "totals_campaign": ("各任务汇总", "Totals per campaign"),
    "totals_group": ("各分组汇总（跨任务）", "Totals per group (across campaigns)"),
    "ranks": ("跨任务排名（前 {n} 名）", "Ranks across all campaigns (top {n})"),
    "grades": ("等级分布", "Grade shares"),
    "missing": ("未报送单位（{n} 个）", "Units without a usable return ({n})"),
    "duplicates": ("单位代码重复", "Unit codes in more than one campaign"),
    "more": ("共 {total} 行，此处显示前 {shown} 行；完整内容见 {path}。",
             "{total} rows; the first {shown} are shown here; all of them in {path}."),
    "all": ("全部", "all"),
    "yes": ("是", "yes"),
    "metric": ("指标", "metric"),
    "none": ("无", "none"),
})


def words(lang: str) -> dict[str, str]:
    return {key.removeprefix("rollup."): t(key, lang) for key in _WORDS}


def _word(namespace: str, key: str, lang: str) -> str:
    """*key* of a table defined here in *lang* (a column without a word keeps its name)."""
    full = f"{namespace}.{key}"
    return t(full, lang) if full in CATALOGUE else key


def _cell(column: str, value, lang: str):
    if column in ("state", "level") and isinstance(value, str):
        return _word(f"rollup.{column}", value, lang)
    return value


def _notes(up: Rollup, folder: Path, lang: str) -> list[str]:
    w = words(lang)
    names = t("sep.list", lang).join(s.key for s in up.sources)
    notes = [w["note_campaigns"].format(n=len(up.sources), names=names), w["note_valid"],
             w["note_full"].format(folder=folder)]
    if up.counts.get("duplicates"):
        codes = up.con.execute("SELECT count(DISTINCT unit_code) FROM duplicates").fetchone()[0]
        notes.append(w["note_duplicates"].format(n=codes))
    return notes


def write_workbook(up: Rollup, out: Path, folder: Path, lang: str = "zh") -> tuple[Path, list[str]]:
    """OUT/rollup.xlsx: the tables that fit a sheet, and a first sheet saying where the others are."""
    path = out / "rollup.xlsx"
    wb = new_workbook(path)
    w = words(lang)
    notes = _notes(up, folder, lang)
    left_out = [t for t in ROLLUP_TABLES if up.counts[t] > SHEET_ROWS]
    for table in left_out:
        notes.append(w["note_left_out"].format(sheet=_word("rollup.sheet", table, lang), rows=f"{up.counts[table]:,}",
                                               path=folder / f"{table}.parquet"))
    ws = wb.add_worksheet(w["note_title"])
    ws.set_column(0, 0, 110)
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws.write_string(0, 0, w["title"].format(title=up.template[2], template=up.template[0], version=up.template[1]),
                    wb.add_format({"bold": True, "font_size": 14}))
    for n, note in enumerate(notes, start=2):
        ws.write_string(n, 0, note, wrap)
    for table in (name for name in ROLLUP_TABLES if name not in left_out):
        cur = up.con.execute(f"SELECT * FROM {table}")
        columns = [d[0] for d in cur.description]
        rows = [[_cell(c, v, lang) for c, v in zip(columns, r)] for r in cur.fetchall()]
        sheet = wb.add_worksheet(_word("rollup.sheet", table, lang))
        write_table(wb, sheet, [_word("rollup.head", c, lang) for c in columns], rows)
    wb.close()
    return path, left_out


def _pivot(up: Rollup, level: str, column: str, lang: str) -> dict:
    """A totals level as metrics × (campaigns or groups) with the overall column last."""
    rows = up.con.execute(f"""SELECT {column}, key, metric, value FROM totals WHERE level IN (?, 'all')
                              ORDER BY rowid""", [level]).fetchall()
    w = words(lang)
    heads = list(dict.fromkeys(r[0] if r[0] is not None else w["all"] for r in rows))
    cells: dict[tuple[str, str], str] = {}
    metrics: dict[str, str] = {}
    for head, key, metric, value in rows:
        metrics.setdefault(key, metric)
        cells[(key, head if head is not None else w["all"])] = _shown(key, value)
    return {"heads": heads, "rows": [(label, [cells.get((key, h), "") for h in heads])
                                     for key, label in metrics.items()]}


def _shown(key: str, value) -> str:
    if key == "return_rate" or key.startswith("rate:"):
        return percent(value)
    if key in ("units", UnitState.ACCEPTED, UnitState.FAULTY, UnitState.MISSING, "returned"):
        return count(value)
    return amount(value)


def _listing(up: Rollup, table: str, columns: list[str], lang: str, folder: Path) -> dict:
    total = up.counts[table]
    cur = up.con.execute(f"SELECT {', '.join(chr(34) + c + chr(34) for c in columns)} FROM {table} LIMIT {PAGE_ROWS}")
    rows = [[_page_cell(c, v, lang) for c, v in zip(columns, r)] for r in cur.fetchall()]
    more = words(lang)["more"].format(total=f"{total:,}", shown=len(rows), path=folder / f"{table}.parquet") \
        if total > len(rows) else ""
    return {"heads": [_word("rollup.head", c, lang) for c in columns], "rows": rows, "more": more,
            "total": total}


def _page_cell(column: str, value, lang: str) -> str:
    if value is None:
        return ""
    if column == "total":
        return points(value)
    if column == "share":
        return percent(value)
    if isinstance(value, bool):
        return t("rollup.yes", lang) if value else ""
    return str(_cell(column, value, lang))


def write_page(up: Rollup, out: Path, folder: Path, lang: str = "zh") -> Path:
    """OUT/rollup.html: the roll-up as a report section, self-contained and printable."""
    env = Environment(loader=PackageLoader("toolkit.scale", "templates"), autoescape=select_autoescape(["html", "j2"]))
    w = words(lang)
    page = env.get_template("rollup.html.j2").render(
        lang=lang, html_lang=locale_of(lang), w=w, notes=_notes(up, folder, lang),
        title=w["title"].format(title=up.template[2], template=up.template[0], version=up.template[1]),
        campaigns=_listing(up, "campaigns", ["campaign", "campaign_name", "year", "units", "accepted"], lang, folder),
        by_campaign=_pivot(up, "campaign", "campaign", lang), by_group=_pivot(up, "group", '"group"', lang),
        ranks=_listing(up, "ranks", ["rank", "group_rank", "campaign", "unit_code", "unit_name", "group", "total",
                                     "grade", "vetoed"], lang, folder),
        grades=_listing(up, "grades", ["level", "campaign", "grade", "units", "share"], lang, folder),
        missing=_listing(up, "missing", ["campaign", "unit_code", "unit_name", "group", "state", "contact",
                                         "phone"], lang, folder),
        duplicates=_listing(up, "duplicates", ["unit_code", "campaign", "unit_name", "group", "state"], lang,
                            folder),
        page_rows=PAGE_ROWS)
    path = out / "rollup.html"
    path.write_text(page, encoding="utf-8")
    return path
