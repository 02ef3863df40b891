"""Kind analysis: which variables are always Python/numpy scalars (shape ()).

Knowing that both sides of `x * y` are scalars lets the derivative rules skip
`unbroadcast`, and then the backward sweep no longer reads those values,
so they need not be kept on the tape. Scalar parameters are known from a
`float`/`int` annotation (CLI) or from the call's arguments (decorator).
A variable is scalar when every assignment to it gives a scalar.
"""

from __future__ import annotations

from . import ir
from .prims import Prim

ALWAYS_SCALAR = {Prim.FLOAT, Prim.INT, Prim.LEN, Prim.NDIM, Prim.SIZE}
REDUCTIONS = {Prim.SUM, Prim.MEAN, Prim.MAX, Prim.MIN, Prim.PROD, Prim.NORM}
SCALAR_ANNOTATIONS = {"float", "int"}
CONTAINER_ANNOTATIONS = {"dict", "list", "tuple"}


def is_scalar_const(atom: ir.Atom) -> bool:
    """A numeric literal."""
    return isinstance(atom, ir.Const) and type(atom.value) in (int, float, bool)


def scalar_params(fn: ir.Function) -> set[str]:
    """Parameters annotated `float` or `int`."""
    return {p.name for p in fn.params if p.annotation in SCALAR_ANNOTATIONS}


def container_params(fn: ir.Function) -> set[str]:
    """Parameters annotated dict, list or tuple (pytrees of arrays)."""
    return {p.name for p in fn.params if p.annotation in CONTAINER_ANNOTATIONS}


def container_variables(fn: ir.Function, params: set[str]) -> set[str]:
    """Names that may hold tuples, lists or dicts: their adjoints add item by item."""
    found = set(params)
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    changed = True
    while changed:
        changed = False
        for s in assigns:
            name = s.target.name
            makes = s.prim in (Prim.CALL, Prim.TUPLE, Prim.LIST, Prim.APPEND) or (
                s.prim in (Prim.GETITEM, Prim.COPY) and isinstance(s.args[0], ir.Var)
                and s.args[0].name in found)
            if makes and name not in found:
                found.add(name)
                changed = True
    return found


def scalar_variables(fn: ir.Function, params: set[str]) -> set[str]:
    """Names that hold a scalar wherever they are read."""
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    loop_targets = {s.target.name for s in ir.walk(fn.body) if isinstance(s, ir.For) and s.target}
    scalars = set(params) | loop_targets | {s.target.name for s in assigns}
    changed = True
    while changed:  # optimistic start, remove names with a non-scalar assignment
        changed = False
        for stmt in assigns:
            if stmt.target.name in scalars and not _gives_scalar(stmt, scalars):
                scalars.discard(stmt.target.name)
                changed = True
    return scalars


def _gives_scalar(stmt: ir.Assign, scalars: set[str]) -> bool:
    if stmt.prim in ALWAYS_SCALAR:
        return True
    if stmt.prim in REDUCTIONS:
        return stmt.params.get("axis") is None
    group = stmt.prim.spec.group
    if group not in ("elementwise", "nondiff", "struct") or stmt.prim in (Prim.TUPLE, Prim.SHAPE):
        return False
    if stmt.prim.spec.form == "xp" and stmt.prim.spec.group == "nondiff":
        return False  # zeros, ones, arange, ... make arrays
    return all(is_scalar_const(a) or (isinstance(a, ir.Var) and a.name in scalars)
               for a in stmt.args)
