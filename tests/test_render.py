"""python -m toolkit.tools.render: a campaign's workbooks to PDF and PNG pages with LibreOffice.

The tests put stand-ins for soffice and pdftoppm on PATH that record how they were called and
write what the real ones would, so they run without LibreOffice installed.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from toolkit.tools import render

FAKE_SOFFICE = """#!{python}
import json, pathlib, sys
args = sys.argv[1:]
pathlib.Path({log!r}).open("a").write(json.dumps(args) + "\\n")
out = pathlib.Path(args[args.index("--outdir") + 1])
src = pathlib.Path(args[-1])
(out / (src.stem + ".pdf")).write_bytes(b"%PDF-1.4 fake " + src.read_bytes()[:4])
"""
FAKE_PDFTOPPM = """#!{python}
import pathlib, sys
args = sys.argv[1:]
prefix = pathlib.Path(args[-1])
for n in (1, 2):
    pathlib.Path(f"{{prefix}}-{{n}}.png").write_bytes(b"\\x89PNG fake")
"""


def _tool(folder: Path, name: str, body: str, **kw) -> None:
    path = folder / name
    path.write_text(body.format(python=sys.executable, **kw))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def fake_tools(tmp_path, monkeypatch):
    bin_dir, log = tmp_path / "bin", tmp_path / "soffice.log"
    bin_dir.mkdir()
    _tool(bin_dir, "soffice", FAKE_SOFFICE, log=str(log))
    _tool(bin_dir, "pdftoppm", FAKE_PDFTOPPM)
    monkeypatch.setenv("PATH", str(bin_dir))
    return log


@pytest.fixture
def a_campaign(tmp_path):
    d = tmp_path / "camp"
    for folder, names in {"outbox": ["A01_甲.xlsx", "A02_乙.xlsx"], "feedback": ["A01_甲_退回修改.xlsx"],
                          "out": ["consolidated.xlsx", "scoring-sheet.xlsx"]}.items():
        (d / folder).mkdir(parents=True)
        for name in names:
            (d / folder / name).write_bytes(b"PK\x03\x04 " + name.encode())
    (d / "out" / "values.csv").write_text("not a workbook")
    (d / "campaign.yaml").write_text("name: x\n")
    return d


def test_an_outbox_sample_the_feedback_and_every_output_workbook_are_rendered(a_campaign, fake_tools, tmp_path):
    out = tmp_path / "pages"
    done = render.render(a_campaign, out, dpi=50)
    assert [Path(d["workbook"]).name for d in done] == ["A01_甲.xlsx", "A01_甲_退回修改.xlsx", "consolidated.xlsx",
                                                        "scoring-sheet.xlsx"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{stem}{ext}" for stem in ("outbox-A01_甲", "feedback-A01_甲_退回修改", "out-consolidated",
                                     "out-scoring-sheet") for ext in (".pdf", "-1.png", "-2.png")])
    assert [Path(p).name for p in done[2]["pages"]] == ["out-consolidated-1.png", "out-consolidated-2.png"]
    calls = [json.loads(line) for line in fake_tools.read_text().splitlines()]
    assert len(calls) == 4
    for call in calls:  # a private profile, so it runs beside an open LibreOffice
        assert call[0].startswith("-env:UserInstallation=file://") and "--headless" in call
        assert call[call.index("--convert-to") + 1] == "pdf"


def test_every_unit_on_request(a_campaign, fake_tools, tmp_path):
    done = render.render(a_campaign, tmp_path / "pages", all_units=True)
    assert [Path(d["workbook"]).name for d in done][:2] == ["A01_甲.xlsx", "A02_乙.xlsx"]


def test_without_libreoffice_a_clear_message_and_exit_2(a_campaign, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert render.main([str(a_campaign)]) == 2
    err = capsys.readouterr().err
    assert "未找到 soffice" in err and "LibreOffice" in err and "PATH" in err
    assert render.main([str(a_campaign), "--lang", "en"]) == 2
    assert "soffice not found" in capsys.readouterr().err


def test_not_a_campaign_folder(tmp_path, fake_tools, capsys):
    assert render.main([str(tmp_path)]) == 2
    assert "campaign.yaml" in capsys.readouterr().err


def test_main_writes_to_dir_print_and_prints_json(a_campaign, fake_tools, capsys):
    assert render.main([str(a_campaign), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "ok" and len(summary["workbooks"]) == 4
    assert (a_campaign / "print" / "out-consolidated.pdf").is_file()


FAKE_PDFTOTEXT = """#!{python}
import sys
args = sys.argv[1:]
page = int(args[args.index("-f") + 1])
print({{1: "填报说明", 2: "一、责任落实 a1.1 自评分", 3: "九、一票否决项"}}.get(page, ""))
"""


def test_the_gallery_picks_the_page_that_shows_its_marker(tmp_path, monkeypatch):
    from toolkit.tools import gallery
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _tool(bin_dir, "pdftotext", FAKE_PDFTOTEXT)
    monkeypatch.setenv("PATH", str(bin_dir))
    book = {"pdf": str(tmp_path / "outbox-A01.pdf"), "pages": [str(tmp_path / f"outbox-A01-{n}.png") for n in (1, 2, 3)]}
    rendered = [{"pdf": str(tmp_path / "feedback-x.pdf"), "pages": []}, book]
    assert gallery._pick(rendered, "outbox-", "九、一票否决项") == Path(book["pages"][2])
    assert gallery._pick(rendered, "outbox-", "a1.1 自评分") == Path(book["pages"][1])  # spaces do not matter
    assert gallery._pick(rendered, "outbox-", None) == Path(book["pages"][0])
    assert gallery._pick(rendered, "outbox-", "评分卡") is None
    assert gallery._pick(rendered, "out-scoring", None) is None
