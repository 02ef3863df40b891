"""Gradient helpers for shapes, indexing and lists: getitem_grad, add_at, zero_at,
concatenate_grad, stack_grad, reshape_like, the list adjoints (dicts {position:
cotangent}) and copy_of.

Like those of gradients.py, they are emitted only by rules and never
differentiated; the three that take an index template are written with
`rt.index[...]`.
"""

from __future__ import annotations

import numpy as np

from .. import ir, runtime
from ..backend.expressions import call, rt_index
from ..ir.prims import Prim
from ..proof.values import arr, index_of, sym
from .gradients import ZERO, add, unbroadcast, zeros_like
from .registry import emitter, meaning


def _is_basic(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, slice, type(None), type(Ellipsis))) or
               (isinstance(i, np.ndarray) and i.shape == () and i.dtype.kind in "iu")
               for i in items)


# ---------------------------------------------------------------- indexing
@emitter(Prim.GETITEM_GRAD)
def _emit_getitem_grad(stmt, atom):
    g, x, *holes = [atom(a) for a in stmt.args]
    return call("rt.getitem_grad", [g, x, rt_index(stmt.params.get("index"), holes)]), False


@meaning(Prim.GETITEM_GRAD)
def _getitem_grad(run, s, g, x, *holes):
    index = index_of(run, s.params.get("index"), lambda p: holes[p - 1])
    if isinstance(x, dict):
        return {index: g}
    if isinstance(x, list):
        return {index % len(x): g}
    if isinstance(x, tuple):  # t[-1], t[1:] as the runtime reads them
        taken = runtime.scatter.tuple_item_cotangents(g, len(x), index)
        return tuple(taken[i] if i in taken else zeros_like(item) for i, item in enumerate(x))
    out = zeros_like(x)
    if _is_basic(index):
        out[index] = sym(g)
    else:
        np.add.at(out, index, sym(g))
    return out


# acc + getitem_grad(g, x, index), added into acc itself (emission only: see in_place.py)
@emitter(Prim.ADD_AT)
def _emit_add_at(stmt, atom):
    acc, g, x, *holes = [atom(a) for a in stmt.args]
    return call("rt.add_at", [acc, g, x, rt_index(stmt.params.get("index"), holes)]), False


@meaning(Prim.ADD_AT)
def _add_at(run, s, acc, g, x, *holes):
    return add(acc, _getitem_grad(run, s, g, x, *holes))  # emission's in-place form of this


@meaning(Prim.UNPACKED_GRAD)
def _unpacked_grad(run, s, x, *items):
    if isinstance(x, tuple) and len(x) == len(items):
        return tuple(items)  # emission's one-step form of the items' scatters and sums
    out = _getitem_grad(run, _AT_ITEM, items[0], x, 0)
    for k in range(1, len(items)):
        out = add(out, _getitem_grad(run, _AT_ITEM, items[k], x, k))
    return out


_AT_ITEM = ir.Assign(ir.Var("_"), Prim.GETITEM_GRAD, (ir.Var("g"), ir.Var("x"), ir.Const(0)),
                     ir.Params.of(index=ir.Index.at(1)))


@meaning(Prim.ACCUMULATE)
def _accumulate(run, s, acc, v):
    return add(acc, v)  # emission's in-place form of acc + v


@emitter(Prim.ZERO_AT)
def _emit_zero_at(stmt, atom):
    g, *holes = [atom(a) for a in stmt.args]
    return call("rt.zero_at", [g, rt_index(stmt.params.get("index"), holes)]), False


@meaning(Prim.ZERO_AT)
def _zero_at(run, s, g, *holes):
    out = g.copy()
    out[index_of(run, s.params.get("index"), lambda p: holes[p - 1])] = ZERO
    return out


@emitter(Prim.WRITTEN_GRAD)
def _emit_written_grad(stmt, atom):
    g, *holes = [atom(a) for a in stmt.args]
    return call("rt.written_grad", [g, rt_index(stmt.params.get("index"), holes)]), False


@meaning(Prim.WRITTEN_GRAD)
def _written_grad(run, s, g, *holes):
    index = index_of(run, s.params.get("index"), lambda p: holes[p - 1])
    written = g[index]
    if _is_basic(index) or not isinstance(g, np.ndarray):
        return written
    positions = np.arange(g.size).reshape(g.shape)[index].reshape(-1)
    last = {p: k for k, p in enumerate(positions.tolist())}  # the last write of each position
    keep = np.array([last[p] == k for k, p in enumerate(positions.tolist())]).reshape(written.shape)
    return np.where(keep, written, ZERO)


@meaning(Prim.COPY_OF)
def _copy_of(run, s, x):
    return x.copy() if isinstance(x, (np.ndarray, list, dict)) else x


# ------------------------------------------------------------------ shapes
@meaning(Prim.CONCAT_GRAD)
def _concat_grad(run, s, g, *xs):
    axis, part = s.params.get("axis", 0), s.params.get("part", 0)
    start = sum(x.shape[axis] for x in xs[:part])
    index = (slice(None),) * (axis % g.ndim) + (slice(start, start + xs[part].shape[axis]),)
    return g[index]


@meaning(Prim.STACK_GRAD)
def _stack_grad(run, s, g):
    axis, part = s.params.get("axis", 0), s.params.get("part", 0)
    return g[(slice(None),) * (axis % g.ndim) + (part,)]


@meaning(Prim.RESHAPE_LIKE)
def _reshape_like(run, s, g, x):
    if not isinstance(x, np.ndarray):
        return arr(g).reshape(()) if isinstance(g, np.ndarray) else g
    return np.reshape(arr(g), x.shape)


# ------------------------------------------------------------------- lists
@meaning(Prim.LIST_ITEM_GRAD)
def _list_item_grad(run, s, g, position, like):
    found = g.get(position) if isinstance(g, dict) else g[position]
    return zeros_like(like) if found is None else found


@meaning(Prim.APPEND_GRAD)
def _append_grad(run, s, g, lst, value):
    if isinstance(g, dict):
        found = g.pop(len(lst) - 1, None)
    else:  # the row of an array adjoint (np.array of a nested list)
        found = g[len(lst) - 1] if getattr(g, "ndim", 0) > 0 else None
    return zeros_like(value) if found is None else found


@meaning(Prim.WRITTEN_ITEM_GRAD)
def _written_item_grad(run, s, g, value):
    return g if isinstance(value, (list, tuple)) else unbroadcast(g, value)


@meaning(Prim.SEQ_HEAD_GRAD)
def _seq_head_grad(run, s, g, head):
    return runtime.seq_head_grad(g, head)


@meaning(Prim.SEQ_TAIL_GRAD)
def _seq_tail_grad(run, s, g, head):
    return runtime.seq_tail_grad(g, head)


@meaning(Prim.SEQ_REPEAT_GRAD)
def _seq_repeat_grad(run, s, g, seq, count):
    return runtime.seq_repeat_grad(g, seq, count)


@meaning(Prim.UNSTACK_GRAD)
def _unstack_grad(run, s, g):
    moved = np.moveaxis(g, s.params.get("axis", 0), 0)
    return {i: moved[i] for i in range(moved.shape[0])}


@meaning(Prim.ASARRAY_GRAD)
def _asarray_grad(run, s, g, x):
    if isinstance(x, (list, tuple)):
        return {i: _asarray_grad(run, s, g[i], item) for i, item in enumerate(x)}
    return g
