"""Architecture checks: no import cycles in agc, and a runtime that imports light.

The import graph is read from the source with `ast` (nothing is imported):
one node per module of compiler/ (package `agc`) and runtime/ (`agc.runtime`),
one edge per top-level import of another of those modules. Imports inside
functions are not edges; ruff's PLC0415 keeps them out except for optional
libraries.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"agc": ROOT / "compiler", "agc.runtime": ROOT / "runtime"}


def module_files() -> dict[str, Path]:
    """Module name -> source file, for every module of agc (packages as their __init__)."""
    files = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join([package, *parts])
            if name.startswith("agc.runtime") and package == "agc":
                continue  # compiler/runtime would shadow runtime/: there is none
            files[name] = path
    return files


def _top_level_imports(tree: ast.Module):
    """The import statements that run when the module is imported (not those in functions)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                todo.extend(getattr(node, field, []))
        elif isinstance(node, ast.ExceptHandler):
            todo.extend(node.body)


def import_graph() -> dict[str, set[str]]:
    """Module -> the agc modules its top-level imports load (relative imports resolved)."""
    files = module_files()
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in _top_level_imports(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = package.split(".")
                base = base[:len(base) - node.level + 1] if node.level else []
                stem = ".".join([*base, node.module] if node.module else base)
                # `from P import n` loads P.n when that is a module, else P itself
                targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in files else stem
                           for a in node.names]
            for target in targets:
                while target and target not in files:  # `import agc.ir.nodes` -> agc.ir.nodes
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, ..., a], or None when it has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for succ in sorted(graph[node]):
            if state.get(succ) == 1:
                return path[path.index(succ):] + [succ]
            if succ not in state and (found := visit(succ)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_graph_is_read():
    graph = import_graph()
    assert "agc.api" in graph["agc.functional"]
    assert "agc.runtime.arrays" in graph["agc.runtime"]
    assert "agc.ir" in graph["agc.pipeline"]


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def _loaded_by(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return set(out.stdout.split())


def test_runtime_imports_neither_libcst_nor_sympy():
    loaded = _loaded_by("import agc.runtime")
    assert not {"libcst", "sympy"} & loaded, sorted({"libcst", "sympy"} & loaded)


def test_agc_alone_imports_neither_libcst_nor_sympy():
    loaded = _loaded_by("import agc")
    assert not {"libcst", "sympy"} & loaded, sorted({"libcst", "sympy"} & loaded)


def test_the_api_imports_neither_libcst_nor_sympy():
    # the compiler loads where it compiles: a numba gradient found in the disk cache
    # (emitted_cache.py) needs neither
    loaded = _loaded_by("import agc; agc.grad, agc.differentiate, agc.value_and_grad")
    assert not {"libcst", "sympy", "agc.pipeline"} & loaded
