"""Helpers that emitted derivative code calls: the non-trivial vector-Jacobian products.

Each takes the cotangent `g` of an output and what it needs of the forward
values, and returns the cotangent of one input, on the input's array module.
Only functions that numpy, cupy and `arrays.NumpyStyle` (numpy's names over an
Array-API namespace) all have are called on that module, and no array methods
besides indexing: the same helpers run on the CPU, a GPU or array_api_strict.
Cotangents keep the floating dtype they come in (float32 stays float32).
"""

from __future__ import annotations

import math

import numpy

from .arrays import astype, is_inexact
from .batch_core import Batched
from .cotangents import unbroadcast
from .dask_style import is_dask
from .dispatch import array_module

FLOAT64 = numpy.dtype(numpy.float64)
_NUMPY_SCALARS = (numpy.ndarray, numpy.generic)  # their dtype.type makes one of theirs
_xp = array_module

def _shape(x) -> tuple:
    return getattr(x, "shape", ())


def _expand(g, x, axis, keepdims):
    """Reshape a reduced cotangent so that it broadcasts against `x` (unit reduced axes)."""
    if axis is None or keepdims or not hasattr(g, "shape"):
        return g  # a number broadcasts as it is
    ndim = len(_shape(x))
    axes = {a % ndim for a in ((axis,) if isinstance(axis, int) else axis)}
    shape = tuple(1 if i in axes else n for i, n in enumerate(_shape(x)))
    return g.reshape(shape) if type(g) is numpy.ndarray else _xp(g, x).reshape(g, shape)


def sum_grad(g, x, axis=None, keepdims=False):
    """Cotangent of x for y = sum(x, axis): g spread back over the summed axes."""
    if not hasattr(x, "shape"):
        return g
    if _is_host_number(g):  # one number spread everywhere: a single fill (in x's chunks)
        return _xp(x).full_like(x, g, dtype=_dtype(g, x))
    if type(x) is numpy.ndarray and type(g) is not Batched:  # one contiguous write, faster
        # than copying a broadcast view (a batch of seeds takes the general way)
        out = numpy.empty(x.shape, _dtype(g, x))
        out[...] = _expand(g, x, axis, keepdims)
        return out
    xp = _xp(g, x)
    spread = xp.broadcast_to(_expand(g, x, axis, keepdims), x.shape, **_chunks_of(x))
    return astype(spread, _dtype(g, x))


def _chunks_of(x) -> dict:
    """dask's `chunks=` keyword that lays a new array out like x (nothing for other arrays)."""
    return {"chunks": x.chunks} if is_dask(x) else {}


def _is_host_number(g) -> bool:
    """A Python or numpy number (or 0-d numpy array): usable as a fill value on any device."""
    kind = type(g)
    return kind in (float, int) or isinstance(g, numpy.generic) or \
        (kind is numpy.ndarray and g.ndim == 0)


def _dtype(g, x):
    """The dtype of x's cotangent: g's when floating, else x's, else the default float."""
    dtype = getattr(g, "dtype", None)
    if dtype is not None and _floating(dtype, g):
        return dtype
    return x.dtype if _floating(x.dtype, x) else _xp(x).asarray(0.0).dtype


def _floating(dtype, value) -> bool:
    """Whether `dtype` (of `value`) is floating or complex; numpy's dtypes answer directly."""
    kind = getattr(dtype, "kind", None)
    return kind in "fc" if isinstance(kind, str) else is_inexact(dtype, _xp(value))


def mean_grad(g, x, axis=None, keepdims=False):
    """Cotangent of x for y = mean(x, axis): g shared equally over the averaged entries."""
    if axis is None and type(x) is numpy.ndarray and type(g) is float and x.dtype.kind == "f":
        return numpy.full(x.shape, g / max(1, x.size), x.dtype)  # a loss's mean: kept fast
    if not hasattr(x, "shape"):
        return g
    return sum_grad(g / _count(x, axis), x, axis, keepdims)


def add_sum_grad(acc, g, x, axis=None, keepdims=False):
    """acc + sum_grad(g, x, axis, keepdims), g added into acc itself where that gives the
    same array (acc a writeable numpy array of x's shape that keeps its dtype): never an
    array of x's shape holding copies of g. Emitted only for an adjoint no other name
    holds (backend/in_place.py), as rt.accumulate."""
    if type(x) is numpy.ndarray and type(acc) is numpy.ndarray and acc.shape == x.shape \
            and acc.ndim and acc.flags.writeable and \
            (type(g) is numpy.ndarray or _is_host_number(g)):
        dtype = _dtype(g, x)
        if numpy.result_type(acc.dtype, dtype) == acc.dtype:
            acc += numpy.asarray(_expand(g, x, axis, keepdims), dtype=dtype)
            return acc
    return acc + sum_grad(g, x, axis, keepdims)


def add_mean_grad(acc, g, x, axis=None, keepdims=False):
    """acc + mean_grad(g, x, axis, keepdims), added into acc as add_sum_grad does."""
    if not hasattr(x, "shape"):
        return acc + g
    return add_sum_grad(acc, g / _count(x, axis), x, axis, keepdims)


def _count(x, axis) -> int:
    """How many entries of x each output of a reduction over `axis` gathers."""
    if axis is None:
        return max(1, x.size)
    axes = (axis,) if isinstance(axis, int) else axis
    return max(1, math.prod(x.shape[a] for a in axes))


def maxmin_grad(g, x, out, axis=None, keepdims=False):
    """Cotangent of x for y = max(x) or min(x): shared equally among the tied maxima."""
    if not hasattr(x, "shape"):
        return g
    xp = _xp(g, x)
    hit = astype(x == _expand(out, x, axis, keepdims), _dtype(g, x), copy=False)
    # no entry hits where np.max's initial= won (or the slice is empty): no share, not 0 / 0
    count = xp.maximum(xp.sum(hit, axis=axis, keepdims=True), 1)
    return hit * (_expand(g, x, axis, keepdims) / count)


def prod_grad(g, x, out, axis=None, keepdims=False):
    """Cotangent of x for y = prod(x, axis): g times the product of the other entries.

    Exact with zero entries: where one entry of a product is zero it gets the
    product of the others, and where two or more are, every entry gets zero.
    """
    if not hasattr(x, "shape"):
        return g
    xp = _xp(g, x)
    zero = x == 0
    nonzero = xp.where(zero, 1, x)
    zeros = xp.sum(astype(zero, _dtype(g, x), copy=False), axis=axis, keepdims=True)
    rest = xp.prod(nonzero, axis=axis, keepdims=True)  # the product of the non-zero entries
    others = xp.where(zero, xp.where(zeros == 1, rest, 0), xp.where(zeros == 0, rest / nonzero, 0))
    return _expand(g, x, axis, keepdims) * others


def norm_grad(g, x, out, axis=None, keepdims=False, ord=None):
    """Cotangent of x for y = linalg.norm(x, ord, axis): vector p-norms and matrix norms.

    Where the norm has a kink (|x_i| at 0, ties of the max-norms) the cotangent
    is a subgradient: sign(0) = 0 and tied maxima share it equally.
    """
    xp = _xp(g, x)
    ge, norm = _expand(g, x, axis, keepdims), _expand(out, x, axis, keepdims)
    ndim = len(_shape(x))
    matrix = ord is not None and (ndim == 2 if axis is None else not isinstance(axis, int)
                                  and len(axis) == 2)
    if matrix and ord != "fro":
        return _matrix_norm_grad(xp, ge, x, norm, (0, 1) if axis is None else axis, ord)
    if ord in (None, 2, "fro"):
        return ge * x / xp.where(norm == 0, 1, norm)
    if ord == 1:
        return ge * xp.sign(x)
    if ord == 0:
        return ge * xp.zeros_like(x)  # a count of non-zero entries: flat
    magnitude = xp.abs(x)
    if ord in (math.inf, -math.inf):
        return ge * xp.sign(x) * _shares(xp, magnitude == norm, axis, _dtype(g, x))
    safe = xp.where(norm == 0, 1, norm)
    return ge * xp.sign(x) * (magnitude / safe) ** (ord - 1)


def _shares(xp, hit, axis, dtype):
    """1 / (how many entries tie) where `hit`, else 0: the tied entries share equally."""
    hit = astype(hit, dtype, copy=False)
    return hit / xp.sum(hit, axis=axis, keepdims=True)


def _matrix_norm_grad(xp, ge, x, norm, axes, ord):
    """Cotangent of a matrix norm over two axes (ord 1, -1, inf, -inf, 2, -2, 'nuc')."""
    moved = (-2, -1)
    m = xp.moveaxis(x, axes, moved)
    if len(_shape(ge)) == len(_shape(x)):  # over two axes of a stack: unit axes, moved too
        ge, norm = xp.moveaxis(ge, axes, moved), xp.moveaxis(norm, axes, moved)
    if ord in (1, -1, math.inf, -math.inf):
        summed = -2 if ord in (1, -1) else -1  # column sums (1) or row sums (inf)
        sums = xp.sum(xp.abs(m), axis=summed, keepdims=True)
        # The extreme sum found again from these sums, not read from `norm`: another
        # summation order (cupy's norm, float32) would round it differently.
        extreme = (xp.max if ord in (1, math.inf) else xp.min)(sums, axis=moved, keepdims=True)
        grad = ge * xp.sign(m) * _shares(xp, sums == extreme, moved, m.dtype)
    else:
        u, _, vt = xp.linalg.svd(m, full_matrices=False)
        if ord == "nuc":
            grad = ge * (u @ vt)
        else:  # 2 (the largest singular value) or -2 (the smallest)
            k = 0 if ord == 2 else -1
            grad = ge * (u[..., :, k:k + 1 or None] @ vt[..., k:k + 1 or None, :])
    return xp.moveaxis(grad, moved, axes)


def clip_grad(g, x, lo, hi):
    """Cotangent of x for y = clip(x, lo, hi): g where x is inside the bounds."""
    xp = _xp(g, x)
    inside = (x >= lo) & (x <= hi) if lo is not None and hi is not None else \
        (x >= lo) if lo is not None else (x <= hi)
    return xp.where(inside, g, 0)


def abs_grad(g, x):
    """Cotangent of x for y = abs(x) (builtin abs, math.fabs): g * sign(x).

    Builtin abs() also takes arrays, so this may see an array as well as a number.
    """
    if hasattr(x, "shape"):
        return g * _xp(g, x).sign(x)
    return g if x > 0 else -g if x < 0 else 0 * g


def pow_exponent_grad(g, x, out):
    """Cotangent of the exponent e for y = x ** e: g * y * log(x), zero where x <= 0."""
    if not hasattr(x, "shape"):  # a number base: math.log keeps g's array module and dtype
        return g * out * math.log(x) if x > 0 else 0.0 * g
    xp = _xp(g, x, out)
    positive = x > 0
    return xp.where(positive, g * out * xp.log(xp.where(positive, x, 1)), 0)


def concatenate_grad(g, *xs, axis=0, part=0):
    """Cotangent of the `part`-th input of y = concatenate(xs, axis)."""
    start = 0
    for x in xs[:part]:
        start += x.shape[axis]
    stop = start + xs[part].shape[axis]
    axis %= g.ndim
    if axis < 2:  # the common axes, without building an index
        return g[start:stop] if axis == 0 else g[:, start:stop]
    return g[(slice(None),) * axis + (slice(start, stop), Ellipsis)]


def stack_grad(g, axis=0, part=0):
    """Cotangent of the `part`-th input of y = stack(xs, axis)."""
    index = (slice(None),) * (axis % g.ndim) + (part, Ellipsis)
    return g[index]


def matmul_grad_left(g, x, y):
    """Cotangent of x for out = x @ y (1-D, 2-D and batched operands)."""
    xp = _xp(g, x, y)
    xd, yd = len(_shape(x)), len(_shape(y))
    if xd == 0 or yd == 0:
        return _reduce_to(g * y, x)
    if yd == 1:
        grad = g[..., None] * y if xd >= 2 else g * y
    elif xd == 1:
        grad = xp.matmul(y, g[..., None])[..., 0] if yd > 2 else y @ g
    else:
        grad = xp.matmul(g, _matrix_transpose(xp, y))
    return _reduce_to(grad, x)


def matmul_grad_right(g, x, y):
    """Cotangent of y for out = x @ y (1-D, 2-D and batched operands)."""
    xp = _xp(g, x, y)
    xd, yd = len(_shape(x)), len(_shape(y))
    if xd == 0 or yd == 0:
        return _reduce_to(g * x, y)
    if xd == 1:
        grad = x[..., None] * g[..., None, :] if yd >= 2 else g * x
    elif yd == 1:
        grad = xp.matmul(_matrix_transpose(xp, x), g[..., None])[..., 0]
    else:
        grad = xp.matmul(_matrix_transpose(xp, x), g)
    return _reduce_to(grad, y)


def _matrix_transpose(xp, a):
    """a with its last two axes swapped."""
    axes = tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2)
    return xp.transpose(a, axes)


def _reduce_to(grad, like):
    if _shape(grad) == _shape(like):
        return grad
    return unbroadcast(grad, like)


def reshape_like(g, x):
    """g reshaped to the shape of x (undoes reshape, squeeze, expand_dims)."""
    if not hasattr(x, "shape"):
        return _xp(g).reshape(g, ()) if hasattr(g, "shape") else g
    return _xp(g, x).reshape(g, x.shape)


def cast_like(g, x):
    """g in the dtype of x (undoes astype; gives a gradient its parameter's dtype): float64
    for a Python float x, as jax's (a float32 model's np.float32 is widened)."""
    dtype = getattr(x, "dtype", None)
    if dtype is None:  # a Python float's gradient is numpy's float64; any other's is left
        # as it is (another array library's: a device may have no float64 at all)
        if type(x) is not float or not isinstance(g, (*_NUMPY_SCALARS, Batched)):
            return g
        dtype = FLOAT64
    elif g.__class__ in (float, int):  # a numpy scalar's or 0-d array's gradient as a Python
        # number (a float32 HVP's 1.0): in the parameter's float dtype
        return dtype.type(g) if isinstance(x, _NUMPY_SCALARS) and dtype.kind in "fc" else g
    return g if not hasattr(g, "shape") or g.dtype == dtype else astype(g, dtype)
