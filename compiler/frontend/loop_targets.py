"""A counted loop's target that code outside the loop reads gets a counter of its own.

`for i in range(n): body` binds `i` once per trip, and the backward sweep's loop binds
it again, counting down, for the trips' adjoints. Code outside the loop that reads `i`
(the last index after the loop, an `i` bound before it, the next trip of an outer loop)
must see the value the forward sweep saw there, not the backward loop's last count. The
loop then runs over a fresh counter and assigns `i = counter` first thing in its body:
an ordinary assignment, which the tape restores like any other (and a loop of no trips
leaves `i` as it was, as in Python).
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.builder import Builder
from ..ir.prims import Prim


def own_counters(body: ir.Block, builder: Builder) -> ir.Block:
    """`body` with a counter of their own for the loops whose target is read outside them."""
    outside = _reads_outside_loops_of(body)
    if not any(isinstance(s, ir.For) and s.target is not None and s.target.name in outside
               for s in ir.walk(body)):
        return body
    return _rewrite(body, outside, builder)


def _reads_outside_loops_of(body: ir.Block) -> set[str]:
    """The names read somewhere no counted loop with that name as its target encloses."""
    names: set[str] = set()
    stack = [(body, frozenset())]  # a block and the loop targets around it
    while stack:
        block, targets = stack.pop()
        for stmt in block:
            names.update(n for n in ir.vars_read(stmt) if n not in targets)
            inner = targets | {stmt.target.name} \
                if isinstance(stmt, ir.For) and stmt.target is not None else targets
            stack += [(child, inner) for child in ir.children(stmt)]
    return names


def _rewrite(block: ir.Block, outside: set[str], builder: Builder) -> ir.Block:
    out: list[ir.Stmt] = []
    for stmt in block:
        if isinstance(stmt, ir.If):
            stmt = replace(stmt, body=_rewrite(stmt.body, outside, builder),
                           orelse=_rewrite(stmt.orelse, outside, builder))
        elif isinstance(stmt, (ir.For, ir.While)):
            stmt = replace(stmt, body=_rewrite(stmt.body, outside, builder))
        if isinstance(stmt, ir.For) and stmt.target is not None and stmt.target.name in outside:
            counter = ir.Var(builder.namer.fresh(stmt.target.name))
            bind = ir.Assign(stmt.target, Prim.COPY, (counter,), loc=stmt.loc)
            stmt = replace(stmt, target=counter, body=(bind,) + stmt.body)
        out.append(stmt)
    return tuple(out)
