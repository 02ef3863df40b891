"""What a worker runs for agc.distributed: one chunk's weighted value and gradient, and sums.

agc.distributed (the driver's side) builds the task graph; the tasks call these
functions, so a worker imports only agc.runtime (no libcst, no sympy, no dask).
"""

from __future__ import annotations

import numpy

from .tree import tree_add, tree_leaves_with_path, tree_map

__all__ = ["Shared", "added", "chunk_value_and_grad"]


class Shared:
    """What every chunk's task reads: the emitted value_and_grad, where the chunks go
    among its arguments, and the other arguments (the parameters)."""

    def __init__(self, value_and_grad, positions: tuple, args: tuple, names: tuple,
                 wrt: tuple):
        self.value_and_grad = value_and_grad
        self.positions = positions
        self.args = args
        self.names = names  # the loss's parameter names and wrt names, for error messages
        self.wrt = wrt


def chunk_value_and_grad(shared: Shared, k: int, start: int, weight: float, *chunk):
    """The weighted value and gradient of one chunk of rows (runs on a worker)."""
    args = list(shared.args)
    for position, block in zip(shared.positions, chunk):
        args[position] = block
    value, grads = shared.value_and_grad(*args)
    _check_finite(shared, value, grads, k, start, chunk)
    return value * weight, tree_map(lambda leaf: leaf * weight, grads)


def added(*parts):
    """The sum of (value, gradient) pairs."""
    value, grads = parts[0]
    for more_value, more_grads in parts[1:]:
        value, grads = value + more_value, tree_add(grads, more_grads)
    return value, grads


def _check_finite(shared: Shared, value, grads, k: int, start: int, chunk: tuple) -> None:
    """FloatingPointError naming chunk k and its first bad row when anything is NaN or inf."""
    named = {"loss": value, **dict(zip(shared.wrt, grads if len(shared.wrt) > 1 else (grads,)))}
    bad = [path for path, leaf in tree_leaves_with_path(named)
           if not numpy.all(numpy.isfinite(leaf))]
    if not bad:
        return
    stop = start + len(chunk[0])
    where = ""
    for position, block in zip(shared.positions, chunk):
        if block.dtype.kind in "fc":
            broken = ~numpy.isfinite(block.reshape(len(block), -1)).all(axis=1)
            if broken.any():
                row = start + int(numpy.argmax(broken))
                where = f": row {row} of {shared.names[position]} holds a NaN or an infinity"
                break
    names = ", ".join(path[2:-2] if path.count("[") == 1 else path for path in bad)
    raise FloatingPointError(
        f"chunk {k} (rows {start}:{stop}) gives a non-finite value of {names}{where}. "
        "Clean or drop that row (dask: x[da.isfinite(x).all(axis=1)]) and call again")
