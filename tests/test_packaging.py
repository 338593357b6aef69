"""The package as installed: templates and demo samples are package data, the distribution's name and version.

The full check (a wheel installed in a fresh virtual environment, `toolkit templates` and `toolkit demo`
run from another folder) is in .ci/run; here the wheel's contents and the lookups behind them.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from typer.testing import CliRunner

import toolkit
from toolkit.cli import app
from toolkit.cli.demo import SAMPLES_DIR
from toolkit.spec import load as spec

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(toolkit.__file__).resolve().parent
runner = CliRunner()


def test_templates_and_samples_are_looked_up_inside_the_package():
    assert spec.TEMPLATES_DIR.resolve() == PACKAGE / "templates"
    assert SAMPLES_DIR.resolve() == PACKAGE / "samples"
    assert (SAMPLES_DIR / "roster.csv").is_file() and any((SAMPLES_DIR / "returns").iterdir())


def test_the_wheel_carries_every_template_and_sample(tmp_path):
    src = tmp_path / "src"  # a copy, so that the build leaves nothing in the work tree
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(PACKAGE, src / "toolkit", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "dist"), str(src)], check=True, capture_output=True)
    wheel, = (tmp_path / "dist").glob("assessment_toolkit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {f"toolkit/templates/{p.name}" for p in spec.TEMPLATES_DIR.glob("*.yaml")}
    wanted |= {f"toolkit/samples/returns/{p.name}" for p in (SAMPLES_DIR / "returns").iterdir()}
    wanted |= {f"toolkit/desk/{p.parent.name}/{p.name}" for p in (PACKAGE / "desk").glob("*/*.*")
               if p.parent.name in ("templates", "static")}  # the desk's pages, stylesheet and script
    assert len(wanted) > 30 and wanted | {"toolkit/samples/roster.csv"} <= names


def test_an_install_without_templates_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(spec, "TEMPLATES_DIR", tmp_path)
    result = runner.invoke(app, ["templates", "--json"])
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["status"] == "error" and "no bundled templates" in answer["error"]
    assert "没有内置模板" in result.stderr and "reinstall" in result.stderr


def test_version_prints_the_distribution_name_and_version(monkeypatch):
    seen = []
    monkeypatch.setattr(importlib.metadata, "version", lambda name: seen.append(name) or "1.2.3")
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout, seen) == (0, "assessment-toolkit 1.2.3\n", ["assessment-toolkit"])


def test_version_from_a_source_tree_that_was_never_installed(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)
    monkeypatch.setattr(importlib.metadata, "version", missing)
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, "assessment-toolkit (not installed)\n")
