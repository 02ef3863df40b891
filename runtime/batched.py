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
from numpy.lib.mixins import NDArrayOperatorsMixin

from .arrays import SCALAR_TYPES


class NotBatchable(TypeError):
    """An operation that `Batched` does not define: sweep the seeds one at a time."""


class Batched(NDArrayOperatorsMixin):
    """k arrays of one shape, stacked on a leading axis that the code it runs through
    does not see: `shape`, `ndim`, indexing and numpy's functions are those of one."""

    __slots__ = ("data",)
    __array_priority__ = 1000  # numpy arrays on the left defer to it

    def __init__(self, data):
        if type(data) is not numpy.ndarray or data.ndim == 0:
            raise NotBatchable("a batch is a numpy array with a leading seed axis")
        self.data = data

    @property
    def shape(self) -> tuple:
        """The shape of one item."""
        return self.data.shape[1:]

    @property
    def ndim(self) -> int:
        """The number of axes of one item."""
        return self.data.ndim - 1

    @property
    def size(self) -> int:
        """The number of elements of one item."""
        return int(numpy.prod(self.shape))

    @property
    def dtype(self):
        """The dtype of the items."""
        return self.data.dtype

    @property
    def T(self):
        """Each item transposed."""
        return _transpose(self)

    def __len__(self) -> int:
        if not self.shape:
            raise NotBatchable("len() of a batch of numbers")
        return self.shape[0]

    def __getitem__(self, index):
        return Batched(self.data[(slice(None),) + _basic_index(index)])

    def reshape(self, *shape, order="C"):
        """Each item reshaped."""
        return _reshape(self, shape[0] if len(shape) == 1 else shape, order)

    def astype(self, dtype, copy=True):
        """Each item cast to `dtype`."""
        return Batched(self.data.astype(dtype, copy=copy))

    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        """Each item summed."""
        return _reduce(numpy.sum, self, axis, dtype, out, keepdims)

    def __array__(self, *args, **kwargs):
        raise NotBatchable("a batch cannot become one numpy array")

    def __bool__(self):
        raise NotBatchable("the truth of a batch")

    def __float__(self):
        raise NotBatchable("float() of a batch")

    def __setitem__(self, index, value):
        raise NotBatchable("writing into a batch")

    def __iter__(self):
        raise NotBatchable("iterating over a batch")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs or ufunc.nout != 1:
            raise NotBatchable(f"{ufunc.__name__}.{method} on a batch")
        if ufunc is numpy.matmul:
            return _matmul(*inputs)
        if ufunc.signature is not None:
            raise NotBatchable(f"{ufunc.__name__} on a batch")
        return Batched(ufunc(*_aligned(inputs)))

    def __array_function__(self, func, types, args, kwargs):
        handler = _HANDLERS.get(func)
        if handler is None:
            raise NotBatchable(f"{func.__name__} on a batch")
        return handler(*args, **kwargs)


def stacked(items) -> Batched:
    """A batch of the arrays `items` (all of one shape and dtype)."""
    return Batched(numpy.stack([numpy.asarray(i) for i in items]))


def _size(values) -> int:
    sizes = {len(v.data) for v in values if isinstance(v, Batched)}
    if len(sizes) != 1:
        raise NotBatchable("batches of different sizes")
    return sizes.pop()


def _plain(value):
    """A value beside a batch: a numpy array or a number (nothing that could hide one)."""
    if type(value) is numpy.ndarray or type(value) in SCALAR_TYPES:
        return value
    raise NotBatchable(f"a {type(value).__name__} beside a batch")


def _rank(value) -> int:
    if type(value) is Batched:
        return value.data.ndim - 1
    return value.ndim if type(value) is numpy.ndarray else numpy.ndim(_plain(value))


def _lifted(value, rank: int):
    """The batch's array with unit axes after the seed axis up to `rank` item axes, so that
    broadcasting against arrays of at most `rank` axes leaves the seed axis alone."""
    data = value.data
    return data.reshape(data.shape[:1] + (1,) * (rank - value.ndim) + data.shape[1:])


def _aligned(values) -> list:
    """The arguments of an elementwise function: batches lifted to the largest rank."""
    _size(values)
    rank = max(_rank(v) for v in values)
    return [_lifted(v, rank) if isinstance(v, Batched) else v for v in values]


def _axis(axis: int, ndim: int) -> int:
    """An item axis (negative allowed) as an axis of the batch's array."""
    if not -ndim <= axis < ndim:
        raise NotBatchable(f"axis {axis} out of range")
    return axis % ndim + 1


def _axes(axis, ndim: int):
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, tuple):
        return tuple(_axis(a, ndim) for a in axis)
    return _axis(axis, ndim)


def _basic_index(index) -> tuple:
    """`index` as a tuple of ints, slices, None and Ellipsis; anything else is refused (an
    advanced index moves axes around, and could move the seed axis)."""
    index = index if isinstance(index, tuple) else (index,)
    for part in index:
        if not (part is None or part is Ellipsis or isinstance(part, (slice, int, numpy.integer))
                and not isinstance(part, bool)):
            raise NotBatchable("an advanced index on a batch")
    return index


def _matmul(a, b):
    """Each item's a @ b: vectors made matrices, the seed axis ahead of every stacked axis."""
    _size((a, b))
    ra, rb = _rank(a), _rank(b)
    if ra == 0 or rb == 0:
        raise NotBatchable("matmul of a number")
    a = _with_axis(a, -2) if ra == 1 else a
    b = _with_axis(b, -1) if rb == 1 else b
    stack = max(_rank(a), _rank(b))
    out = numpy.matmul(*[_lifted(v, stack) if isinstance(v, Batched) else v for v in (a, b)])
    if rb == 1:
        out = out[..., 0]
    if ra == 1:  # the row axis: last if the column axis went, else second to last
        out = out[..., 0] if rb == 1 else out[..., 0, :]
    return Batched(out)


def _with_axis(value, where: int):
    """A vector as a one-row (-2) or one-column (-1) matrix."""
    if isinstance(value, Batched):
        return Batched(value.data[..., None, :] if where == -2 else value.data[..., None])
    return value[None, :] if where == -2 else value[:, None]


def _reduce(fn, a, axis=None, dtype=None, out=None, keepdims=False, **rest):
    if out is not None or rest or not isinstance(a, Batched):
        raise NotBatchable(f"{fn.__name__} with these arguments on a batch")
    return Batched(numpy.asarray(fn(a.data, axis=_axes(axis, a.ndim), dtype=dtype,
                                    keepdims=keepdims)))


def _reshape(a, shape, order="C"):
    if order != "C":
        raise NotBatchable("reshape in an order other than C")
    shape = (shape,) if isinstance(shape, (int, numpy.integer)) else tuple(shape)
    return Batched(a.data.reshape(a.data.shape[:1] + shape))


def _transpose(a, axes=None):
    axes = tuple(range(a.ndim))[::-1] if axes is None else axes
    return Batched(a.data.transpose((0,) + tuple(_axis(x, a.ndim) for x in axes)))


def _moveaxis(a, source, destination):
    def moved(axes):
        return _axes(tuple(axes), a.ndim) if isinstance(axes, (tuple, list)) \
            else _axis(axes, a.ndim)
    return Batched(numpy.moveaxis(a.data, moved(source), moved(destination)))


def _swapaxes(a, axis1, axis2):
    return Batched(numpy.swapaxes(a.data, _axis(axis1, a.ndim), _axis(axis2, a.ndim)))


def _expand_dims(a, axis):
    axes = axis if isinstance(axis, tuple) else (axis,)
    return Batched(numpy.expand_dims(a.data, _axes(tuple(axes), a.ndim + len(axes))))


def _squeeze(a, axis=None):
    if axis is None:
        axis = tuple(i for i, n in enumerate(a.shape) if n == 1)
    return Batched(numpy.squeeze(a.data, _axes(axis if isinstance(axis, tuple) else (axis,),
                                               a.ndim)))


def _broadcast_to(a, shape, subok=False):
    shape = (shape,) if isinstance(shape, (int, numpy.integer)) else tuple(shape)
    if not isinstance(a, Batched) or len(shape) < a.ndim:
        raise NotBatchable("broadcast_to onto fewer axes")
    return Batched(numpy.broadcast_to(_lifted(a, len(shape)), a.data.shape[:1] + shape))


def _joined(fn, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    """stack or concatenate of items: the plain ones repeated for each seed."""
    arrays = list(arrays)
    if out is not None or dtype is not None or axis is None or casting != "same_kind":
        raise NotBatchable(f"{fn.__name__} with these arguments on a batch")
    k = _size(arrays)
    datas = [v.data if isinstance(v, Batched)
             else numpy.broadcast_to(_plain(v), (k,) + numpy.shape(v)) for v in arrays]
    rank = datas[0].ndim - 1 + (fn is numpy.stack)
    return Batched(fn(datas, axis=_axis(axis, rank)))


def _where(condition, x, y):
    return Batched(numpy.where(*_aligned((condition, x, y))))


def _like(fn):
    def like(a, dtype=None, order="K", subok=True, shape=None):
        if shape is not None:
            raise NotBatchable(f"{fn.__name__} with a shape on a batch")
        return Batched(fn(a.data, dtype=dtype))
    return like


def _dot(a, b):
    if _rank(a) == 0 or _rank(b) == 0:
        return numpy.multiply(a, b)
    if _rank(a) > 2 or _rank(b) > 2:
        raise NotBatchable("dot of stacked matrices on a batch")
    return numpy.matmul(a, b)


def _outer(a, b, out=None):
    if out is not None:
        raise NotBatchable("outer with out= on a batch")
    return numpy.multiply(numpy.reshape(a, (-1, 1)), numpy.reshape(b, (1, -1)))


_HANDLERS = {
    numpy.shape: lambda a: a.shape,
    numpy.ndim: lambda a: a.ndim,
    numpy.sum: lambda a, *args, **kwargs: _reduce(numpy.sum, a, *args, **kwargs),
    numpy.mean: lambda a, *args, **kwargs: _reduce(numpy.mean, a, *args, **kwargs),
    numpy.reshape: _reshape,
    numpy.transpose: _transpose,
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
}
