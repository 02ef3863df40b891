"""The core of `Batched` (runtime/batched.py): the class, numpy's elementwise functions
and matmul on it, and the axis arithmetic that keeps the seed axis in front.

numpy's other functions are answered by the handlers that runtime/batched.py registers
in `HANDLERS`; a function without one raises `NotBatchable`.
"""

from __future__ import annotations

import numpy
from numpy.lib.mixins import NDArrayOperatorsMixin

from .arrays import SCALAR_TYPES

HANDLERS: dict = {}  # numpy function -> its meaning on batches (filled by runtime/batched.py)


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
        return transpose_items(self)

    @property
    def mT(self):
        """Each item with its last two axes swapped."""
        if self.ndim < 2:
            raise NotBatchable("mT of a batch of vectors")
        return Batched(numpy.swapaxes(self.data, -1, -2))

    def __len__(self) -> int:
        if not self.shape:
            raise NotBatchable("len() of a batch of numbers")
        return self.shape[0]

    def __getitem__(self, index):
        return Batched(self.data[(slice(None),) + _index(index)])

    def reshape(self, *shape, order="C"):
        """Each item reshaped."""
        return reshape_items(self, shape[0] if len(shape) == 1 else shape, order)

    def copy(self):
        """Each item copied (a write into the copy leaves this batch alone)."""
        return Batched(self.data.copy())

    def astype(self, dtype, copy=True):
        """Each item cast to `dtype`."""
        return Batched(self.data.astype(dtype, copy=copy))

    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        """Each item summed."""
        return reduce_items(numpy.sum, self, axis, dtype, out, keepdims)

    def __array__(self, *args, **kwargs):
        raise NotBatchable("a batch cannot become one numpy array")

    def __bool__(self):
        raise NotBatchable("the truth of a batch")

    def __float__(self):
        raise NotBatchable("float() of a batch")

    def __setitem__(self, index, value):
        full = (slice(None),) + _index(index)
        rank = self.data[full].ndim - 1  # the written region of one item
        if isinstance(value, Batched):
            size_of((self, value))
            if value.ndim > rank:
                raise NotBatchable("writing more axes than the region has")
            self.data[full] = lifted(value, rank)
        elif rank_of(value) <= rank:  # a plain value broadcasts from the right, as for one item
            self.data[full] = value
        else:
            raise NotBatchable("writing more axes than the region has")

    def __iter__(self):
        raise NotBatchable("iterating over a batch")

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        if method == "at" and ufunc.nin == 2 and len(inputs) == 3 and not kwargs:
            return _at(ufunc, *inputs)
        if method != "__call__" or kwargs or ufunc.nout != 1:
            raise NotBatchable(f"{ufunc.__name__}.{method} on a batch")
        if ufunc is numpy.matmul and out is None:
            return _matmul(*inputs)
        if ufunc.signature is not None:
            raise NotBatchable(f"{ufunc.__name__} on a batch")
        if out is not None:
            return _into(ufunc, inputs, out)
        return Batched(ufunc(*aligned(inputs)))

    def __array_function__(self, func, types, args, kwargs):
        handler = HANDLERS.get(func)
        if handler is None:
            raise NotBatchable(f"{func.__name__} on a batch")
        return handler(*args, **kwargs)


def size_of(values) -> int:
    sizes = {len(v.data) for v in values if isinstance(v, Batched)}
    if len(sizes) != 1:
        raise NotBatchable("batches of different sizes")
    return sizes.pop()


def plain(value):
    """A value beside a batch: a numpy array or a number (nothing that could hide one)."""
    if type(value) is numpy.ndarray or type(value) in SCALAR_TYPES:
        return value
    raise NotBatchable(f"a {type(value).__name__} beside a batch")


def rank_of(value) -> int:
    if type(value) is Batched:
        return value.data.ndim - 1
    return value.ndim if type(value) is numpy.ndarray else numpy.ndim(plain(value))


def lifted(value, rank: int):
    """The batch's array with unit axes after the seed axis up to `rank` item axes, so that
    broadcasting against arrays of at most `rank` axes leaves the seed axis alone."""
    data = value.data
    return data.reshape(data.shape[:1] + (1,) * (rank - value.ndim) + data.shape[1:])


def aligned(values) -> list:
    """The arguments of an elementwise function: batches lifted to the largest rank."""
    size_of(values)
    rank = max(rank_of(v) for v in values)
    return [lifted(v, rank) if isinstance(v, Batched) else v for v in values]


def item_axis(axis: int, ndim: int) -> int:
    """An item axis (negative allowed) as an axis of the batch's array."""
    if not -ndim <= axis < ndim:
        raise NotBatchable(f"axis {axis} out of range")
    return axis % ndim + 1


def item_axes(axis, ndim: int):
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, tuple):
        return tuple(item_axis(a, ndim) for a in axis)
    return item_axis(axis, ndim)


def _into(ufunc, inputs, out):
    """An in-place elementwise function (`a += b`): written into the batch `out`."""
    target = out[0] if len(out) == 1 else None
    if not isinstance(target, Batched) or max(rank_of(v) for v in inputs) > target.ndim:
        raise NotBatchable(f"{ufunc.__name__} into something other than a batch")
    ufunc(*aligned(tuple(inputs) + (target,))[:-1], out=target.data)
    return target


def _at(ufunc, target, index, value) -> None:
    """`ufunc.at(target, index, value)` (repeated positions apply each time), per seed."""
    if not isinstance(target, Batched):
        raise NotBatchable(f"{ufunc.__name__}.at into something other than a batch")
    full = (slice(None),) + _index(index)
    region = target.data[full].ndim - 1
    if rank_of(value) > region:
        raise NotBatchable("writing more axes than the region has")
    size_of((target, value))
    ufunc.at(target.data, full, lifted(value, region) if isinstance(value, Batched) else value)


def _index(index) -> tuple:
    """`index` as a tuple to put after the seed axis's slice. Integer and boolean arrays
    must stand next to each other: numpy moves separated ones to the front, which would
    put their axes before the seed axis."""
    index = index if isinstance(index, tuple) else (index,)
    arrays = [i for i, part in enumerate(index) if _is_array_index(part)]
    if arrays:
        index = tuple(numpy.asarray(p) if isinstance(p, list) else p for p in index)
        advanced = [i for i, part in enumerate(index)
                    if _is_array_index(part) or isinstance(part, (int, numpy.integer))]
        if advanced != list(range(advanced[0], advanced[0] + len(advanced))):
            raise NotBatchable("separated array indices on a batch")
    for part in index:
        if isinstance(part, (bool, numpy.bool_)) or not (
                part is None or part is Ellipsis or _is_array_index(part)
                or isinstance(part, (slice, int, numpy.integer))):
            raise NotBatchable(f"an index of type {type(part).__name__} on a batch")
    return index


def _is_array_index(part) -> bool:
    if isinstance(part, list):
        return True
    return type(part) is numpy.ndarray and part.dtype.kind in "iub"


def _matmul(a, b):
    """Each item's a @ b: vectors made matrices, the seed axis ahead of every stacked axis."""
    size_of((a, b))
    ra, rb = rank_of(a), rank_of(b)
    if ra == 0 or rb == 0:
        raise NotBatchable("matmul of a number")
    a = _with_axis(a, -2) if ra == 1 else a
    b = _with_axis(b, -1) if rb == 1 else b
    stack = max(rank_of(a), rank_of(b))
    out = numpy.matmul(*[lifted(v, stack) if isinstance(v, Batched) else v for v in (a, b)])
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


def reduce_items(fn, a, axis=None, dtype=None, out=None, keepdims=False, **rest):
    if out is not None or rest or not isinstance(a, Batched):
        raise NotBatchable(f"{fn.__name__} with these arguments on a batch")
    return Batched(numpy.asarray(fn(a.data, axis=item_axes(axis, a.ndim), dtype=dtype,
                                    keepdims=keepdims)))


def reshape_items(a, shape, order="C"):
    if order != "C":
        raise NotBatchable("reshape in an order other than C")
    shape = (shape,) if isinstance(shape, (int, numpy.integer)) else tuple(shape)
    return Batched(a.data.reshape(a.data.shape[:1] + shape))


def transpose_items(a, axes=None):
    axes = tuple(range(a.ndim))[::-1] if axes is None else axes
    return Batched(a.data.transpose((0,) + tuple(item_axis(x, a.ndim) for x in axes)))
