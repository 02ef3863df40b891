"""The names emitted functions read from their module: used, and bound in none of them.

A module constant is written into the emitted module only when a function reads it
as a global; a parameter or local of the same name (`x`, `w`, `b` of a model whose
script also has `x = 2.0` at module level) does not need, and must not suggest, one.
"""

from __future__ import annotations

import libcst as cst


class _Scope(cst.CSTVisitor):
    """The names one function binds (parameters, assignment and loop targets) and reads."""

    def __init__(self):
        self.bound: set[str] = set()
        self.read: set[str] = set()

    def visit_Param(self, node: cst.Param):
        self.bound.add(node.name.value)

    def visit_AssignTarget(self, node: cst.AssignTarget):
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign):
        self._bind(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign):
        self._bind(node.target)

    def visit_For(self, node: cst.For):
        self._bind(node.target)

    def visit_CompFor(self, node: cst.CompFor):
        self._bind(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr):
        self._bind(node.target)

    def visit_Name(self, node: cst.Name):
        self.read.add(node.value)

    def _bind(self, target) -> None:
        if isinstance(target, cst.Name):
            self.bound.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value)


def free_names(functions) -> set[str]:
    """Names some function of `functions` reads without binding them itself."""
    free: set[str] = set()
    for function in functions:
        scope = _Scope()
        function.visit(scope)
        free |= scope.read - scope.bound
    return free
