"""`Batched`: k tangents (or cotangents) of one shape swept through emitted code at once.

A Jacobian needs one derivative sweep per seed (an input element in forward mode,
an output element in reverse mode). Where the sweep is linear in its seed, the
k seeds can travel together as one array with a leading axis of length k that
the code does not see: `Batched` holds that array and answers numpy's protocols
(`__array_ufunc__`, `__array_function__`) with what each seed alone would give,
moving the operands' axes so that numpy's broadcasting never pairs the seed axis
with one of theirs (jax's `vmap`, by hand, for the few functions emitted sweeps
use).

Only the operations listed here are defined; any other (a numpy function not
listed, `np.asarray`, `float()`, writing into it) raises `NotBatchable`, and the
caller sweeps the seeds one at a time instead. A batch gives each seed's result
or fails: it never guesses. numpy only (a cupy sweep goes seed by seed).
"""

from __future__ import annotations

import numpy

from .batch_core import (
    HANDLERS,
    Batched,
    NotBatchable,
    aligned,
    item_axes,
    item_axis,
    lifted,
    plain,
    rank_of,
    reduce_items,
    reshape_items,
    size_of,
    transpose_items,
)

__all__ = ["Batched", "NotBatchable", "stacked"]


def stacked(items) -> Batched:
    """A batch of the arrays `items` (all of one shape and dtype)."""
    return Batched(numpy.stack([numpy.asarray(i) for i in items]))


def _moveaxis(a, source, destination):
    def moved(axes):
        return item_axes(tuple(axes), a.ndim) if isinstance(axes, (tuple, list)) \
            else item_axis(axes, a.ndim)
    return Batched(numpy.moveaxis(a.data, moved(source), moved(destination)))


def _swapaxes(a, axis1, axis2):
    return Batched(numpy.swapaxes(a.data, item_axis(axis1, a.ndim), item_axis(axis2, a.ndim)))


def _expand_dims(a, axis):
    axes = axis if isinstance(axis, tuple) else (axis,)
    return Batched(numpy.expand_dims(a.data, item_axes(tuple(axes), a.ndim + len(axes))))


def _squeeze(a, axis=None):
    if axis is None:
        axis = tuple(i for i, n in enumerate(a.shape) if n == 1)
    return Batched(numpy.squeeze(a.data, item_axes(axis if isinstance(axis, tuple) else (axis,),
                                               a.ndim)))


def _broadcast_to(a, shape, subok=False):
    shape = (shape,) if isinstance(shape, (int, numpy.integer)) else tuple(shape)
    if not isinstance(a, Batched) or len(shape) < a.ndim:
        raise NotBatchable("broadcast_to onto fewer axes")
    return Batched(numpy.broadcast_to(lifted(a, len(shape)), a.data.shape[:1] + shape))


def _joined(fn, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    """stack or concatenate of items: the plain ones repeated for each seed."""
    arrays = list(arrays)
    if out is not None or dtype is not None or axis is None or casting != "same_kind":
        raise NotBatchable(f"{fn.__name__} with these arguments on a batch")
    k = size_of(arrays)
    datas = [v.data if isinstance(v, Batched)
             else numpy.broadcast_to(plain(v), (k,) + numpy.shape(v)) for v in arrays]
    rank = datas[0].ndim - 1 + (fn is numpy.stack)
    return Batched(fn(datas, axis=item_axis(axis, rank)))


def _where(condition, x, y):
    return Batched(numpy.where(*aligned((condition, x, y))))


def _like(fn):
    def like(a, dtype=None, order="K", subok=True, shape=None):
        if shape is not None:
            raise NotBatchable(f"{fn.__name__} with a shape on a batch")
        return Batched(fn(a.data, dtype=dtype))
    return like


def _dot(a, b):
    if rank_of(a) == 0 or rank_of(b) == 0:
        return numpy.multiply(a, b)
    if rank_of(a) > 2 or rank_of(b) > 2:
        raise NotBatchable("dot of stacked matrices on a batch")
    return numpy.matmul(a, b)


def _outer(a, b, out=None):
    if out is not None:
        raise NotBatchable("outer with out= on a batch")
    return numpy.multiply(numpy.reshape(a, (-1, 1)), numpy.reshape(b, (1, -1)))


def _einsum(subscripts, *operands, out=None, optimize=False, **rest):
    """Each item's einsum: the batches' subscripts and the output's take one more letter."""
    if out is not None or rest or not isinstance(subscripts, str) or "." in subscripts:
        raise NotBatchable("this form of einsum on a batch")
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    letters = inputs.replace(",", "")
    if not arrow:  # numpy's implicit output: the letters seen once, in alphabetical order
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    seed = next(c for c in "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA"
                if c not in letters)
    parts = inputs.split(",")
    if len(parts) != len(operands):
        raise NotBatchable("einsum's subscripts do not match its operands")
    size_of(operands)
    batched = [seed + p if isinstance(v, Batched) else p for p, v in zip(parts, operands)]
    datas = [v.data if isinstance(v, Batched) else plain(v) for v in operands]
    return Batched(numpy.asarray(numpy.einsum(",".join(batched) + "->" + seed + output, *datas,
                                              optimize=optimize)))


def _matrices(fn):
    """tril, triu: on the last two axes of each item (which must have two)."""
    def on_items(m, k=0):
        if not isinstance(m, Batched) or m.ndim < 2:
            raise NotBatchable(f"{fn.__name__} of a vector on a batch")
        return Batched(fn(m.data, k))
    return on_items


def _cumulative(fn):
    def on_items(a, axis=None, dtype=None, out=None):
        if out is not None or not isinstance(a, Batched):
            raise NotBatchable(f"{fn.__name__} with these arguments on a batch")
        if axis is None:  # of each item flattened
            return Batched(fn(a.data.reshape(len(a.data), -1), axis=1, dtype=dtype))
        return Batched(fn(a.data, axis=item_axis(axis, a.ndim), dtype=dtype))
    return on_items


def _take_along_axis(arr, indices, axis=-1):
    if not isinstance(arr, Batched) or axis is None or rank_of(indices) != arr.ndim:
        raise NotBatchable("take_along_axis with these arguments on a batch")
    indices = numpy.broadcast_to(plain(indices), arr.data.shape[:1] + numpy.shape(indices))
    return Batched(numpy.take_along_axis(arr.data, indices, item_axis(axis, arr.ndim)))


def _flip(m, axis=None):
    return Batched(numpy.flip(m.data, item_axes(axis, m.ndim)))


def _diagonal(a, offset=0, axis1=0, axis2=1):
    return Batched(numpy.diagonal(a.data, offset, item_axis(axis1, a.ndim), item_axis(axis2, a.ndim)))


def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    if out is not None:
        raise NotBatchable("trace with out= on a batch")
    return Batched(numpy.asarray(numpy.trace(a.data, offset, item_axis(axis1, a.ndim),
                                             item_axis(axis2, a.ndim), dtype)))


def _pad(array, pad_width, mode="constant", **kwargs):
    if not isinstance(array, Batched) or any(rank_of(v) for v in kwargs.values()):
        raise NotBatchable("pad with these arguments on a batch")
    widths = numpy.broadcast_to(numpy.asarray(pad_width, dtype=int), (array.ndim, 2))
    return Batched(numpy.pad(array.data, [(0, 0), *widths.tolist()], mode, **kwargs))


def _solve(a, b):
    """Each item's np.linalg.solve(a, b), for one matrix `a` per item and `b` a vector or a
    matrix per item (stacks of them go seed by seed: their axes would need lining up)."""
    size_of((a, b))
    if rank_of(a) != 2 or rank_of(b) not in (1, 2):
        raise NotBatchable("solve of stacked matrices on a batch")
    vector = rank_of(b) == 1
    a = a.data if isinstance(a, Batched) else plain(a)
    b = b.data if isinstance(b, Batched) else plain(b)
    if vector:
        b = b[..., None]  # a column: numpy reads a (k, n) array as k rows, not k vectors
    out = numpy.linalg.solve(a, b)  # a batch's seed axis broadcasts against a plain matrix
    return Batched(out[..., 0] if vector else out)


HANDLERS.update({
    numpy.shape: lambda a: a.shape,
    numpy.ndim: lambda a: a.ndim,
    numpy.sum: lambda a, *args, **kwargs: reduce_items(numpy.sum, a, *args, **kwargs),
    numpy.mean: lambda a, *args, **kwargs: reduce_items(numpy.mean, a, *args, **kwargs),
    numpy.reshape: reshape_items,
    numpy.transpose: transpose_items,
    numpy.moveaxis: _moveaxis,
    numpy.swapaxes: _swapaxes,
    numpy.expand_dims: _expand_dims,
    numpy.squeeze: _squeeze,
    numpy.broadcast_to: _broadcast_to,
    numpy.stack: lambda arrays, axis=0, **kwargs: _joined(numpy.stack, arrays, axis, **kwargs),
    numpy.concatenate: lambda arrays, axis=0, **kwargs: _joined(numpy.concatenate, arrays,
                                                                axis, **kwargs),
    numpy.where: _where,
    numpy.zeros_like: _like(numpy.zeros_like),
    numpy.dot: _dot,
    numpy.outer: _outer,
    numpy.einsum: _einsum,
    numpy.tril: _matrices(numpy.tril),
    numpy.triu: _matrices(numpy.triu),
    numpy.cumsum: _cumulative(numpy.cumsum),
    numpy.take_along_axis: _take_along_axis,
    numpy.flip: _flip,
    numpy.diagonal: _diagonal,
    numpy.trace: _trace,
    numpy.pad: _pad,
    numpy.copy: lambda a, order="K", subok=False: a.copy(),
    numpy.linalg.solve: _solve,
})
