"""How each primitive is written in Python: `x + y`, `xp.exp(x)`, `x.T`, `rt.unbroadcast(g, x)`.

Most primitives are written from their Spec's form alone (an operator, an
array-module function, a runtime helper, an attribute); those whose form is
"special" have an emitter registered next to their rule, in agc.primitives.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import ir
from ..primitives import emitter_for
from .expressions import Expr, attribute, binop, call, kwargs, lib_function, unop

AtomFn = Callable[[ir.Atom], Expr]


def assign_expr(stmt: ir.Assign, atom: AtomFn) -> tuple[Expr, bool]:
    """The right-hand side of `stmt`, and whether it uses the array module `xp`."""
    spec = stmt.prim.spec
    special = emitter_for(stmt.prim)
    if special is not None:
        return special(stmt, atom)
    args = [atom(a) for a in stmt.args]
    if spec.form == "binop" and stmt.params.get("ufunc"):  # np.floor_divide(a, b), not a // b
        return call("xp." + stmt.params.get("ufunc"), args), True
    if spec.form == "binop":
        return binop(spec.name, *args), False
    if spec.form == "unop":
        return unop(spec.name, args[0]), False
    if spec.form == "attr":
        return attribute(args[0], spec.name), False
    if spec.form == "rt":
        return call("rt." + spec.name, args, kwargs(stmt.params)), False
    lib = stmt.params.get("lib")
    func = lib_function(stmt.prim, lib)
    return call(func, args, kwargs(stmt.params)), lib is None


def in_place_statement(stmt: ir.Assign, atom: AtomFn):
    """The libcst statement of an in-place primitive (Spec.in_place): append, pop, y[i] = v."""
    return emitter_for(stmt.prim)(stmt, atom)
