"""The lean gradient variant: `f_grad`'s own sweeps, without the output's value.

Takes a finished Adjoint (markers resolved, dead code removed). When its one
output is a number and no intermediate's adjoint is kept, the output's seed is
1.0 whatever the value, so the work that only computed the value (the last
reduction of a loss, often) is dead in a gradient-only function. The lean
variant is that Adjoint with the seed set to 1.0, the value no longer
returned, and dead code removed again. It is worth its own function body only
when it computes fewer reductions and products; otherwise `f_grad` calls
`f_value_and_grad` and there is no lean variant.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from .dead_code import optimize
from .reverse import Adjoint


def lean_variant(adj: Adjoint) -> Adjoint | None:
    """The gradient-only Adjoint of `adj`, or None when `f_grad` should call the full one."""
    if not adj.scalar_output or adj.kept:
        return None
    seed = [seed_one(s) for s in adj.seed]
    lean = optimize(replace(adj, seed=seed, returns_value=False, lean=None))
    if reductions(lean.forward) < reductions(adj.forward):
        return lean
    return None


def seed_one(stmt):
    """The seed statement of a scalar output as `out_bar = 1.0`; other statements as they are."""
    if isinstance(stmt, ir.Assign) and stmt.prim is Prim.SEED:
        return ir.Assign(stmt.target, Prim.COPY, (ir.Const(1.0),), ir.Params.of(), stmt.loc)
    return stmt


def reductions(block) -> int:
    """How many reductions and products a block computes: worth a second function body."""
    heavy = ("reduction", "linalg")
    return sum(1 for s in ir.walk(tuple(block))
               if isinstance(s, ir.Assign) and s.prim.spec.group in heavy)
