"""Scattering a cotangent into zeros shaped like x (`getitem_grad`) or into an
accumulator agc owns (`add_at`), for every kind of index and container.

numpy takes short paths first: a plain index (ints and slices) assigns or adds
directly, and rows picked by one integer array (`cams[cam_idx]`, the gathers of
bundle adjustment) are summed with `numpy.bincount`, several times faster than
`numpy.add.at` and the same sums: both add the picked rows in order, from zero, in
float64.
"""

from __future__ import annotations

import numpy

from .arrays import scatter_add
from .batch_core import Batched
from .cotangents import add, zero_stand_in
from .dask_style import is_dask, is_row_index, scatter_rows
from .dispatch import array_module
from .grads import _dtype, _is_host_number
from .indices import adds_axes_only, is_basic, is_mask, plain, whole
from .sequence_grads import list_slice_grad

_xp = array_module


def getitem_grad(g, x, index):
    """Cotangent of x for y = x[index]: g scattered into zeros shaped like x."""
    if type(x) is numpy.ndarray and plain(index) and (type(g) is numpy.ndarray
                                                       or _is_host_number(g)):
        out = numpy.zeros(x.shape, dtype=_dtype(g, x))  # the common case, first
        if type(g) is numpy.ndarray and g.size >= _MANY and g.dtype.kind in "fc" and \
                _many_short_rows(view := out[index]):
            numpy.positive(g, out=view, order="F")  # a copy (-0.0 stays), by columns
        else:
            out[index] = g
        return out
    if isinstance(x, dict):
        return {index: g}  # sparse: other keys are completed with zeros at the end
    if isinstance(x, list):  # a list's adjoint is sparse too
        return list_slice_grad(g, x, index) if type(index) is slice else {index % len(x): g}
    if isinstance(x, tuple):  # the other items' zeros hold no arrays (zero_stand_in)
        if type(index) is int:  # one item (`h, c = cell(...)`), kept short
            index %= len(x)
            return tuple([g if i == index else zero_stand_in(item) for i, item in enumerate(x)])
        taken = tuple_item_cotangents(g, len(x), index)
        return tuple(taken[i] if i in taken else zero_stand_in(item)
                     for i, item in enumerate(x))
    xp = _xp(g, x)
    if adds_axes_only(index):  # x[:, None]: g is x's cotangent with unit axes added
        return xp.reshape(g, x.shape)
    out = xp.zeros(x.shape, dtype=_dtype(g, x))
    if type(g) is Batched:  # a batch of seeds: scatter into a batch of zeros
        out = Batched(numpy.zeros((len(g.data),) + x.shape, dtype=out.dtype))
    if is_mask(index):
        out[index] = g
    elif is_basic(index):
        _assign_basic(xp, out, index, g)
    elif is_dask(x) and is_row_index(x, index):  # logp[np.arange(n), labels], chunk by chunk
        out = scatter_rows(g, x, index, out.dtype)
    elif xp is numpy:
        rows = summed_rows(x.shape, index, g) if out.dtype == numpy.float64 else None
        if rows is not None:
            return rows
        numpy.add.at(out, index, g)
    elif getattr(xp, "__name__", "") == "cupy":
        import cupy  # noqa: PLC0415 - optional: only reached with cupy arrays

        cupy.add.at(out, index, g)  # accumulates repeated positions, like numpy.add.at
    else:
        out = scatter_add(xp, out, index, g)
    return out


def unpacked_grad(x, *items):
    """The cotangent of x from those of all its items x[0], ..., x[n-1] (`h, c = cell(...)`
    unpacked): the items' cotangents themselves where x is a tuple of n items (a tuple's
    cotangent, as in jax); else their getitem_grad, summed."""
    if type(x) is tuple and len(x) == len(items):
        return items
    out = getitem_grad(items[0], x, 0)
    for k in range(1, len(items)):
        out = add(out, getitem_grad(items[k], x, k))
    return out


def tuple_item_cotangents(g, n: int, index) -> dict:
    """{position: cotangent} of the items of an n-tuple t that y = t[index] took: t[-1] is
    the last item, t[1:] several (g then a tuple of their cotangents)."""
    if type(index) is slice:
        return dict(zip(range(n)[index], g))
    return {index % n: g}


def add_at(acc, g, x, index):
    """acc + getitem_grad(g, x, index), added into `acc` itself where it is an array.

    Emitted only for adjoints agc owns outright (see compiler/backend/in_place.py); repeated
    fancy indices add up, as in getitem_grad. Returns the accumulator.
    """
    kind = type(acc)
    if kind is dict and type(x) is list and type(index) is int:  # a list's sparse adjoint
        key = index % len(x)
        acc[key] = add(acc[key], g) if key in acc else g
        return acc
    if kind is tuple and type(index) is int:  # only that item changes: the others are kept
        return tuple(add(item, g) if i == index % len(acc) else item
                     for i, item in enumerate(acc))
    if kind is numpy.ndarray and (plain(index) or is_basic(index)
                                  and not adds_axes_only(index)):
        if type(g) is not numpy.ndarray:
            acc[index] += g  # a number
        elif g.size >= _MANY and _many_short_rows(view := acc[index]):
            numpy.add(view, g, out=view, order="F")  # by columns
        elif g.size:  # an empty slice (x[1:, :0]) adds nothing
            view = acc[index]
            if type(view) is numpy.ndarray:
                view += g  # a view of acc: written already, no copy back as `acc[index] +=`
            else:
                acc[index] += g
        return acc
    if kind is numpy.ndarray and adds_axes_only(index):
        acc += numpy.reshape(g, acc.shape)  # x[:, None]: g is x's cotangent with axes added
        return acc
    if kind is numpy.ndarray and not is_mask(index):
        rows = summed_rows(acc.shape, index, g) if acc.dtype == numpy.float64 else None
        if rows is not None:
            acc += rows
        else:
            numpy.add.at(acc, index, g)
        return acc
    return add(acc, getitem_grad(g, x, index))


# Rows from this many up are "many" (and a cotangent of fewer items than _MANY never
# takes that path: small arrays pay one comparison). In numpy's own order, writing g into
# the view x[:, 0:3] of 2000 rows runs the inner loop once per row (35 us); Fortran order
# runs it once per column (10 us), and each element is the same.
_LONG = 64
_MANY = 2 * _LONG


def _many_short_rows(view) -> bool:
    """Whether `view` (x[index]) is a 2-d array of many rows of under 8 items."""
    return type(view) is numpy.ndarray and view.ndim == 2 and view.shape[1] < 8 \
        and view.shape[0] >= _LONG


def _assign_basic(xp, out, index, g) -> None:
    """out[index] = g for a basic index; new axes (None) are dropped from both sides."""
    index = whole(index)
    if any(i is None for i in index):  # the Array API assigns through no new axes
        index = tuple(i for i in index if i is not None)
        if hasattr(g, "shape"):
            g = xp.reshape(g, out[index].shape)  # the dropped axes all have length one
    out[index] = g


def summed_rows(shape: tuple, index, g):
    """zeros(shape) with g's rows added at the rows `index` names, repeats summed
    (numpy.add.at's result); None where that fast path does not apply: index not one
    1-D integer array within range, g not float64 shaped like x[index]."""
    if type(index) is tuple and len(index) == 1:
        index = index[0]
    if type(index) is not numpy.ndarray or index.ndim != 1 or not _intp_safe(index.dtype) \
            or type(g) is not numpy.ndarray or g.dtype != numpy.float64 or not shape \
            or g.shape != index.shape + tuple(shape[1:]) or not index.size:
        return None
    rows = shape[0]
    if index.min() < 0 or index.max() >= rows:
        return None  # negative positions wrap, and out-of-range ones raise, in add.at
    width = g.size // index.size
    if width == 1:
        return numpy.bincount(index, g.reshape(-1), minlength=rows).reshape(shape)
    if g.ndim == 2 and width < 16:  # a bincount per column: no flat index of n * width
        out = numpy.empty(shape)
        for column in range(width):
            out[:, column] = numpy.bincount(index, g[:, column], minlength=rows)
        return out
    flat = (index[:, None] * width + numpy.arange(width)).reshape(-1)
    return numpy.bincount(flat, g.reshape(-1), minlength=rows * width).reshape(shape)


def _intp_safe(dtype) -> bool:
    """Integers bincount takes: signed ones, and unsigned ones narrower than 64 bits."""
    return dtype.kind == "i" or (dtype.kind == "u" and dtype.itemsize < 8)


def index_add(y, v, index):
    """numpy.add.at(y, index, v) on a copy of y: v added at index, a repeated position once
    per occurrence, in order (the sums numpy.add.at makes, in y's dtype)."""
    out = y.copy()
    array_module(out).add.at(out, index, v)
    return out
