"""Make N filled returns fast for the benchmarks: fill one master, then render it per unit."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from toolkit.campaign.folder import create_campaign
from toolkit.generate.master import build_master
from toolkit.generate.outbox import MasterPackage, master_context, unit_filename, unit_values


def make_roster(path: Path, n: int) -> None:
    groups = ["县委", "市直部门", "国有企业"]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("unit_code,unit_name,group,contact,phone\n")
        for i in range(n):
            fh.write(f"U{i:05d},第{i + 1}党支部,{groups[i % 3]},联系人{i},1380000{i % 10000:04d}\n")


def filled_master(master: bytes, overrides: dict | None = None) -> bytes:
    """The master with every input filled the way a unit would (some values typed as text);
    *overrides* replaces some of them by defined name (a value that fails validation: faulty returns)."""
    wb = openpyxl.load_workbook(io.BytesIO(master))
    values = {"f_org_type": "党支部", "f_secretary": "张三", "f_members": "32人", "f_prob_members": "２",
              "f_new_members": 1, "f_general_meetings": 4, "f_committee_meetings": 12, "f_group_meetings": 12,
              "f_party_lectures": 4, "f_theme_days": 12, "f_last_election": "2024.3.5", "f_dues_collected": 4860.5,
              "f_contact_person": "李四", "f_contact_phone": "13800000000", **(overrides or {})}
    for name, dn in wb.defined_names.items():
        sheet, ref = next(iter(dn.destinations))
        cell = wb[sheet][ref.replace("$", "")]
        if name in values:
            cell.value = values[name]
        elif name.endswith("_self_score"):
            cell.value = 1
        elif name.endswith("_evidence"):
            cell.value = "会议记录第3页"
        elif name.endswith("_occurred"):
            cell.value = "否"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def make_returns(root: Path, n: int, template: str = "annual-assessment", overrides: dict | None = None):
    """A campaign with n units in root/c and their filled returns in root/returns."""
    make_roster(root / "roster.csv", n)
    campaign = create_campaign(root / "c", template, root / "roster.csv", year=2026)
    spec = campaign.template()
    package = MasterPackage(filled_master(build_master(spec, master_context(campaign)), overrides))
    out = root / "returns"
    out.mkdir(exist_ok=True)
    for unit in campaign.roster().units:
        (out / unit_filename(unit, spec)).write_bytes(package.render(unit_values(unit)))
    return campaign, out
