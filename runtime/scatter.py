"""Fast paths for scattering a cotangent into zeros or into an accumulator (numpy only).

`getitem_grad` and `add_at` (grads.py) take these first: a plain index (ints and
slices) assigns or adds directly, and rows picked by one integer array
(`cams[cam_idx]`, the gathers of bundle adjustment) are summed with
`numpy.bincount`, several times faster than `numpy.add.at` and the same sums:
both add the picked rows in order, from zero, in float64.
"""

from __future__ import annotations

import numpy


def plain(index) -> bool:
    """An int, a slice, or a tuple of ints and slices: a basic index that adds no axis."""
    kind = type(index)
    if kind is int or kind is slice:
        return True
    if kind is not tuple:
        return False
    for item in index:
        if type(item) is not int and type(item) is not slice:
            return False
    return True


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
    flat = (index[:, None] * width + numpy.arange(width)).reshape(-1)
    return numpy.bincount(flat, g.reshape(-1), minlength=rows * width).reshape(shape)


def _intp_safe(dtype) -> bool:
    """Integers bincount takes: signed ones, and unsigned ones narrower than 64 bits."""
    return dtype.kind == "i" or (dtype.kind == "u" and dtype.itemsize < 8)
