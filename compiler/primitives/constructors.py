"""Casts and constructors of issue 13 (np.float32(x), full_like, linspace's derivative) and
the non-differentiable index makers and tests: along_axis_index, nonzero, flatnonzero, ix_,
triu/tril_indices, diagonal_index and cycled_positions (np.fill_diagonal's), isclose,
logical_*, searchsorted and digitize. The symbolic meanings run numpy (or the runtime
helper) on the values at the point, as shape_more.py's do.
"""

from __future__ import annotations

import numpy as np
import sympy

from .. import runtime
from ..backend.expressions import call, name
from ..ir.prims import Prim
from ..proof.values import arr, at_point, filled, shape_of
from .gradients import unbroadcast
from .registry import emitter, jvp, meaning, vjp
from .shape_more import counts, kept, params_of
from .tangents import integer_dtype, linear


# ------------------------------------------------------------- casts, full_like, linspace
@vjp(Prim.CAST)
def _cast(b, g, s):
    if integer_dtype(s.params.get("dtype_name")):
        return (None,)  # np.int64(x): integers carry no derivative
    return (b.op(Prim.CAST_LIKE, g, s.args[0]),)


@emitter(Prim.CAST)
def _emit_cast(stmt, atom):
    # np.float32(x): a numpy scalar of a number or 0-d array, an array (x itself where it
    # has that dtype) of more; cupy's float32 is numpy's scalar type: asarray there
    dtype = name(f"xp.{stmt.params.get('dtype_name')}")
    return call("rt.scalar_cast", [atom(stmt.args[0]), dtype]), True


@meaning(Prim.CAST)
def _cast_meaning(run, s, x):
    if integer_dtype(s.params.get("dtype_name")):  # np.int64(x): its integers at the point
        return np.asarray(at_point(run, s, x, "a cast")).astype(s.params.get("dtype_name"))
    return x  # the proof's values are exact: a cast to a float type changes nothing


@vjp(Prim.FULL, Prim.FULL_LIKE)
def _full(b, g, s):
    dtype = s.params.get("dtype")
    if integer_dtype(dtype):
        return None, None
    if s.prim is Prim.FULL_LIKE and dtype is None:  # the dtype of x, known when it runs
        g = b.op(Prim.INEXACT_ONLY, g, s.target)
    return None, b.unbroadcast(g, s.args[1])


@meaning(Prim.INEXACT_ONLY)
def _inexact_only_meaning(run, s, g, out):
    return runtime.inexact_only(g, out if isinstance(out, np.ndarray) else arr(out))


@meaning(Prim.FULL_LIKE)
def _full_like_meaning(run, s, x, value):
    dtype = s.params.get("dtype") or (x.dtype if isinstance(x, np.ndarray) and
                                      x.dtype.kind in "iub" else None)
    if integer_dtype(dtype):  # integers: numbers at the point
        return np.full(shape_of(x), run.point.evaluate(value), dtype)
    return np.array(np.broadcast_to(arr(value), shape_of(x))) if shape_of(value) \
        else filled(shape_of(x), value)


@vjp(Prim.LINSPACE)
def _linspace(b, g, s):
    start, stop, num = s.args
    if integer_dtype(s.params.get("dtype")):
        return None, None, None
    endpoint = kept(s, "endpoint")
    return (b.op(Prim.LINSPACE_GRAD, g, start, num, part=0, **endpoint),
            b.op(Prim.LINSPACE_GRAD, g, stop, num, part=1, **endpoint), None)


@meaning(Prim.LINSPACE_GRAD)
def _linspace_grad_meaning(run, s, g, like, num):
    """runtime.linspace_grad with exact weights i / div (the runtime's are floats)."""
    n = run.integer(num)
    div = n - 1 if s.params.get("endpoint", True) else n
    steps = [sympy.Rational(i, div) if div > 0 else sympy.Integer(0) for i in range(n)]
    weights = steps if s.params.get("part") == 1 else [1 - t for t in steps]
    g = arr(g)
    column = np.array(weights, dtype=object).reshape((n,) + (1,) * (g.ndim - 1))
    return unbroadcast((g * column).sum(axis=0), like)


# ------------------------------------------------------------- non-differentiable
@meaning(Prim.ALONG_AXIS_INDEX)
def _along_axis_index_meaning(run, s, x, indices):
    return runtime.along_axis_index(arr(x), counts(run, indices), **params_of(s))


@meaning(Prim.NONZERO)
def _nonzero_meaning(run, s, x):
    return np.nonzero(np.asarray(at_point(run, s, x, "np.nonzero")))


@meaning(Prim.FLATNONZERO)
def _flatnonzero_meaning(run, s, x):
    return np.flatnonzero(np.asarray(at_point(run, s, x, "np.flatnonzero")))


@meaning(Prim.IX)
def _ix_meaning(run, s, *xs):
    return np.ix_(*(counts(run, x) for x in xs))


@meaning(Prim.TRIU_INDICES, Prim.TRIL_INDICES)
def _tri_indices_meaning(run, s, n):
    return getattr(np, s.prim.spec.name)(run.integer(n), **params_of(s))


@meaning(Prim.ISCLOSE, Prim.LOGICAL_AND, Prim.LOGICAL_OR, Prim.LOGICAL_XOR, Prim.LOGICAL_NOT,
         Prim.SEARCHSORTED, Prim.DIGITIZE)
def _at_point_meaning(run, s, *xs):
    """numpy's own function of the values at the point (these carry no derivative)."""
    values = [np.asarray(at_point(run, s, x, s.prim.spec.name), dtype=float)
              if not isinstance(x, (bool, np.bool_)) else x for x in xs]
    out = getattr(np, s.prim.spec.name)(*values, **params_of(s))
    return out.item() if isinstance(out, np.ndarray) and out.ndim == 0 else out


@meaning(Prim.DIAGONAL_INDEX)
def _diagonal_index_meaning(run, s, x):
    return runtime.diagonal_index(arr(x), **params_of(s))


@meaning(Prim.CYCLED_POSITIONS)
def _cycled_positions_meaning(run, s, value, index):
    return runtime.cycled_positions(arr(value), index)


# ------------------------------------------------------ tangents (forward mode)
jvp(Prim.FULL, Prim.FULL_LIKE, Prim.LINSPACE)(linear)


@jvp(Prim.CAST)
def _cast_jvp(b, t, s):
    if integer_dtype(s.params.get("dtype_name")):
        return None  # integers carry no tangent
    return linear(b, t, s)
