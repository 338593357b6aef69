"""Find, read and validate template spec files: a bundled template by id, or a spec by path.

Validation errors name the file, the key path (``sheets[2].fields[5].type``), what was
expected and, for a misspelt key or value, "did you mean …" (:mod:`toolkit.spec.parse`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import SpecError, ToolkitError
from ..i18n import Msg, define
from .errors import did_you_mean
from .model import TemplateSpec
from .parse import parse_spec

__all__ = ["TEMPLATES_DIR", "bundled_templates", "find_template", "load_spec", "read_yaml"]

# Package data found through importlib.resources, so that an installed wheel finds it as the source
# tree does; a Path because a scheme names its template relative to its own folder (pip installs unzipped).
TEMPLATES_DIR = Path(str(resources.files("toolkit") / "templates"))
# libyaml's loader where PyYAML was built with it: the same documents, about 7x faster to parse
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(text: str) -> Any:
    """The document in libyaml (:data:`_YAML_LOADER`); a file libyaml refuses, or with a tab (which libyaml
    takes where PyYAML does not), is read by PyYAML, so what is refused and the message saying why stay the same."""
    if "\t" not in text:
        try:
            return yaml.load(text, Loader=_YAML_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


define("spec.load", {
    "no_templates": ("{folder} 中没有内置模板：安装不完整，请重新安装本工具（pip install --force-reinstall assessment-toolkit）",
                     "no bundled templates in {folder}: the installation is incomplete; reinstall the package "
                     "(pip install --force-reinstall assessment-toolkit)"),
    "not_found": ("找不到模板定义文件：{path}", "template spec file not found: {path}"),
    "unknown": ("没有名为 {ref} 的内置模板{hint}；可用 `toolkit templates` 列出内置模板，或给出 .yaml 模板定义文件的路径",
                "unknown template {ref}{hint}; run `toolkit templates` to list them, or give a path to a .yaml spec"),
    "line": (" 第 {line} 行", " line {line}"),
    "not_yaml": ("{path}{line}：不是有效的 YAML（{problem}）", "{path}{line}: not valid YAML: {problem}"),
    "unreadable": ("无法读取{what} {path}（{reason}）", "cannot read {what} {path}: {reason}"),
    "template spec": ("模板定义文件", "template spec"),
    "scoring scheme": ("评分细则", "scoring scheme"),
})


def bundled_templates() -> list[TemplateSpec]:
    """All specs bundled in toolkit/templates/ (files named ``*.yaml`` with a ``sheets`` key)."""
    out = []
    for path in sorted(TEMPLATES_DIR.glob("*.yaml")):
        raw = _yaml(path.read_text(encoding="utf-8"))
        if isinstance(raw, dict) and "sheets" in raw:
            out.append(parse_spec(raw, str(path)))
    if not out:  # an install without its package data: say so instead of listing nothing
        raise ToolkitError(Msg("spec.load.no_templates", {"folder": TEMPLATES_DIR}))
    return out


def find_template(ref: str, base: Path | None = None) -> TemplateSpec:
    """A bundled template by id, or a spec file by path (relative to *base*)."""
    candidate = Path(ref)
    if base is not None and not candidate.is_absolute():
        candidate = base / candidate
    if ref.endswith((".yaml", ".yml")) or candidate.is_file():
        if not candidate.is_file():
            raise SpecError(Msg("spec.load.not_found", {"path": candidate}))
        return load_spec(candidate)
    path = TEMPLATES_DIR / f"{ref}.yaml"
    if path.is_file():
        return load_spec(path)
    known = [p.stem for p in TEMPLATES_DIR.glob("*.yaml") if not p.stem.endswith("-scoring")]
    raise SpecError(Msg("spec.load.unknown", {"ref": repr(ref), "hint": did_you_mean(ref, known)}))


_LOADED: dict[tuple[str, int, int], TemplateSpec] = {}


def load_spec(path: str | Path) -> TemplateSpec:
    """Load and validate a spec file, once per process while the file stays the same (specs are frozen)."""
    path = Path(path)
    try:
        info = path.stat()
        key = (str(path.resolve()), info.st_mtime_ns, info.st_size)
    except OSError:
        key = None  # read_yaml says what is wrong
    if key is not None and key in _LOADED:
        return _LOADED[key]
    spec = parse_spec(read_yaml(path, "template spec"), str(path))
    if key is not None:
        _LOADED[key] = spec
    return spec


def read_yaml(path: Path, what: str) -> Any:
    """A YAML file's content; unreadable or invalid YAML is a :class:`SpecError` naming the line."""
    try:
        return _yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = Msg("spec.load.line", {"line": mark.line + 1}) if mark else ""
        raise SpecError(Msg("spec.load.not_yaml", {"path": path, "line": line,
                                                    "problem": getattr(exc, "problem", exc)})) from None
    except OSError as exc:
        raise SpecError(Msg("spec.load.unreadable", {"what": Msg(f"spec.load.{what}"), "path": path,
                                                      "reason": exc.strerror})) from None
