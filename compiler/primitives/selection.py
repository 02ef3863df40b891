"""np.select(condlist, choicelist, default): numpy's own call, so its values, dtypes (a
Python number stays weak) and errors (a condition that is not boolean) are numpy's.

Its arguments are the n conditions, the n choices and the default (2 n + 1). The
cotangent of choice k is g where condition k holds and no earlier one does; the
default's, g where none holds (jax's select). The tangent is np.select of the tangents
under the same conditions (0 for a choice without one).
"""

from __future__ import annotations

from .. import ir
from ..backend.expressions import call, list_of
from ..ir.prims import Prim
from .elementwise_kinks import _where_meaning
from .registry import emitter, jvp, meaning, vjp


def _count(s) -> int:
    """n, the number of conditions (and of choices)."""
    return (len(s.args) - 1) // 2


def _parts(s) -> tuple[tuple, tuple, ir.Atom]:
    n = _count(s)
    return s.args[:n], s.args[n:2 * n], s.args[2 * n]


@vjp(Prim.SELECT)
def _select(b, g, s):
    conds, choices, default = _parts(s)
    grads, taken = [], None
    for cond, choice in zip(conds, choices):
        mask = cond if taken is None else \
            b.op(Prim.LOGICAL_AND, cond, b.op(Prim.LOGICAL_NOT, taken))
        grads.append(b.unbroadcast(b.op(Prim.WHERE, mask, g, ir.Const(0.0)), choice))
        taken = cond if taken is None else b.op(Prim.LOGICAL_OR, taken, cond)
    g_default = b.unbroadcast(b.op(Prim.WHERE, taken, ir.Const(0.0), g), default)
    return (None,) * len(conds) + (*grads, g_default)


@jvp(Prim.SELECT)
def _select_jvp(b, t, s):
    n = _count(s)
    if all(v is None for v in t[n:]):
        return None
    zero = ir.Const(0.0)
    tangents = [v if v is not None else zero for v in t[n:]]
    return b.op(Prim.SELECT, *s.args[:n], *tangents)


@emitter(Prim.SELECT)
def _emit_select(stmt, atom):
    conds, choices, default = _parts(stmt)
    return call("xp.select", [list_of([atom(c) for c in conds]),
                              list_of([atom(c) for c in choices]), atom(default)]), True


@meaning(Prim.SELECT)
def _select_meaning(run, s, *args):
    n = _count(s)
    conds, choices, result = args[:n], args[n:2 * n], args[2 * n]
    for cond, choice in zip(reversed(conds), reversed(choices)):
        result = _where_meaning(run, s, cond, choice, result)
    return result
