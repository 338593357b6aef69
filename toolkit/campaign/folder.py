"""The campaign folder: campaign.yaml, the roster and the folder layout of the contract."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import CampaignError, RosterError
from ..i18n import Msg, define
from ..spec.load import find_template
from ..spec.model import TemplateSpec
from .config import YEARS, read_campaign_yaml
from .deadline import deadline_date

__all__ = ["Unit", "Roster", "Campaign", "load_campaign", "create_campaign", "load_roster",
           "ROSTER_COLUMNS", "unfilled_contact", "unit_code_problem"]

ROSTER_COLUMNS = ("unit_code", "unit_name", "group", "contact", "phone")
ROSTER_COLUMNS_ZH = {"unit_code": "单位代码", "unit_name": "单位名称", "group": "分组", "contact": "联系人",
                     "phone": "联系电话"}
HEADER_SEARCH_ROWS = 20  # a title, a date line, blank rows: the header is looked for among these
MAX_UNIT_CODE = 40       # file names keep the whole code (toolkit.output.names)
MAX_UNIT_NAME = 200
_ALIASES = {
    "单位代码": "unit_code", "单位编码": "unit_code", "代码": "unit_code",
    "单位名称": "unit_name", "名称": "unit_name", "分组": "group", "类别": "group",
    "联系人": "contact", "联系电话": "phone", "电话": "phone",
}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    group: str
    contact: str
    phone: str
    extra: dict[str, str] = field(default_factory=dict)

    def value(self, column: str) -> str:
        """A roster column's value for prefilling (core columns and extra ones)."""
        core = {"unit_code": self.code, "unit_name": self.name, "group": self.group,
                "contact": self.contact, "phone": self.phone}
        return core.get(column, self.extra.get(column, ""))


@dataclass(frozen=True)
class Roster:
    units: tuple[Unit, ...]
    columns: tuple[str, ...]
    path: str

    def by_code(self) -> dict[str, Unit]:
        if "_by_code" not in self.__dict__:
            object.__setattr__(self, "_by_code", {u.code: u for u in self.units})
        return self.__dict__["_by_code"]

    def by_name(self) -> dict[str, Unit]:
        if "_by_name" not in self.__dict__:
            object.__setattr__(self, "_by_name", {u.name: u for u in self.units})
        return self.__dict__["_by_name"]


@dataclass
class Campaign:
    """A loaded campaign folder."""

    dir: Path
    name: str
    year: int
    template_ref: str
    roster_file: str
    deadline: str = ""
    scoring: str | None = None
    locale: str = "zh-CN"
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def outbox(self) -> Path:
        return self.dir / "outbox"

    @property
    def received(self) -> Path:
        return self.dir / "received"

    @property
    def out(self) -> Path:
        return self.dir / "out"

    @property
    def feedback(self) -> Path:
        return self.dir / "feedback"

    @property
    def db_path(self) -> Path:
        return self.dir / "toolkit.db"

    def template(self) -> TemplateSpec:
        """The campaign's template spec, loaded once per Campaign (every stage asks for it)."""
        if "_template" not in self.__dict__:
            self.__dict__["_template"] = find_template(self.template_ref, self.dir)
        return self.__dict__["_template"]

    def roster(self) -> Roster:
        """The roster, loaded once per Campaign."""
        if "_roster" not in self.__dict__:
            self.__dict__["_roster"] = load_roster(self.dir / self.roster_file)
        return self.__dict__["_roster"]

    def accepted_versions(self, spec: TemplateSpec) -> set[str]:
        """The template's own version, and any earlier ones campaign.yaml lists under accept_versions.

        One version may be written alone (``accept_versions: 2025.1``) or as a list; the current
        version is always accepted, so listing an old one never turns away the new template.
        """
        extra = self.config.get("accept_versions")
        extra = extra if isinstance(extra, list) else ([] if extra in (None, "") else [extra])
        return {str(spec.version)} | {str(v) for v in extra}

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        """The campaign period for date checks: the year up to the deadline if later, or as configured."""
        start = self.config.get("period_start") or dt.date(self.year, 1, 1)
        end = self.config.get("period_end") or max(dt.date(self.year, 12, 31), _deadline_or_min(self.deadline))
        return _as_date(start), _as_date(end)


def _deadline_or_min(text: str) -> dt.date:
    return deadline_date(text) or dt.date.min


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load_campaign(directory: str | Path) -> Campaign:
    """Load DIR/campaign.yaml; a missing folder or key is a :class:`CampaignError`."""
    d = Path(directory)
    path = d / "campaign.yaml"
    if not path.is_file():
        raise CampaignError(Msg("campaign.not_found", {"path": path, "dir": d}))
    raw = read_campaign_yaml(path)
    year = raw["year"]
    return Campaign(dir=d, name=str(raw["name"]), year=year, template_ref=str(raw["template"]),
                    roster_file=str(raw["roster"]), deadline=str(raw.get("deadline") or ""),
                    scoring=raw.get("scoring"), locale=str(raw.get("locale", "zh-CN")), config=raw)


def create_campaign(directory: str | Path, template: str, roster: str | Path, *, year: int | None = None,
                    name: str | None = None, deadline: str | None = None, locale: str = "zh-CN",
                    extra: dict | None = None) -> Campaign:
    """Create a campaign folder (refusing to overwrite another campaign)."""
    d = Path(directory)
    if (d / "campaign.yaml").exists():
        raise CampaignError(Msg("campaign.exists", {"path": d / "campaign.yaml"}))
    spec = find_template(template)
    units = load_roster(roster)  # validate before creating anything
    year = year or dt.date.today().year
    if not YEARS[0] <= year <= YEARS[1]:
        raise CampaignError(Msg("campaign.year", {"year": year, "lo": YEARS[0], "hi": YEARS[1]}))
    d.mkdir(parents=True, exist_ok=True)
    for sub in ("outbox", "received", "feedback", "out"):
        (d / sub).mkdir(exist_ok=True)
    roster_name = "roster" + Path(roster).suffix.lower()
    shutil.copyfile(roster, d / roster_name)
    tref = template if not Path(template).is_file() else str(Path(template).resolve())
    config = {
        "name": name or f"{year}年度{spec.title.removeprefix('年度')}", "year": year, "template": tref,
        "roster": roster_name, "deadline": deadline or f"{year}-12-31",
        "scoring": _scheme_ref(spec), "locale": locale,
    }
    config.update(extra or {})
    (d / "campaign.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    del units
    return load_campaign(d)


def _scheme_ref(spec: TemplateSpec) -> str | None:
    """The spec's scheme for campaign.yaml: a path beside a spec file is made absolute, as the template's
    is, because campaign.yaml is read from the campaign folder, not from the spec's."""
    ref = spec.scoring
    if ref and ref.endswith((".yaml", ".yml")) and spec.path and not Path(ref).is_absolute():
        beside = Path(spec.path).parent / ref
        if beside.is_file():
            return str(beside.resolve())
    return ref


_CONTACT_KEYS = ("contact", "phone", "return_to")


def unfilled_contact(campaign: Campaign) -> list[str]:
    """The contact keys (contact, phone, return_to) the template's instructions print but
    campaign.yaml leaves empty: the workbooks would read 联系人：，联系电话：。"""
    texts = [s.text or "" for s in campaign.template().sheets if s.kind == "instructions"]
    return [k for k in _CONTACT_KEYS if any("{" + k + "}" in t for t in texts)
            and not str(campaign.config.get(k) or "").strip()]


# --------------------------------------------------------------------------- roster

define("campaign", {
    "not_found": ("{path} 不存在——{dir} 是考核任务文件夹吗？可用 `toolkit init {dir} --template 模板 --roster 名单` 创建",
                  "{path}: not found — is {dir} a campaign folder? Create one with `toolkit init {dir} --template ID --roster FILE`"),
    "exists": ("{path} 已存在，请换一个新文件夹，或直接修改该文件", "{path} already exists; choose a new folder or edit that file"),
    "year": ("年份 {year}：应为 {lo} 至 {hi} 之间的年份，如 2026", "year {year}: expected a year from {lo} to {hi}, such as 2026"),
})
define("roster", {
    "not_found": ("找不到名单文件：{path}", "roster file not found: {path}"),
    "duplicate": ("{path}：第 {row} 行的单位代码 {code} 与第 {other} 行重复，每个单位的代码必须不同",
                  "{path}: row {row}: unit_code {code} duplicates row {other}; every unit needs its own code"),
    "folded": ("{path}：第 {row} 行的单位代码 {code} 与第 {other_row} 行的 {other} 只有大小写或全角半角之差，请使用字母或数字不同的代码",
               "{path}: row {row}: unit_code {code} differs from {other} (row {other_row}) only in case or width; give the units codes "
               "that differ in letters or digits"),
    "no_units": ("{path}：表头下面没有单位", "{path}: no units below the header row"),
    "empty": ("{path}：名单是空的，请加上表头行，每个单位一行", "{path}: the roster is empty; add a header row and one row per unit"),
    "no_header": ("{path}：前 {rows} 行中找不到表头；名单需要这些列：{needs}；第 {row} 行现有：{found}",
                  "{path}: no header row in the first {rows} rows; the roster needs the columns {needs}; row {row} holds: {found}"),
    "lacks": ("{path}：第 {row} 行（表头）缺少列 {missing}；名单需要这些列：{needs}；该行现有：{found}",
              "{path}: row {row} (header) lacks column(s) {missing}; the roster needs {needs}; the row holds: {found}"),
    "code_empty": ("{path}：第 {row} 行的单位代码为空，请为每个单位填写代码", "{path}: row {row}: unit_code is empty; give every unit a code"),
    "code_unusable": ("{path}：第 {row} 行的单位代码 {code} {problem}；每个工作表上的表码行要带上单位代码，请只用字母、数字和 - _ . / 等符号，"
                      "不要有空格或 |",
                      "{path}: row {row}: unit_code {code} {problem}; the code line printed on every sheet carries the code, so use "
                      "letters, digits and signs such as - _ . / without spaces or |"),
    "code.long": ("有 {n} 个字符（最多 {most} 个）", "has {n} characters (at most {most})"),
    "code.space": ("含有空格", "contains a space"),
    "code.bar": ("含有 |", "contains |"),
    "code.control": ("含有看不见的控制字符", "contains an invisible control character"),
    "name_empty": ("{path}：第 {row} 行（单位 {code}）的单位名称为空", "{path}: row {row}: unit_name is empty for unit {code}"),
    "name_long": ("{path}：第 {row} 行（单位 {code}）的单位名称有 {n} 个字（最多 {most} 个），请缩短",
                  "{path}: row {row}: unit_name of unit {code} has {n} characters (at most {most}); shorten it"),
    "encoding": ("{path}：不是 UTF-8 或 GBK 编码的文本，请另存为“CSV UTF-8”或 .xlsx",
                 "{path}: not UTF-8 or GBK text; save the roster as CSV UTF-8 or as .xlsx"),
    "csv": ("{path}：无法读取的 CSV 文件（{reason}），请另存为“CSV UTF-8”或 .xlsx",
            "{path}: not a readable CSV file ({reason}); save the roster as CSV UTF-8 or as .xlsx"),
    "workbook": ("{path}：无法读取名单工作簿（{reason}），请另存为 .xlsx 或 CSV",
                 "{path}: cannot read the roster workbook ({reason}); save it as .xlsx or CSV"),
    "unsafe": ("{path}：名单工作簿无法安全读取（{reason}），请用 Excel 打开后重新保存再试",
               "{path}: the roster workbook could not be read safely ({reason}); open it in Excel, save it again and retry"),
})


def load_roster(path: str | Path) -> Roster:
    """Read a roster CSV (UTF-8 or GBK, detected) or xlsx and check it.

    The header is the first of the top rows that names every required column, so a title row
    ("2026年度考核单位名单") and blank rows above it are skipped; rows are counted as Excel shows them.
    """
    p = Path(path)
    if not p.is_file():
        raise RosterError(Msg("roster.not_found", {"path": p}))
    rows = _read_roster_xlsx(p) if p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods") else _read_roster_csv(p)
    top, header = _find_header(p, rows)
    units, seen, folded = [], {}, {}
    for n, row in enumerate(rows[top + 1:], start=top + 2):
        rec = {h: _clean(row[i]) if i < len(row) else "" for i, h in enumerate(header)}
        if not any(rec.values()):
            continue
        unit = _unit(p, n, rec)
        if unit.code in seen:
            raise RosterError(Msg("roster.duplicate", {"path": p, "row": n, "code": unit.code, "other": seen[unit.code]}))
        key = unicodedata.normalize("NFKC", unit.code).casefold()
        if key in folded:  # file names and identification by path treat them as one code
            other, row_no = folded[key]
            raise RosterError(Msg("roster.folded", {"path": p, "row": n, "code": unit.code, "other": other,
                                                    "other_row": row_no}))
        seen[unit.code], folded[key] = n, (unit.code, n)
        units.append(unit)
    if not units:
        raise RosterError(Msg("roster.no_units", {"path": p}))
    return Roster(tuple(units), tuple(header), str(p))


def _find_header(p: Path, rows: list[list[str]]) -> tuple[int, list[str]]:
    """(index, column names) of the header row: the first of the top rows naming every required column."""
    filled = [i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if any(_clean(v) for v in row)]
    if not filled:
        raise RosterError(Msg("roster.empty", {"path": p}))
    best, best_hits = filled[0], -1
    for i in filled:
        header = [_ALIASES.get(h, h) for h in (_clean(v) for v in rows[i])]
        hits = sum(c in header for c in ROSTER_COLUMNS)
        if hits == len(ROSTER_COLUMNS):
            return i, header
        if hits > best_hits:
            best, best_hits = i, hits
    header = [_ALIASES.get(h, h) for h in (_clean(v) for v in rows[best])]
    found = ", ".join(_short(_clean(v)) for v in rows[best][:12] if _clean(v)) or "-"
    if best_hits <= 0:
        raise RosterError(Msg("roster.no_header", {"path": p, "rows": HEADER_SEARCH_ROWS, "needs": _named(ROSTER_COLUMNS),
                                                   "row": best + 1, "found": found}))
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    raise RosterError(Msg("roster.lacks", {"path": p, "row": best + 1, "missing": _named(missing),
                                           "needs": _named(ROSTER_COLUMNS), "found": found}))


def _named(columns) -> str:
    return ", ".join(f"{ROSTER_COLUMNS_ZH[c]} ({c})" for c in columns)


def _short(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _unit(p: Path, n: int, rec: dict[str, str]) -> Unit:
    """One roster row as a Unit, its code and name checked (row *n* as Excel numbers it)."""
    code = rec["unit_code"]
    if not code:
        raise RosterError(Msg("roster.code_empty", {"path": p, "row": n}))
    problem = unit_code_problem(code)
    if problem:
        raise RosterError(Msg("roster.code_unusable", {"path": p, "row": n, "code": repr(code), "problem": problem}))
    if not rec["unit_name"]:
        raise RosterError(Msg("roster.name_empty", {"path": p, "row": n, "code": code}))
    if len(rec["unit_name"]) > MAX_UNIT_NAME:
        raise RosterError(Msg("roster.name_long", {"path": p, "row": n, "code": code, "n": len(rec["unit_name"]),
                                                   "most": MAX_UNIT_NAME}))
    extra = {k: v for k, v in rec.items() if k not in ROSTER_COLUMNS}
    return Unit(code, rec["unit_name"], rec["group"], rec["contact"], rec["phone"], extra)


def unit_code_problem(code: str) -> Msg | None:
    """Why the visible code line (``TK|id|version|code``) could not carry *code*; None when it can."""
    if len(code) > MAX_UNIT_CODE:
        return Msg("roster.code.long", {"n": len(code), "most": MAX_UNIT_CODE})
    if any(ch.isspace() for ch in code):
        return Msg("roster.code.space")
    if "|" in code or "｜" in code:
        return Msg("roster.code.bar")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in code):
        return Msg("roster.code.control")
    return None


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().replace("\u00a0", " ").strip()


def _read_roster_csv(p: Path) -> list[list[str]]:
    data = p.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(Msg("roster.encoding", {"path": p}))
    try:  # newline=None: Excel's "CSV (Macintosh)" ends lines with a bare CR
        return [row for row in csv.reader(io.StringIO(text, newline=None))]
    except csv.Error as exc:
        raise RosterError(Msg("roster.csv", {"path": p, "reason": exc})) from None


def _read_roster_xlsx(p: Path) -> list[list[str]]:
    from ..intake.calamine import ReadError, read_first_sheet
    from ..intake.isolated import ReaderStopped, run_isolated

    try:  # read in a worker under memory and time limits: a hostile roster cannot take the command down
        first_row, grid = run_isolated(read_first_sheet, str(p))
    except ReadError as exc:
        raise RosterError(Msg("roster.workbook", {"path": p, "reason": exc})) from None
    except ReaderStopped as exc:
        raise RosterError(Msg("roster.unsafe", {"path": p, "reason": exc})) from None
    return [[] for _ in range(first_row)] + [[_clean(v) for v in row] for row in grid]
