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
    counted = _loops_read_after(body)
    return _rewrite(body, counted, builder) if counted else body


def _loops_read_after(body: ir.Block) -> set[int]:
    """The ids of the counted loops whose target some read outside them may see.

    A read sees the binding of the innermost loop around it with that name as its target
    (each trip binds it again), or, outside every such loop, any loop's last binding: so
    it may see a loop's last binding when no loop of that name encloses the read, or the
    innermost one that does encloses that loop too (`for i ...: for i ...: ...; x[i]`).
    A loop with a loop of its own target inside gets a counter too: its body then binds
    the name by assignments only, which the tape restores.
    """
    reads: set[tuple[str, int | None]] = set()  # (name, id of the loop binding it there)
    loops: list[tuple[ir.For, tuple]] = []  # each counted loop and the loops around it
    rebinding: set[int] = set()  # loops with a loop of the same target inside
    stack = [(body, ())]
    while stack:
        block, around = stack.pop()
        for stmt in block:
            for name in ir.vars_read(stmt):
                inner = next((id(f) for f in reversed(around) if f.target.name == name), None)
                reads.add((name, inner))
            inside = around
            if isinstance(stmt, ir.For) and stmt.target is not None:
                loops.append((stmt, around))
                rebinding |= {id(f) for f in around if f.target.name == stmt.target.name}
                inside = around + (stmt,)
            stack += [(child, inside) for child in ir.children(stmt)]
    return rebinding | {id(loop) for loop, around in loops
            if any((loop.target.name, id(f)) in reads for f in around
                   if f.target.name == loop.target.name) or (loop.target.name, None) in reads}


def _rewrite(block: ir.Block, counted: set[int], builder: Builder) -> ir.Block:
    out: list[ir.Stmt] = []
    for stmt in block:
        loop = stmt
        if isinstance(stmt, ir.If):
            stmt = replace(stmt, body=_rewrite(stmt.body, counted, builder),
                           orelse=_rewrite(stmt.orelse, counted, builder))
        elif isinstance(stmt, (ir.For, ir.While)):
            stmt = replace(stmt, body=_rewrite(stmt.body, counted, builder))
        if isinstance(stmt, ir.For) and id(loop) in counted:
            counter = ir.Var(builder.namer.fresh(stmt.target.name))
            bind = ir.Assign(stmt.target, Prim.COPY, (counter,), loc=stmt.loc)
            stmt = replace(stmt, target=counter, body=(bind,) + stmt.body)
        out.append(stmt)
    return tuple(out)
