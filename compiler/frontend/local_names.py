"""The names a model function binds, and every identifier it uses (one walk of its tree)."""

from __future__ import annotations

import libcst as cst


def function_names(node: cst.FunctionDef) -> tuple[set[str], set[str]]:
    """(the names the function binds: parameters and assignment targets, every identifier)."""
    collector = _NameCollector()
    node.visit(collector)
    return collector.assigned, collector.all


# What emitted code calls the array module and agc's runtime: a model variable of
# either name would shadow them inside the emitted function.
EMITTED_NAMES = ("xp", "rt")


def first_use(node: cst.CSTNode, names: set[str]) -> cst.Name | None:
    """The first Name node under `node` spelling one of `names` (None if none does)."""
    found: list[cst.Name] = []

    class _First(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            if not found and name.value in names:
                found.append(name)

    node.visit(_First())
    return found[0] if found else None


class _NameCollector(cst.CSTVisitor):
    def __init__(self):
        self.assigned: set[str] = set()
        self.all: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.all.add(node.value)

    def visit_Param(self, node: cst.Param) -> None:
        self.assigned.add(node.name.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._targets(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._targets(node.target)

    def _targets(self, target) -> None:
        if isinstance(target, cst.Name):
            self.assigned.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._targets(element.value)
