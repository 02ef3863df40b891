"""Reductions: sum, mean, prod, norm, max, min, and argmax / argmin (no derivative).

A reduction's cotangent is spread back to its input's shape by a gradient
helper (sum_grad, mean_grad, ...), or left unspread where the input's own
rule multiplies it by an array of that shape anyway (see ad/unspread.py).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy

from .. import ir
from ..ir.prims import Prim
from ..proof.values import (
    SymbolicError,
    arr,
    at_point,
    elementwise,
    holds,
    shape_of,
    sign_at,
    sym,
)
from .registry import jvp, meaning, vjp
from .tangents import linear, weighted


def _axis(s: ir.Assign) -> dict:
    """A rule's axis params for the gradient helper it emits."""
    return {"axis": s.params.get("axis"), "keepdims": s.params.get("keepdims") or None}


def _np_axis(s) -> dict:
    """A meaning's axis arguments to numpy."""
    return {"axis": s.params.get("axis"), "keepdims": bool(s.params.get("keepdims"))}


# --------------------------------------------------------------- sum, mean
@vjp(Prim.SUM, Prim.MEAN)
def _sum(b, g, s):
    x = s.args[0]
    share = _share(b, g, s) if isinstance(x, ir.Var) and x.name in b.spread else None
    if share is not None:
        return (share,)
    prim = Prim.REDUCE_GRAD if s.prim is Prim.SUM else Prim.MEAN_GRAD
    return (b.op(prim, g, x, **_axis(s)),)


def _share(b, g, s) -> ir.Atom | None:
    """The cotangent of a spreadable operand (see ad/unspread.py), left unspread.

    x's own rule multiplies its cotangent by an array shaped like x, so a full
    reduction's cotangent stays one number, and a sum over one axis's is only
    given that axis back (a view) for broadcasting to do the rest.
    """
    like = b.spread[s.args[0].name]
    axis, keepdims = s.params.get("axis"), s.params.get("keepdims")
    if axis is None and s.prim is Prim.SUM:
        return b.number(g)
    if axis is None and (b.rank(like) or 0) >= 1:  # like.size counts the entries averaged
        return b.number(b.div(g, b.op(Prim.SIZE, like)))
    if s.prim is Prim.SUM and keepdims:
        return g
    if s.prim is Prim.SUM and type(axis) is int:
        return b.op(Prim.EXPAND_DIMS, g, axis=axis)
    return None


@meaning(Prim.SUM)
def _sum_meaning(run, s, x):
    return np.sum(sym(x), **_np_axis(s)) if isinstance(x, np.ndarray) else sym(x)


@meaning(Prim.MEAN)
def _mean_meaning(run, s, x):
    if not isinstance(x, np.ndarray):
        return sym(x)
    total = np.sum(sym(x), **_np_axis(s))
    return total / sympy.Integer(x.size // max(1, int(np.prod(shape_of(total)))))


# -------------------------------------------------------------- prod, norm
@vjp(Prim.PROD)
def _prod(b, g, s):
    return (b.op(Prim.PROD_GRAD, g, s.args[0], s.target, **_axis(s)),)


@meaning(Prim.PROD)
def _prod_meaning(run, s, x):
    return np.prod(sym(x), **_np_axis(s)) if isinstance(x, np.ndarray) else sym(x)


@vjp(Prim.NORM)
def _norm(b, g, s):
    order = s.params.get("ord")
    extra = {} if order is None else {"ord": order}
    return (b.op(Prim.NORM_GRAD, g, s.args[0], s.target, **_axis(s), **extra),)


def matrix_norm(s, x) -> bool:
    """Whether a NORM statement takes a matrix norm (an ord, and two axes)."""
    axis, order = s.params.get("axis"), s.params.get("ord")
    return order is not None and (np.ndim(x) == 2 if axis is None else
                                  not isinstance(axis, int) and len(axis) == 2)


@meaning(Prim.NORM)
def _norm_meaning(run, s, x):
    order = s.params.get("ord")
    if matrix_norm(s, x) and order in (1, -1, np.inf, -np.inf):
        return _matrix_sum_norm(run, s, x)
    if matrix_norm(s, x) and order != "fro":  # 2, -2, 'nuc': singular values (inconclusive)
        raise SymbolicError(f"line {s.loc.line}: the matrix norm ord={order!r} has no "
                            "symbolic meaning")
    if order == 0:  # a count of the non-zero entries: a constant at the point
        count = np.count_nonzero(at_point(run, s, x, "the 0-norm"), **_np_axis(s))
        return sympy.Integer(int(count)) if np.ndim(count) == 0 else sym(count)
    x = sym(x)
    if order in (None, 2, "fro"):
        squares = np.sum(x * x, **_np_axis(s)) if isinstance(x, np.ndarray) else x * x
        return elementwise(sympy.sqrt, squares)
    magnitudes = elementwise(lambda a: sign_at(run, a) * a, x)
    if order in (np.inf, -np.inf):
        return _extreme(run, dataclasses.replace(s, prim=Prim.MAX if order > 0 else Prim.MIN),
                        magnitudes)
    if order == 0:
        raise SymbolicError(f"line {s.loc.line}: the 0-norm (a count) has no symbolic meaning")
    p = sympy.nsimplify(order)
    powers = elementwise(lambda a: a ** p, magnitudes)
    total = np.sum(powers, **_np_axis(s)) if isinstance(powers, np.ndarray) else powers
    return elementwise(lambda t: t ** (1 / p), total)


def matrix_axes(s, x) -> tuple[int, int]:
    """The (row, column) axes of a matrix norm, non-negative."""
    axis = s.params.get("axis")
    return (0, 1) if axis is None else tuple(a % np.ndim(x) for a in axis)


def _matrix_sum_norm(run, s, x):
    """Matrix norms 1, -1 (the largest / smallest column sum of |x|), inf, -inf (rows')."""
    order = s.params.get("ord")
    rows, cols = matrix_axes(s, x)
    summed, kept = (rows, cols) if order in (1, -1) else (cols, rows)
    magnitudes = elementwise(lambda a: sign_at(run, a) * a, x)
    sums = np.sum(magnitudes, axis=summed)
    pick = Prim.MAX if order > 0 else Prim.MIN
    params = ir.Params.of(axis=kept - (summed < kept))
    out = _extreme(run, dataclasses.replace(s, prim=pick, params=params), sums)
    if s.params.get("keepdims"):
        return np.expand_dims(arr(out), tuple(sorted((rows, cols))))
    return out


# ----------------------------------------------------------------- max, min
@vjp(Prim.MAX, Prim.MIN)
def _max(b, g, s):
    return (b.op(Prim.MAXMIN_GRAD, g, s.args[0], s.target, **_axis(s)),)


@meaning(Prim.MAX, Prim.MIN)
def _extreme(run, s, x):
    if not isinstance(x, np.ndarray):
        return sym(x)
    axis, keepdims = s.params.get("axis"), bool(s.params.get("keepdims"))
    if axis is not None and not isinstance(axis, int):
        raise SymbolicError(f"line {s.loc.line}: max/min over several axes has no symbolic meaning")
    moved = (x.reshape(-1) if axis is None else np.moveaxis(x, axis, -1))
    rows = moved.reshape(-1, moved.shape[-1])
    pick = np.argmax if s.prim is Prim.MAX else np.argmin
    relation = ">=" if s.prim is Prim.MAX else "<="
    chosen = np.empty(len(rows), dtype=object)
    for r, row in enumerate(rows):
        k = int(pick(run.point.evaluate(row)))
        tied = [sym(row[k])]
        for j, other in enumerate(row):
            if j != k and holds(run, relation, row[k], other) and holds(run, "==", row[k], other):
                tied.append(sym(other))
        chosen[r] = sum(tied) / len(tied)  # tied entries share it evenly, as the rule does
    return _reduced_shape(chosen, x, axis, keepdims, moved.shape[:-1])


def _reduced_shape(chosen, x, axis, keepdims, rest):
    if axis is None:
        return chosen[0] if not keepdims else chosen.reshape((1,) * x.ndim)
    out = chosen.reshape(rest)
    if keepdims:
        return np.expand_dims(out, axis)
    return out[()] if out.ndim == 0 else out


# ------------------------------------------------------------ argmax, argmin
@meaning(Prim.ARGMAX, Prim.ARGMIN)
def _argmax(run, s, x):
    pick = np.argmax if s.prim is Prim.ARGMAX else np.argmin
    found = pick(at_point(run, s, x, s.prim.name.lower()), **_np_axis(s))
    return int(found) if np.ndim(found) == 0 else found


# ------------------------------------------------------ tangents (forward mode)
jvp(Prim.SUM, Prim.MEAN)(linear)
jvp(Prim.MAX, Prim.MIN, Prim.PROD, Prim.NORM)(weighted)
