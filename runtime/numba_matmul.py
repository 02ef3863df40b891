"""The numba target's matrix products and their gradients, and the in-place
accumulation of cotangents, as functions numba compiles in nopython mode.

Split from numba_helpers.py (which re-exports every name here, as emitted code calls
them `nb.matmul`, `nb.accumulate`, ...); the same conventions: a stub per helper, its
implementation picked per argument type by `numba.extending.overload`.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types
from numba.extending import overload


def matmul(a, b):
    """a @ b, both operands brought to their common dtype first (numba's @ needs one)."""


def matmul_grad_left(g, x, y):
    """Cotangent of x for out = x @ y (1-D and 2-D operands)."""


def matmul_grad_right(g, x, y):
    """Cotangent of y for out = x @ y (1-D and 2-D operands)."""


def accumulate(acc, term):
    """acc + term, added into acc in place where it has term's shape and the sum's dtype
    (backend/numba_accumulate.py emits it only where no other name holds acc)."""


def add_matmul_grad_left(acc, g, x, y):
    """accumulate(acc, matmul_grad_left(g, x, y)), an outer product added without
    building it."""


def is_array(t) -> bool:
    """A numba array type (not a number or a tuple)."""
    return isinstance(t, types.Array)


# Compile time: an overload's implementation is compiled into every model that calls
# it, numba's own np.dot and np.outer taking seconds each time; these cached functions
# are compiled once per signature and machine (numba's cache, next to this file) and
# only linked into each model.
@numba.njit(cache=True)
def _dot(a, b):
    """a @ b (numba's BLAS call), of one dtype."""
    return a @ b


@numba.njit(cache=True)
def _outer(a, b):
    """np.outer of two vectors of one dtype."""
    out = np.empty((a.shape[0], b.shape[0]), a.dtype)
    for i in range(a.shape[0]):
        for j in range(b.shape[0]):
            out[i, j] = a[i] * b[j]
    return out


@numba.njit(cache=True)
def _add_outer(acc, a, b):
    """acc += np.outer(a, b) in place (acc of their shape), acc returned."""
    for i in range(a.shape[0]):
        for j in range(b.shape[0]):
            acc[i, j] += a[i] * b[j]
    return acc


def outer(a, b):
    """np.outer of two vectors."""


@overload(outer)
def _outer_of(a, b):
    if a.dtype == b.dtype and a.ndim == 1 and b.ndim == 1:
        return lambda a, b: _outer(a, b)
    return lambda a, b: np.outer(a, b)


@overload(matmul)
def _matmul(a, b):
    if is_array(a) and is_array(b) and a.dtype != b.dtype:
        common = np.result_type(numba.np.numpy_support.as_dtype(a.dtype),
                                numba.np.numpy_support.as_dtype(b.dtype))
        return lambda a, b: _dot(np.ascontiguousarray(a.astype(common)),
                                 np.ascontiguousarray(b.astype(common)))
    if is_array(a) and is_array(b):
        return lambda a, b: _dot(a, b)
    return lambda a, b: a @ b


def _matrices(x, y) -> bool:
    """Both operands of a matmul 1-D or 2-D arrays (what the numba target covers)."""
    return is_array(x) and is_array(y) and x.ndim <= 2 and y.ndim <= 2


@overload(matmul_grad_left)
def _matmul_grad_left(g, x, y):
    if not _matrices(x, y):
        return None
    if x.ndim == 2 and y.ndim == 1:
        return lambda g, x, y: outer(g, y)
    if x.ndim == 1 and y.ndim == 2:
        return lambda g, x, y: matmul(y, g)
    if x.ndim == 2:
        return lambda g, x, y: matmul(g, y.T)
    return lambda g, x, y: g * y


@overload(matmul_grad_right)
def _matmul_grad_right(g, x, y):
    if not _matrices(x, y):
        return None
    if x.ndim == 1 and y.ndim == 2:
        return lambda g, x, y: outer(x, g)
    if x.ndim == 2:
        return lambda g, x, y: matmul(x.T, g)
    return lambda g, x, y: g * x


def _sum_dtype(acc, term):
    """The dtype numpy gives acc + term (numba's types)."""
    other = term.dtype if is_array(term) else term
    return numba.np.numpy_support.from_dtype(np.result_type(
        numba.np.numpy_support.as_dtype(acc.dtype), numba.np.numpy_support.as_dtype(other)))


@overload(accumulate)
def _accumulate(acc, term):
    if not is_array(acc) or _sum_dtype(acc, term) != acc.dtype or \
            (is_array(term) and term.ndim != acc.ndim):
        return lambda acc, term: acc + term
    if not is_array(term):
        def add_number(acc, term):
            acc += term
            return acc
        return add_number

    def add_array(acc, term):
        if term.shape != acc.shape:  # one broadcasts the other: a new array, as numpy
            return acc + term
        acc += term
        return acc
    return add_array


@overload(add_matmul_grad_left)
def _add_matmul_grad_left(acc, g, x, y):
    rank_one = is_array(acc) and _matrices(x, y) and x.ndim == 2 and y.ndim == 1 and \
        is_array(g) and g.ndim == 1 and acc.ndim == 2 and acc.dtype == g.dtype == y.dtype
    if not rank_one:
        return lambda acc, g, x, y: accumulate(acc, matmul_grad_left(g, x, y))

    def add_outer(acc, g, x, y):
        if acc.shape != (g.shape[0], y.shape[0]):  # broadcast: a new array, as numpy
            return acc + _outer(g, y)
        return _add_outer(acc, g, y)
    return add_outer
