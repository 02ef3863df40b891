"""Linear algebra: matmul (`@`), dot, inner, outer.

Where the ranks of both operands are known (and at most 2) the rule writes the
adjoint with transposes and products; otherwise the runtime decides from the
shapes: matmul_grad_left/right for `@`, dot_grad_left/right for dot and inner,
which are not matmul once an operand has three axes (numpy's dot sums over the
second-to-last axis of y, inner over the last axes of both). vdot and outer
are lowered onto dot and outer of flattened operands (frontend/calls.py).
"""

from __future__ import annotations

import numpy as np

from ..ir.prims import Prim
from ..proof.values import SymbolicError, sym
from .registry import jvp, meaning, vjp
from .tangents import multilinear


@vjp(Prim.MATMUL)
def _matmul(b, g, s):
    x, y = s.args
    return _matrix_rule(b, g, x, y) or \
        (b.op(Prim.MATMUL_GRAD_LEFT, g, x, y), b.op(Prim.MATMUL_GRAD_RIGHT, g, x, y))


@vjp(Prim.DOT)
def _dot_rule(b, g, s):
    x, y = s.args
    return _matrix_rule(b, g, x, y) or \
        (b.op(Prim.DOT_GRAD_LEFT, g, x, y), b.op(Prim.DOT_GRAD_RIGHT, g, x, y))


@vjp(Prim.INNER)
def _inner_rule(b, g, s):
    x, y = s.args
    ranks = (b.rank(x), b.rank(y))
    if ranks in ((1, 1), (2, 1)):  # inner(x, y) = x @ y for a vector y
        return _matrix_rule(b, g, x, y)
    if ranks == (1, 2):  # inner(x, Y) = Y @ x
        return b.op(Prim.MATMUL, g, y), b.mul(b.column(g), x)
    if ranks == (2, 2):  # inner(X, Y) = X @ Y.T
        return b.op(Prim.MATMUL, g, y), b.op(Prim.MATMUL, b.op(Prim.TRANSPOSE, g), x)
    return (b.op(Prim.DOT_GRAD_LEFT, g, x, y, inner=True),
            b.op(Prim.DOT_GRAD_RIGHT, g, x, y, inner=True))


def _matrix_rule(b, g, x, y):
    """The adjoints of x @ y for operands of known ranks 1 or 2 (None otherwise)."""
    ranks = (b.rank(x), b.rank(y))
    if ranks == (1, 1) and x == y:  # x . x: one contribution, 2 x g
        return b.scaled(2, g, x), None
    if ranks == (1, 1):  # x . y: a number
        return b.mul(g, y), b.mul(g, x)
    if ranks == (2, 1):  # matrix times vector
        return b.mul(b.column(g), y), b.op(Prim.MATMUL, g, x)
    if ranks == (1, 2):  # vector times matrix
        return b.op(Prim.MATMUL, y, g), b.mul(b.column(x), g)
    if ranks == (2, 2):
        x_t, y_t = b.op(Prim.TRANSPOSE, x), b.op(Prim.TRANSPOSE, y)
        return b.op(Prim.MATMUL, g, y_t), b.op(Prim.MATMUL, x_t, g)
    return None  # ranks unknown here (or batched): the runtime decides from the shapes


@meaning(Prim.MATMUL)
def _matmul_meaning(run, s, x, y):
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        raise SymbolicError(f"line {s.loc.line}: matmul of a scalar (numpy rejects it too)")
    return np.matmul(sym(x), sym(y))


@meaning(Prim.DOT)
def _dot(run, s, x, y):
    return np.dot(sym(x), sym(y))


@meaning(Prim.INNER)
def _inner(run, s, x, y):
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return sym(x) * sym(y)
    return np.tensordot(sym(x), sym(y), axes=(-1, -1))


@vjp(Prim.OUTER)
def _outer(b, g, s):
    x, y = s.args
    return b.op(Prim.MATMUL, g, y), b.op(Prim.MATMUL, x, g)


@meaning(Prim.OUTER)
def _outer_meaning(run, s, x, y):
    return np.outer(sym(x), sym(y))


jvp(Prim.MATMUL, Prim.DOT, Prim.INNER, Prim.OUTER)(multilinear)  # tangents: bilinear
