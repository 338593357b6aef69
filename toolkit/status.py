"""Who has returned, who has not, whose return is faulty."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .campaign import Campaign
from .ledger import Ledger

__all__ = ["UnitStatus", "unit_statuses", "write_status", "STATUS_COLUMNS", "STATE_LABELS"]

STATUS_COLUMNS = ("unit_code", "unit_name", "group", "contact", "state", "errors", "warnings", "source")
STATE_LABELS = {"zh": {"accepted": "已报送", "faulty": "需退回修改", "missing": "未报送"},
                "en": {"accepted": "accepted", "faulty": "faulty", "missing": "missing"}}


@dataclass
class UnitStatus:
    unit_code: str
    unit_name: str
    group: str
    contact: str
    phone: str
    state: str
    errors: int
    warnings: int
    source: str
    sha256: str = ""
    received_at: str = ""


def unit_statuses(campaign: Campaign) -> list[UnitStatus]:
    """One row per roster unit, in roster order."""
    roster = campaign.roster()
    with Ledger(campaign.db_path) as ledger:
        accepted = {f.unit_code: f for f in ledger.accepted()}
        counts = ledger.validation_counts()
    out = []
    for u in roster.units:
        f = accepted.get(u.code)
        if f is None:
            out.append(UnitStatus(u.code, u.name, u.group, u.contact, u.phone, "missing", 0, 0, ""))
            continue
        errors, warnings = counts.get(f.sha256, (0, 0))
        state = "faulty" if errors else "accepted"
        out.append(UnitStatus(u.code, u.name, u.group, u.contact, u.phone, state, errors, warnings,
                              f.source, f.sha256, f.received_at))
    return out


def write_status(campaign: Campaign, statuses: list[UnitStatus], lang: str = "zh") -> list[Path]:
    """out/status.csv and out/chase-list.xlsx (催报名单: missing and faulty units with contacts)."""
    from .csvout import write_csv
    from .xlsxout import new_workbook, write_table

    csv_path = campaign.out / "status.csv"
    write_csv(csv_path, STATUS_COLUMNS, (s.__dict__ for s in statuses))
    xlsx_path = campaign.out / "chase-list.xlsx"
    wb = new_workbook(xlsx_path)
    labels = STATE_LABELS["en" if lang == "en" else "zh"]
    headers = (["Unit code", "Unit", "Group", "Contact", "Phone", "State", "Errors"] if lang == "en"
               else ["单位代码", "单位名称", "分组", "联系人", "联系电话", "状态", "错误数"])
    rows = [[s.unit_code, s.unit_name, s.group, s.contact, s.phone, labels[s.state], s.errors]
            for s in statuses if s.state != "accepted"]
    ws = wb.add_worksheet("催报名单" if lang != "en" else "To chase")
    title = f"{campaign.name} — " + ("催报名单（未报送及需退回修改）" if lang != "en" else "units to chase")
    write_table(wb, ws, headers, rows, title=title)
    ws.set_paper(9)
    ws.set_landscape()
    ws.repeat_rows(0, 1)
    ws.fit_to_pages(1, 0)
    import datetime as dt
    wb.set_properties({"title": title, "author": "toolkit", "created": dt.datetime(campaign.year, 1, 1)})
    wb.close()
    return [csv_path, xlsx_path]
