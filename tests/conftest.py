"""Shared test helpers: a tiny spec, a roster, a campaign, and a way to fill a workbook."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest

# Readers run in workers under limits (toolkit.intake.isolated): low ones here, so a hostile file fails fast.
os.environ.setdefault("TOOLKIT_READER_MEMORY_MB", "256")
os.environ.setdefault("TOOLKIT_READER_CPU_SECONDS", "20")

FIXTURES = Path(__file__).parent / "fixtures"
MINI_SPEC = FIXTURES / "specs" / "mini.yaml"


def write_roster(path: Path, rows: list[tuple], extra_header: tuple = ()) -> Path:
    """A roster CSV with the contract columns (and extra ones)."""
    import csv
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("unit_code", "unit_name", "group", "contact", "phone") + tuple(extra_header))
        w.writerows(rows)
    return path


DEFAULT_UNITS = [
    ("U001", "第一党支部", "县委", "张三", "13800000001"),
    ("U002", "第二党支部", "县委", "李四", "13800000002"),
    ("U003", "机关党支部", "部门", "王五", "13800000003"),
]


@pytest.fixture
def roster_csv(tmp_path) -> Path:
    return write_roster(tmp_path / "roster.csv", DEFAULT_UNITS)


@pytest.fixture
def campaign(tmp_path, roster_csv):
    """A generated campaign on the mini spec (3 units)."""
    return generated_campaign(tmp_path / "camp", roster_csv)


_GENERATED: dict[tuple, Path] = {}  # the campaigns generated so far in this process, by what made them
_STORE: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def _generated_store(tmp_path_factory):
    _STORE.append(tmp_path_factory.mktemp("generated"))


def generated_campaign(directory: Path, roster: Path, *, spec: Path = MINI_SPEC, year: int = 2026,
                       deadline: str = "2026-12-20"):
    """``create_campaign`` + ``generate_outbox`` into *directory*: made once per process for the same spec,
    roster, year and deadline, and copied for each test (a copy of the folder is what generating it again
    would write, without the tens of milliseconds)."""
    from toolkit.campaign.folder import create_campaign, load_campaign
    from toolkit.generate.outbox import generate_outbox

    key = (str(spec), Path(roster).read_bytes(), year, deadline)
    if key not in _GENERATED:
        made = create_campaign(_STORE[-1] / f"c{len(_GENERATED)}", str(spec), roster, year=year, deadline=deadline)
        generate_outbox(made, workers=1)
        _GENERATED[key] = made.dir
    shutil.copytree(_GENERATED[key], directory)
    return load_campaign(directory)


def outbox_file(campaign, unit_code: str) -> Path:
    return next(p for p in campaign.outbox.glob(f"{unit_code}_*.xlsx"))


def returned(campaign, unit_code: str, dst: Path) -> Path:
    """A unit's issued workbook with one value typed in: a return, not the blank template sent out."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    return fill(outbox_file(campaign, unit_code), dst, {("基本信息", "C6"): 30})


def fill(src: Path, dst: Path, values: dict[tuple[str, str], object], *, keep_vba: bool = False) -> Path:
    """Copy a generated workbook and set cells: {(sheet name, "C6"): value}. Uses openpyxl like a user's Excel."""
    def typed(wb):
        for (sheet, ref), value in values.items():
            wb[sheet][ref] = value
    return _saved(src, dst, ("cells", *((s, r, repr(v)) for (s, r), v in values.items())), typed)


def fill_by_name(src: Path, dst: Path, values: dict[str, object]) -> Path:
    """Set cells by their defined names (f_members, f_a1_1_self_score …)."""
    def typed(wb):
        for name, value in values.items():
            dn = wb.defined_names[name]
            for sheet, ref in dn.destinations:
                wb[sheet][ref.replace("$", "")] = value
    return _saved(src, dst, ("names", *((n, repr(v)) for n, v in values.items())), typed)


_SAVED: dict[tuple, bytes] = {}


def _saved(src: Path, dst: Path, what: tuple, typed) -> Path:
    """*src* loaded with openpyxl, *typed* into and saved as *dst*. The same source typed the same way gives
    the same workbook, so it is made once per process and its bytes written again (campaigns are copies of
    one generated folder, so tests fill the same issued workbooks; openpyxl takes tens of milliseconds)."""
    import hashlib
    import io

    key = (hashlib.sha256(Path(src).read_bytes()).digest(), what)
    if key not in _SAVED:
        wb = openpyxl.load_workbook(src)
        typed(wb)
        buf = io.BytesIO()
        wb.save(buf)
        _SAVED[key] = buf.getvalue()
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(_SAVED[key])
    return dst


# A catalogue code's example test must produce the code (tests/catalogue_check.py).
from catalogue_check import pytest_runtest_call  # noqa: E402,F401
