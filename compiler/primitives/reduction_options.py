"""np.sum and np.prod (x, where=mask, initial=c) and np.mean(x, where=mask): numpy's
reductions with their options passed on, so the values are numpy's to the bit (a mask
changes the order numpy adds in: the sum of np.where(mask, x, 0) differs in the last bits).

The derivative is sum's, prod's or mean's on the kept entries, 0 on the others; a sum's
initial value gets the cotangent itself, a product's the product of the kept entries. A
mean's count is np.sum(ones, where=mask), as numpy's.
"""

from __future__ import annotations

import numpy as np
import sympy

from .. import ir
from ..backend.expressions import call, kwargs
from ..ir.prims import Prim
from ..proof.values import arr, sym
from .registry import emitter, jvp, meaning, vjp
from .tangents import weighted


def _given(atom: ir.Atom, absent: object) -> bool:
    """Whether an option's atom was written (a mask of True, an initial of None were not)."""
    return not (isinstance(atom, ir.Const) and atom.value is absent)


def _reduce(b, prim: Prim, s, x: ir.Atom, mask: ir.Atom, *initial: ir.Atom) -> ir.Atom:
    return b.op(prim, x, mask, *initial, **_axis(s))


def _axis(s) -> dict:
    return {"axis": s.params.get("axis"), "keepdims": s.params.get("keepdims") or None}


def _kept(b, g, s) -> ir.Atom:
    """g spread over x's shape, 0 where the mask drops an entry."""
    x, mask = s.args[:2]
    spread = b.op(Prim.REDUCE_GRAD, g, x, **_axis(s))
    return b.op(Prim.WHERE, mask, spread, ir.Const(0.0)) if _given(mask, True) else spread


@vjp(Prim.SUM_WHERE)
def _sum_where(b, g, s):
    initial = s.args[2]
    g_initial = b.unbroadcast(g, initial) if _given(initial, None) else None
    return _kept(b, g, s), None, g_initial


def _kept_values(b, s) -> ir.Atom:
    """x with its masked entries 1: the factors of a masked product."""
    x, mask = s.args[:2]
    return b.op(Prim.WHERE, mask, x, ir.Const(1.0)) if _given(mask, True) else x


def _product(b, s) -> ir.Atom:
    """The product of the kept entries, without the initial value."""
    return b.op(Prim.PROD, _kept_values(b, s), **_axis(s))


@vjp(Prim.PROD_WHERE)
def _prod_where(b, g, s):
    mask, initial = s.args[1:]
    scaled = b.mul(g, initial) if _given(initial, None) else g
    kept = _kept_values(b, s)
    spread = b.op(Prim.PROD_GRAD, scaled, kept, s.target, **_axis(s))
    gx = b.op(Prim.WHERE, mask, spread, ir.Const(0.0)) if _given(mask, True) else spread
    g_initial = b.unbroadcast(b.mul(g, _product(b, s)), initial) \
        if _given(initial, None) else None
    return gx, None, g_initial


@vjp(Prim.MEAN_WHERE)
def _mean_where(b, g, s):
    x, mask = s.args
    count = _reduce(b, Prim.SUM_WHERE, s, b.op(Prim.ONES_LIKE, x), mask, ir.Const(None))
    return _kept(b, b.div(g, count), s), None


@emitter(Prim.SUM_WHERE, Prim.MEAN_WHERE, Prim.PROD_WHERE)
def _emit(stmt, atom):
    options = kwargs(stmt.params)
    mask = stmt.args[1]
    if _given(mask, True):
        options["where"] = atom(mask)
    if stmt.prim is not Prim.MEAN_WHERE and _given(stmt.args[2], None):
        options["initial"] = atom(stmt.args[2])
    return call(f"xp.{stmt.prim.spec.name}", [atom(stmt.args[0])], options), True


def _masked_sum(s, x, mask):
    x = arr(x)
    kept = np.broadcast_to(np.asarray(mask, dtype=bool), x.shape)
    zero = sympy.Integer(0)
    total = np.sum(np.where(kept, x, zero), axis=s.params.get("axis"),
                   keepdims=bool(s.params.get("keepdims")))
    count = np.sum(kept, axis=s.params.get("axis"), keepdims=bool(s.params.get("keepdims")))
    return total, count


@meaning(Prim.SUM_WHERE)
def _sum_where_meaning(run, s, x, mask, initial):
    total, _ = _masked_sum(s, x, mask)
    return total if initial is None else total + sym(initial)


@meaning(Prim.PROD_WHERE)
def _prod_where_meaning(run, s, x, mask, initial):
    x = arr(x)
    kept = np.broadcast_to(np.asarray(mask, dtype=bool), x.shape)
    product = np.prod(np.where(kept, x, sympy.Integer(1)), axis=s.params.get("axis"),
                      keepdims=bool(s.params.get("keepdims")))
    return product if initial is None else product * sym(initial)


@jvp(Prim.PROD_WHERE)
def _prod_where_jvp(b, t, s):
    """x's part as any product's (weighted by the cotangent of ones); the initial value's
    tangent times the product of the kept entries."""
    total = weighted(b, (t[0], None, None), s) if t[0] is not None else None
    if len(t) > 2 and t[2] is not None:
        part = b.mul(t[2], _product(b, s))
        total = part if total is None else b.add(total, part)
    return total


@meaning(Prim.MEAN_WHERE)
def _mean_where_meaning(run, s, x, mask):
    total, count = _masked_sum(s, x, mask)
    return total / (sympy.Integer(int(count)) if np.ndim(count) == 0 else
                    np.vectorize(sympy.Integer, otypes=[object])(count))


@jvp(Prim.SUM_WHERE, Prim.MEAN_WHERE)
def _where_jvp(b, t, s):
    """Linear in x (and in the initial value, which every output gets whole)."""
    mask = s.args[1]
    total = None
    if t[0] is not None:
        rest = (ir.Const(None),) if s.prim is Prim.SUM_WHERE else ()
        total = _reduce(b, s.prim, s, t[0], mask, *rest)
    if s.prim is Prim.SUM_WHERE and len(t) > 2 and t[2] is not None:
        spread = b.op(Prim.BROADCAST_LIKE, t[2], s.target)
        total = spread if total is None else b.add(total, spread)
    return total
