"""Simplification of the emitted function: dead code and empty structure go.

Takes an Adjoint whose markers are resolved (tape.py). Removes assignments
whose value nobody reads (a user's unused metric, cotangents of frozen
inputs, forward values only the primal return needed), then branches and
loops left with nothing to do. Pure primitives only, so this is always safe.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from .adjoint import Adjoint


def optimize(adj: Adjoint) -> Adjoint:
    """Remove dead code until nothing more can go."""
    while True:
        live = _read_everywhere(adj)
        forward = _prune(adj.forward, live)
        seed = _prune(adj.seed, live)
        backward = _prune(adj.backward, live)
        if (forward, seed, backward) == (adj.forward, adj.seed, adj.backward):
            return adj
        adj = replace(adj, forward=forward, seed=seed, backward=backward)


def _read_everywhere(adj: Adjoint) -> set[str]:
    returned = adj.grads + adj.kept + (adj.outputs if adj.returns_value else ())
    names = {a.name for a in returned if isinstance(a, ir.Var)}
    for block in (adj.forward, adj.seed, adj.backward):
        for stmt in ir.walk(tuple(block)):
            names.update(ir.vars_read(stmt))
    # A counter only read by its own increment is not really read.
    return names - _self_only_reads(adj)


def _self_only_reads(adj: Adjoint) -> set[str]:
    outside: set[str] = set()
    self_reads: set[str] = set()
    for block in (adj.forward, adj.seed, adj.backward):
        for stmt in ir.walk(tuple(block)):
            written = ir.var_written(stmt)
            for name in ir.vars_read(stmt):
                (self_reads if name == written else outside).add(name)
    returned = adj.grads + adj.kept + (adj.outputs if adj.returns_value else ())
    return self_reads - outside - {a.name for a in returned if isinstance(a, ir.Var)}


def _drop_copies_back(block) -> list:
    """Drop `a = b` right after `b = a` (nothing in between changed either name)."""
    out, copies = [], {}  # name -> the name it was copied from
    for stmt in block:
        if isinstance(stmt, ir.Assign) and stmt.prim is Prim.COPY and \
                isinstance(stmt.args[0], ir.Var) and copies.get(stmt.args[0].name) == stmt.target.name:
            continue
        written = ir.var_written(stmt)
        changed = {written} | (ir.assigned_names(sum(ir.children(stmt), ())) if ir.children(stmt) else set())
        copies = {k: v for k, v in copies.items() if k not in changed and v not in changed}
        if isinstance(stmt, ir.Assign) and stmt.prim is Prim.COPY and isinstance(stmt.args[0], ir.Var):
            copies[stmt.target.name] = stmt.args[0].name
        out.append(stmt)
    return out


def _prune(block, live: set[str]) -> list:
    out = []
    for stmt in _drop_copies_back(block):
        if isinstance(stmt, ir.Assign) and stmt.target.name not in live \
                and not stmt.prim.spec.effect:
            continue
        if isinstance(stmt, ir.If):
            body, orelse = _prune(stmt.body, live), _prune(stmt.orelse, live)
            if not body and not orelse:
                continue
            stmt = replace(stmt, body=tuple(body), orelse=tuple(orelse))
        elif isinstance(stmt, ir.For):
            body = _prune(stmt.body, live)
            if not body:
                continue
            stmt = replace(stmt, body=tuple(body))
        elif isinstance(stmt, ir.While):
            stmt = replace(stmt, body=tuple(_prune(stmt.body, live)))
        out.append(stmt)
    return out
