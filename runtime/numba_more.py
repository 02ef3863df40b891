"""More nopython helpers of the numba target (numba_helpers.py re-exports them as nb.NAME):
`+x`'s check and copy, `x.tolist()`'s check, the checks of `for v in x` and `a, b = x`,
`for v in x`'s length and item, and the cotangents of np.cumprod and of np.quantile /
np.percentile along a vector. Each mirrors the numpy helper of the same name
(python_constructs.py, grads.py, statistics.py, quantiles.py) for the types the numba
target claims; other types get no implementation, and numba's typing error becomes agc's
positioned refusal at the first call (numba_live.py).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types
from numba.extending import overload

from .quantiles import virtual_index

_virtual_index = numba.njit(cache=True)(virtual_index)  # numpy's own rule, compiled

# The stubs are what emitted code names; numba replaces each call by the implementation
# its overload picks for the argument types.


def check_positive(x, ufunc):
    """Raise as `+x` or np.positive(x) does for booleans (numpy's positive has no loop)."""


@overload(check_positive)
def _check_positive(x, ufunc):
    dtype = x.dtype if isinstance(x, types.Array) else x
    if isinstance(dtype, types.Boolean):
        def boolean(x, ufunc):
            raise TypeError("ufunc 'positive' did not contain a loop with signature matching "
                            "types")
        return boolean
    return lambda x, ufunc: None


def check_iterable(x):
    """Raise as numpy does for `for v in x` of a 0-d array."""


@overload(check_iterable)
def _check_iterable(x):
    if isinstance(x, types.Array) and x.ndim == 0:
        def zero_d(x):
            raise TypeError("iteration over a 0-d array")
        return zero_d
    return lambda x: None


def check_unpack(x, count):
    """Raise as Python does for `a, b = x` unless x has exactly `count` items (an array: rows)."""


@overload(check_unpack)
def _check_unpack(x, count):
    if isinstance(x, types.BaseTuple):
        size = len(x)  # known when numba types the call

        def check_items(x, count):
            if size > count:
                raise ValueError("too many values to unpack")
            if size < count:
                raise ValueError("not enough values to unpack")
        return check_items
    if isinstance(x, types.Array) and x.ndim > 0:
        def check_rows(x, count):
            if x.shape[0] > count:
                raise ValueError("too many values to unpack")
            if x.shape[0] < count:
                raise ValueError("not enough values to unpack")
        return check_rows

    def not_iterable(x, count):
        raise TypeError("cannot unpack a number")
    return not_iterable


def copy_of(x):
    """An independent copy of a value (a number is one already)."""


@overload(copy_of)
def _copy_of(x):
    if isinstance(x, types.Array):
        return lambda x: x.copy()
    return lambda x: x


def check_tolist(x):
    """Raise where agc's x.tolist() would differ from numpy's: a 1-d array's numbers only."""


@overload(check_tolist)
def _check_tolist(x):
    if isinstance(x, types.Array) and x.ndim == 1:
        return lambda x: None

    def other(x):
        raise ValueError("agc differentiates x.tolist() of a 1-d array only")
    return other


def cumprod_grad(g, x, axis=None):
    """Cotangent of x for y = cumprod(x) of a vector, exact where x has zeros: the cotangent
    of x_i is P_(i-1) s_i with s_i = g_i + x_(i+1) s_(i+1) (P: the cumulative products)."""


@overload(cumprod_grad)
def _cumprod_grad(g, x, axis=None):
    if not (isinstance(x, types.Array) and x.ndim == 1):
        return None  # numba's typing error: agc's refusal at the model line

    def vector(g, x, axis=None):
        n = x.shape[0]
        out = np.zeros(n, dtype=x.dtype)
        prefix = np.cumprod(x)
        s = 0.0
        for i in range(n - 1, -1, -1):
            s = g[i] if i == n - 1 else g[i] + x[i + 1] * s
            out[i] = s if i == 0 else prefix[i - 1] * s
        return out
    return vector


def quantile_grad(g, x, q, axis=None, keepdims=False, percent=False):
    """Cotangent of x for y = quantile(x, q) of a vector (percentile(x, q) when `percent`):
    1 - gamma to the entry below the virtual index, gamma to the one above, 0 elsewhere and
    everywhere when x holds a NaN (the quantile is NaN)."""


@overload(quantile_grad)
def _quantile_grad(g, x, q, axis=None, keepdims=False, percent=False):
    if not (isinstance(x, types.Array) and x.ndim == 1 and isinstance(g, types.Number)):
        return None  # numba's typing error: agc's refusal at the model line

    def vector(g, x, q, axis=None, keepdims=False, percent=False):
        n = x.shape[0]
        out = np.zeros(n, dtype=x.dtype)
        if n == 0 or np.any(np.isnan(x)):
            return out
        below, above, gamma = _virtual_index(n, q / 100.0 if percent else q)
        order = np.argsort(x, kind="mergesort")  # stable: ties keep their order, as numpy's
        out[order[below]] += g * (1.0 - gamma)
        out[order[above]] += g * gamma
        return out
    return vector


def item(x, k):
    """What `for v in x` binds: x[k], a vector's number or a matrix's row."""


@overload(item)
def _item(x, k):
    if isinstance(x, (types.Array, types.BaseTuple, types.List)):
        return lambda x, k: x[k]
    return None  # numba's typing error: agc's refusal at the model line


def length(x):
    """len(x): an array's first dimension, a tuple's or a list's length."""


@overload(length)
def _length(x):
    if isinstance(x, types.Array) and x.ndim > 0:
        return lambda x: x.shape[0]
    if isinstance(x, (types.BaseTuple, types.List)):
        return lambda x: len(x)
    return None  # numba's typing error: agc's refusal at the model line
