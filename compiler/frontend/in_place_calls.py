"""numpy's calls that write an array in place, on a line of their own (effect_statements.py):

    np.add(a, b, out=c)        ->  c[...] = np.add(a, b)   (a ufunc's write into c)
    np.add(a, b, out=c[1:])    ->  c[1:] = np.add(a, b)    (into a view: an item write)
    np.add.at(y, i, v)         ->  y[...] = rt.index_add(y, v, i)   (numpy's add.at on a copy)
    np.copyto(dst, src)        ->  dst[...] = src           (numpy's same_kind check first)
    np.copyto(dst, src, where=m) -> dst[...] = np.where(m, src, dst)
    np.fill_diagonal(a, v)     ->  a[rt.diagonal_index(a)] = v   (v's items cycled as numpy)

Each is an item assignment of a local array, so the aliasing pass (aliasing.py) makes the
write seen through the array's other names and views, and the gradient follows it.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst
import numpy as np

from .. import ir
from ..ir.index import ELLIPSIS, Index
from ..ir.prims import Prim
from .list_methods import located
from .numpy_names import _BINARY_NUMPY, _UNARY_NUMPY

# numpy functions that take `out=` as a ufunc does: the result written into `out` whole
UFUNCS = frozenset(f"numpy.{name}" for name in (*_UNARY_NUMPY, *_BINARY_NUMPY)
                   if isinstance(getattr(np, name, None), np.ufunc))
WHOLE = ir.Params.of(index=Index((ELLIPSIS,)))  # y[...] = v


def in_place_call_statement(low, node: cst.Expr, call) -> bool:
    """One of the calls above, lowered; False if `call` is none of them."""
    return out_statement(low, node, call) or add_at_statement(low, node, call) or \
        copyto_statement(low, node, call) or fill_diagonal_statement(low, node, call)


def add_at_statement(low, node: cst.Expr, call) -> bool:
    """`np.add.at(y, index, v)`: y[...] = y with v added at index, each occurrence of a
    position once, in order (numpy's own np.add.at, on a copy); False if not that call."""
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute) or \
            call.func.attr.value != "at" or low.qualify(call.func) != "numpy.add.at":
        return False
    if len(call.args) != 3 or any(a.star or a.keyword is not None for a in call.args):
        raise low.unsupported(call, "this call of np.add.at",
                              "write np.add.at(y, indices, values) by position")
    target, index, value = (a.value for a in call.args)
    if not isinstance(target, cst.Name) or not low.is_local(target.value):
        raise low.unsupported(target, "np.add.at into anything but a local array",
                              "add into a local array: y = np.zeros(n); np.add.at(y, idx, v)")
    old = low.expr(target)
    added = low.emit_assign(None, Prim.INDEX_ADD, (old, low.expr(value), low.expr(index)), call,
                            ir.Params.of(index=Index((ir.Hole(2),))))
    low.emit_assign(low.store_name(target.value), Prim.SETITEM, (old, added), node,
                    ir.Params.of(index=Index((ELLIPSIS,))))
    return True


def out_statement(low, node: cst.Expr, call) -> bool:
    """`np.add(a, b, out=c)` as a statement: c[...] = np.add(a, b), or `out=c[1:]`:
    c[1:] = np.add(a, b); False if not that form."""
    if not isinstance(call, cst.Call) or any(a.star for a in call.args):
        return False
    out = next((a for a in call.args if a.keyword is not None and a.keyword.value == "out"), None)
    if out is None:
        return False
    target = out.value
    qualified = _qualified(low, call.func)
    if qualified not in UFUNCS or _local_array(low, target) is None:
        raise low.unsupported(out, "`out=` here", "`out=` is followed for numpy's ufuncs "
                              "(np.add, np.multiply, np.exp, ...) writing into a local array "
                              "or a basic slice of one (`out=y[1:]`)")
    plain = call.with_changes(args=[a for a in call.args if a is not out])
    result = low.expr(located(low, plain, call))
    old = low.expr(target)
    low.emit_assign(None, Prim.CHECK_OUT_CAST, (result, old), out,
                    ir.Params.of(ufunc=qualified.rsplit(".", 1)[-1]))
    _write(low, target, result, node)
    return True


def _qualified(low, func) -> str | None:
    return low.names.qualify(func.value) if isinstance(func, cst.Name) else low.qualify(func)


def _local_array(low, target) -> str | None:
    """The local name `target` writes into: `y`, or `y[...]` of a local y; None otherwise."""
    if isinstance(target, cst.Subscript):
        target = target.value
    return target.value if isinstance(target, cst.Name) and low.is_local(target.value) else None


def _write(low, target, value: ir.Atom, node) -> None:
    """`target[...] = value` of a name (or of a dict's entry, the array it holds), or
    `y[idx] = value` of a subscript: an item write into y's memory (of a list: refused by
    the aliasing pass, since the list's item is the array written, not a slot replaced)."""
    entry = low.dict_entry(target)
    if entry is None and isinstance(target, cst.Subscript) and \
            low.dict_named(target.value) is not None:
        raise low.unsupported(target, "a write into this dict entry",
                              "write into an array bound to a name first")
    if entry is None and isinstance(target, cst.Subscript):
        low.assign_to(target, value, node)
        low.block[-1] = replace(low.block[-1],
                                params=low.block[-1].params.with_(into_item=True))
        return
    name = entry or target.value
    low.emit_assign(low.store_name(name) if entry is None else entry, Prim.SETITEM,
                    (ir.Var(name), value), node, WHOLE)


def _arguments(low, call: cst.Call, names: tuple[str, ...], what: str) -> dict:
    """The arguments of `call` by name (positional ones named in order), or refused."""
    if any(a.star for a in call.args):
        raise low.unsupported(call, f"this call of {what}", "pass the arguments one by one")
    args = {names[i]: a.value for i, a in enumerate(call.args) if a.keyword is None
            and i < len(names)}
    args.update({a.keyword.value: a.value for a in call.args if a.keyword is not None})
    if len(args) != len(call.args) or not set(args) <= set(names):
        raise low.unsupported(call, f"this call of {what}",
                              f"write {what}({', '.join(names)}) with those arguments only")
    return args


def copyto_statement(low, node: cst.Expr, call) -> bool:
    """`np.copyto(dst, src, where=m)`: dst[...] = src (np.where(m, src, dst) with where=),
    numpy's `same_kind` check of src's dtype first; False if not that call."""
    if not isinstance(call, cst.Call) or _qualified(low, call.func) != "numpy.copyto":
        return False
    args = _arguments(low, call, ("dst", "src", "casting", "where"), "np.copyto")
    target = args.get("dst")
    if "src" not in args or target is None or _local_array(low, target) is None \
            or "casting" in args and not _is_string(args["casting"], "same_kind"):
        raise low.unsupported(call, "this call of np.copyto", "write np.copyto(y, src) or "
                              "np.copyto(y, src, where=mask) with y a local array (or a "
                              "slice of one), numpy's default casting")
    src = low.expr(args["src"])
    old = low.expr(target)
    low.emit_assign(None, Prim.CHECK_OUT_CAST, (src, old), call)
    if "where" in args:
        src = low.emit_assign(None, Prim.WHERE, (low.expr(args["where"]), src, old), call)
    _write(low, target, src, node)
    return True


def _is_string(node, text: str) -> bool:
    return isinstance(node, cst.SimpleString) and node.evaluated_value == text


def fill_diagonal_statement(low, node: cst.Expr, call) -> bool:
    """`np.fill_diagonal(a, v)`: a[rt.diagonal_index(a)] = v, v's items cycled over the
    diagonal as numpy's flat write does; False if not that call."""
    if not isinstance(call, cst.Call) or _qualified(low, call.func) != "numpy.fill_diagonal":
        return False
    args = _arguments(low, call, ("a", "val", "wrap"), "np.fill_diagonal")
    target = args.get("a")
    if "val" not in args or not isinstance(target, cst.Name) or not low.is_local(target.value):
        raise low.unsupported(call, "this call of np.fill_diagonal",
                              "write np.fill_diagonal(y, v) with y a local array")
    wrap = low.expr(args["wrap"]) if "wrap" in args else ir.Const(False)
    if not isinstance(wrap, ir.Const) or not isinstance(wrap.value, bool):
        raise low.unsupported(args["wrap"], "a `wrap=` that is not True or False",
                              "write wrap=True or wrap=False")
    old = low.expr(target)
    index = low.emit_assign(None, Prim.DIAGONAL_INDEX, (old,), call,
                            ir.Params.of(wrap=wrap.value))
    value = low.expr(args["val"])
    if not (isinstance(value, ir.Const) and isinstance(value.value, (int, float, bool))):
        # numpy writes v's items one after the other, from the first again when they run out
        positions = low.emit_assign(None, Prim.CYCLED_POSITIONS, (value, index), call)
        flat = low.emit_assign(None, Prim.RESHAPE, (value, ir.Const((-1,))), call)
        value = low.emit_assign(None, Prim.GETITEM, (flat, positions), call,
                                ir.Params.of(index=Index.at(1)))
    low.emit_assign(low.store_name(target.value), Prim.SETITEM, (old, value, index), node,
                    ir.Params.of(index=Index.at(2)))
    return True


