"""Reductions: sum, mean, prod, norm, max, min, and argmax / argmin (no derivative).

A reduction's cotangent is spread back to its input's shape by a gradient
helper (sum_grad, mean_grad, ...), or left unspread where the input's own
rule multiplies it by an array of that shape anyway (see ad/unspread.py).
"""

from __future__ import annotations

import numpy as np
import sympy

from .. import ir
from ..errors import InternalError
from ..ir.prims import Prim
from ..proof.values import SymbolicError, at_point, elementwise, holds, shape_of, sym
from .registry import meaning, vjp


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
    if s.params.get("ord") not in (None, 2):
        raise InternalError("only the 2-norm has a derivative rule")
    return (b.op(Prim.NORM_GRAD, g, s.args[0], s.target, **_axis(s)),)


@meaning(Prim.NORM)
def _norm_meaning(run, s, x):
    if s.params.get("ord") not in (None, 2) or (s.params.get("ord") == 2 and np.ndim(x) > 1
                                                and s.params.get("axis") is None):
        raise SymbolicError(f"line {s.loc.line}: only the vector 2-norm has a symbolic meaning")
    x = sym(x)
    squares = np.sum(x * x, **_np_axis(s)) if isinstance(x, np.ndarray) else x * x
    return elementwise(sympy.sqrt, squares)


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
        for j, other in enumerate(row):
            if j != k:
                holds(run, relation, row[k], other)
        chosen[r] = sym(row[k])
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
    found = pick(at_point(run, s, x, s.prim.name.lower()), axis=s.params.get("axis"))
    return int(found) if np.ndim(found) == 0 else found
