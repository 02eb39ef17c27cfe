"""The code's shape: no import cycles, pages independent of one another, analytics free of Dash,
one registration place, a docstring at the top of every module.

Imports are read from the source (``ast``), module-level and function-level alike, so a lazy import
inside a function counts too.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("analytics", "components", "pages")


def _modules() -> dict[str, Path]:
    out = {"app": ROOT / "app.py"}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    is_pkg = MODULES[module].name == "__init__.py"
    base = base if is_pkg else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str) -> set[str]:
    """The project modules ``module`` imports (a name imported from a package counts as its module)."""
    tree = ast.parse(MODULES[module].read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            names = [f"{target}.{a.name}" for a in node.names] + [target]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


GRAPH = {m: imports(m) for m in MODULES}


def _parents(module: str) -> set[str]:
    """A package's __init__ runs before its modules: importing a.b.c imports a and a.b."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in MODULES}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk of ``graph`` meets (each as a list of modules)."""
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    return cycles


def test_no_import_cycles():
    graph = {m: {d for d in deps if d not in _parents(m)} for m, deps in GRAPH.items()}
    cycles = find_cycles(graph)
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_the_cycle_check_finds_cycles():
    assert find_cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
    # and the import reader sees a function-level import as an edge
    assert "analytics.serving.store" in GRAPH["analytics.serving.cache"]


def _page(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "pages" and len(parts) > 1 else None


def test_pages_never_import_another_page():
    bad = [(m, d) for m, deps in GRAPH.items() for d in deps
           if _page(m) and _page(d) and _page(m) != _page(d)]
    assert not bad, bad


def test_shared_code_does_not_import_pages():
    bad = [(m, d) for m, deps in GRAPH.items() if m.split(".")[0] in ("analytics", "components")
           for d in deps if d.startswith("pages")]
    assert not bad, bad


def test_analytics_is_free_of_dash_and_the_ui():
    bad = []
    for m, path in MODULES.items():
        if not m.startswith("analytics"):
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            bad += [(m, n) for n in names if n.split(".")[0] in ("dash", "dash_bootstrap_components",
                                                                   "dash_ag_grid", "plotly", "components", "pages")]
    assert not bad, bad


def test_the_build_imports_only_build_code():
    """The build's fingerprint covers analytics/build.py, sources/ and metrics/: everything the
    build imports must live there (or be configuration), or a change would not trigger a rebuild."""
    seen, todo = set(), ["analytics.build"]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo += [d for d in GRAPH[m] if d.startswith("analytics")]
    allowed = ("analytics.build", "analytics.sources", "analytics.metrics", "analytics.config", "analytics")
    outside = sorted(m for m in seen if not any(m == a or m.startswith(a + ".") for a in allowed[:-1])
                     and m != "analytics")
    assert not outside, outside


def test_pages_are_registered_in_one_place():
    callers = [m for m, path in MODULES.items() if "register_page(" in path.read_text()]
    assert callers == ["pages"], callers


def test_every_module_says_what_it_does():
    missing = [m for m, path in MODULES.items() if ast.get_docstring(ast.parse(path.read_text())) is None]
    assert not missing, missing
