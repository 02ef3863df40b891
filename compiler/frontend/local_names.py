"""The names a model function binds, and every identifier it uses (one walk of its tree)."""

from __future__ import annotations

import libcst as cst

from .tree_walk import BINDERS, nodes_under


def function_names(node: cst.FunctionDef) -> tuple[set[str], set[str]]:
    """(the names the function binds: parameters and assignment targets, every identifier)."""
    assigned: set[str] = set()
    every: set[str] = set()
    for child in nodes_under(node):
        kind = type(child)
        if kind is cst.Name:
            every.add(child.value)
        elif kind is cst.Param:
            assigned.add(child.name.value)
        elif kind in BINDERS:
            _targets(child.target, assigned)
    return assigned, every


def _targets(target, assigned: set[str]) -> None:
    if isinstance(target, cst.Name):
        assigned.add(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _targets(element.value, assigned)


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
