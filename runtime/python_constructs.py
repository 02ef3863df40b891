"""Gradient helpers for the Python constructs of issue 13 (array-module neutral)."""

from __future__ import annotations


def unconcatenate_grad(g, xs, axis=0):
    """The list adjoint {i: cotangent} of xs for y = concatenate(xs, axis): g cut back into parts."""
    axis %= g.ndim
    out, start = {}, 0
    for i, x in enumerate(xs):
        stop = start + x.shape[axis]
        out[i] = g[(slice(None),) * axis + (slice(start, stop), Ellipsis)]
        start = stop
    return out
