"""Values that hold values: copies, tuples, lists, `lst.append(v)`, lists and tuples
joined (`a + b`) or repeated (`seq * n`), np.stack(lst), np.asarray(lst).

A list's adjoint is a dict {position: cotangent} holding only what was
reached; the gradient helpers that build and read it are in gradients_arrays.py.
APPEND and LIST_POP are in place: their target is the list itself.
"""

from __future__ import annotations

import libcst as cst
import numpy as np

from .. import ir
from ..backend.expressions import call, kwargs, list_of, method, tuple_of
from ..ir.prims import Prim
from ..proof.values import at_point, nested_array
from .registry import emitter, jvp, meaning, vjp
from .tangents import linear, zero


# --------------------------------------------------------------------- copy
@vjp(Prim.COPY)
def _copy(b, g, s):
    return (g,)


@emitter(Prim.COPY)
def _emit_copy(stmt, atom):
    if stmt.params.get("fresh"):  # x.copy(): a new array, not another name for x
        return call("rt.copy_of", [atom(stmt.args[0])]), False
    return atom(stmt.args[0]), False


@meaning(Prim.COPY)
def _copy_meaning(run, s, x):
    if s.params.get("fresh"):  # x.copy(), np.copy(x), x.flatten(): a new array (rt.copy_of)
        return x.copy() if isinstance(x, (np.ndarray, list, dict)) else x
    return x  # a copy in IR is an alias in emitted code (`b = a`), so it stays one here


# -------------------------------------------------------------------- tuple
@vjp(Prim.TUPLE)
def _tuple(b, g, s):
    item = ir.Params.of(index=ir.Index.at(1))
    return tuple(b.apply(Prim.GETITEM, (g, ir.Const(i)), item) for i in range(len(s.args)))


@emitter(Prim.TUPLE)
def _emit_tuple(stmt, atom):
    return tuple_of([atom(a) for a in stmt.args]), False


@meaning(Prim.TUPLE)
def _tuple_meaning(run, s, *items):
    return tuple(items)


# --------------------------------------------------------------------- list
@vjp(Prim.LIST)
def _list(b, g, s):
    return tuple(b.op(Prim.LIST_ITEM_GRAD, g, ir.Const(i), x) for i, x in enumerate(s.args))


@emitter(Prim.LIST)
def _emit_list(stmt, atom):
    return list_of([atom(a) for a in stmt.args]), False


@meaning(Prim.LIST)
def _list_meaning(run, s, *items):
    return list(items)


@vjp(Prim.APPEND)
def _append(b, g, s):
    lst, value = s.args
    # Takes the last position out of the list's adjoint; what stays is the shorter list's.
    return g, b.op(Prim.APPEND_GRAD, g, lst, value)


@emitter(Prim.APPEND)
def _emit_append(stmt, atom):
    target = atom(stmt.args[0])
    return cst.Expr(method(target, "append", [atom(stmt.args[1])]).node)


@meaning(Prim.APPEND)
def _append_meaning(run, s, lst, value):
    lst.append(value)  # in place, like emitted code: the target is the list itself
    return lst


@emitter(Prim.LIST_POP)  # lst.pop(): only the backward sweep undoes an append with it
def _emit_list_pop(stmt, atom):
    return cst.Expr(method(atom(stmt.args[0]), "pop", []).node)


@meaning(Prim.LIST_POP)
def _list_pop(run, s, lst):
    lst.pop()
    return lst


# ------------------------------------------ lists and tuples joined, repeated
@vjp(Prim.SEQ_JOIN)
def _seq_join(b, g, s):
    head = s.args[0]
    return b.op(Prim.SEQ_HEAD_GRAD, g, head), b.op(Prim.SEQ_TAIL_GRAD, g, head)


@meaning(Prim.SEQ_JOIN)
def _seq_join_meaning(run, s, a, b):
    return a + b


@vjp(Prim.SEQ_REPEAT)
def _seq_repeat(b, g, s):
    seq, count = s.args
    return b.op(Prim.SEQ_REPEAT_GRAD, g, seq, count), None


@meaning(Prim.SEQ_REPEAT)
def _seq_repeat_meaning(run, s, seq, count):
    return seq * count


# --------------------------------------------------- np.stack(lst), asarray
@vjp(Prim.STACK_LIST)
def _stack_list(b, g, s):
    return (b.op(Prim.UNSTACK_GRAD, g, axis=s.params.get("axis", 0)),)


@emitter(Prim.STACK_LIST)
def _emit_stack_list(stmt, atom):
    return call("xp.stack", [atom(stmt.args[0])], kwargs(stmt.params)), True


@meaning(Prim.STACK_LIST)
def _stack_list_meaning(run, s, items):
    return np.stack([nested_array(x) for x in items], axis=s.params.get("axis", 0))



@vjp(Prim.ASARRAY)
def _asarray(b, g, s):
    return (b.op(Prim.ASARRAY_GRAD, g, s.args[0]),)


@meaning(Prim.ASARRAY)
def _asarray_meaning(run, s, x):
    return x if isinstance(x, np.ndarray) else nested_array(x)


# ------------------------------------------------------ l.index(v), l.count(v)
@emitter(Prim.LIST_INDEX, Prim.LIST_COUNT)
def _emit_list_search(stmt, atom):
    name = "index" if stmt.prim is Prim.LIST_INDEX else "count"
    return method(atom(stmt.args[0]), name, [atom(stmt.args[1])]), False


@meaning(Prim.LIST_INDEX, Prim.LIST_COUNT)
def _list_search_meaning(run, s, seq, value):
    items = [at_point(run, s, item, "a list search") for item in seq]
    wanted = at_point(run, s, value, "a list search")
    return items.index(wanted) if s.prim is Prim.LIST_INDEX else items.count(wanted)


# ------------------------------------------------------ tangents (forward mode)
jvp(Prim.COPY, Prim.TUPLE, Prim.LIST, Prim.STACK_LIST, Prim.ASARRAY, Prim.SEQ_JOIN,
    Prim.SEQ_REPEAT)(linear)


@jvp(Prim.APPEND)
def _append_jvp(b, t, s):
    """lst_dot.append(v_dot): the tangent list grows with the list."""
    value = t[1] if t[1] is not None else zero(b, s.args[1])
    return b.apply(Prim.APPEND, (t[0], value), target=t[0])
