"""Shift invariance: the max that stabilises a logsumexp needs no derivative.

    c = max(v)                       c = max(v, axis=-1, keepdims=True)
    lse = log(sum(exp(v - c))) + c   logp = (v - c) - log(sum(exp(v - c), axis=-1, keepdims=True))

Neither result depends on c at all, so the derivative terms through c cancel
exactly (-softmax summed, plus one). Marking c no-gradient, as agc.nn does with
`stop_gradient`, drops them from the adjoint: no max gradient (a comparison
and a count of ties over v) and no sums that add up to zero.

Only when c is read nowhere else and the chain's values only feed the next
link, with c lined up against the reduced axis: a full reduction, keepdims,
or axis 0 (c then broadcasts over v's leading axis).
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim


def mark_shift_invariant(fn: ir.Function) -> ir.Function:
    """fn with every logsumexp-stabilising max marked nograd."""
    readers: dict[str, list[ir.Stmt]] = {}
    defs: dict[str, list[ir.Assign]] = {}
    for stmt in ir.walk(fn.body):
        for name in ir.vars_read(stmt):
            readers.setdefault(name, []).append(stmt)
        if isinstance(stmt, ir.Assign):
            defs.setdefault(stmt.target.name, []).append(stmt)
    params = set(fn.param_names)
    marked = {id(s) for s in ir.walk(fn.body) if isinstance(s, ir.Assign)
              and _stabilising_max(s, readers, defs, params)}
    if not marked:
        return fn
    return replace(fn, body=_mark(fn.body, marked))


def _mark(block: ir.Block, marked: set[int]) -> ir.Block:
    out = []
    for stmt in block:
        if id(stmt) in marked:
            stmt = replace(stmt, params=stmt.params.with_(nograd=True))
        elif isinstance(stmt, ir.If):
            stmt = replace(stmt, body=_mark(stmt.body, marked), orelse=_mark(stmt.orelse, marked))
        elif isinstance(stmt, ir.While):
            stmt = replace(stmt, test=_mark(stmt.test, marked), body=_mark(stmt.body, marked))
        elif isinstance(stmt, ir.For):
            stmt = replace(stmt, body=_mark(stmt.body, marked))
        out.append(stmt)
    return tuple(out)


def _stabilising_max(s: ir.Assign, readers, defs, params) -> bool:
    """Whether `c = max(v)` only shifts a logsumexp (see the module docstring)."""
    if s.prim is not Prim.MAX or not isinstance(s.args[0], ir.Var):
        return False
    v, c = s.args[0], s.target
    axis, keepdims = s.params.get("axis"), s.params.get("keepdims")
    if not (axis is None or keepdims or axis == 0):
        return False
    single = lambda name: len(defs.get(name, ())) == 1 and name not in params
    if not single(c.name) or len(defs.get(v.name, ())) > 1:  # v must not change in between
        return False

    def sole_reader(x: ir.Var, prim: Prim) -> ir.Assign | None:
        users = readers.get(x.name, [])
        ok = single(x.name) and len(users) == 1 and isinstance(users[0], ir.Assign) \
            and users[0].prim is prim
        return users[0] if ok else None

    c_users = readers.get(c.name, [])
    shifts = [u for u in c_users if isinstance(u, ir.Assign) and u.prim is Prim.SUB
              and u.args == (v, c) and single(u.target.name)]
    extra = [u for u in c_users if not any(u is x for x in shifts)]
    if not shifts or len(extra) > 1:
        return False  # c read by anything but v - c, except the final `+ c` of a logsumexp
    for shift in shifts:
        d = shift.target
        exp = next((u for u in readers.get(d.name, []) if isinstance(u, ir.Assign)
                    and u.prim is Prim.EXP), None)
        total = sole_reader(exp.target, Prim.SUM) if exp is not None else None
        if total is None or (total.params.get("axis"), total.params.get("keepdims")) \
                != (axis, keepdims):
            continue
        log = sole_reader(total.target, Prim.LOG)
        if log is None or not single(log.target.name):
            return False
        users = readers.get(log.target.name, [])
        final = users[0] if len(users) == 1 and isinstance(users[0], ir.Assign) else None
        other = [u for u in readers.get(d.name, []) if u is not exp]
        others = [x for x in shifts if x is not shift]
        if final is None:
            return False
        if final.prim is Prim.ADD and set(final.args) == {log.target, c}:
            # log(sum(exp(v - c))) + c
            return not others and not other and len(extra) == 1 and extra[0] is final
        if final.prim is Prim.SUB and final.args[1] == log.target and not extra:
            # (v - c) - log(sum(exp(v - c))), v - c written once or twice
            left = final.args[0]
            if others:
                again = others[0].target
                return len(others) == 1 and not other and left == again \
                    and readers.get(again.name) == [final]
            return left == d and other == [final]
        return False
    return False
