"""Tangent (JVP) rules of the gradient helpers that are not linear in what they read.

gradient_tangents.py covers the helpers linear in the cotangent `g` and in a
second factor. The helpers here also divide by, or multiply with, the value
they differentiate (norm_grad divides by the norm, softmax_grad multiplies by
softmax). Each tangent is written with the helper itself where it can (the
product and quotient rules), so the emitted code reuses the helper's own
convention at its special points: norm_grad and hypot_grad never divide by a
zero norm, and std_grad's NaN at std 0 stays NaN.
"""

from __future__ import annotations

import math

from ..errors import UnsupportedError
from ..ir.builder import Builder
from ..ir.prims import Prim
from .gradient_tangents import linear_in
from .registry import jvp


def _with(b: Builder, s, replaced: dict):
    """The helper `s` again, with the arguments at the given positions replaced."""
    args = [replaced.get(i, a) for i, a in enumerate(s.args)]
    return b.apply(s.prim, args, s.params)


def _total(b: Builder, plus: list, minus: list):
    """sum(plus) - sum(minus), the None parts (no tangent) left out; None when all are."""
    total = None
    for part in plus:
        if part is not None:
            total = part if total is None else b.add(total, part)
    for part in minus:
        if part is not None:
            total = b.neg(part) if total is None else b.sub(total, part)
    return total


@jvp(Prim.HYPOT_GRAD)
def _hypot_grad(b: Builder, t: tuple, s):
    """d(g / r) = dg / r - (g / r) dr / r, each quotient by hypot_grad (0 where r = 0)."""
    dg, dr = t
    plus = [_with(b, s, {0: dg})] if dg is not None else []
    minus = [_with(b, s, {0: b.mul(s.target, dr)})] if dr is not None else []
    return _total(b, plus, minus)


@jvp(Prim.SOFTMAX_GRAD)
def _softmax_grad(b: Builder, t: tuple, s):
    """d(y (g - sum(g y))) = softmax_grad(dg, y) + dy (g - sum(g y)) - y sum(g dy)."""
    dg, dy = t
    g, y = s.args
    axis = s.params.get("axis")
    plus = [_with(b, s, {0: dg})] if dg is not None else []
    minus = []
    if dy is not None:
        inner = b.sub(g, b.op(Prim.SUM, b.mul(g, y), axis=axis, keepdims=True))
        plus.append(b.mul(dy, inner))
        minus.append(b.mul(y, b.op(Prim.SUM, b.mul(g, dy), axis=axis, keepdims=True)))
    return _total(b, plus, minus)


@jvp(Prim.LOG_SOFTMAX_GRAD)
def _log_softmax_grad(b: Builder, t: tuple, s):
    """d(g - exp(y) sum(g)) = log_softmax_grad(dg, y) - (g - the result) dy."""
    dg, dy = t
    g, _ = s.args
    plus = [_with(b, s, {0: dg})] if dg is not None else []
    minus = [b.mul(b.sub(g, s.target), dy)] if dy is not None else []
    return _total(b, plus, minus)


@jvp(Prim.LOGSUMEXP_GRAD)
def _logsumexp_grad(b: Builder, t: tuple, s):
    """w = g exp(a - out): dw = w(dg) + w da - w(g dout). The weights b are not read."""
    dg, da, dout = t[:3]
    g = s.args[0]
    plus = [_with(b, s, {0: dg})] if dg is not None else []
    if da is not None:
        plus.append(b.mul(s.target, da))
    minus = [_with(b, s, {0: b.mul(g, dout)})] if dout is not None else []
    return _total(b, plus, minus)


@jvp(Prim.STD_GRAD)
def _std_grad(b: Builder, t: tuple, s):
    """std_grad(g, x, y) = g (x - mean x) / ((n - ddof) y), linear in g and in x; the
    1 / y gives -std_grad(g dy / y, x, y) (NaN at y = 0, as the gradient itself)."""
    dg, dx, dy = t
    g, y = s.args[0], s.args[2]
    plus = [_with(b, s, {0: dg})] if dg is not None else []
    if dx is not None:
        plus.append(_with(b, s, {1: dx}))
    minus = [_with(b, s, {0: b.div(b.mul(g, dy), y)})] if dy is not None else []
    return _total(b, plus, minus)


_PIECEWISE_LINEAR = (1, 0, math.inf, -math.inf)  # g times a sign, a share or zero


@jvp(Prim.NORM_GRAD)
def _norm_grad(b: Builder, t: tuple, s):
    """norm_grad(g, x, n) = g x / n for the 2-norm: linear in g and in x, and its 1 / n
    gives -norm_grad(dn, the result, n); the ord 1, inf, -inf and 0 gradients are g
    times a piecewise-constant factor: linear in g."""
    order = s.params.get("ord")
    if order in _PIECEWISE_LINEAR:
        return linear_in(0)(b, t, s)
    if not _euclidean(b, s):
        raise UnsupportedError(f"second derivatives do not support np.linalg.norm with "
                               f"ord={order!r} yet", s.loc,
                               "the 2-norm and the ord 1, inf, -inf and 'fro' norms have them")
    dg, dx, dn = t
    plus = [_with(b, s, {0: dg})] if dg is not None else []
    if dx is not None:
        plus.append(_with(b, s, {1: dx}))
    minus = [_with(b, s, {0: dn, 1: s.target})] if dn is not None else []
    return _total(b, plus, minus)


def _euclidean(b: Builder, s) -> bool:
    """Whether norm_grad takes the 2-norm of vectors (or the Frobenius norm): sqrt(sum x^2)."""
    order, axis = s.params.get("ord"), s.params.get("axis")
    if order in (None, "fro"):
        return True
    return order == 2 and (isinstance(axis, int) or (axis is None and b.rank(s.args[1]) == 1))


@jvp(Prim.INV_GRAD)
def _inv_grad(b: Builder, t: tuple, s):
    """inv_grad(g, B) = -B^T g B^T, quadratic in B = inv(A): its tangent is
    inv_grad(dg, B) - dB^T g B^T - B^T g dB^T."""
    dg, d_inverse = t
    g, inverse = s.args
    plus = [_with(b, s, {0: dg})] if dg is not None else []
    minus = []
    if d_inverse is not None:
        bt, dbt = b.op(Prim.MATRIX_T, inverse), b.op(Prim.MATRIX_T, d_inverse)
        minus = [b.op(Prim.MATMUL, dbt, b.op(Prim.MATMUL, g, bt)),
                 b.op(Prim.MATMUL, bt, b.op(Prim.MATMUL, g, dbt))]
    return _total(b, plus, minus)


@jvp(Prim.DET_GRAD)
def _det_grad(b: Builder, t: tuple, s):
    """det_grad(g, A, det(A)) = g C(A), C the cofactor matrix: tangent dg C + g dC.

    det is det(A) (only det's own rule builds this helper), so its tangent is dA's too:
    rt.det_grad_jvp computes g dC from an SVD, exact at a singular A, where
    dC = d(det) inv(A)^T - det inv(A)^T dA^T inv(A)^T cancels huge terms."""
    dg, da, _ = t
    plus = [_with(b, s, {0: dg})] if dg is not None else []
    if da is not None:
        plus.append(b.op(Prim.DET_GRAD_JVP, s.args[0], da, s.args[1]))
    return _total(b, plus, [])
