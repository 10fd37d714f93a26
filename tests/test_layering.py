"""Packages import each other one way only: the import graph between compogen's packages is acyclic."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "compogen"


ROOT_UNIT = "compogen"
"""The package root (``compogen/__init__.py``, the front door that re-exports everything): imported by nothing in it."""


def _unit(module: str) -> str:
    """``compogen.data.offline`` -> ``data``; top-level modules are their own unit; ``compogen`` -> the root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT_UNIT


def package_graph(root: Path = ROOT) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root.parent).with_suffix("")
        module = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        if module == ROOT_UNIT:  # the front door may import anything (nothing may import it)
            continue
        src = _unit(module)
        for node in ast.walk(ast.parse(path.read_text())):  # function-level (lazy) imports count too
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:  # ``import compogen`` and ``from compogen import x`` are imports of the root
                if (name == ROOT_UNIT or name.startswith("compogen.")) and _unit(name) != src:
                    graph.setdefault(src, set()).add(_unit(name))
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m) :] + [m]
            if m not in state and (c := visit(m)):
                return c
        state[n] = 2
        stack.pop()
        return None

    for n in sorted(graph):
        if n not in state and (c := visit(n)):
            return c
    return None


def test_no_import_cycle_between_packages():
    graph = package_graph()
    assert graph, "no imports found: the test is looking in the wrong place"
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph))}"


def test_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


#: The architecture, lowest layer first: a package imports only packages of lower layers (or top-level modules).
LAYERS = [
    ["errors", "devices", "install", "io", "parallel", "progress", "registry", "config", "seeding", "version"],
    ["tasks"],
    ["layouts"],
    ["suites"],
    ["data"],
    ["rl"],
    ["generator", "validation"],
    ["loop", "online"],
    ["publish"],
    ["cli"],
    [ROOT_UNIT],
]

#: Imports against the layering that are known and owned elsewhere, each with what replaces it; the test
#: fails if one of them is gone (then delete it here) or if any other appears.
KNOWN_UPWARD: set = set()


def test_packages_import_only_lower_layers():
    rank = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    graph = package_graph()
    assert set(graph) | {m for ms in graph.values() for m in ms} <= set(rank), "a package is missing from LAYERS"
    upward = {(a, b) for a, bs in graph.items() for b in bs if rank[b] >= rank[a] and a not in LAYERS[0]}
    assert not upward - KNOWN_UPWARD, f"imports against the layering: {sorted(upward - KNOWN_UPWARD)}"
    assert not KNOWN_UPWARD - upward, f"fixed, remove from KNOWN_UPWARD: {sorted(KNOWN_UPWARD - upward)}"


def test_imports_of_the_package_root_are_seen(tmp_path):
    pkg = tmp_path / "compogen"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from compogen.data import x\n")
    (pkg / "data" / "__init__.py").write_text("")
    (pkg / "data" / "x.py").write_text("def f():\n    from compogen import __version__\n")
    (pkg / "data" / "y.py").write_text("import compogen\n")
    assert package_graph(pkg) == {"data": {ROOT_UNIT}}


def test_every_module_lists_its_public_names_in_all():
    missing = {}
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text())
        public = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")]
        declared = [
            ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in n.targets)
        ]
        if path.name == "__init__.py" and not declared:
            continue
        absent = [name for name in public if not declared or name not in declared[0]]
        if absent:
            missing[str(path.relative_to(ROOT))] = absent
    assert not missing, f"public names missing from __all__: {missing}"
