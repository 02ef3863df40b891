"""Shapes: transpose, reshape, expand_dims, squeeze, broadcast_to, concatenate, stack;
what a value's shape is (x.shape, ndim, size, len, dtype); and arrays made from a
shape (zeros, ones, full, eye, arange, linspace), which carry no derivative.

Arrays are numpy object arrays of sympy expressions, so numpy itself does the
reshaping in the symbolic meanings.
"""

from __future__ import annotations

import numpy as np

from .. import ir
from ..backend.expressions import attribute, call, const, kwargs, list_of, subscript
from ..errors import UserCodeError
from ..ir.index import Index
from ..ir.prims import Prim
from ..proof.values import arr, filled, nested_array, shape_of, shape_value, sym, symbolic_array
from .registry import emitter, jvp, meaning, vjp
from .tangents import integer_dtype, linear


# ---------------------------------------------------------------- transpose
@vjp(Prim.TRANSPOSE)
def _transpose(b, g, s):
    axes = s.params.get("axes")
    if axes is None:
        return (b.op(Prim.TRANSPOSE, g),)
    inverse = tuple(sorted(range(len(axes)), key=lambda i: axes[i]))
    return (b.op(Prim.TRANSPOSE, g, axes=inverse),)


@emitter(Prim.TRANSPOSE)
def _emit_transpose(stmt, atom):
    x = atom(stmt.args[0])
    axes = stmt.params.get("axes")
    if axes is None:
        return attribute(x, "T"), False
    return call("xp.transpose", [x, const(tuple(axes))]), True


@meaning(Prim.TRANSPOSE)
def _transpose_meaning(run, s, x):
    return np.transpose(x, s.params.get("axes")) if isinstance(x, np.ndarray) else x


# ---------------------------------------------- reshape, expand_dims, squeeze
@vjp(Prim.RESHAPE, Prim.SQUEEZE, Prim.EXPAND_DIMS)
def _reshape(b, g, s):
    return (b.op(Prim.RESHAPE_LIKE, g, s.args[0]),) + (None,) * (len(s.args) - 1)


@emitter(Prim.RESHAPE)
def _emit_reshape(stmt, atom):
    x, shape = atom(stmt.args[0]), atom(stmt.args[1])
    return call("xp.reshape", [x, shape]), True


@meaning(Prim.RESHAPE)
def _reshape_meaning(run, s, x, shape):
    return np.reshape(arr(x) if not isinstance(x, np.ndarray) else x, shape_value(run, shape))


@meaning(Prim.EXPAND_DIMS)
def _expand_dims(run, s, x):
    return np.expand_dims(arr(x), s.params.get("axis"))


@meaning(Prim.SQUEEZE)
def _squeeze(run, s, x):
    return np.squeeze(arr(x), s.params.get("axis"))


@vjp(Prim.BROADCAST_TO)
def _broadcast_to(b, g, s):
    return b.unbroadcast(g, s.args[0]), None


@meaning(Prim.BROADCAST_TO)
def _broadcast_to_meaning(run, s, x, shape):
    return np.array(np.broadcast_to(arr(x), shape_value(run, shape)))


# ------------------------------------------------------ concatenate, stack
def _sequence_call(func: str):
    """xp.concatenate([a, b], axis=0): the arguments written as one list."""

    def emit(stmt, atom):
        return call(func, [list_of([atom(a) for a in stmt.args])], kwargs(stmt.params)), True

    return emit


@vjp(Prim.CONCATENATE)
def _concatenate(b, g, s):
    if s.params.get("hstack") or s.params.get("vstack"):
        return _hvstack(b, g, s)
    axis = s.params.get("axis", 0)
    return tuple(b.op(Prim.CONCAT_GRAD, g, *s.args, axis=axis, part=i)
                 for i in range(len(s.args)))


def _hvstack(b, g, s):
    """np.vstack: concatenate(atleast_2d(x) ...) along axis 0; np.hstack: concatenate(
    atleast_1d(x) ...) along axis 1, or along axis 0 when all are vectors. Which one
    depends on the ranks, so the rule needs them (rows of 1-D vectors: x.reshape(1, -1))."""
    ranks = [b.rank(x) for x in s.args]
    name = "vstack" if s.params.get("vstack") else "hstack"
    if None in ranks:
        raise UserCodeError(f"the gradient of np.{name} needs the number of dimensions of "
                            "each array, which agc cannot tell here", s.loc,
                            "use np.concatenate([...], axis=...) (or np.stack) instead, "
                            "which does not depend on the ranks")
    low, flat = (2, ir.Const((1, -1))) if name == "vstack" else (1, ir.Const((-1,)))
    axis = 1 if name == "hstack" and max(ranks) >= 2 else 0
    parts = [x if r >= low else b.op(Prim.RESHAPE, x, flat) for x, r in zip(s.args, ranks)]
    grads = []
    for i, (x, r) in enumerate(zip(s.args, ranks)):
        gi = b.op(Prim.CONCAT_GRAD, g, *parts, axis=axis, part=i)
        grads.append(gi if r >= low else b.op(Prim.RESHAPE_LIKE, gi, x))
    return tuple(grads)


@emitter(Prim.CONCATENATE)
def _emit_concatenate(stmt, atom):
    items = list_of([atom(a) for a in stmt.args])
    for name in ("hstack", "vstack"):
        if stmt.params.get(name):
            return call(f"xp.{name}", [items]), True
    return call("xp.concatenate", [items], kwargs(stmt.params)), True


@meaning(Prim.CONCATENATE)
def _concatenate_meaning(run, s, *xs):
    parts = [arr(x) for x in xs]
    if s.params.get("hstack"):
        return np.hstack(parts)
    if s.params.get("vstack"):
        return np.vstack(parts)
    return np.concatenate(parts, axis=s.params.get("axis", 0))


@vjp(Prim.STACK)
def _stack(b, g, s):
    axis = s.params.get("axis", 0)
    return tuple(b.op(Prim.STACK_GRAD, g, axis=axis, part=i) for i in range(len(s.args)))


emitter(Prim.STACK)(_sequence_call("xp.stack"))


@meaning(Prim.STACK)
def _stack_meaning(run, s, *xs):
    return np.stack([nested_array(x) for x in xs], axis=s.params.get("axis", 0))


# ----------------------------------------------- shape, ndim, size, len, dtype
@meaning(Prim.SHAPE)
def _shape(run, s, x):
    return shape_of(x)


@meaning(Prim.NDIM)
def _ndim(run, s, x):
    return len(shape_of(x))


@meaning(Prim.SIZE)
def _size(run, s, x):
    return int(np.prod(shape_of(x)))


@emitter(Prim.LEN)
def _emit_len(stmt, atom):
    """len(x) of a list, x.shape[0] of an array, rt.length(x) when it may be either."""
    x = atom(stmt.args[0])
    kind = stmt.params.get("of")
    if kind == "array":
        return subscript(attribute(x, "shape"), Index.at(1), [const(0)]), False
    return call("rt.length" if kind == "either" else "len", [x]), False


@meaning(Prim.LEN)
def _len(run, s, x):
    return len(x)


@meaning(Prim.DTYPE)
def _dtype(run, s, x):
    dtype = getattr(x, "dtype", None)
    return np.dtype(float) if dtype is None or dtype == object else dtype


# ------------------------------------------------- arrays made from a shape
@meaning(Prim.ZEROS, Prim.ONES)
def _zeros(run, s, shape, *dtype):
    return filled(shape_value(run, shape), 0 if s.prim is Prim.ZEROS else 1)


@meaning(Prim.ZEROS_LIKE, Prim.ONES_LIKE)
def _zeros_like(run, s, x):
    return filled(shape_of(x), 0 if s.prim is Prim.ZEROS_LIKE else 1)


@meaning(Prim.FULL)
def _full(run, s, shape, value, *dtype):
    if integer_dtype(s.params.get("dtype")):  # integers: numbers at the point (issue 13)
        return np.full(shape_value(run, shape), run.point.evaluate(value), s.params.get("dtype"))
    return filled(shape_value(run, shape), value)


@meaning(Prim.EYE)
def _eye(run, s, n, *m):
    columns = run.integer(m[0]) if m else None
    return symbolic_array(np.eye(run.integer(n), columns, s.params.get("k", 0), dtype=int))


@meaning(Prim.ARANGE)
def _arange(run, s, *args):
    values = [run.point.evaluate(a) for a in args if a is not None]
    out = np.arange(*values)
    return out if out.dtype.kind in "iu" else symbolic_array(out)


@meaning(Prim.LINSPACE)
def _linspace(run, s, start, stop, num):
    n = run.integer(num)
    if integer_dtype(s.params.get("dtype")):  # integers: numbers at the point (issue 13)
        return np.linspace(run.point.evaluate(start), run.point.evaluate(stop), n,
                           s.params.get("endpoint", True), dtype=s.params.get("dtype"))
    step = (sym(stop) - sym(start)) / max(1, n - 1 if s.params.get("endpoint", True) else n)
    return np.array([sym(start) + i * step for i in range(n)], dtype=object)


# ------------------------------------------------------ tangents (forward mode)
jvp(Prim.TRANSPOSE, Prim.RESHAPE, Prim.SQUEEZE, Prim.EXPAND_DIMS, Prim.BROADCAST_TO,
    Prim.CONCATENATE, Prim.STACK)(linear)
