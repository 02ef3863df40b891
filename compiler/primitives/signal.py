"""np.interp and np.convolve: numpy's values, jax's derivatives (runtime/signal.py).

interp(x, xp, fp) is piecewise linear: its cotangents are those of the segment
each x lies on (rt.interp_grad, for x, xp and fp in turn); its tangent is
slope * (x_dot - interp(x, xp, xp_dot)) + interp(x, xp, fp_dot), the same
segments. convolve(a, v, mode) is bilinear: its cotangents correlate the full
cotangent with the other operand (rt.convolve_grad), its tangent is the
convolution of each tangent with the other operand.
"""

from __future__ import annotations

import numpy as np
import sympy

from ..errors import UnsupportedError
from ..ir.prims import Prim
from ..proof.values import arr, sym
from .gradient_tangents import linear_in, multilinear_in
from .registry import jvp, meaning, vjp
from .tangents import multilinear


def _edges(s) -> dict:
    """interp's left= and right= (the constants outside xp), where given."""
    return {k: s.params.get(k) for k in ("left", "right")}


@vjp(Prim.INTERP)
def _interp(b, g, s):
    x, xp, fp = s.args
    return tuple(b.op(Prim.INTERP_GRAD, g, x, xp, fp, which=k, **_edges(s)) for k in range(3))


@jvp(Prim.INTERP)
def _interp_jvp(b, t, s):
    x, xp, fp = s.args
    moved = t[0]
    constant = {"left": 0.0, "right": 0.0}  # the tangent of a given left= / right= is 0
    if t[1] is not None:  # the knots move: x's place on its segment moves back
        along = b.op(Prim.INTERP, x, xp, t[1], **constant)
        moved = b.neg(along) if moved is None else b.sub(moved, along)
    total = None if moved is None else b.op(Prim.INTERP_GRAD, moved, x, xp, fp, which=0)
    if t[2] is not None:
        given = {k: 0.0 for k, v in _edges(s).items() if v is not None}
        part = b.op(Prim.INTERP, x, xp, t[2], **given)
        total = part if total is None else b.add(total, part)
    return total


@jvp(Prim.INTERP_GRAD)
def _interp_grad_jvp(b, t, s):
    """Linear in g; x's slope is also linear in fp; t (the place on a segment) moves with x
    and xp, which second derivatives do not follow."""
    which = s.params.get("which")
    if t[1] is not None and which != 0 or t[2] is not None:
        raise UnsupportedError("second derivatives of np.interp with respect to x or xp "
                               "(other than x's own, which is zero)", s.loc,
                               "take second derivatives with respect to fp only")
    if which == 0:
        return multilinear_in(0, 3)(b, t, s)
    return linear_in(0)(b, t, s)


def _segment(run, s, xv, knots):
    """jax's segment of a number x: (its left knot, whether inside, whether below)."""
    n = len(knots)
    right = min(max(int(np.searchsorted(knots, xv, side="right")), 1), n - 1)
    run.path.constant(f"np.interp's segment at line {s.loc.line}")
    return right - 1, knots[0] <= xv <= knots[-1], xv < knots[0]


def _weights(run, s, x, xp, fp):
    """Per x: (left knot k, t, slope, inside, below), exact."""
    knots = np.asarray(run.point.evaluate(xp), dtype=float)
    xs, xp, fp = arr(x), arr(xp), arr(fp)
    out = np.empty(xs.shape, dtype=object)
    for index in np.ndindex(xs.shape):
        xv = float(run.point.evaluate(xs[index]))
        k, inside, below = _segment(run, s, xv, knots)
        width = xp[k + 1] - xp[k]
        flat = knots[k + 1] == knots[k]
        t = sympy.Integer(0) if flat else (xs[index] - xp[k]) / width
        slope = (fp[k + 1] - fp[k]) / width if inside and not flat else sympy.Integer(0)
        out[index] = (k, t, slope, inside, below)
    return out


@meaning(Prim.INTERP)
def _interp_meaning(run, s, x, xp, fp):
    fp = arr(fp)

    left, right = s.params.get("left"), s.params.get("right")

    def value(k, t, slope, inside, below):
        if not inside and below:
            return fp[0] if left is None else sym(left)
        if not inside:
            return fp[-1] if right is None else sym(right)
        return fp[k] + t * (fp[k + 1] - fp[k])

    out = np.vectorize(lambda w: value(*w), otypes=[object])(_weights(run, s, x, xp, fp))
    return out if np.ndim(x) else out[()]


@meaning(Prim.INTERP_GRAD)
def _interp_grad_meaning(run, s, g, x, xp, fp):
    weights = _weights(run, s, x, xp, fp)
    g = np.broadcast_to(arr(g), weights.shape)
    which = s.params.get("which")
    if which == 0:
        return np.vectorize(lambda gi, w: sym(gi) * w[2], otypes=[object])(g, weights)
    out = np.full(np.shape(xp), sympy.Integer(0), dtype=object)
    for index in np.ndindex(weights.shape):
        k, t, slope, inside, below = weights[index]
        gi = sym(g[index])
        if which == 1:
            out[k] += gi * slope * (t - 1)
            out[k + 1] -= gi * slope * t
        elif inside:
            out[k] += gi * (1 - t)
            out[k + 1] += gi * t
        elif s.params.get("left" if below else "right") is None:
            out[0 if below else -1] += gi
    return out


@vjp(Prim.CONVOLVE)
def _convolve(b, g, s):
    a, v = s.args
    mode = s.params.get("mode") or "full"
    return (b.op(Prim.CONVOLVE_GRAD, g, a, v, mode=mode),
            b.op(Prim.CONVOLVE_GRAD, g, v, a, mode=mode))


def _full(a, v) -> np.ndarray:
    """The full convolution of two exact 1-d arrays."""
    out = np.full(len(a) + len(v) - 1, sympy.Integer(0), dtype=object)
    for i, ai in enumerate(a):
        for j, vj in enumerate(v):
            out[i + j] += ai * vj
    return out


def _start(n: int, m: int, mode: str) -> int:
    """Where np.convolve's `mode` slice starts in the full convolution."""
    return {"full": 0, "same": (min(n, m) - 1) // 2, "valid": min(n, m) - 1}[mode]


@meaning(Prim.CONVOLVE)
def _convolve_meaning(run, s, a, v):
    a, v = arr(a), arr(v)
    mode = s.params.get("mode") or "full"
    n, m = len(a), len(v)
    length = {"full": n + m - 1, "same": max(n, m), "valid": max(n, m) - min(n, m) + 1}[mode]
    start = _start(n, m, mode)
    return _full(a, v)[start:start + length]


@meaning(Prim.CONVOLVE_GRAD)
def _convolve_grad_meaning(run, s, g, a, v):
    g, a, v = arr(g), arr(a), arr(v)
    n, m = len(a), len(v)
    full = np.full(n + m - 1, sympy.Integer(0), dtype=object)
    start = _start(n, m, s.params.get("mode") or "full")
    full[start:start + len(g)] = g
    return np.array([sum((full[i + j] * v[j] for j in range(m)), sympy.Integer(0))
                     for i in range(n)], dtype=object)


jvp(Prim.CONVOLVE)(multilinear)
jvp(Prim.CONVOLVE_GRAD)(multilinear_in(0, 2))
