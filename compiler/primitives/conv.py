"""Convolution and pooling (agc.nn, issue 19): conv1d, conv2d, max_pool2d, avg_pool2d,
adaptive_avg_pool2d, and the gradient helpers their rules emit.

The numeric code is runtime/conv.py and runtime/pooling.py (im2col and BLAS).
The symbolic meanings here are independent of it: each primitive is written
as its explicit sum of products, one term per (output, input, weight) index
triple that runtime.conv.Plan's geometry gives, and each gradient helper is
the same sum with the roles exchanged (a convolution is bilinear, a pooling
linear, max pooling linear once its choice of maxima is fixed). The choice of
a window's maximum is decided at the example point (the first maximum, as
torch), each comparison noted.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy

from ..ir.prims import Prim
from ..proof.values import arr, holds
from ..runtime.conv import conv_plan
from ..runtime.pooling import pool_plan
from .gradient_tangents import linear_in, multilinear_in
from .registry import jvp, meaning, vjp
from .tangents import linear, multilinear

CONVS = (Prim.CONV1D, Prim.CONV2D)


def _conv_options(s) -> dict:
    return dict(s.params.items)


# ------------------------------------------------------------------ rules
@vjp(*CONVS)
def _conv(b, g, s):
    x, w = s.args
    options = _conv_options(s)
    return (b.op(Prim.CONV_GRAD_X, g, x, w, **options),
            b.op(Prim.CONV_GRAD_W, g, x, w, **options))


@vjp(Prim.MAX_POOL2D)
def _max_pool(b, g, s):
    return (b.op(Prim.MAX_POOL2D_GRAD, g, s.args[0], **dict(s.params.items)),)


@vjp(Prim.AVG_POOL2D)
def _avg_pool(b, g, s):
    return (b.op(Prim.AVG_POOL2D_GRAD, g, s.args[0], **dict(s.params.items)),)


@vjp(Prim.ADAPTIVE_AVG_POOL2D)
def _adaptive_pool(b, g, s):
    return (b.op(Prim.ADAPTIVE_AVG_POOL2D_GRAD, g, s.args[0], **dict(s.params.items)),)


# conv is bilinear: conv(dx, w) + conv(x, dw); the average pools are linear
jvp(*CONVS)(multilinear)
jvp(Prim.AVG_POOL2D, Prim.ADAPTIVE_AVG_POOL2D)(linear)


@jvp(Prim.MAX_POOL2D)
def _max_pool_jvp(b, t, s):
    """The tangent at each window's first maximum (the entry max_pool2d_grad feeds)."""
    if t[0] is None:
        return None
    return b.op(Prim.MAX_POOL2D_JVP, t[0], s.args[0], **dict(s.params.items))


# The helpers, for second derivatives (ad/second.py): conv_grad_x is linear in g and in w
# (x gives only its shape), conv_grad_w in g and in x; the pools' helpers are linear in g
# (max pooling's choice of maxima is piecewise constant in x).
jvp(Prim.CONV_GRAD_X)(multilinear_in(0, 2))
jvp(Prim.CONV_GRAD_W)(multilinear_in(0, 1))
jvp(Prim.MAX_POOL2D_GRAD, Prim.MAX_POOL2D_JVP, Prim.AVG_POOL2D_GRAD,
    Prim.ADAPTIVE_AVG_POOL2D_GRAD)(linear_in(0))


# ----------------------------------------------------------- conv meanings
def _conv_terms(s, x, w):
    """The Plan of conv(x, w) and its (y index, x index, w index) product terms."""
    p, per_group = conv_plan(x, w, **_conv_options(s))
    n, _, h, wd = p.x4
    o, cg = w.shape[:2]
    (sh, sw), (dh, dw), (top, _), (left, _) = p.stride, p.dilation, p.pads[0], p.pads[1]
    terms = []
    for b_, oc, i, j, ci, a, k in itertools.product(
            range(n), range(o), range(p.out[0]), range(p.out[1]), range(cg),
            range(p.kernel[0]), range(p.kernel[1])):
        row, col = i * sh - top + a * dh, j * sw - left + k * dw
        if 0 <= row < h and 0 <= col < wd:  # a tap on the zero padding adds nothing
            terms.append(((b_, oc, i, j), (b_, (oc // per_group) * cg + ci, row, col),
                          (oc, ci, a, k)))
    return p, terms


def _w4(w):
    """A weight as (O, C/groups, kH, kW): conv1d's with a unit height."""
    w = arr(w)
    return w.reshape(w.shape[:2] + (1,) + w.shape[2:]) if w.ndim == 3 else w


def _zeros(shape) -> np.ndarray:
    return np.full(shape, sympy.Integer(0), dtype=object)


@meaning(*CONVS)
def _conv_meaning(run, s, x, w):
    p, terms = _conv_terms(s, arr(x), arr(w))
    x4, w4 = arr(x).reshape(p.x4), _w4(w)
    y = _zeros(p.x4[:1] + w4.shape[:1] + p.out)
    for yi, xi, wi in terms:
        y[yi] += x4[xi] * w4[wi]
    return y.reshape(p.shape)


@meaning(Prim.CONV_GRAD_X)
def _conv_grad_x(run, s, g, x, w):
    p, terms = _conv_terms(s, arr(x), arr(w))
    g4, w4 = arr(g).reshape(p.x4[:1] + _w4(w).shape[:1] + p.out), _w4(w)
    dx = _zeros(p.x4)
    for yi, xi, wi in terms:
        dx[xi] += g4[yi] * w4[wi]
    return dx.reshape(np.shape(x))


@meaning(Prim.CONV_GRAD_W)
def _conv_grad_w(run, s, g, x, w):
    p, terms = _conv_terms(s, arr(x), arr(w))
    g4, x4 = arr(g).reshape(p.x4[:1] + _w4(w).shape[:1] + p.out), arr(x).reshape(p.x4)
    dw = _zeros(_w4(w).shape)
    for yi, xi, wi in terms:
        dw[wi] += g4[yi] * x4[xi]
    return dw.reshape(np.shape(w))


# ----------------------------------------------------------- pool meanings
def _windows(s, x):
    """The Plan of a pooling of x and, per output index, its taps inside x (not padding)."""
    p = pool_plan(x, **dict(s.params.items))
    n, c, h, w = p.x4
    (sh, sw), (top, _), (left, _) = p.stride, p.pads[0], p.pads[1]
    windows = {}
    for b_, ch, i, j in itertools.product(range(n), range(c), range(p.out[0]), range(p.out[1])):
        windows[b_, ch, i, j] = [
            (b_, ch, i * sh - top + a, j * sw - left + k)
            for a, k in itertools.product(range(p.kernel[0]), range(p.kernel[1]))
            if 0 <= i * sh - top + a < h and 0 <= j * sw - left + k < w]
    return p, windows


def _first_max(run, x4, taps):
    """The tap holding the window's first maximum at the point, each comparison noted."""
    values = [run.point.evaluate(x4[t]) for t in taps]
    best = int(np.argmax(values))
    for k, t in enumerate(taps):
        if k != best:  # strictly above the earlier taps, at least the later ones
            holds(run, ">" if k < best else ">=", x4[taps[best]], x4[t])
    return taps[best]


@meaning(Prim.MAX_POOL2D)
def _max_pool_meaning(run, s, x):
    p, windows = _windows(s, arr(x))
    x4 = arr(x).reshape(p.x4)
    y = _zeros(p.x4[:2] + p.out)
    for yi, taps in windows.items():
        y[yi] = x4[_first_max(run, x4, taps)]
    return y.reshape(p.shape)


@meaning(Prim.MAX_POOL2D_GRAD)
def _max_pool_grad(run, s, g, x):
    p, windows = _windows(s, arr(x))
    x4, g4 = arr(x).reshape(p.x4), arr(g).reshape(p.x4[:2] + p.out)
    dx = _zeros(p.x4)
    for yi, taps in windows.items():
        dx[_first_max(run, x4, taps)] += g4[yi]
    return dx.reshape(np.shape(x))


@meaning(Prim.MAX_POOL2D_JVP)
def _max_pool_jvp_meaning(run, s, v, x):
    p, windows = _windows(s, arr(x))
    x4 = arr(x).reshape(p.x4)
    v4 = np.broadcast_to(arr(v), np.shape(x)).reshape(p.x4)
    y = _zeros(p.x4[:2] + p.out)
    for yi, taps in windows.items():
        y[yi] = v4[_first_max(run, x4, taps)]
    return y.reshape(p.shape)


@meaning(Prim.AVG_POOL2D)
def _avg_pool_meaning(run, s, x):
    p, windows = _windows(s, arr(x))
    x4, share = arr(x).reshape(p.x4), sympy.Rational(1, p.kernel[0] * p.kernel[1])
    y = _zeros(p.x4[:2] + p.out)
    for yi, taps in windows.items():  # the padding's zeros count in the window's size
        y[yi] = sum((x4[t] for t in taps), sympy.Integer(0)) * share
    return y.reshape(p.shape)


@meaning(Prim.AVG_POOL2D_GRAD)
def _avg_pool_grad(run, s, g, x):
    p, windows = _windows(s, arr(x))
    g4, share = arr(g).reshape(p.x4[:2] + p.out), sympy.Rational(1, p.kernel[0] * p.kernel[1])
    dx = _zeros(p.x4)
    for yi, taps in windows.items():
        for t in taps:
            dx[t] += g4[yi] * share
    return dx.reshape(np.shape(x))


def _bins(size: int, out: int) -> list[range]:
    """torch's adaptive bins of one axis: floor(i*size/out) .. ceil((i+1)*size/out)."""
    return [range((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _adaptive_bins(s, x):
    """Per output position (row, col) of the last two axes: the rows and cols it averages."""
    size = s.params.get("output_size")
    oh, ow = (size, size) if isinstance(size, int) else size
    rows, cols = _bins(x.shape[-2], oh), _bins(x.shape[-1], ow)
    return {(i, j): (r, c) for (i, r), (j, c) in itertools.product(enumerate(rows),
                                                                    enumerate(cols))}


@meaning(Prim.ADAPTIVE_AVG_POOL2D)
def _adaptive_meaning(run, s, x):
    x, bins = arr(x), _adaptive_bins(s, arr(x))
    oh, ow = max(i for i, _ in bins) + 1, max(j for _, j in bins) + 1
    y = _zeros(x.shape[:-2] + (oh, ow))
    for (i, j), (rows, cols) in bins.items():
        y[..., i, j] = np.sum(x[..., rows.start:rows.stop, cols.start:cols.stop],
                              axis=(-2, -1)) / sympy.Integer(len(rows) * len(cols))
    return y


@meaning(Prim.ADAPTIVE_AVG_POOL2D_GRAD)
def _adaptive_grad(run, s, g, x):
    g, bins = arr(g), _adaptive_bins(s, arr(x))
    dx = _zeros(np.shape(x))
    for (i, j), (rows, cols) in bins.items():
        share = g[..., i, j] / sympy.Integer(len(rows) * len(cols))
        dx[..., rows.start:rows.stop, cols.start:cols.stop] += share[..., None, None]
    return dx
