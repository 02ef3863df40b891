"""Gradient helpers for the Python constructs of issue 13 (array-module neutral)."""

from __future__ import annotations

import numpy

from .arrays import astype
from .dispatch import array_module

try:  # numpy's UFuncTypeError of a cast, raised as numpy raises it
    from numpy._core import _exceptions as _numpy_errors
except ImportError:  # another numpy: a TypeError of the same message
    _numpy_errors = None


def unconcatenate_grad(g, xs, axis=0, hstack=False):
    """The list adjoint {i: cotangent} of xs for y = concatenate(xs, axis): g cut back into parts
    (for y = hstack(xs) of parts made 1-D: along axis 0 if the first is a vector, else 1)."""
    axis = (0 if xs[0].ndim == 1 else 1) if hstack else axis % g.ndim
    out, start = {}, 0
    for i, x in enumerate(xs):
        stop = start + x.shape[axis]
        out[i] = g[(slice(None),) * axis + (slice(start, stop), Ellipsis)]
        start = stop
    return out


def check_out_cast(value, out, ufunc=None):
    """Raise as numpy does for `ufunc(..., out=out)` (or `np.copyto(out, value)`, ufunc None)
    whose result `value` cannot be cast into out's dtype by numpy's `same_kind` rule (a float
    result into an integer array); a ufunc's result must also broadcast to out's shape
    without adding axes (copyto drops leading axes of one, as `out[...] = value` does)."""
    if hasattr(value, "dtype"):
        source = value.dtype
    elif isinstance(value, (list, tuple)):  # np.copyto(y, [1.0, 2.0]): an array of them
        source = numpy.asarray(value).dtype
    else:
        source = numpy.result_type(value)
    target = out.dtype
    if not _same_kind(source, target, array_module(out)):
        raise _cast_error(source, target, ufunc)
    shape = tuple(getattr(value, "shape", ()))
    if ufunc is not None and len(shape) > len(out.shape):
        raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't "
                         f"match the broadcast shape {shape}")


def _cast_error(source, target, ufunc):
    """numpy's own error (its UFuncTypeError, a TypeError) where the ufunc is known."""
    made = getattr(_numpy_errors, "_UFuncOutputCastingError", None)
    if ufunc is not None and made is not None and isinstance(source, numpy.dtype):
        return made(getattr(numpy, ufunc), "same_kind", source, numpy.dtype(target), 0)
    return TypeError(f"Cannot cast ufunc output from {source!r} to {target!r} with "
                     f"casting rule 'same_kind'")


_KINDS = ("bool", "integral", "real floating", "complex floating")  # numpy's same_kind order


def _same_kind(source, target, xp) -> bool:
    """numpy's `same_kind` cast rule; for another array library's dtypes, by their kinds."""
    if xp is numpy:
        return numpy.can_cast(source, target, casting="same_kind")
    rank = [next(i for i, k in enumerate(_KINDS) if xp.isdtype(d, k)) for d in (source, target)]
    return rank[0] <= rank[1]


def in_place(value, out, ufunc=None):
    """What `out op= v` leaves in the array `out`: numpy computes `value = out op v` into
    out's own memory, so out keeps its dtype and shape, and numpy raises where it cannot
    (a float result into an integer array, a result broadcast to a larger shape)."""
    if type(value) is type(out) and value.dtype == out.dtype and value.shape == out.shape:
        return value  # the usual case, in every step of a loop: nothing to check or cast
    check_out_cast(value, out, ufunc)
    shape = numpy.shape(value)
    if shape != out.shape:
        raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't "
                         f"match the broadcast shape {shape}")
    dtype = getattr(value, "dtype", None)
    return value if dtype == out.dtype else astype(value, out.dtype)


def check_view(view, base):
    """Raise where `view = base.reshape(...)` (or ravel) made a copy, numpy's reshape of a
    non-contiguous base, while the model writes through it as through a view (agc then
    carries the write back into base, which numpy does only for a view)."""
    if getattr(view, "size", 0) and not array_module(base).may_share_memory(view, base):
        raise ValueError("this reshape made a copy (the array is not contiguous), and agc "
                         "follows the writes through it as a view's; agc supports a write "
                         "through a reshape of a contiguous array only: reshape a copy "
                         "(`x.copy().reshape(...)`) where a copy is meant, or make the array "
                         "contiguous first (`np.ascontiguousarray(x)`)")


def check_positive(x, ufunc):
    """Raise as `+x` (ufunc False) or np.positive(x) (ufunc True) does: numpy's positive has
    no loop for bools (np.positive(True) raises too; Python's `+True` is 1), `+` none for a
    list or tuple."""
    if isinstance(x, (list, tuple)) and not ufunc:
        raise TypeError(f"bad operand type for unary +: '{type(x).__name__}'")
    dtype = getattr(x, "dtype", None)
    if dtype is None and ufunc:
        dtype = numpy.asarray(x).dtype
    if dtype is not None and dtype.kind == "b":
        raise TypeError("ufunc 'positive' did not contain a loop with signature matching "
                        "types <class 'numpy.dtypes.BoolDType'> -> None")


def check_pop(items, index):
    """Raise as Python's `items.pop(index)` does where the list has no item at `index`."""
    if not items:
        raise IndexError("pop from empty list")
    if not -len(items) <= index < len(items):
        raise IndexError("pop index out of range")


def check_view_index(index):
    """Raise where `M[index]` is a copy, not a view: agc writes `M[index][j] = v` back into M,
    numpy writes into the copy and leaves M unchanged (an array, list or bool index)."""
    if _advanced(index):
        raise ValueError("M[idx][j] = v writes into a copy where idx is an array, a list or "
                         "a bool (numpy leaves M unchanged); agc refuses it: write "
                         "M[idx, j] = v, or bind the copy first: r = M[idx]; r[j] = v")


def _advanced(index) -> bool:
    """Whether numpy takes `index` as an advanced index (its result a copy)."""
    if isinstance(index, tuple):
        return any(_advanced(item) for item in index)
    if isinstance(index, (list, bool, numpy.bool_)):
        return True
    dtype = getattr(index, "dtype", None)
    return dtype is not None and (getattr(index, "ndim", 0) > 0 or dtype.kind == "b")


def check_tolist(x):
    """Raise where agc's x.tolist() would differ from numpy's: agc lists a 1-d array's numbers
    (numpy's list of a matrix holds lists, of a 0-d array is a number)."""
    ndim = getattr(x, "ndim", None)
    if ndim != 1:
        raise ValueError(f"agc differentiates x.tolist() of a 1-d array only; this one has "
                         f"{ndim} dimensions: use x.ravel().tolist() or iterate over x's rows")


def check_iterable(x):
    """Raise as numpy does for `for v in x` of a 0-d array (np.polyval of a 0-d p)."""
    if getattr(x, "ndim", None) == 0:
        raise TypeError("iteration over a 0-d array")


def sorted_order(values, reverse=False):
    """The positions of `values` in the order Python's sorted() puts them: stable (also
    reversed), and a NaN compared as Python compares it (numpy's argsort would put it last)."""
    order = sorted(range(len(values)), key=values.__getitem__, reverse=reverse)
    return numpy.array(order, dtype=numpy.intp)


def check_unpack(x, count):
    """Raise as Python does for `a, b = x` unless x has exactly `count` items (an array: rows)."""
    shape = getattr(x, "shape", None)
    if shape is not None and len(shape) == 0:
        raise TypeError("iteration over a 0-d array")
    if shape is None and not hasattr(x, "__len__"):
        raise TypeError(f"cannot unpack non-iterable {type(x).__name__} object")
    got = len(x) if shape is None else shape[0]
    if got > count:
        raise ValueError(f"too many values to unpack (expected {count})")
    if got < count:
        raise ValueError(f"not enough values to unpack (expected {count}, got {got})")
