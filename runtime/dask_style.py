"""`DaskStyle`: dask.array under numpy's names, and the indexing emitted code needs of it.

Emitted code calls numpy's functions on the array module of its arguments.
On dask arrays (alone or mixed with numpy ones: small parameters, chunked
data) `rt.array_module` returns this adapter: dask.array's own function where
it has one (lazy, chunked), numpy's otherwise (numpy hands dask arrays to dask
through `__array_function__`). Nothing runs until the caller computes the
result.

Two things dask.array lacks that emitted code uses:

* `x[i, j]` with two integer index arrays, the form of softmax cross-entropy's
  `logp[np.arange(n), labels]` (dask raises "Don't yet support nd fancy
  indexing"). `gather_rows` computes it lazily, chunk by chunk, when the first
  index array picks, for each of its positions, a row in that position's own
  chunk (`np.arange(n)` does); a row outside it is an IndexError when the
  chunk is computed, never a silent wrong value. `install_row_indexing` makes
  dask's `Array.__getitem__` fall back to it where dask itself raised
  NotImplementedError, and nowhere else.
* the adjoint of that read: `scatter_rows` adds the cotangent back into zeros
  shaped like x, chunk by chunk (repeated positions accumulate, as
  `numpy.add.at`).

dask is imported only when a dask array is seen (`dask_style(module)`).
"""

from __future__ import annotations

import functools
import sys

import numpy

__all__ = ["DaskStyle", "dask_style", "gather_rows", "install_row_indexing", "is_dask",
           "is_row_index", "scatter_rows"]


def is_dask(value) -> bool:
    """Whether `value` is a dask collection (an array, or a dask scalar of one)."""
    return type(value).__module__.startswith("dask.")


@functools.lru_cache(maxsize=2)
def dask_style(dask_array) -> DaskStyle:
    """The (one) adapter over the dask.array module given; installs the row indexing."""
    install_row_indexing(dask_array.Array)
    return DaskStyle(dask_array)


class DaskStyle:
    """dask.array's functions under numpy's names; numpy's where dask has none."""

    def __init__(self, dask_array):
        self.da = dask_array
        self.__name__ = "dask.array"
        self.linalg = _Fallback(dask_array.linalg, numpy.linalg)

    def __repr__(self) -> str:
        return "<agc.runtime.dask_style.DaskStyle over dask.array>"

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self.da, name, None)
        if value is None:  # numpy's own, which dispatches dask arrays to dask
            value = getattr(numpy, name)
        setattr(self, name, value)  # looked up once per name
        return value


class _Fallback:
    """A submodule of dask.array (linalg) with numpy's functions where dask has none."""

    def __init__(self, first, second):
        self._first, self._second = first, second

    def __getattr__(self, name: str):
        value = getattr(self._first, name, None)
        return getattr(self._second, name) if value is None else value


# ------------------------------------------------------------------ x[i, j] by rows
def is_row_index(x, index) -> bool:
    """Whether x[index] is the row-wise pick `gather_rows` computes: one-dimensional
    integer index arrays of length x.shape[0] on the leading axes, then full slices."""
    items = index if isinstance(index, tuple) else (index,)
    arrays = [i for i in items if hasattr(i, "shape")]
    if len(arrays) < 2 or any(not hasattr(i, "shape") for i in items[:len(arrays)]):
        return False
    trailing = items[len(arrays):]
    if any(i is not Ellipsis and i != slice(None) for i in trailing):
        return False
    rows = x.shape[0]
    return all(i.ndim == 1 and i.shape[0] == rows and i.dtype.kind in "iu" for i in arrays) \
        and len(arrays) <= x.ndim


def _aligned(da, x, index):
    """x rechunked to one block across its other axes, and the index arrays as dask
    arrays chunked like x's rows, each shaped (n, 1, ...) to line up with x's blocks."""
    arrays = [i for i in (index if isinstance(index, tuple) else (index,)) if hasattr(i, "shape")]
    x = x.rechunk({axis: -1 for axis in range(1, x.ndim)})
    rows = x.chunks[0]
    unit = (1,) * (x.ndim - 1)
    columns = [da.asarray(i).rechunk((rows,)).reshape((-1, *unit)) for i in arrays]
    return x, columns


def _local_rows(first, start: int, count: int, total: int):
    """The row positions of a block's first index array, counted from the block's start."""
    rows = numpy.where(first < 0, first + total, first) - start
    if rows.size and (rows.min() < 0 or rows.max() >= count):
        position = int(numpy.argmax((rows < 0) | (rows >= count)))
        raise IndexError(
            f"x[i, j, ...] on a dask array: position {start + position} of the first index "
            f"picks row {int(first[position])}, outside the chunk of rows {start}:"
            f"{start + count} it lies in. agc computes this read chunk by chunk, so the "
            "first index array must pick each position's row within its own chunk (as "
            "np.arange(n) does); compute the index first, or gather with x.vindex")
    return rows


def _gather_block(block, first, *rest, total, block_info=None):
    start = block_info[0]["array-location"][0][0]
    rows = _local_rows(first.reshape(-1), start, block.shape[0], total)
    return block[(rows, *(i.reshape(-1) for i in rest))]


def gather_rows(x, index):
    """x[index] for a row-wise pick (see `is_row_index`), lazily, chunk by chunk."""
    da = sys.modules["dask.array"]
    x, columns = _aligned(da, x, index)
    count = len(columns)
    chunks = (x.chunks[0], *((n,) for n in x.shape[count:]))
    return da.map_blocks(_gather_block, x, *columns, total=x.shape[0], dtype=x.dtype,
                         chunks=chunks, drop_axis=list(range(1, count)),
                         meta=numpy.empty((0,) * len(chunks), x.dtype))


def _scatter_block(g, first, *rest, total, shape, out_dtype, block_info=None):
    start = block_info[0]["array-location"][0][0]
    count = block_info[None]["chunk-shape"][0]
    rows = _local_rows(first.reshape(-1), start, count, total)
    out = numpy.zeros((count, *shape[1:]), out_dtype)
    numpy.add.at(out, (rows, *(i.reshape(-1) for i in rest)), g.reshape(-1, *shape[len(rest) + 1:]))
    return out


def scatter_rows(g, x, index, dtype):
    """Zeros shaped like x with g added at the row-wise pick `index`, lazily (numpy.add.at
    per chunk: a chunk's rows receive only what its own positions picked)."""
    da = sys.modules["dask.array"]
    _, columns = _aligned(da, x, index)
    rows = columns[0].chunks[0]
    count = len(columns)
    picked = (x.shape[0], *x.shape[count:])  # the shape of x[index], which g may broadcast to
    g = da.broadcast_to(da.asarray(g), picked).rechunk({0: rows, **{a: -1 for a in
                                                                    range(1, len(picked))}})
    g = g.reshape((x.shape[0], *(1,) * (count - 1), *g.shape[1:]))
    chunks = (rows, *((n,) for n in x.shape[1:]))
    return da.map_blocks(_scatter_block, g, *columns, total=x.shape[0], shape=x.shape,
                         out_dtype=dtype, dtype=dtype, chunks=chunks, meta=numpy.empty((0,) * x.ndim, dtype))


def install_row_indexing(array_type) -> None:
    """Let dask's `Array.__getitem__` compute a row-wise pick (`gather_rows`) where it
    raises NotImplementedError for it; every other index keeps dask's own behaviour."""
    original = array_type.__getitem__
    if getattr(original, "agc_row_indexing", False):
        return

    @functools.wraps(original)
    def getitem(self, index):
        try:
            return original(self, index)
        except NotImplementedError:
            if not is_row_index(self, index):
                raise
            return gather_rows(self, index)

    getitem.agc_row_indexing = True
    array_type.__getitem__ = getitem
