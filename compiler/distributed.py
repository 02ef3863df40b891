"""agc.distributed: the gradient of a loss over a dataset in chunks, on a Dask cluster.

    grads = agc.distributed.grad_over_chunks(loss, x, y, w, client=client)

is `loss.grad(x, y, w)` where x and y are dask arrays too large for one machine:
the emitted gradient runs once per chunk of rows, on the workers, and the
per-chunk gradients are added up. A loss that is a mean over its rows
(`reduction="mean"`, the default) is the weighted sum of its chunks' means, each
chunk weighted by its share of the rows; a sum over rows (`reduction="sum"`) is
the plain sum. Either way the result is the single-machine gradient, up to the
order of float additions.

What travels: the compiled gradient and the arguments that are not dask arrays
(the parameters) are one task of the graph, computed once and copied to the
workers that need it (a task, not scattered data, so that it is computed again
if every worker holding it dies);
each task reads one chunk of rows and returns a gradient of the parameters'
size; the sums are formed on the workers, `split_every` at a time. The driver
holds the parameters and one gradient, never a chunk. A worker lost mid-way is
replaced by Dask, which computes its chunks again. A chunk whose loss or
gradient is not finite raises FloatingPointError naming the chunk, its rows and
the first row of the data that holds a NaN or an infinity.
"""

from __future__ import annotations

import uuid
from typing import Any

import dask
import numpy

from .api import Differentiated
from .errors import UsageError
from .runtime.chunked import Shared, added, chunk_value_and_grad
from .runtime.dask_style import is_dask

__all__ = ["grad_over_chunks", "value_and_grad_over_chunks"]

_REDUCTIONS = ("mean", "sum")


def grad_over_chunks(loss: Differentiated, *args: Any, reduction: str = "mean",
                     client: Any = None, split_every: int = 8) -> Any:
    """`loss.grad(*args)` with the dask arrays among `args` split into chunks of rows.

    Each chunk's gradient is computed where its rows are (on `client`'s workers,
    or Dask's current scheduler when `client` is None) and the gradients are
    added, each weighted by its chunk's share of the rows for `reduction="mean"`.
    """
    return value_and_grad_over_chunks(loss, *args, reduction=reduction, client=client,
                                      split_every=split_every)[1]


def value_and_grad_over_chunks(loss: Differentiated, *args: Any, reduction: str = "mean",
                               client: Any = None, split_every: int = 8) -> tuple[Any, Any]:
    """(loss value, gradient) over all rows, as `grad_over_chunks` computes them."""
    if not isinstance(loss, Differentiated):
        raise UsageError("grad_over_chunks takes a function decorated with @agc.differentiate")
    if reduction not in _REDUCTIONS:
        raise UsageError(f"reduction must be 'mean' or 'sum', not {reduction!r}")
    positions = [i for i, arg in enumerate(args) if is_dask(arg)]
    if not positions:
        raise UsageError("grad_over_chunks needs at least one dask array among the arguments "
                         "(the data, chunked by rows); for numpy data call loss.grad")
    blocks, rows = _row_blocks([args[i] for i in positions])
    total = sum(rows)
    compiled = loss._current(tuple(args))  # compiled here once: workers only run it
    shared = Shared(compiled.value_and_grad, tuple(positions),
                     tuple(None if is_dask(a) else a for a in args),
                     tuple(loss._names), tuple(str(name) for name in loss.wrt))
    # A task of the graph, not scattered data: the scheduler can compute it again when
    # the workers that hold it die (scattered data lost that way cancels every chunk,
    # and Dask's memory manager keeps only one replica of it). A key of its own per call.
    shared = dask.delayed(shared, name=f"agc-shared-{uuid.uuid4().hex}", traverse=False)
    starts = numpy.concatenate([[0], numpy.cumsum(rows)[:-1]]).tolist()
    level = [dask.delayed(chunk_value_and_grad, pure=True)(
                 shared, k, start, count / total if reduction == "mean" else 1.0, *chunk)
             for k, (start, count, chunk) in enumerate(zip(starts, rows, blocks))]
    while len(level) > 1:
        level = [dask.delayed(added, pure=True)(*level[k:k + split_every])
                 for k in range(0, len(level), max(2, split_every))]
    if client is not None:
        return client.compute(level[0]).result()
    return level[0].compute()


def _row_blocks(arrays: list) -> tuple[list[list], list[int]]:
    """Each chunk of rows of the arrays (as delayed numpy blocks, all arrays cut alike) and
    the number of rows in each: the arrays are rechunked to the first one's row chunks and
    to one block across every other axis."""
    first = arrays[0]
    count = first.shape[0]
    for array in arrays:
        if array.ndim == 0 or array.shape[0] != count:
            raise UsageError(f"grad_over_chunks: every dask argument needs the same number of "
                             f"rows; found shapes {[a.shape for a in arrays]}")
    rows = first.chunks[0]
    cut = [a.rechunk({0: rows, **{axis: -1 for axis in range(1, a.ndim)}}) for a in arrays]
    # not optimized one by one: fused apart, a chunk that two arrays share (y = f(x)) would be
    # computed twice
    blocks = [list(a.to_delayed(optimize_graph=False).ravel()) for a in cut]
    return [list(chunk) for chunk in zip(*blocks)], list(rows)
