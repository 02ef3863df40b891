"""Indexing: `x[index]` (GETITEM) and the item assignment `y[index] = v` (SETITEM).

Both keep their index as an `ir.Index` in params["index"], whose holes point
into the statement's args: after x for GETITEM, after (y, v) for SETITEM.
SETITEM is in place (its target is y itself), so it is emitted as a
statement; its rule takes the written part out of y's cotangent.
"""

from __future__ import annotations

import libcst as cst
import numpy as np

from .. import ir
from ..backend.expressions import call, name, rt_index, subscript
from ..ir.prims import Prim
from ..proof.values import SymbolicError, index_of, number, sym
from .registry import emitter, jvp, meaning, vjp
from .tangents import linear, zero


# ------------------------------------------------------------------ x[index]
@vjp(Prim.GETITEM)
def _getitem(b, g, s):
    x, *holes = s.args
    grad = b.op(Prim.GETITEM_GRAD, g, x, *holes, index=s.params.get("index"))
    return (grad,) + (None,) * len(holes)


@emitter(Prim.GETITEM)
def _emit_getitem(stmt, atom):
    base, *holes = [atom(a) for a in stmt.args]
    if stmt.params.get("row") == "either":  # a loop's row of a list or an array
        return call("rt.item", [base, *holes]), False
    return subscript(base, stmt.params.get("index"), holes), False


@meaning(Prim.GETITEM)
def _getitem_meaning(run, s, x, *holes):
    args = (x, *holes)
    index = index_of(run, s.params.get("index"), lambda p: args[p])
    item = x[index]
    return item if isinstance(x, np.ndarray) or not isinstance(item, float) else number(item)


# -------------------------------------------------------------- y[index] = v
@vjp(Prim.SETITEM)
def _setitem(b, g, s):
    _, value, *holes = s.args
    index = s.params.get("index").unshift(1)  # its holes, counted after the array only
    # A repeated fancy index writes once (the last write wins): only an index array repeats.
    fancy = any(isinstance(item, ir.Hole) and b.rank(s.args[item.pos]) != 0
                for item in s.params.get("index").items)
    written = b.apply(Prim.WRITTEN_GRAD if fancy else Prim.GETITEM, (g, *holes),
                      ir.Params.of(index=index))
    rest = b.apply(Prim.ZERO_AT, (g, *holes), ir.Params.of(index=index))
    return (rest, b.unbroadcast(written, value)) + (None,) * len(holes)


@emitter(Prim.SETITEM)
def _emit_setitem(stmt, atom):
    atom(stmt.args[0])  # y, written as the target's name (read for the inlining bookkeeping)
    value = atom(stmt.args[1])
    holes = [value] + [atom(a) for a in stmt.args[2:]]
    place = subscript(name(stmt.target.name), stmt.params.get("index"), holes)
    return cst.Assign([cst.AssignTarget(place.node)], value.node)


@meaning(Prim.SETITEM)
def _setitem_meaning(run, s, y, value, *holes):
    args = (y, value, *holes)
    index = index_of(run, s.params.get("index"), lambda p: args[p])
    if isinstance(y, np.ndarray) and y.dtype != object and run.symbolic(value):
        raise SymbolicError(f"line {s.loc.line}: a symbolic value written into a "
                            f"{y.dtype} array")
    y[index] = sym(value) if isinstance(y, np.ndarray) and y.dtype == object else value
    return y


# --------------------------------------------------- np.add.at(y, index, v)
@vjp(Prim.INDEX_ADD)
def _index_add(b, g, s):
    _, value, *holes = s.args
    index = s.params.get("index").unshift(1)
    # each occurrence of a position adds its v: its cotangent is g there (gathered)
    picked = b.apply(Prim.GETITEM, (g, *holes), ir.Params.of(index=index))
    return (g, b.unbroadcast(picked, value)) + (None,) * len(holes)


@emitter(Prim.INDEX_ADD)
def _emit_index_add(stmt, atom):
    y, value, *holes = [atom(a) for a in stmt.args]
    return call("rt.index_add", [y, value, rt_index(stmt.params.get("index").unshift(1),
                                                    holes)]), False


@meaning(Prim.INDEX_ADD)
def _index_add_meaning(run, s, y, value, *holes):
    args = (y, value, *holes)
    index = index_of(run, s.params.get("index"), lambda p: args[p])
    out = np.array(y, dtype=object)
    np.add.at(out, index, value)
    return out


# ------------------------------------------------------ tangents (forward mode)
jvp(Prim.GETITEM, Prim.INDEX_ADD)(linear)


@jvp(Prim.SETITEM)
def _setitem_jvp(b, t, s):
    """y_dot[index] = v_dot, into y_dot itself (forward.py made it y's own copy)."""
    value = t[1] if t[1] is not None else zero(b, s.args[1])
    return b.apply(Prim.SETITEM, (t[0], value, *s.args[2:]), s.params, target=t[0])
