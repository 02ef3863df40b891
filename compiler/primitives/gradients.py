"""Gradient helpers that only derivative rules emit: unbroadcast, seed, add, and the
spreading of reductions' and elementwise kinks' cotangents (sum_grad, maxmin_grad, ...).

None of them is differentiated (their Specs say so) and all are written
`rt.NAME(...)` from their Spec's form. Each symbolic meaning mirrors its
numeric counterpart in runtime/grads.py (scatter.py, or runtime/__init__.py) on object
arrays of sympy expressions; where the runtime tests a value (a tie of a max,
the sign of abs, the bounds of clip) the test is made at the example point.
tests/test_verify.py checks each against the runtime on numbers.
"""

from __future__ import annotations

import operator

import numpy as np
import sympy

from .. import runtime
from ..ir.prims import Prim
from ..proof.values import (
    SymbolicError,
    arithmetic,
    arr,
    elementwise,
    holds,
    shape_of,
    sign_at,
    sym,
)
from .elementwise_kinks import bounded
from .reductions import matrix_axes, matrix_norm
from .registry import meaning

ZERO = sympy.Integer(0)


def unbroadcast(g: object, like: object) -> object:
    """g summed back to the shape of `like` (runtime `unbroadcast`)."""
    g = sym(g)
    if not isinstance(like, np.ndarray):
        return np.sum(g) if isinstance(g, np.ndarray) and g.shape else g
    shape = like.shape
    if shape_of(g) == shape:
        return g
    g = arr(g)
    if g.ndim > len(shape):
        g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    g = arr(g)
    if g.ndim == len(shape):
        axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        if axes:
            g = g.sum(axis=axes, keepdims=True)
    return g if g.shape == shape else np.array(np.broadcast_to(g, shape))


def zeros_like(x: object) -> object:
    """A zero of the kind of `x` (runtime `zeros_like`)."""
    if isinstance(x, tuple):
        return tuple(zeros_like(v) for v in x)
    if isinstance(x, (dict, list)):
        return {}
    if isinstance(x, np.ndarray):
        out = np.empty(x.shape, dtype=object)
        out.fill(ZERO)
        return out
    return ZERO


def add(a: object, b: object) -> object:
    """a + b of adjoints, tuples item by item and dicts key by key (runtime `add`)."""
    if isinstance(b, dict) and not isinstance(a, dict):
        a, b = b, a
    if isinstance(a, (dict, list, tuple)) and not isinstance(b, (dict, list, tuple)) and b == ZERO:
        return a  # a symbolic zero for a container's adjoint adds nothing
    if isinstance(a, dict):
        b = dict(enumerate(b)) if isinstance(b, (list, tuple)) else b
        merged = dict(a)
        for key, value in b.items():
            merged[key] = add(merged[key], value) if key in merged else value
        return merged
    if isinstance(a, (tuple, list)):
        return type(a)(add(x, y) for x, y in zip(a, b))
    return arithmetic(operator.add, a, b)


def complete_like(grad: object, like: object) -> object:
    """A gradient with the structure of `like`, zeros where nothing arrived."""
    return runtime.complete_like(grad, like, zeros_like)


# ------------------------------------------------------ seeds and adjoints
@meaning(Prim.UNBROADCAST)
def _unbroadcast(run, s, g, like):
    return unbroadcast(g, like)


@meaning(Prim.KEPT_SHAPE, Prim.KEPT_LIKE)
def _kept_shape(run, s, x):
    return x  # it stands in for x wherever it is read: unbroadcast's shape, getitem_grad's x


@meaning(Prim.ZERO_LIKE)
def _zero_like(run, s, x):
    return zeros_like(x)


def zero_tangent(x: object) -> object:
    """A zero tangent of the structure of `x` (runtime `zero_tangent`)."""
    if isinstance(x, (tuple, list)):
        return type(x)(zero_tangent(v) for v in x)
    if isinstance(x, dict):
        return {k: zero_tangent(v) for k, v in x.items()}
    return zeros_like(x)


@meaning(Prim.ZERO_TANGENT)
def _zero_tangent(run, s, x):
    return zero_tangent(x)


@meaning(Prim.BROADCAST_LIKE)
def _broadcast_like(run, s, t, out):
    if not isinstance(out, np.ndarray) or shape_of(t) == out.shape:
        return t
    return np.array(np.broadcast_to(arr(t), out.shape))


@meaning(Prim.ADD_ANY)
def _add_any(run, s, a, b):
    return add(a, b)


@meaning(Prim.SEED)
def _seed(run, s, out, given):
    if given is not None:
        return given
    if int(np.prod(shape_of(out))) != 1:
        raise SymbolicError(f"the output has shape {shape_of(out)}: a seed is needed")
    return np.ones_like(out) * sympy.Integer(1) if isinstance(out, np.ndarray) else sympy.Integer(1)


@meaning(Prim.COMPLETE_LIKE)
def _complete_like(run, s, grad, like):
    return complete_like(grad, like)


@meaning(Prim.COMPLETE_PATHS)
def _complete_paths(run, s, grad, like, paths):
    return runtime.complete_paths(grad, like, paths, zeros_like)


@meaning(Prim.CAST_LIKE)
def _cast_like(run, s, g, like):
    return g  # the symbolic run has no dtypes to cast to


# -------------------------------------------------------------- reductions
def expand(g: object, x: np.ndarray, axis, keepdims) -> np.ndarray:
    """A reduced value reshaped to broadcast against `x` (runtime `_expand`)."""
    g = arr(g)
    if axis is None or keepdims:
        return g
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return np.expand_dims(g, tuple(a % x.ndim for a in axes))


def _axes(s) -> tuple:
    return s.params.get("axis"), bool(s.params.get("keepdims"))


@meaning(Prim.REDUCE_GRAD)
def _sum_grad(run, s, g, x):
    if not isinstance(x, np.ndarray):
        return g
    return np.array(np.broadcast_to(expand(g, x, *_axes(s)), x.shape))


@meaning(Prim.MEAN_GRAD)
def _mean_grad(run, s, g, x):
    if not isinstance(x, np.ndarray):
        return g
    full = _sum_grad(run, s, g, x)
    count = x.size // max(1, int(np.prod(expand(g, x, *_axes(s)).shape)))
    return full / sympy.Integer(count)


@meaning(Prim.ADD_SUM_GRAD)
def _add_sum_grad(run, s, acc, g, x):
    return add(acc, _sum_grad(run, s, g, x))  # emission's in-place form of acc + sum_grad


@meaning(Prim.ADD_MEAN_GRAD)
def _add_mean_grad(run, s, acc, g, x):
    return add(acc, _mean_grad(run, s, g, x))  # emission's in-place form of acc + mean_grad


@meaning(Prim.MAXMIN_GRAD)
def _maxmin_grad(run, s, g, x, out):
    if not isinstance(x, np.ndarray):
        return g
    hit = run.point.evaluate(x) == run.point.evaluate(expand(out, x, *_axes(s)))
    count = hit.sum(axis=s.params.get("axis"), keepdims=True)
    share = expand(g, x, *_axes(s)) / count.astype(object)
    return np.where(hit, share, ZERO)


@meaning(Prim.PROD_GRAD)
def _prod_grad(run, s, g, x, out):
    if not isinstance(x, np.ndarray):
        return g
    return expand(g, x, *_axes(s)) * _product_of_others(sym(x), s.params.get("axis"))


def _product_of_others(x: np.ndarray, axis) -> np.ndarray:
    """Each entry's product of the others along `axis` (runtime `prod_grad`, zeros included)."""
    axes = tuple(range(x.ndim)) if axis is None else \
        tuple(a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis))
    ends = tuple(range(x.ndim - len(axes), x.ndim))
    moved = np.moveaxis(x, axes, ends)
    rows = moved.reshape(-1, int(np.prod([x.shape[a] for a in axes])))
    out = np.empty(rows.shape, dtype=object)
    for r, row in enumerate(rows):
        for j in range(len(row)):
            out[r, j] = sympy.Mul(*row[:j], *row[j + 1:])
    return np.moveaxis(out.reshape(moved.shape), ends, axes)


@meaning(Prim.NORM_GRAD)
def _norm_grad(run, s, g, x, out):
    order = s.params.get("ord")
    if matrix_norm(s, x) and order in (1, -1, np.inf, -np.inf):
        return _matrix_sum_norm_grad(run, s, g, x, out)
    if matrix_norm(s, x) and order != "fro":
        raise SymbolicError(f"the matrix norm ord={order!r} has no symbolic meaning")
    norm, ge = expand(out, x, *_axes(s)), expand(g, x, *_axes(s))
    if order in (None, 2, "fro"):
        safe = np.where(run.point.evaluate(norm) == 0, sympy.Integer(1), norm)
        return ge * sym(x) / safe
    signs = elementwise(lambda a: sympy.Integer(sign_at(run, a)), x)
    if order == 1:
        return ge * signs
    if order == 0:
        return ge * ZERO
    magnitudes = signs * sym(x)
    if order in (np.inf, -np.inf):
        hit = np.abs(run.point.evaluate(x)) == run.point.evaluate(norm)
        count = hit.sum(axis=s.params.get("axis"), keepdims=True)
        return ge * signs * np.where(hit, sympy.Integer(1), ZERO) / count.astype(object)
    p = sympy.nsimplify(order)
    return ge * signs * elementwise(lambda a, n: (a / n) ** (p - 1), magnitudes, norm)


def _matrix_sum_norm_grad(run, s, g, x, out):
    """Matrix norms 1, -1, inf, -inf (runtime `_matrix_norm_grad`): sign(x) times the
    cotangent, shared among the tied largest (smallest) column or row sums."""
    axes = matrix_axes(s, x)
    summed = axes[0] if s.params.get("ord") in (1, -1) else axes[1]
    keep = {"axis": axes, "keepdims": bool(s.params.get("keepdims"))}
    ge, norm = expand(g, x, **keep), expand(out, x, **keep)
    signs = elementwise(lambda a: sympy.Integer(sign_at(run, a)), x)
    # the sums as the norm's meaning builds them, so that the chosen one evaluates equal
    sums = np.sum(elementwise(lambda a: sign_at(run, a) * a, x), axis=summed, keepdims=True)
    hit = run.point.evaluate(sums) == run.point.evaluate(norm)  # tied columns (rows)
    count = np.sum(hit, axis=axes, keepdims=True).astype(object)
    return ge * signs * (np.where(hit, sympy.Integer(1), ZERO) / count)


# -------------------------------------------------------- elementwise kinks
@meaning(Prim.CLIP_GRAD)
def _clip_grad(run, s, g, x, lo, hi):
    def inside(a, low, high):
        return (low is None or holds(run, ">=", a, low)) and \
            (high is None or holds(run, "<=", a, high))

    mask = bounded(inside, x, lo, hi)
    if isinstance(mask, np.ndarray):
        return np.where(mask.astype(bool), arr(g), ZERO)
    return sym(g) if mask else ZERO * sym(g)


@meaning(Prim.ABS_GRAD)
def _abs_grad(run, s, g, x):
    return elementwise(lambda gi, xi: sign_at(run, xi) * gi, g, x)  # builtin abs takes arrays too


@meaning(Prim.POW_EXPONENT_GRAD)
def _pow_exponent_grad(run, s, g, x, out):
    def piece(gi, xi, oi):
        return gi * oi * sympy.log(xi) if holds(run, ">", xi, ZERO) else ZERO * gi

    return elementwise(piece, g, x, out)


# ----------------------------------------------------------- linear algebra
@meaning(Prim.MATMUL_GRAD_LEFT)
def _matmul_grad_left(run, s, g, x, y):
    g, xd, yd = sym(g), np.ndim(x), np.ndim(y)
    if xd == 0 or yd == 0:
        return unbroadcast(g * sym(y), x)
    if yd == 1:
        grad = np.multiply.outer(g, sym(y)) if xd >= 2 else g * sym(y)
    elif xd == 1:
        grad = np.matmul(sym(y), np.expand_dims(g, -1))[..., 0] if yd > 2 else np.matmul(sym(y), g)
    else:
        grad = np.matmul(g, np.swapaxes(sym(y), -1, -2))
    return unbroadcast(grad, x)


@meaning(Prim.MATMUL_GRAD_RIGHT)
def _matmul_grad_right(run, s, g, x, y):
    g, xd, yd = sym(g), np.ndim(x), np.ndim(y)
    if xd == 0 or yd == 0:
        return unbroadcast(g * sym(x), y)
    if xd == 1:
        grad = np.multiply.outer(sym(x), g) if yd >= 2 else g * sym(x)
    elif yd == 1:
        grad = np.matmul(np.swapaxes(sym(x), -1, -2), np.expand_dims(g, -1))[..., 0]
    else:
        grad = np.matmul(np.swapaxes(sym(x), -1, -2), g)
    return unbroadcast(grad, y)


def _contracted_axis(y_ndim: int, s) -> int:
    return y_ndim - 1 if s.params.get("inner") or y_ndim == 1 else y_ndim - 2


@meaning(Prim.DOT_GRAD_LEFT)
def _dot_grad_left(run, s, g, x, y):
    xd, yd = np.ndim(x), np.ndim(y)
    if xd == 0 or yd == 0:
        return unbroadcast(sym(g) * sym(y), x)
    k = _contracted_axis(yd, s)
    free_y = [a for a in range(yd) if a != k]
    return np.tensordot(arr(sym(g)), sym(y), axes=(list(range(xd - 1, xd - 1 + len(free_y))),
                                                   free_y))


@meaning(Prim.DOT_GRAD_RIGHT)
def _dot_grad_right(run, s, g, x, y):
    xd, yd = np.ndim(x), np.ndim(y)
    if xd == 0 or yd == 0:
        return unbroadcast(sym(g) * sym(x), y)
    lead = list(range(xd - 1))
    return np.moveaxis(np.tensordot(sym(x), arr(sym(g)), axes=(lead, lead)), 0,
                       _contracted_axis(yd, s))
