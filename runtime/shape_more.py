"""Gradient helpers of tile, repeat, pad, sliding windows, column_stack / dstack, split,
take, take_along_axis and linspace (issue 13).

Each takes the cotangent `g` of the output and what it needs of the forward values,
and returns the cotangent of one input on the input's array module (numpy or cupy).
Repeated positions accumulate. The same functions also run on numpy object arrays of
sympy expressions: the prover's symbolic meanings call them (compiler/primitives/
shape_more.py), so the numbers and the proofs come from one piece of code.
"""

from __future__ import annotations

import itertools

import numpy

from .arrays import scatter_add
from .dispatch import array_module as _xp


def _shape(x) -> tuple:
    return tuple(getattr(x, "shape", ()))


def _dtype(g, x):
    """The dtype of x's cotangent: g's when floating (or symbolic), else x's, else float64."""
    for value in (g, x):
        dtype = getattr(value, "dtype", None)
        if dtype is not None and (dtype == object or getattr(dtype, "kind", "") in "fc"):
            return dtype
    return numpy.float64


def _zeros(xp, shape, g, x):
    return xp.zeros(shape, dtype=_dtype(g, x))


def _index_add(xp, out, index, g):
    """out with g added at the integer-array `index` over out's leading axes."""
    if xp is numpy:  # numpy (object arrays too): add.at accumulates repeated positions
        numpy.add.at(out, index, g)
        return out
    return scatter_add(xp, out, index, g)


def _axes(axis, ndim: int) -> tuple:
    return tuple(a % ndim for a in ((axis,) if isinstance(axis, int) else axis))


# ------------------------------------------------------------------ tile, repeat
def tile_grad(g, x, reps=1):
    """Cotangent of x for y = tile(x, reps): the copies summed onto x."""
    xp = _xp(g, x)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    shape = _shape(x)
    d = max(len(reps), len(shape))
    sizes = (1,) * (d - len(shape)) + shape
    counts = (1,) * (d - len(reps)) + reps
    pairs = tuple(n for pair in zip(counts, sizes) for n in pair)  # (copies, size) per axis
    summed = xp.sum(xp.reshape(g, pairs), axis=tuple(range(0, 2 * d, 2)))
    return xp.reshape(summed, shape)


def repeat_grad(g, x, repeats=1, axis=None):
    """Cotangent of x for y = repeat(x, repeats, axis): the repeats of each entry summed."""
    xp = _xp(g, x)
    shape = _shape(x)
    if axis is None:
        flat = repeat_grad(g, xp.reshape(x, (-1,)) if shape else xp.reshape(x, (1,)), repeats, 0)
        return xp.reshape(flat, shape)
    axis %= len(shape)
    n = shape[axis]
    moved = xp.moveaxis(g, axis, 0)
    rest = moved.shape[1:]
    counts = numpy.asarray(repeats.get() if hasattr(repeats, "get") and not isinstance(
        repeats, dict) else repeats)  # counts on the host (a cupy array: .get())
    if counts.size == 1:  # one count for every entry: a reshape and a sum
        summed = xp.sum(xp.reshape(moved, (n, int(counts.reshape(())), *rest)), axis=1)
    else:
        owner = numpy.repeat(numpy.arange(n), counts)  # the entry each output row came from
        summed = _index_add(xp, _zeros(xp, (n, *rest), g, x), xp.asarray(owner), moved)
    return xp.moveaxis(summed, 0, axis)


# ------------------------------------------------------------------ pad
def _pad_widths(pad_width, ndim: int) -> list[tuple[int, int]]:
    """numpy's pad_width forms (n, (n,), (before, after), one pair per axis) as one pair
    per axis, normalised as numpy.pad does."""
    widths = numpy.asarray(pad_width, dtype=int)
    if widths.size == 1:
        return [(int(widths.reshape(())),) * 2] * ndim
    if widths.ndim == 1 and widths.size == 2:
        return [(int(widths[0]), int(widths[1]))] * ndim
    return [(int(a), int(b)) for a, b in numpy.broadcast_to(widths, (ndim, 2))]


def pad_grad(g, x, pad_width=0, mode="constant"):
    """Cotangent of x for y = pad(x, pad_width, mode): each output entry's cotangent
    added to the entry of x it copies (edge, reflect, symmetric, wrap), none for the
    constant padding. Each mode reads x axis by axis, so the map is applied per axis."""
    xp = _xp(g, x)
    shape = _shape(x)
    widths = _pad_widths(pad_width, len(shape))
    for axis, ((before, after), n) in enumerate(zip(widths, shape)):
        moved = xp.moveaxis(g, axis, 0)
        if mode == "constant":
            part = moved[before:before + n]
        else:  # where each output position along this axis reads from
            source = numpy.pad(numpy.arange(n), (before, after), mode=mode)
            part = _index_add(xp, _zeros(xp, (n, *moved.shape[1:]), g, x),
                              xp.asarray(source), moved)
        g = xp.moveaxis(part, 0, axis)
    return g


# ------------------------------------------------------------------ sliding windows
def sliding_window_grad(g, x, window_shape=1, axis=None):
    """Cotangent of x for y = sliding_window_view(x, window_shape, axis): every window's
    cotangent added back where the window lies (overlapping windows accumulate)."""
    xp = _xp(g, x)
    shape = _shape(x)
    windows = (window_shape,) if isinstance(window_shape, int) else tuple(window_shape)
    axes = tuple(range(len(shape) - len(windows), len(shape))) if axis is None \
        else _axes(axis, len(shape))
    out = _zeros(xp, shape, g, x)
    for offsets in itertools.product(*(range(w) for w in windows)):
        index = [slice(None)] * len(shape)
        for a, o, w in zip(axes, offsets, windows):
            index[a] = slice(o, o + shape[a] - w + 1)
        out[tuple(index)] += g[(Ellipsis, *offsets)]
    return out


# ------------------------------------------------------------------ column_stack, dstack
def stacked_grad(g, *xs, how="column_stack", part=0):
    """Cotangent of the `part`-th input of y = column_stack(xs) or dstack(xs): its columns
    (its depth slices) of g, in its own shape."""
    axis, low = (1, 2) if how == "column_stack" else (2, 3)
    widths = [_shape(x)[axis] if len(_shape(x)) >= low else 1 for x in xs]
    start = sum(widths[:part])
    piece = g[(slice(None),) * axis + (slice(start, start + widths[part]),)]
    return _xp(g).reshape(piece, _shape(xs[part]))


# ------------------------------------------------------------------ split
def split_grad(g, x, indices_or_sections=1, axis=0):
    """Cotangent of x for parts = split(x, sections, axis) / array_split: each part's
    cotangent (a sparse {position: cotangent} or a list) added where the part lies."""
    xp = _xp(x)
    shape = _shape(x)
    axis %= len(shape)
    n = shape[axis]
    sections = indices_or_sections
    if isinstance(sections, int):  # numpy.array_split: the first n % sections parts are longer
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        bounds = list(itertools.accumulate([0, *sizes]))
    else:
        bounds = [0, *sections, n]
    out = None
    for i, (start, stop) in enumerate(itertools.pairwise(bounds)):
        part = g.get(i) if isinstance(g, dict) else (g[i] if isinstance(g, (list, tuple))
                                                     else None)
        if part is None or isinstance(part, (int, float)) and part == 0:
            continue
        if out is None:
            out = _zeros(xp, shape, part, x)
        index = (slice(None),) * axis + (slice(start, stop),)
        out[index] += part
    return _zeros(xp, shape, None, x) if out is None else out


# ------------------------------------------------------------------ meshgrid
def meshgrid_grad(g, x, part=0, count=1, indexing="xy"):
    """Cotangent of the `part`-th of `count` inputs of grids = meshgrid(*xs, indexing):
    its grid's cotangent (from the list's sparse adjoint) summed over the other axes."""
    grid = g.get(part) if isinstance(g, dict) else (g[part] if isinstance(g, (list, tuple))
                                                    else None)
    xp = _xp(x)
    if grid is None or not hasattr(grid, "shape"):
        return _zeros(xp, _shape(x), None, x)
    axis = 1 - part if indexing == "xy" and count >= 2 and part < 2 else part
    others = tuple(a for a in range(len(grid.shape)) if a != axis)
    return _xp(grid).reshape(_xp(grid).sum(grid, axis=others), _shape(x))


# ------------------------------------------------------------------ take, take_along_axis
def take_grad(g, x, indices, axis=None):
    """Cotangent of x for y = take(x, indices, axis): g added at the taken positions."""
    xp = _xp(g, x)
    shape = _shape(x)
    indices = xp.asarray(indices)
    if axis is None:
        flat = _zeros(xp, (max(1, int(numpy.prod(shape))),), g, x)
        flat = _index_add(xp, flat, xp.reshape(indices, (-1,)), xp.reshape(g, (-1,)))
        return xp.reshape(flat, shape)
    axis %= len(shape)
    rows = xp.reshape(g, (*shape[:axis], indices.size, *shape[axis + 1:]))
    moved = xp.moveaxis(rows, axis, 0)
    out = _zeros(xp, (shape[axis], *moved.shape[1:]), g, x)
    out = _index_add(xp, out, xp.reshape(indices, (-1,)), moved)
    return xp.moveaxis(out, 0, axis)


def along_axis_index(x, indices, axis=-1):
    """The index tuple at which numpy's take_along_axis reads and put_along_axis writes."""
    xp = _xp(x)
    shape = _shape(x)
    if axis is None:
        return (indices,)
    if len(_shape(indices)) != len(shape):  # numpy's own check (broadcasting would hide it)
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    axis %= len(shape)
    return tuple(indices if d == axis else
                 xp.reshape(xp.arange(shape[d]), (1,) * d + (-1,) + (1,) * (len(shape) - d - 1))
                 for d in range(len(shape)))


def diagonal_index(a, wrap=False):
    """The index tuple of the positions np.fill_diagonal(a, v, wrap) writes: a[i, i, ...],
    for a tall matrix with wrap=True also the diagonals below, after a skipped row."""
    xp = _xp(a)
    shape = _shape(a)
    if len(shape) < 2:
        raise ValueError("array must be at least 2-d")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    # numpy writes a.flat[:end:step]: step one past each axis's stride, in C order
    step = 1 + sum(int(numpy.prod(shape[d + 1:])) for d in range(len(shape) - 1)) \
        if len(shape) > 2 else shape[1] + 1
    end = None if wrap or len(shape) > 2 else shape[1] * shape[1]
    flat = numpy.arange(int(numpy.prod(shape)))[:end:step]
    return tuple(xp.asarray(i) for i in numpy.unravel_index(flat, shape))


def cycled_positions(value, index):
    """The positions of value.ravel() numpy's flat write takes for each written item:
    0, 1, ... and from 0 again when value runs out (np.fill_diagonal's v)."""
    size = int(numpy.prod(_shape(value)))
    count = len(index[0])
    if size == 0:
        raise ValueError("cannot fill the diagonal with an empty array")
    return _xp(value).asarray(numpy.arange(count) % size) if hasattr(value, "shape") \
        else numpy.arange(count) % size


def take_along_axis_grad(g, x, indices, axis=-1):
    """Cotangent of x for y = take_along_axis(x, indices, axis): g added at the taken
    positions (the other axes index themselves, as in numpy)."""
    xp = _xp(g, x)
    shape = _shape(x)
    if axis is None:
        return take_grad(g, x, indices, None)
    index = along_axis_index(x, indices, axis)
    out = _zeros(xp, shape, g, x)
    if xp is not numpy:  # scatter_add wants index arrays of g's shape
        index = tuple(xp.broadcast_to(i, g.shape) for i in index)
    return _index_add(xp, out, index, g)


# ------------------------------------------------------------------ linspace
def linspace_grad(g, like, num, endpoint=True, part=0):
    """Cotangent of start (part 0) or stop (part 1) for y = linspace(start, stop, num,
    endpoint): y[i] = start + (stop - start) * i / div, summed back to `like`'s shape."""
    xp = _xp(g)
    num = int(num)
    div = num - 1 if endpoint else num
    steps = numpy.arange(num) / div if div > 0 else numpy.zeros(num)
    weights = steps if part == 1 else 1 - steps
    weights = xp.asarray(weights.reshape((num,) + (1,) * (len(_shape(g)) - 1)))
    if getattr(g, "dtype", None) is not None and g.dtype != object:
        weights = weights.astype(g.dtype)
    total = xp.sum(g * weights, axis=0)
    shape = _shape(like)
    extra = len(_shape(total)) - len(shape)
    if extra:
        total = xp.sum(total, axis=tuple(range(extra)))
    keep = tuple(i for i, n in enumerate(shape) if n == 1 and _shape(total)[i] != 1)
    if keep:
        total = xp.sum(total, axis=keep, keepdims=True)
    return total if shape else (total[()] if hasattr(total, "shape") else total)


# ------------------------------------------------------------------ integer results
def inexact_only(g, out):
    """g where the forward value `out` is floating (or complex); a zero where it holds
    integers or booleans, which carry no derivative (as in jax)."""
    kind = getattr(getattr(out, "dtype", None), "kind", "f")
    if kind in "fcO":  # "O": the prover's symbolic arrays
        return g
    return 0.0 * g if hasattr(g, "shape") else 0.0
