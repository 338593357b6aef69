"""The shape of the package: no import cycle inside toolkit/, no import of another module's private names.

import-linter (pyproject.toml, run by .ci/run) keeps the packages in layers; this test keeps the
modules honest inside a package, where the layers contract does not look. It reads every module's
source (imports inside functions count: a cycle hidden in a function is still a cycle) and
resolves relative imports, so ``from .x import _y`` in any subpackage is seen. Importing
``toolkit.a.b`` is counted as importing that module only, not the package ``toolkit.a`` above it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "toolkit"

# Cycles allowed while another piece of work cuts them (none left): each allowed exactly as listed, never a new one.
KNOWN_CYCLES: set[frozenset[str]] = set()


@dataclass
class ImportGraph:
    """Module name → the toolkit modules it imports, and every private name imported across modules."""

    edges: dict[str, set[str]] = field(default_factory=dict)
    private: list[str] = field(default_factory=list)  # "module:line imports target.name"


def _modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted name → (file, is a package's __init__) for every module under *root*."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _target(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a ``from … import`` names (relative levels resolved)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def import_graph(root: Path) -> ImportGraph:
    """Every import statement of every module under *root*, at any depth of the module's code."""
    modules, graph = _modules(root), ImportGraph()
    top = root.name
    for module, (path, is_package) in modules.items():
        out = graph.edges.setdefault(module, set())
        aliases: dict[str, str] = {}  # local name → the toolkit module it is bound to
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == top:
                        out.add(alias.name)
                        if alias.asname:
                            aliases[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                target = _target(module, is_package, node)
                if target.split(".")[0] != top:
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    if sub in modules:  # a module of a package: ``from . import layout``
                        out.add(sub)
                        aliases[alias.asname or alias.name] = sub
                        continue
                    out.add(target)
                    if _is_private(alias.name) and target != module:
                        graph.private.append(f"{module}:{node.lineno} imports {target}.{alias.name}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and _is_private(node.attr) and aliases[node.value.id] != module):
                graph.private.append(f"{module}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    for module, targets in graph.edges.items():
        graph.edges[module] = {t for t in targets if t in modules and t != module}
    return graph


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def _path_through(edges: dict[str, set[str]], component: frozenset[str]) -> str:
    """One cycle inside *component*, as a → b → a, to say where to cut."""
    start = min(component)
    path, seen = [start], {start}
    while True:
        following = sorted(edges[path[-1]] & component)
        back = [m for m in following if m in seen]
        if back:
            return " → ".join(path[path.index(back[0]):] + [back[0]])
        path.append(following[0])
        seen.add(following[0])


# --------------------------------------------------------------------------- the toolkit


def test_no_import_cycle_inside_the_toolkit():
    graph = import_graph(PACKAGE)
    new = [_path_through(graph.edges, c) for c in cycles(graph.edges) if c not in KNOWN_CYCLES]
    assert new == [], "import cycles (cut one edge of each):\n" + "\n".join(new)


def test_no_module_imports_another_modules_private_names():
    assert import_graph(PACKAGE).private == []


# Module-level one-letter names still waiting for the language work that replaces them, and i18n's t
# (the one call every message goes through, as gettext's _ is elsewhere).
KNOWN_SHORT_NAMES = {"toolkit.i18n.t", "toolkit.score.words._w", "toolkit.merge.consolidated._W",
                     "toolkit.score.cards._W", "toolkit.rounds.compare_xlsx._W"}


def short_names(root: Path) -> list[str]:
    """module.name for every module-level name of one letter (``L``, ``_W``, ``D``): assigned,
    defined, or an import alias. A name should say what it holds."""
    found = []
    for module, (path, _) in _modules(root).items():
        for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.asname for a in node.names if a.asname]
            else:
                names = []
            found += [f"{module}.{n}" for n in names if len(n.strip("_")) == 1]
    return found


def test_no_module_level_name_of_one_letter():
    assert sorted(set(short_names(PACKAGE)) - KNOWN_SHORT_NAMES) == []


# --------------------------------------------------------------------------- the checker itself


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "toolkit"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "", "a/__init__.py": "", "b/__init__.py": "",
        "a/one.py": "from .two import thing\n",
        "a/two.py": "def thing():\n    from ..b import three\n    return three\n",
        "b/three.py": "import toolkit.a.one\n",
        "b/free.py": "from ..a.one import thing\n"})
    graph = import_graph(root)
    assert cycles(graph.edges) == [frozenset({"toolkit.a.one", "toolkit.a.two", "toolkit.b.three"})]
    assert _path_through(graph.edges, cycles(graph.edges)[0]) == \
        "toolkit.a.one → toolkit.a.two → toolkit.b.three → toolkit.a.one"


def test_private_names_from_other_modules_are_found_in_subpackages(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "", "spec/__init__.py": "", "read/__init__.py": "",
        "spec/layout.py": "_ROWS = 3\nPUBLIC = 1\n\n\ndef _helper():\n    return _ROWS\n",
        "read/reader.py": "from ..spec.layout import PUBLIC, _ROWS\n",
        "read/locate.py": "def f():\n    from ..spec import layout as places\n    return places._helper()\n",
        "read/fine.py": "from ..spec.layout import PUBLIC\nfrom . import reader\n__all__ = reader.__all__\n"})
    assert sorted(import_graph(root).private) == ["toolkit.read.locate:3 uses toolkit.spec.layout._helper",
                                                  "toolkit.read.reader:1 imports toolkit.spec.layout._ROWS"]


# --------------------------------------------------------------------------- the code catalogue


def test_the_catalogue_knows_every_code_without_importing_a_stage():
    """toolkit.codes imports its sections statically: a process that imported nothing else (the
    ledger's status, a report) can title and render any code, and no stage module comes with it."""
    import subprocess
    import sys

    from gen_issue_codes import code_modules

    # toolkit.states (the severities the codes are declared with) is data below every stage, not a stage
    script = ("import sys, toolkit.codes as codes\n"
              "stages = sorted(m for m in sys.modules if m.startswith('toolkit.') and m.split('.')[1] not in "
              "('codes', 'catalogue', 'i18n', 'states'))\n"
              "print(len(codes.CATALOGUE), codes.title('intake.zip_bomb', 'en'), stages)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=PACKAGE.parent)
    every = sum(len(section_codes) for _, section_codes in code_modules())
    assert done.stdout.split(" ", 1)[0] == str(every) and every > 50
    assert done.stdout.rstrip().endswith("[]"), done.stdout  # not one stage module was imported
    assert "(zip bomb)" in done.stdout


def test_one_letter_module_names_are_found(tmp_path):
    root = _package(tmp_path, {"__init__.py": "", "spec/__init__.py": "", "spec/layout.py": "ROW = 1\n",
                               "read.py": "from .spec import layout as L\n_W: dict = {}\nD = 3\nwidth = 2\n\n\n"
                                          "def _n(x):\n    y = x\n    return y\n"})
    assert sorted(short_names(root)) == ["toolkit.read.D", "toolkit.read.L", "toolkit.read._W", "toolkit.read._n"]
