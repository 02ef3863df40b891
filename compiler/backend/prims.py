"""How each primitive is written in Python: `x + y`, `xp.exp(x)`, `x.T`, `rt.unbroadcast(g, x)`."""

from __future__ import annotations

from collections.abc import Callable

from .. import ir
from ..ir.prims import Prim
from .expressions import (
    Expr,
    attribute,
    binop,
    call,
    const,
    index_elements,
    lib_function,
    method,
    name,
    subscript,
    tuple_of,
    unop,
)

AtomFn = Callable[[ir.Atom], Expr]
NOT_KWARGS = {"lib", "index", "fn", "module", "nograd"}


def _kwargs(params: ir.Params) -> dict[str, Expr]:
    return {k: const(v) for k, v in params.items if k not in NOT_KWARGS}


def assign_expr(stmt: ir.Assign, atom: AtomFn) -> tuple[Expr, bool]:
    """The right-hand side of `stmt`, and whether it uses the array module `xp`."""
    spec = stmt.prim.spec
    special = SPECIAL.get(stmt.prim)
    if special is not None:
        return special(stmt, atom)
    args = [atom(a) for a in stmt.args]
    if spec.form == "binop":
        return binop(spec.name, *args), False
    if spec.form == "unop":
        return unop(spec.name, args[0]), False
    if spec.form == "attr":
        return attribute(args[0], spec.name), False
    if spec.form == "rt":
        return call("rt." + spec.name, args, _kwargs(stmt.params)), False
    lib = stmt.params.get("lib")
    func = lib_function(stmt.prim, lib)
    return call(func, args, _kwargs(stmt.params)), lib is None


def _copy(stmt, atom):
    return atom(stmt.args[0]), False


def _tuple(stmt, atom):
    return tuple_of([atom(a) for a in stmt.args]), False


def _getitem(stmt, atom):
    base, *holes = [atom(a) for a in stmt.args]
    if stmt.params.get("row") == "either":  # a loop's row of a list or an array
        return call("rt.item", [base, *holes]), False
    return subscript(base, stmt.params.get("index"), holes), False


def _getitem_grad(stmt, atom):
    g, x, *holes = [atom(a) for a in stmt.args]
    index = Expr(_rt_index(stmt.params.get("index"), holes))
    return call("rt.getitem_grad", [g, x, index]), False


def _add_at(stmt, atom):
    acc, g, x, *holes = [atom(a) for a in stmt.args]
    index = Expr(_rt_index(stmt.params.get("index"), holes))
    return call("rt.add_at", [acc, g, x, index]), False


def _rt_index(template, holes):
    import libcst as cst

    return cst.Subscript(name("rt.index").node, index_elements(template, holes))


def _transpose(stmt, atom):
    x = atom(stmt.args[0])
    axes = stmt.params.get("axes")
    if axes is None:
        return attribute(x, "T"), False
    return call("xp.transpose", [x, const(tuple(axes))]), True


def _reshape(stmt, atom):
    x, shape = atom(stmt.args[0]), atom(stmt.args[1])
    return call("xp.reshape", [x, shape]), True


def _sequence_call(func: str):
    def emit(stmt, atom):
        items = [atom(a) for a in stmt.args]
        import libcst as cst

        listing = Expr(cst.List([cst.Element(e.at_least(5)) for e in items]))
        return call(func, [listing], _kwargs(stmt.params)), True

    return emit


def _builtin(func: str):
    def emit(stmt, atom):
        return call(func, [atom(a) for a in stmt.args]), False

    return emit


def _len(stmt, atom):
    """len(x) of a list, x.shape[0] of an array, rt.length(x) when it may be either."""
    x = atom(stmt.args[0])
    kind = stmt.params.get("of")
    if kind == "array":
        return subscript(attribute(x, "shape"), ir.Index.at(1), [const(0)]), False
    return call("rt.length" if kind == "either" else "len", [x]), False


def _astype(stmt, atom):
    return method(atom(stmt.args[0]), "astype", [atom(stmt.args[1])]), False


def _norm(stmt, atom):
    return call("xp.linalg.norm", [atom(stmt.args[0])], _kwargs(stmt.params)), True


def _list(stmt, atom):
    import libcst as cst

    return Expr(cst.List([cst.Element(atom(a).at_least(5)) for a in stmt.args])), False


def _stack_list(stmt, atom):
    return call("xp.stack", [atom(stmt.args[0])], _kwargs(stmt.params)), True


def _zero_at(stmt, atom):
    g, *holes = [atom(a) for a in stmt.args]
    index = Expr(_rt_index(stmt.params.get("index"), holes))
    return call("rt.zero_at", [g, index]), False


def in_place_statement(stmt: ir.Assign, atom: AtomFn):
    """The libcst statement of an in-place primitive: append, pop, item assignment."""
    import libcst as cst

    target = atom(stmt.args[0])
    if stmt.prim is Prim.APPEND:
        return cst.Expr(method(target, "append", [atom(stmt.args[1])]).node)
    if stmt.prim is Prim.LIST_POP:
        return cst.Expr(method(target, "pop", []).node)
    value = atom(stmt.args[1])
    holes = [value] + [atom(a) for a in stmt.args[2:]]
    place = subscript(name(stmt.target.name), stmt.params.get("index"), holes)
    return cst.Assign([cst.AssignTarget(place.node)], value.node)


def _helper(stmt, atom):
    return call(stmt.params.get("fn"), [atom(a) for a in stmt.args]), False


def _helper_vjp(stmt, atom):
    return call(stmt.params.get("fn") + "_vjp", [atom(a) for a in stmt.args]), False


SPECIAL = {
    Prim.COPY: _copy, Prim.TUPLE: _tuple, Prim.GETITEM: _getitem,
    Prim.GETITEM_GRAD: _getitem_grad, Prim.ADD_AT: _add_at,
    Prim.TRANSPOSE: _transpose, Prim.RESHAPE: _reshape,
    Prim.CONCATENATE: _sequence_call("xp.concatenate"), Prim.STACK: _sequence_call("xp.stack"),
    Prim.FLOAT: _builtin("float"), Prim.INT: _builtin("int"), Prim.LEN: _len,
    Prim.ASTYPE: _astype, Prim.NORM: _norm, Prim.CALL: _helper, Prim.CALL_VJP: _helper_vjp,
    Prim.LIST: _list, Prim.STACK_LIST: _stack_list, Prim.ZERO_AT: _zero_at,
}
