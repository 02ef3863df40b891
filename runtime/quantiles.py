"""Gradient helper of np.quantile and np.percentile (numpy's default, linear method).

numpy takes the value at the virtual index (n - 1) * q of each sorted slice, between
the order statistics below and above it: (1 - gamma) * below + gamma * above, gamma
the fraction. The cotangent goes to those two entries with those weights; ties are
ranked by a stable sort, the earlier of two equal entries first (jax's convention),
and a slice holding a NaN, whose quantile is NaN, gets none (as jax's).
"""

from __future__ import annotations

import math

import numpy

from .arrays import astype
from .dispatch import array_module as _xp
from .grads import _dtype, _expand
from .statistics import _stable_argsort


def quantile_grad(g, x, q, axis=None, keepdims=False, percent=False):
    """Cotangent of x for y = quantile(x, q, axis) (percentile(x, q) when `percent`)."""
    if percent:
        q = float(numpy.true_divide(q, 100))  # as numpy's percentile divides
    if not hasattr(x, "shape"):  # of a number: the number itself
        return 0 * g if math.isnan(x) else g
    xp = _xp(g, x)
    axes = tuple(range(x.ndim)) if axis is None else \
        tuple(a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis))
    ends = tuple(range(x.ndim - len(axes), x.ndim))
    moved = xp.moveaxis(x, axes, ends)
    rows = xp.reshape(moved, moved.shape[:x.ndim - len(axes)] + (-1,))
    share = astype(_shares(xp, rows, q), _dtype(g, x), copy=False)
    share = xp.moveaxis(xp.reshape(share, moved.shape), ends, axes)
    return _expand(g, x, axis, keepdims) * share


def virtual_index(n: int, q: float) -> tuple[int, int, float]:
    """(the order statistic below numpy's virtual index (n - 1) q, the one above, gamma)."""
    virtual = (n - 1) * q
    below = math.floor(virtual)
    gamma = virtual - below
    above = below + 1
    if virtual >= n - 1:  # numpy takes the last entry (q == 1)
        below = above = n - 1
    return below, above, gamma


def _shares(xp, rows, q):
    """Each entry's weight in its row's quantile: 1 - gamma below, gamma above, 0 else."""
    n = rows.shape[-1]
    if n == 0:
        return xp.zeros(rows.shape)
    below, above, gamma = virtual_index(n, q)
    rank = xp.argsort(_stable_argsort(xp, rows, -1), axis=-1)
    share = (rank == below) * (1.0 - gamma) + (rank == above) * gamma
    return share * ~xp.any(xp.isnan(rows), axis=-1, keepdims=True)
