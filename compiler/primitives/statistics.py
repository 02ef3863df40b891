"""Statistics: var, std, nansum, nanmean, median, cumsum, cumprod, sort; argsort, all, any and
count_nonzero (no derivative); and the gradient helpers of the differentiable ones.

Each rule emits one runtime helper (runtime/statistics.py) whose symbolic
meaning here mirrors the numeric code. Where a derivative depends on an order
(median, sort) the order is decided at the example point, each comparison
noted, and ties are ranked by a stable sort (jax's convention).
"""

from __future__ import annotations

import numpy as np
import sympy

from .. import runtime
from ..ir.prims import Prim
from ..proof.values import arr, at_point, holds, sym
from .gradients import expand
from .registry import jvp, meaning, vjp
from .tangents import linear, weighted


def _axis(s) -> dict:
    """A rule's axis params for the gradient helper it emits."""
    return {"axis": s.params.get("axis"), "keepdims": s.params.get("keepdims") or None}


def _np_axis(s) -> dict:
    """A meaning's axis arguments to numpy."""
    return {"axis": s.params.get("axis"), "keepdims": bool(s.params.get("keepdims"))}


def _count(x: np.ndarray, axis) -> int:
    """How many entries each output of a reduction over `axis` gathers."""
    if axis is None:
        return max(1, x.size)
    axes = (axis,) if isinstance(axis, int) else axis
    return max(1, int(np.prod([x.shape[a] for a in axes])))


# ----------------------------------------------------------------- var, std
@vjp(Prim.VAR)
def _var(b, g, s):
    return (b.op(Prim.VAR_GRAD, g, s.args[0], **_axis(s), ddof=s.params.get("ddof") or None),)


@vjp(Prim.STD)
def _std(b, g, s):
    return (b.op(Prim.STD_GRAD, g, s.args[0], s.target, **_axis(s),
                 ddof=s.params.get("ddof") or None),)


def _centered(s, x: np.ndarray) -> np.ndarray:
    axis = s.params.get("axis")
    x = sym(x)
    return x - np.sum(x, axis=axis, keepdims=True) / sympy.Integer(_count(x, axis))


def _divisor(s, x: np.ndarray) -> sympy.Expr:
    return sympy.Integer(_count(x, s.params.get("axis")) - (s.params.get("ddof") or 0))


@meaning(Prim.VAR)
def _var_meaning(run, s, x):
    if not isinstance(x, np.ndarray):
        return sympy.Integer(0)
    return np.sum(_centered(s, x) ** 2, **_np_axis(s)) / _divisor(s, x)


@meaning(Prim.STD)
def _std_meaning(run, s, x):
    variance = _var_meaning(run, s, x)
    if isinstance(variance, np.ndarray):
        return np.frompyfunc(sympy.sqrt, 1, 1)(variance)
    return sympy.sqrt(variance)


@meaning(Prim.VAR_GRAD)
def _var_grad(run, s, g, x):
    if not isinstance(x, np.ndarray):
        return sympy.Integer(0) * sym(g)
    ge = expand(g, x, s.params.get("axis"), bool(s.params.get("keepdims")))
    return ge * _centered(s, x) * 2 / _divisor(s, x)


@meaning(Prim.STD_GRAD)
def _std_grad(run, s, g, x, out):
    if not isinstance(x, np.ndarray):
        return sympy.Integer(0) * sym(g)
    axis, keepdims = s.params.get("axis"), bool(s.params.get("keepdims"))
    half = expand(g, x, axis, keepdims) / (2 * expand(out, x, axis, keepdims))
    return half * _centered(s, x) * 2 / _divisor(s, x)


# ----------------------------------------------------------- nansum, nanmean
@vjp(Prim.NANSUM)
def _nansum(b, g, s):
    return (b.op(Prim.NANSUM_GRAD, g, s.args[0], **_axis(s)),)


@vjp(Prim.NANMEAN)
def _nanmean(b, g, s):
    return (b.op(Prim.NANMEAN_GRAD, g, s.args[0], **_axis(s)),)


def _nans(x) -> np.ndarray:
    """Where a value is the constant NaN (a NaN entry of an input is a symbol: at such a point
    the proof stops, see proof/interpreter.py)."""
    return np.frompyfunc(lambda a: a is sympy.nan, 1, 1)(arr(x)).astype(bool)


@meaning(Prim.NANSUM)
def _nansum_meaning(run, s, x):
    kept = np.where(_nans(x), sympy.Integer(0), arr(x))
    return np.sum(kept, **_np_axis(s)) if isinstance(x, np.ndarray) else kept[()]


@meaning(Prim.NANMEAN)
def _nanmean_meaning(run, s, x):
    count = np.sum(~_nans(x), **_np_axis(s))
    total = _nansum_meaning(run, s, x)
    return np.asarray(total / count.astype(object)) if np.ndim(count) else \
        total / sympy.Integer(int(count))


@meaning(Prim.NANSUM_GRAD)
def _nansum_grad(run, s, g, x):
    ge = expand(g, x, s.params.get("axis"), bool(s.params.get("keepdims")))
    return np.where(_nans(x), sympy.Integer(0), np.broadcast_to(ge, np.shape(x)))


@meaning(Prim.NANMEAN_GRAD)
def _nanmean_grad(run, s, g, x):
    kept = ~_nans(x)
    count = np.sum(kept, axis=s.params.get("axis"), keepdims=True).astype(object)
    ge = expand(g, x, s.params.get("axis"), bool(s.params.get("keepdims")))
    return np.where(kept, np.broadcast_to(ge / count, np.shape(x)), sympy.Integer(0))


# ------------------------------------------------------------------ median
@vjp(Prim.MEDIAN)
def _median(b, g, s):
    return (b.op(Prim.MEDIAN_GRAD, g, s.args[0], **_axis(s)),)


def rows_last(x: np.ndarray, axis) -> tuple[np.ndarray, tuple, tuple]:
    """x with the reduced axes moved to the end and flattened into one: (rows, axes, ends)."""
    axes = tuple(range(x.ndim)) if axis is None else \
        tuple(a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis))
    ends = tuple(range(x.ndim - len(axes), x.ndim))
    moved = np.moveaxis(x, axes, ends)
    return moved.reshape(moved.shape[:x.ndim - len(axes)] + (-1,)), axes, ends


def ranks_at(run, rows: np.ndarray) -> np.ndarray:
    """Each entry's rank in its row at the point (a stable sort), the order noted."""
    order = np.argsort(run.point.evaluate(rows), axis=-1, kind="stable")
    for row, o in zip(rows.reshape(-1, rows.shape[-1]), order.reshape(-1, rows.shape[-1])):
        for k in range(len(o) - 1):
            holds(run, "<=", row[o[k]], row[o[k + 1]])
    return np.argsort(order, axis=-1)


def _median_shares(run, x: np.ndarray, axis) -> np.ndarray:
    """1 at the middle entry, 1/2 at each of two middle entries, else 0 (shaped like x)."""
    rows, axes, ends = rows_last(sym(x), axis)
    rank, n = ranks_at(run, rows), rows.shape[-1]
    half = sympy.Rational(1, 2)
    share = np.where(rank == (n - 1) // 2, half, 0) + np.where(rank == n // 2, half, 0)
    return placed(run, share, rows, x, axes, ends)


def placed(run, share: np.ndarray, rows: np.ndarray, x: np.ndarray, axes: tuple,
           ends: tuple) -> np.ndarray:
    """Each row's shares back in x's layout, 0 in a row holding a NaN (a NaN median or
    quantile: no entry gets a gradient, as jax's)."""
    values = np.asarray(run.point.evaluate(rows), dtype=float)
    share = np.where(np.isnan(values).any(axis=-1, keepdims=True), 0, share)
    moved = np.moveaxis(sym(x), axes, ends)
    return np.moveaxis(share.astype(object).reshape(moved.shape), ends, axes)


@meaning(Prim.MEDIAN)
def _median_meaning(run, s, x):
    if not isinstance(x, np.ndarray):
        return sym(x)
    return np.sum(sym(x) * _median_shares(run, x, s.params.get("axis")), **_np_axis(s))


@meaning(Prim.MEDIAN_GRAD)
def _median_grad(run, s, g, x):
    if not isinstance(x, np.ndarray):
        return sym(g)
    ge = expand(g, x, s.params.get("axis"), bool(s.params.get("keepdims")))
    return ge * _median_shares(run, x, s.params.get("axis"))


# --------------------------------------------------------- cumsum, cumprod
@vjp(Prim.CUMSUM)
def _cumsum(b, g, s):
    return (b.op(Prim.CUMSUM_GRAD, g, s.args[0], axis=s.params.get("axis")),)


@vjp(Prim.CUMPROD)
def _cumprod(b, g, s):
    return (b.op(Prim.CUMPROD_GRAD, g, s.args[0], axis=s.params.get("axis")),)


@meaning(Prim.CUMSUM)
def _cumsum_meaning(run, s, x):
    return np.cumsum(arr(x), axis=s.params.get("axis"))


@meaning(Prim.CUMPROD)
def _cumprod_meaning(run, s, x):
    return np.cumprod(arr(x), axis=s.params.get("axis"))


@meaning(Prim.CUMSUM_GRAD)
def _cumsum_grad(run, s, g, x):
    axis = s.params.get("axis")
    if axis is None:
        return np.flip(np.cumsum(np.flip(arr(g)))).reshape(np.shape(x))
    return np.flip(np.cumsum(np.flip(arr(g), axis=axis), axis=axis), axis=axis)


@meaning(Prim.CUMPROD_GRAD)
def _cumprod_grad(run, s, g, x):
    axis, shape = s.params.get("axis"), np.shape(x)
    x = arr(x).reshape(-1) if axis is None else np.moveaxis(arr(x), axis, 0)
    g = arr(g).reshape(-1) if axis is None else np.moveaxis(arr(g), axis, 0)
    out = np.empty(x.shape, dtype=object)
    for i in range(x.shape[0]):  # g_j times the product of the others, for each y_j x_i is in
        out[i] = sum((g[j] * np.prod(np.delete(x[:j + 1], i, axis=0), axis=0)
                      for j in range(i, x.shape[0])), sympy.Integer(0))
    return out.reshape(shape) if axis is None else np.moveaxis(out, 0, axis)


# ---------------------------------------------------------------- sort
@vjp(Prim.SORT)
def _sort(b, g, s):
    return (b.op(Prim.SORT_GRAD, g, s.args[0], axis=s.params.get("axis", -1)),)


def _sorted_ranks(run, x: np.ndarray, axis: int) -> np.ndarray:
    """Each entry's position in sort(x, axis) at the point (stable), the order noted."""
    moved = np.moveaxis(sym(x), axis, -1)
    return np.moveaxis(ranks_at(run, moved), -1, axis)


@meaning(Prim.SORT)
def _sort_meaning(run, s, x):
    axis = s.params.get("axis", -1)
    rank = _sorted_ranks(run, x, axis)
    return np.take_along_axis(sym(x), np.argsort(rank, axis=axis), axis=axis)


@meaning(Prim.SORT_GRAD)
def _sort_grad(run, s, g, x):
    axis = s.params.get("axis", -1)
    return np.take_along_axis(arr(g), _sorted_ranks(run, x, axis), axis=axis)


# ----------------------------------------- argsort, all, any, count_nonzero
@meaning(Prim.ARGSORT)
def _argsort(run, s, x):
    options = {k: s.params.get(k) for k in ("kind", "stable") if s.params.get(k) is not None}
    return np.argsort(at_point(run, s, x, "argsort"), axis=s.params.get("axis", -1), **options)


@meaning(Prim.SORTED_ORDER)
def _sorted_order(run, s, x):
    values = at_point(run, s, x, "sorted")
    order = sorted(range(len(values)), key=values.__getitem__,
                   reverse=bool(s.params.get("reverse")))
    return np.array(order, dtype=np.intp)


@meaning(Prim.ALL, Prim.ANY, Prim.COUNT_NONZERO)
def _truth(run, s, x):
    fn = {Prim.ALL: np.all, Prim.ANY: np.any, Prim.COUNT_NONZERO: np.count_nonzero}[s.prim]
    found = fn(at_point(run, s, x, s.prim.name.lower()), **_np_axis(s))
    return found.item() if np.ndim(found) == 0 and hasattr(found, "item") else found


# ------------------------------------------- np.average's weights, np.diff's edges
@vjp(Prim.WEIGHTS_LIKE)
def _weights_like(b, g, s):
    w, a = s.args
    return b.op(Prim.WEIGHTS_LIKE_GRAD, g, w, a, axis=s.params.get("axis")), None


@meaning(Prim.WEIGHTS_LIKE)
def _weights_like_meaning(run, s, w, a):
    return runtime.weights_like(arr(w), arr(a), s.params.get("axis"))


@meaning(Prim.WEIGHTS_LIKE_GRAD)
def _weights_like_grad(run, s, g, w, a):
    return runtime.weights_like_grad(arr(g), arr(w), arr(a), s.params.get("axis"))


@vjp(Prim.EDGE_LIKE)
def _edge_like(b, g, s):
    return b.op(Prim.UNBROADCAST, g, s.args[0]), None


@meaning(Prim.EDGE_LIKE)
def _edge_like_meaning(run, s, p, a):
    if isinstance(p, np.ndarray) and p.ndim > 0:
        return p
    shape = list(np.shape(a))
    shape[s.params.get("axis", -1)] = 1
    return np.array(np.broadcast_to(arr(p), tuple(shape)))


# ------------------------------------------------------ tangents (forward mode)
jvp(Prim.VAR, Prim.STD, Prim.NANSUM, Prim.NANMEAN, Prim.MEDIAN)(weighted)
jvp(Prim.CUMSUM, Prim.WEIGHTS_LIKE, Prim.EDGE_LIKE)(linear)


@jvp(Prim.CUMPROD)
def _cumprod_jvp(b, t, s):
    """The product rule along the axis (rt.cumprod_jvp), exact where x has zeros."""
    if t[0] is None:
        return None
    return b.op(Prim.CUMPROD_JVP, t[0], s.args[0], s.target, axis=s.params.get("axis"))


@meaning(Prim.CUMPROD_JVP)
def _cumprod_jvp_meaning(run, s, v, x, out):
    return runtime.cumprod_jvp(arr(v), arr(x), arr(out), axis=s.params.get("axis"))


@jvp(Prim.CUMPROD_GRAD)
def _cumprod_grad_jvp(b, t, s):
    """Linear in g (cumprod_grad of g's tangent); in x, rt.cumprod_grad_jvp (exact at zeros)."""
    g, x = s.args
    axis = s.params.get("axis")
    parts = []
    if t[0] is not None:
        parts.append(b.op(Prim.CUMPROD_GRAD, t[0], x, axis=axis))
    if t[1] is not None:
        parts.append(b.op(Prim.CUMPROD_GRAD_JVP, g, x, t[1], axis=axis))
    return None if not parts else parts[0] if len(parts) == 1 else b.add(*parts)


@meaning(Prim.CUMPROD_GRAD_JVP)
def _cumprod_grad_jvp_meaning(run, s, g, x, v):
    return runtime.cumprod_grad_jvp(arr(g), arr(x), arr(v), axis=s.params.get("axis"))


@jvp(Prim.SORT)
def _sort_jvp(b, t, s):
    """v taken through the same stable permutation (sort_grad sends g back through it)."""
    if t[0] is None:
        return None
    axis = s.params.get("axis", -1)
    order = b.op(Prim.ARGSORT, s.args[0], axis=axis, kind="stable")
    return b.op(Prim.TAKE_ALONG_AXIS, t[0], order, axis=axis)
