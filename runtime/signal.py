"""Gradient helpers of np.interp and np.convolve.

np.interp's derivative is jax's: x inside [xp[0], xp[-1]] lies on the segment
i - 1 .. i with i = searchsorted(xp, x, side="right") kept in 1 .. n - 1 (at a
knot, the segment to its right; at the last knot, the one to its left), where
f = fp[i-1] + t (fp[i] - fp[i-1]), t = (x - xp[i-1]) / (xp[i] - xp[i-1]). Outside
the range f is fp[0] or fp[-1], flat in x and xp. A segment of zero width gives
fp[i-1], flat too.

np.convolve(a, v, mode) is a slice of the full convolution; its cotangents
put g back in that full length and correlate it with the other operand.
"""

from __future__ import annotations

from .arrays import astype
from .dispatch import array_module as _xp
from .grads import _dtype


def _segments(x, xp_, fp):
    """For each x: the left knot's index, t, the segment's slope, where x is inside."""
    xp = _xp(x, xp_, fp)
    x = xp.asarray(x)
    n = xp_.shape[0]
    right = xp.clip(xp.searchsorted(xp_, x, side="right"), 1, n - 1)
    left = right - 1  # the segment's ends: knots left and right
    width = xp_[right] - xp_[left]
    flat = xp.abs(width) <= xp.spacing(xp.finfo(xp.result_type(xp_, 1.0)).eps)  # jax's test
    width = xp.where(flat, 1.0, width)
    t = xp.where(flat, 0.0, (x - xp_[left]) / width)
    inside = (x >= xp_[0]) & (x <= xp_[-1])
    slope = xp.where(inside & ~flat, (fp[right] - fp[left]) / width, 0.0)
    return left, t, slope, inside


def interp_grad(g, x, xp_, fp, which=0, left=None, right=None):
    """Cotangent of argument `which` (0: x, 1: xp, 2: fp) for y = np.interp(x, xp, fp, left,
    right): fp[0] and fp[-1] get nothing from outside xp where left, resp. right, is given."""
    xp = _xp(g, x, xp_, fp)
    knot, t, slope, inside = _segments(x, xp_, fp)  # knot: each x's segment's left end
    g = xp.broadcast_to(g, knot.shape)
    if which == 0:
        return astype(g * slope, _dtype(g, x))
    n = xp_.shape[0]
    if which == 1:  # d f / d xp[i-1] = slope (t - 1), d f / d xp[i] = -slope t
        lower, upper = g * slope * (t - 1.0), -g * slope * t
    else:  # fp[i-1] gets (1 - t), fp[i] gets t; fp[0] or fp[-1] all of it outside
        below = xp.asarray(x) < xp_[0]
        edge_left = 0.0 if left is not None else g  # a given left= is a constant
        edge_right = 0.0 if right is not None else g
        lower = xp.where(inside, g * (1.0 - t), xp.where(below, edge_left, 0.0))
        upper = xp.where(inside, g * t, xp.where(below, 0.0, edge_right))
        knot = xp.where(inside | below, knot, n - 2)
    spread = xp.bincount(knot.ravel(), lower.ravel(), minlength=n)
    spread = spread + xp.bincount(knot.ravel() + 1, upper.ravel(), minlength=n)[:n]
    return astype(spread, _dtype(g, fp if which == 2 else xp_))


def _full_length(g, a, v, mode):
    """g of np.convolve(a, v, mode) put back in the full convolution's length (zeros around)."""
    xp = _xp(g, a, v)
    n, m = a.shape[0], v.shape[0]
    full = n + m - 1
    if mode == "full":
        return g
    start = (min(n, m) - 1) // 2 if mode == "same" else min(n, m) - 1
    out = xp.zeros(full, dtype=xp.result_type(g, a, v))
    out[start:start + g.shape[0]] = g
    return out


def convolve_grad(g, a, v, mode="full"):
    """Cotangent of a for y = np.convolve(a, v, mode): the full g correlated with v."""
    xp = _xp(g, a, v)
    # numpy's convolve takes a number as a 1-d array of one; its cotangent is a number again
    row, other = xp.reshape(xp.asarray(a), (-1,)), xp.reshape(xp.asarray(v), (-1,))
    full = _full_length(xp.asarray(g), row, other, mode)
    grad = xp.reshape(xp.correlate(full, other, mode="valid"), xp.asarray(a).shape)
    return astype(grad, _dtype(g, a))
