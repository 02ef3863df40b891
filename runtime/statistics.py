"""Gradient helpers of the statistics primitives (var, std, nansum, nanmean, median, cumsum,
cumprod, sort), and the shaping helpers of np.average's weights and np.diff's prepend / append.

Like grads.py: each takes the cotangent `g` of an output and what it needs of
the forward values, returns the cotangent of the input on the input's array
module (numpy or cupy), and keeps g's floating dtype (float32 stays float32).
Where the derivative has a tie (median, sort) the convention is jax's: the
entries are ranked by a stable sort, the earlier of two equal entries first.
"""

from __future__ import annotations

import math

import numpy

from .arrays import astype
from .dispatch import array_module as _xp
from .grads import _count, _dtype, _expand


def nan_fill(x, value):
    """x with its NaNs replaced by `value`, in x's dtype: an int or bool array has no NaN
    and stays itself (np.where would promote it to float with a float `value`)."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind not in "fc":
        return x
    return _xp(x).where(_xp(x).isnan(x), value, x)


def var_grad(g, x, axis=None, keepdims=False, ddof=0):
    """Cotangent of x for y = var(x, axis, ddof): g * 2 (x - mean) / (n - ddof)."""
    if not hasattr(x, "shape"):
        return 0 * g  # the variance of one number is 0 whatever it is
    xp = _xp(g, x)
    n = _count(x, axis)
    scale = 2 / (n - ddof) if n > ddof else math.inf  # numpy's variance is inf there too
    centered = x - xp.mean(x, axis=axis, keepdims=True)
    ge = _expand(g, x, axis, keepdims)
    if _fits_in(ge, centered):  # the same products, in the one array this made (batch norm)
        centered *= ge
        centered *= scale
        return astype(centered, _dtype(g, x), copy=False)
    return astype(ge * centered * scale, _dtype(g, x), copy=False)


def _fits_in(g, out) -> bool:
    """Whether `out *= g` gives out * g exactly: a numpy array no larger than out, or a
    float, whose product with out keeps out's dtype."""
    if type(out) is not numpy.ndarray:
        return False
    if type(g) is numpy.ndarray:
        return g.ndim == out.ndim and all(a in (1, b) for a, b in zip(g.shape, out.shape)) \
            and numpy.result_type(g, out) == out.dtype
    return type(g) is float


def std_grad(g, x, out, axis=None, keepdims=False, ddof=0):
    """Cotangent of x for y = std(x) = sqrt(var(x)): var's cotangent scaled by 1 / (2 y).

    Where y is 0 the derivative of the square root is infinite and the
    cotangent is NaN, as in jax.
    """
    if not hasattr(x, "shape"):
        return 0 * g
    half = _expand(g, x, axis, keepdims) / (2 * _expand(out, x, axis, keepdims))
    return var_grad(half, x, axis, True, ddof)


def nansum_grad(g, x, axis=None, keepdims=False):
    """Cotangent of x for y = nansum(x, axis): g where x is a number, 0 at the NaNs."""
    if not hasattr(x, "shape"):
        return 0 * g if math.isnan(x) else g
    xp = _xp(g, x)
    ge = _expand(g, x, axis, keepdims)
    return astype(xp.where(xp.isnan(x), 0, ge), _dtype(g, x), copy=False)


def nanmean_grad(g, x, axis=None, keepdims=False):
    """Cotangent of x for y = nanmean(x, axis): g shared among the entries that are not NaN."""
    if not hasattr(x, "shape"):
        return 0 * g if math.isnan(x) else g
    xp = _xp(g, x)
    dtype = _dtype(g, x)
    kept = ~xp.isnan(x)
    count = astype(xp.sum(kept, axis=axis, keepdims=True), dtype, copy=False)
    return astype(xp.where(kept, _expand(g, x, axis, keepdims) / count, 0), dtype, copy=False)


def median_grad(g, x, axis=None, keepdims=False):
    """Cotangent of x for y = median(x, axis): g to the middle entry, or half of it to
    each of the two middle entries of an even count (ranked by a stable sort, as jax);
    none to a slice holding a NaN, whose median is NaN (as jax)."""
    if not hasattr(x, "shape"):
        return g
    xp = _xp(g, x)
    ge = _expand(g, x, axis, keepdims)
    axes = tuple(range(x.ndim)) if axis is None else \
        tuple(a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis))
    ends = tuple(range(x.ndim - len(axes), x.ndim))
    moved = xp.moveaxis(x, axes, ends)
    rows = xp.reshape(moved, moved.shape[:x.ndim - len(axes)] + (-1,))
    n = rows.shape[-1]
    rank = xp.argsort(_stable_argsort(xp, rows, -1), axis=-1)
    share = astype(rank == (n - 1) // 2, _dtype(g, x)) + astype(rank == n // 2, _dtype(g, x))
    share = share * ~xp.any(xp.isnan(rows), axis=-1, keepdims=True)  # a NaN median: none
    share = xp.moveaxis(xp.reshape(share, moved.shape), ends, axes)
    return ge * share * 0.5


def cumsum_grad(g, x, axis=None):
    """Cotangent of x for y = cumsum(x, axis): the sums of g from each position to the end."""
    if not hasattr(x, "shape"):  # of a number: one entry
        return g[0]
    xp = _xp(g, x)
    if axis is None:  # cumsum of the flattened x
        return xp.reshape(cumsum_grad(g, xp.reshape(x, (-1,)), 0), x.shape)
    return xp.flip(xp.cumsum(xp.flip(g, axis=axis), axis=axis), axis=axis)


def cumprod_grad(g, x, axis=None):
    """Cotangent of x for y = cumprod(x, axis), exact where x has zeros (no division by x).

    d y_j / d x_i = P_{i-1} * x_{i+1} * ... * x_j for j >= i (P: the cumulative
    products), so the cotangent of x_i is P_{i-1} * s_i with s_i = g_i + x_{i+1} s_{i+1},
    a backward recurrence along the axis.
    """
    if not hasattr(x, "shape"):  # of a number: one entry
        return g[0]
    xp = _xp(g, x)
    if axis is None:
        return xp.reshape(cumprod_grad(g, xp.reshape(x, (-1,)), 0), x.shape)
    xs, gs = xp.moveaxis(x, axis, 0), xp.moveaxis(g, axis, 0)
    n = xs.shape[0]
    if n == 0:
        return astype(xp.zeros_like(x), _dtype(g, x))
    prefix = xp.cumprod(xs, axis=0)
    grads = [None] * n
    s = gs[n - 1]
    for i in range(n - 1, -1, -1):
        if i < n - 1:
            s = gs[i] + xs[i + 1] * s
        grads[i] = s if i == 0 else prefix[i - 1] * s
    return astype(xp.moveaxis(xp.stack(grads), 0, axis), _dtype(g, x), copy=False)


def sort_grad(g, x, axis=-1):
    """Cotangent of x for y = sort(x, axis): g sent back through the sorting permutation
    (a stable one: tied entries keep their order, as in jax)."""
    if not hasattr(x, "shape"):
        return g
    xp = _xp(g, x)
    order = _stable_argsort(xp, x, axis)
    inverse = xp.argsort(order, axis=axis)  # where each entry of x went
    return xp.take_along_axis(g, inverse, axis=axis)


def _weight_axes(w, a, axis) -> tuple:
    """The axes of `a` that np.average's weights run along, in the weights' order."""
    if axis is None:
        raise TypeError("Axis must be specified when shapes of a and weights differ.")
    axes = tuple(ax % a.ndim for ax in ((axis,) if isinstance(axis, int) else axis))
    if w.shape != tuple(a.shape[ax] for ax in axes):
        raise ValueError("Shape of weights must be consistent with shape of a along "
                         "specified axis.")
    return axes


def weights_like(w, a, axis=None):
    """np.average's weights as they multiply a: w itself where shaped like a, else w laid
    along `axis` (unit lengths elsewhere). Raises, as numpy, where weights sum to zero."""
    xp = _xp(w, a)
    if _shape_of(w) != _shape_of(a):
        axes = _weight_axes(w, a, axis)
        order = sorted(range(len(axes)), key=lambda k: axes[k])  # the weights' axes, sorted
        shape = [1] * a.ndim
        for ax in axes:
            shape[ax] = a.shape[ax]
        w = xp.reshape(xp.transpose(w, order) if len(order) > 1 else w, tuple(shape))
    if bool(xp.any(xp.sum(w, axis=axis, keepdims=True) == 0)):
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return w


def weights_like_grad(g, w, a, axis=None):
    """Cotangent of w for weights_like(w, a, axis): g (already shaped like the laid-out
    weights) put back in w's shape and axis order."""
    xp = _xp(g, w)
    if _shape_of(w) == _shape_of(a):
        return g
    axes = _weight_axes(w, a, axis)
    order = sorted(range(len(axes)), key=lambda k: axes[k])
    g = xp.reshape(g, tuple(w.shape[k] for k in order))
    inverse = sorted(range(len(order)), key=lambda k: order[k])
    return xp.transpose(g, inverse) if len(order) > 1 else g


def edge_like(p, a, axis=-1):
    """np.diff's prepend / append value: a number broadcast to a's shape with one entry along
    `axis`, an array as it is."""
    if len(_shape_of(p)) > 0:
        return p
    xp = _xp(p, a)
    shape = list(a.shape)
    shape[axis] = 1
    return xp.broadcast_to(xp.asarray(p), tuple(shape))  # numpy's asanyarray: a float64


def _stable_argsort(xp, x, axis):
    """argsort by a stable sort: numpy's default is not stable; cupy's always is (and it
    takes no `kind`), as is the Array API's."""
    if xp is numpy:
        return numpy.argsort(x, axis=axis, kind="stable")
    return xp.argsort(x, axis=axis)


def _shape_of(x) -> tuple:
    return tuple(getattr(x, "shape", ()))
