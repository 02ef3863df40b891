"""Helpers that emitted forward-mode (JVP) code calls: zero tangents and broadcasting.

A tangent has its primal's structure: an array for an array, a list of
tangents for a list, a number for a number.
"""

from __future__ import annotations

from .arrays import is_inexact
from .dispatch import array_module


def zero_tangent(x):
    """A zero tangent shaped like `x`: 0.0 for numbers, zeros per item for containers."""
    if isinstance(x, (tuple, list)):
        return type(x)(zero_tangent(item) for item in x)
    if isinstance(x, dict):
        return {key: zero_tangent(value) for key, value in x.items()}
    if hasattr(x, "shape"):
        xp = array_module(x)
        if not is_inexact(x.dtype, xp):  # integers carry no tangent: float zeros, as jax's float0
            return xp.zeros(x.shape)
        return xp.zeros_like(x)
    return 0.0


def broadcast_like(t, out):
    """The tangent `t` broadcast to the shape of the value `out` it belongs to."""
    shape = getattr(out, "shape", ())
    if getattr(t, "shape", ()) == shape:
        return t
    if not shape and not hasattr(out, "shape"):  # a Python number: one number
        return t
    return array_module(t, out).broadcast_to(t, shape)
