"""Linear algebra: matmul (`@`), dot, outer.

Where the ranks of both operands are known the rule writes the adjoint with
transposes and products; otherwise the runtime's matmul_grad_left/right
decide from the shapes.
"""

from __future__ import annotations

import numpy as np

from ..ir.prims import Prim
from ..proof.values import SymbolicError, sym
from .registry import meaning, vjp


@vjp(Prim.MATMUL, Prim.DOT)
def _matmul(b, g, s):
    x, y = s.args
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
    # Ranks unknown here (or batched): the runtime decides from the shapes.
    return b.op(Prim.MATMUL_GRAD_LEFT, g, x, y), b.op(Prim.MATMUL_GRAD_RIGHT, g, x, y)


@meaning(Prim.MATMUL)
def _matmul_meaning(run, s, x, y):
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        raise SymbolicError(f"line {s.loc.line}: matmul of a scalar (numpy rejects it too)")
    return np.matmul(sym(x), sym(y))


@meaning(Prim.DOT)
def _dot(run, s, x, y):
    return np.dot(sym(x), sym(y))


@vjp(Prim.OUTER)
def _outer(b, g, s):
    x, y = s.args
    return b.op(Prim.MATMUL, g, y), b.op(Prim.MATMUL, x, g)


@meaning(Prim.OUTER)
def _outer_meaning(run, s, x, y):
    return np.outer(sym(x), sym(y))
