"""float32 arguments of the numba target run in float64, their results cast back.

numba, unlike numpy, evaluates a float32 array mixed with a Python float in float64 and
cannot keep one variable in both dtypes (a gradient's zeros and its float32 terms fail to
unify in a loop), so the numba target computes float32 models in float64: the decorator
(compiler/numba_live.py) and the public entries of a file `agc compile --target numba`
writes wrap the compiled functions in `float32_in_float64`. Plain numpy, no numba.
"""

from __future__ import annotations

import functools

import numpy


def float32_in_float64(fn, at: tuple[int, ...], returns_value: bool):
    """`fn`, given float32 arrays as float64 ones and its results cast back: numba, unlike
    numpy, evaluates a float32 array mixed with a Python float in float64 and cannot keep
    one variable in both dtypes, so the numba target computes float32 models in float64.
    Each gradient gets its parameter's dtype; the value is float32 when every float array
    argument was."""

    @functools.wraps(fn, updated=())  # not the dispatcher's __dict__: numba pickles globals
    def call(*args, **kwargs):
        if not _has_float32(args):  # the common call: no list, no dtype comparisons
            return fn(*args, **kwargs)
        dtypes = [getattr(a, "dtype", None) for a in args]
        wide = tuple(a.astype(numpy.float64) if d == numpy.float32 else a
                     for a, d in zip(args, dtypes))
        out = fn(*wide, **kwargs)
        floats = {d for d in dtypes if d is not None and d.kind == "f"}
        single = numpy.dtype(numpy.float32)
        value_dtype = single if floats == {single} else None
        grads = out[1] if returns_value else out
        several = isinstance(grads, tuple)
        # a number's gradient follows the arrays it met: float32 when they all were
        cast = tuple(_as(g, dtypes[i] if dtypes[i] is not None else value_dtype)
                     for g, i in zip(grads if several else (grads,), at))
        grads = cast if several else cast[0]
        if not returns_value:
            return grads
        return (_as(out[0], value_dtype), grads, *out[2:])
    return call


_FLOAT32 = numpy.dtype(numpy.float32)


def _has_float32(args: tuple) -> bool:
    """Whether an argument is a float32 array or number (checked on every call: fast)."""
    for a in args:
        kind = type(a)
        if kind is float or kind is int:
            continue
        dtype = getattr(a, "dtype", None)
        if dtype is not None and dtype == _FLOAT32:
            return True
    return False


def _as(value, dtype):
    """value in `dtype` (an array, or a numpy number); unchanged without a float dtype."""
    if dtype is None or getattr(dtype, "kind", None) != "f":
        return value
    if isinstance(value, numpy.ndarray):
        return value.astype(dtype)
    if isinstance(value, (float, numpy.floating)):
        return numpy.dtype(dtype).type(value)
    return value  # a tuple (has_aux) or None
