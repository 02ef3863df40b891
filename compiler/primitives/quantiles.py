"""np.quantile and np.percentile of one constant q, numpy's default (linear) method.

The value is numpy's own call (one q of a list given as an array of the list's dtype,
so a float32 x gives float64 values, as numpy's quantiles of a list do). Its derivative sends the cotangent to the two order
statistics the quantile lies between, weighted 1 - gamma and gamma
(runtime/quantiles.py); ties are ranked by a stable sort (jax's convention), and a
slice holding a NaN gets none, as jax's. The forward-mode tangent is the same
weights applied to the tangent (a weighted reduction).
"""

from __future__ import annotations

import math

import numpy as np

from ..backend.expressions import call, const, kwargs
from ..ir.prims import Prim
from ..proof.values import number, sym
from .gradient_tangents import linear_in
from .gradients import expand
from .registry import emitter, jvp, meaning, vjp
from .statistics import placed, ranks_at, rows_last
from .tangents import weighted


def _options(s) -> dict:
    """The gradient helper's params: q and which function, the axes reduced."""
    return {"q": s.params.get("q"), "percent": s.params.get("percent"),
            "axis": s.params.get("axis"), "keepdims": s.params.get("keepdims") or None}


@vjp(Prim.QUANTILE)
def _quantile(b, g, s):
    return (b.op(Prim.QUANTILE_GRAD, g, s.args[0], **_options(s)),)


@emitter(Prim.QUANTILE)
def _emit_quantile(stmt, atom):
    name = "xp.percentile" if stmt.params.get("percent") else "xp.quantile"
    options = {k: v for k, v in kwargs(stmt.params).items()
               if k not in ("q", "percent", "q_dtype")}
    q = const(stmt.params.get("q"))
    dtype = stmt.params.get("q_dtype")
    if dtype is not None:  # one q of a list: an array of the list's dtype, as numpy makes it
        q = call("xp.asarray", [q], {"dtype": const(None, f"xp.{dtype}")})
    return call(name, [atom(stmt.args[0]), q], options), True


def _fraction(s) -> float:
    q = s.params.get("q")
    return float(np.true_divide(q, 100)) if s.params.get("percent") else q


def _shares(run, s, x) -> np.ndarray:
    """Each entry's weight in its slice's quantile at the point (shaped like x)."""
    axis = s.params.get("axis")
    rows, axes, ends = rows_last(sym(x), axis)
    n = rows.shape[-1]
    rank = ranks_at(run, rows)
    virtual = (n - 1) * _fraction(s)
    below = math.floor(virtual)
    gamma = number(virtual - below)
    above = n - 1 if virtual >= n - 1 else below + 1
    below = min(below, n - 1)
    share = np.where(rank == below, 1 - gamma, 0) + np.where(rank == above, gamma, 0)
    return placed(run, share, rows, x, axes, ends)


@meaning(Prim.QUANTILE)
def _quantile_meaning(run, s, x):
    if not isinstance(x, np.ndarray):
        return sym(x)
    return np.sum(sym(x) * _shares(run, s, x), axis=s.params.get("axis"),
                  keepdims=bool(s.params.get("keepdims")))


@meaning(Prim.QUANTILE_GRAD)
def _quantile_grad(run, s, g, x):
    if not isinstance(x, np.ndarray):
        return sym(g)
    ge = expand(g, x, s.params.get("axis"), bool(s.params.get("keepdims")))
    return ge * _shares(run, s, x)


jvp(Prim.QUANTILE)(weighted)
jvp(Prim.QUANTILE_GRAD)(linear_in(0))
