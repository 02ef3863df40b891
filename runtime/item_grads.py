"""Cotangents of items and writes: a list's item, an appended value, positions written
by `y[index] = v`, unstacked rows, np.asarray's input, and `+x`'s copy (grads.py has the
reductions' and products' helpers)."""

from __future__ import annotations

import math

import numpy

from .cotangents import zeros_like
from .dispatch import array_module
from .indices import is_basic, is_mask, whole

_xp = array_module


def list_item_grad(g, position, like):
    """The cotangent of item `position` of a list literal, from the list's (sparse) adjoint."""
    found = g.get(position) if isinstance(g, dict) else g[position]
    return zeros_like(like) if found is None else found


def append_grad(g, lst, value):
    """Cotangent of v for lst.append(v): take the last position out of the list's adjoint.

    The adjoint of a row of np.array(rows) is an array (asarray_grad unstacks one level):
    its last row then.
    """
    if isinstance(g, dict):
        found = g.pop(len(lst) - 1, None)
    else:
        found = g[len(lst) - 1] if getattr(g, "ndim", 0) > 0 else None
    return zeros_like(value) if found is None else found


def zero_at(g, index):
    """A copy of g with zeros at `index` (what `y[index] = v` overwrote gets nothing).

    A list's adjoint is sparse ({position: cotangent}): the position is left out.
    """
    if isinstance(g, (dict, list, tuple)):
        out = dict(g) if isinstance(g, dict) else dict(enumerate(g))
        out.pop(index, None)
        return out
    if not hasattr(g, "__setitem__"):  # a number: the adjoint of a 0-d array, overwritten
        return zeros_like(g)
    out = copy_of(g)
    out[whole(index) if is_basic(index) else index] = 0
    return out


def written_grad(g, index):
    """Cotangent of v for y[index] = v: g[index], each position counted at its last write.

    numpy writes a repeated fancy index once, the last write winning
    (`y[[0, 0]] = v` keeps v[1]), so the earlier writes get nothing.
    """
    if not hasattr(g, "shape") or is_basic(index) or is_mask(index):
        return g[whole(index) if is_basic(index) else index]
    xp = _xp(g)
    written = g[index]
    positions = xp.reshape(xp.reshape(xp.arange(math.prod(g.shape)), g.shape)[index], (-1,))
    last = _last_writes(xp, positions)
    if xp.__name__ == "cupy" and not bool(xp.all(last)):
        raise ValueError(
            "y[index] = v with a repeated index, on cupy arrays: the GPU leaves unspecified "
            "which write wins (numpy keeps the last), so the gradient is not defined. Write "
            "each position once (deduplicate the index), or run this model on numpy.")
    return xp.where(xp.reshape(last, written.shape), written, 0)


def _last_writes(xp, positions):
    """True at the last occurrence of each value of a 1-D integer array."""
    if xp is numpy:
        order = numpy.argsort(positions, kind="stable")
    else:
        try:
            order = xp.argsort(positions, stable=True)
        except TypeError:  # cupy: its sort is stable
            order = xp.argsort(positions)
    ordered = positions[order]
    last = xp.concat([ordered[1:] != ordered[:-1], xp.ones((1,), dtype=bool)]) \
        if hasattr(xp, "concat") else xp.concatenate([ordered[1:] != ordered[:-1],
                                                      xp.ones((1,), dtype=bool)])
    keep = xp.zeros(positions.shape, dtype=bool)
    keep[order] = last
    return keep


def unstack_grad(g, axis=0):
    """The list adjoint {i: slice i along axis} of lst for y = np.stack(lst, axis)."""
    axis %= g.ndim
    return {i: g[(slice(None),) * axis + (i, Ellipsis)] for i in range(g.shape[axis])}


def asarray_grad(g, x):
    """Cotangent of x for y = np.asarray(x): unstacked (nested lists too) when x was a list or tuple."""
    if isinstance(x, (list, tuple)):
        return {i: asarray_grad(g[i], item) for i, item in enumerate(x)}
    return g


def copy_of(x):
    """An independent copy of a value (a saved slice must not change with its array)."""
    if hasattr(x, "copy"):  # numpy, cupy, lists
        return x.copy()
    if hasattr(x, "__array_namespace__"):
        return x.__array_namespace__().asarray(x, copy=True)
    return x
