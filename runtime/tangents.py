"""Helpers that emitted forward-mode (JVP) code calls: zero tangents and broadcasting.

A tangent has its primal's structure: an array for an array, a list of
tangents for a list, a number for a number.
"""

from __future__ import annotations

import numpy

from .arrays import astype, is_inexact
from .dispatch import array_module

FLOAT64 = numpy.dtype(numpy.float64)


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
    """The tangent `t` broadcast to the shape of the value `out` it belongs to, in out's
    floating dtype: `x32 + np.zeros(4)` is float64, and so is its tangent (jax's is too)."""
    dtype = getattr(out, "dtype", None)
    if dtype is None:  # a Python number (its tangent is float64, as it is) or a container
        return t if type(out) is not float or getattr(t, "dtype", FLOAT64) == FLOAT64 \
            else astype(t, FLOAT64)
    if getattr(t, "dtype", None) != dtype and is_inexact(dtype, array_module(out)):
        t = _in_dtype(t, dtype, out)
    if getattr(t, "shape", ()) == out.shape:
        return t
    return array_module(t, out).broadcast_to(t, out.shape)


def _in_dtype(t, dtype, out):
    """The tangent t (an array, or a number) in `dtype`: a numpy scalar stays one."""
    if hasattr(t, "dtype"):
        return astype(t, dtype)
    if isinstance(out, numpy.generic):
        return dtype.type(t)
    return array_module(out).asarray(t, dtype=dtype)


def cumprod_jvp(v, x, out, axis=None):
    """The tangent of y = cumprod(x, axis) along v, exact where x has zeros (no division):
    dy_0 = v_0 and dy_i = dy_(i-1) x_i + y_(i-1) v_i, the product rule along the axis."""
    xp = array_module(v, x)
    if not hasattr(x, "shape") or axis is None:  # cumprod of a number, or of x flattened
        flat = [xp.reshape(xp.asarray(a), (-1,)) for a in (v, x, out)]
        return cumprod_jvp(*flat, axis=0)
    vs, xs, ys = (xp.moveaxis(a, axis, 0) for a in (v, x, out))
    rows = []
    for i in range(xs.shape[0]):
        rows.append(vs[0] if i == 0 else rows[-1] * xs[i] + ys[i - 1] * vs[i])
    if not rows:
        return xp.zeros_like(out)
    return xp.moveaxis(xp.stack(rows), 0, axis)


def cumprod_grad_jvp(g, x, v, axis=None):
    """The tangent of cumprod_grad(g, x, axis) along v in x (g held), exact where x has zeros.

    cumprod_grad's x_i is P_(i-1) s_i with s_i = g_i + x_(i+1) s_(i+1); its tangent is
    dP_(i-1) s_i + P_(i-1) ds_i, with ds_i = v_(i+1) s_(i+1) + x_(i+1) ds_(i+1) (ds = 0 at
    the end) and dP the tangent of the cumulative products (cumprod_jvp).
    """
    xp = array_module(g, x, v)
    if not hasattr(x, "shape"):  # cumprod of a number: its cotangent g[0] does not move
        return 0 * g[0]
    if axis is None:  # of x flattened
        flat = cumprod_grad_jvp(g, xp.reshape(x, (-1,)), xp.reshape(v, (-1,)), 0)
        return xp.reshape(flat, x.shape)
    gs, xs, vs = (xp.moveaxis(a, axis, 0) for a in (g, x, v))
    n = xs.shape[0]
    if n == 0:
        return xp.zeros_like(g)
    prefix = xp.cumprod(xs, axis=0)
    moved = cumprod_jvp(vs, xs, prefix, axis=0)
    rows = [None] * n
    s, ds = gs[n - 1], 0 * gs[n - 1]
    for i in range(n - 1, -1, -1):
        if i < n - 1:
            s, ds = gs[i] + xs[i + 1] * s, vs[i + 1] * s + xs[i + 1] * ds
        rows[i] = ds if i == 0 else moved[i - 1] * s + prefix[i - 1] * ds
    return xp.moveaxis(xp.stack(rows), 0, axis)
