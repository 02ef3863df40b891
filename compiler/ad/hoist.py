"""Loop-invariant arithmetic on numbers moves out of the forward sweep's loops.

    for i in range(200):                 t3 = -k
        t3 = -k                          for i in range(200):
        v = v + dt * (t3 * x - c * v)        v = v + dt * (t3 * x - c * v)

A temporary computed in a loop from numbers the loop never changes has the same
value on every trip: computing it once before the loop gives the same bits and
saves an operation per trip (a tenth of a scalar Euler step's gradient). Only
compiler temporaries (no model line reads them after the loop), assigned once,
not read earlier in the loop, by negation, `+`, `-` or `*` of numbers (rank 0).
A negation raises nothing; the others can (an int too large for a float meets a
float: OverflowError), so they move only out of a loop that runs at least once
(constant bounds), where the first trip would have raised the same. The tape
already keeps nothing for such a value (reverse.py's `invariant`), so the
backward sweep reads the one value as before.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from .adjoint import Adjoint

_NUMBER_ARITHMETIC = frozenset({Prim.ADD, Prim.SUB, Prim.MUL, Prim.NEG})
_RAISES_NOTHING = frozenset({Prim.NEG})


def hoist_invariants(adj: Adjoint, temps: frozenset[str]) -> Adjoint:
    """adj with the forward sweep's loop-invariant number arithmetic computed before its loops."""
    counts: dict[str, int] = {}
    for stmt in ir.walk(tuple(adj.forward)):
        if (name := ir.var_written(stmt)) is not None:
            counts[name] = counts.get(name, 0) + 1
    movable = {name for name in temps if counts.get(name) == 1}
    forward = _block(adj.forward, movable, adj.numbers)
    return adj if forward == list(adj.forward) else replace(adj, forward=forward)


def _block(block, movable: set[str], numbers: frozenset[str]) -> list:
    """A block whose For loops (innermost first) have their invariants moved before them."""
    out: list = []
    for stmt in block:
        stmt = ir.map_blocks(stmt, lambda b: tuple(_block(b, movable, numbers)))
        if isinstance(stmt, ir.For):
            hoisted, body = _split(stmt, movable, numbers)
            out.extend(hoisted)
            stmt = replace(stmt, body=tuple(body)) if hoisted else stmt
        out.append(stmt)
    return out


def _split(loop: ir.For, movable: set[str], numbers: frozenset[str]) -> tuple[list, list]:
    """(the loop body's top-level invariants, in order; the body without them)."""
    changing = ir.assigned_names(loop.body) | ({loop.target.name} if loop.target else set())
    read_before: set[str] = set()
    runs = _runs_once_at_least(loop)
    hoisted: list = []
    body: list = []
    for stmt in loop.body:
        if _invariant(stmt, movable, numbers, changing, read_before) and (
                runs or stmt.prim in _RAISES_NOTHING):
            hoisted.append(stmt)
            changing.discard(stmt.target.name)  # later statements may read it: invariant too
        else:
            body.append(stmt)
        read_before.update(ir.read_names((stmt,)))
    return hoisted, body


def _invariant(stmt, movable: set[str], numbers: frozenset[str], changing: set[str],
               read_before: set[str]) -> bool:
    """Whether one top-level statement of a loop body can run once before the loop."""
    if not isinstance(stmt, ir.Assign) or stmt.prim not in _NUMBER_ARITHMETIC:
        return False
    name = stmt.target.name
    if name not in movable or name not in numbers or name in read_before:
        return False
    return all(_number(a, numbers) and not (isinstance(a, ir.Var) and a.name in changing)
               for a in stmt.args)


def _runs_once_at_least(loop: ir.For) -> bool:
    """Whether a loop's bounds are constants that give it a first trip."""
    bounds = (loop.start, loop.stop, loop.step)
    if loop.limit is not None or not all(isinstance(b, ir.Const) and type(b.value) is int
                                         for b in bounds):
        return False
    return len(range(*(b.value for b in bounds))) > 0


def _number(atom: ir.Atom, numbers: frozenset[str]) -> bool:
    """A Python int or float constant, or a variable of rank 0."""
    if isinstance(atom, ir.Const):
        return type(atom.value) in (int, float)
    return atom.name in numbers
