"""Helpers for the desk's tests: a campaign with a hostile roster, returns in a zip, a client."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from pathlib import Path

from conftest import fill, generated_campaign, outbox_file, write_roster

HOSTILE = "<script>alert(1)</script>"
UNITS = [
    ("U001", "第一党支部", "县委", "张三", "13800000001"),
    ("U002", "第二党支部", "县委", "李四", "13800000002"),
    ("U003", "机关党支部", "部门", "王五", "13800000003"),
    ("U004", HOSTILE, "部门", '=HYPERLINK("http://x","点我")', "13800000004"),
    ("U005", "财政局党支部", "部门", "赵六", "13800000005"),
    ("U006", "教育局党支部", "乡镇", "钱七", "13800000006"),
]


# A complete, correct return of the mini spec (as in test_validate.GOOD).
GOOD = {
    ("基本信息", "C6"): 30, ("基本信息", "C7"): 2, ("基本信息", "C9"): 85, ("基本信息", "C10"): "是",
    ("基本信息", "C11"): "甲", ("基本信息", "C12"): dt.date(2026, 3, 1),
    ("考核指标", "F5"): 50, ("考核指标", "G5"): "会议记录", ("考核指标", "F6"): 30, ("考核指标", "F8"): 1,
    ("考核指标", "G8"): "表彰文件", ("考核指标", "F10"): "否",
    ("台账", "B4"): "组织生活不规范", ("台账", "C4"): "已完成", ("台账", "D4"): dt.date(2026, 5, 1),
}


def make_campaign(tmp_path: Path, units=UNITS):
    return generated_campaign(tmp_path / "camp", write_roster(tmp_path / "roster.csv", units))


def returns(campaign, folder: Path) -> dict[str, Path]:
    """U001 fine, U002 faulty (很多 is not a number), and U003's workbook under U001's name (review)."""
    return {
        "ok": fill(outbox_file(campaign, "U001"), folder / "U001_第一党支部.xlsx", GOOD),
        "faulty": fill(outbox_file(campaign, "U002"), folder / "U002_第二党支部.xlsx", GOOD | {("基本信息", "C6"): "很多"}),
        "review": fill(outbox_file(campaign, "U003"), folder / "报送" / "U001_第一党支部(2).xlsx",
                       GOOD | {("基本信息", "C6"): 12}),
    }


def zip_of(files: dict[str, Path], path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for p in files.values():
            z.write(p, f"returns/{p.name}")
    return path


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def wait_job(client, job_id: str, timeout: float = 120.0) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def post_files(client, paths: list[Path], csrf: str | None, names: list[str] | None = None):
    files = [("files", (name, p.read_bytes())) for p, name in zip(paths, names or [p.name for p in paths])]
    data = {"csrf": csrf} if csrf else {}
    return client.post("/upload", data=data, files=files)


def upload_and_wait(client, paths: list[Path], names: list[str] | None = None) -> dict:
    csrf = csrf_of(client.get("/upload").text)
    reply = post_files(client, paths, csrf, names)
    assert reply.status_code == 200, reply.text
    return wait_job(client, reply.json()["job"])


def xlsx_from(data: bytes):
    import openpyxl
    return openpyxl.load_workbook(io.BytesIO(data))
