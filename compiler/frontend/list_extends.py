"""`l += t` on a list: Python's list `+=` extends the list by any iterable, in place.

The lowering writes `l += v` as `l = l + v` (marked in place, see aliasing.py), which
is right for arrays, tuples and a list joined to a list; for a list and a tuple it
raised list + tuple's TypeError. Once the names are known (before the aliasing pass),
`lists_extended` makes the tuple a list:

    l += (a, b)   ->  l += [a, b]              (a literal: its tuple display made a list)
    l += t        ->  items = []; for k in range(len(t)): items.append(t[k])
                      l += items
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ad.lists import ITEM
from ..ad.sequences import ARRAY, one_slice
from ..errors import UserCodeError
from ..ir.prims import Prim
from .alias_facts import bound_only_by, tuple_names


def lists_extended(fn: ir.Function, extends: dict[int, str], in_place: set[int], namer,
                   temps: set[str]) -> ir.Function:
    """fn with `l += tuple` on a list `l` extending it (`extends`: the ids of the tuple
    displays of `l += (a, b)`, with l). A tuple's `t += (a,)` keeps its tuple, an array's
    `y += (a, b)` too (numpy reads a tuple and a list alike)."""
    if not any(isinstance(s, ir.Assign) and (id(s) in extends or id(s) in in_place
                                             and s.prim is Prim.ADD) for s in ir.walk(fn.body)):
        return fn  # nothing to change: the statements keep their ids (and what is known of them)
    lists, tuples = list_names(fn), tuple_names(fn)

    def block(stmts) -> tuple:
        return tuple(new for s in stmts for new in one(s))

    def one(stmt) -> list:
        if not isinstance(stmt, ir.Assign):
            return [ir.map_blocks(stmt, block)]
        if extends.get(id(stmt)) in lists:
            return [replace(stmt, prim=Prim.LIST)]
        seq = stmt.args[1] if len(stmt.args) == 2 else None
        if id(stmt) in in_place and stmt.prim is Prim.ADD and stmt.target.name in lists \
                and isinstance(seq, ir.Var) and seq.name in tuples:
            return _extended_by_items(stmt, seq, in_place, namer, temps)
        return [stmt]

    return replace(fn, body=block(fn.body))


def _extended_by_items(stmt: ir.Assign, seq: ir.Var, in_place: set[int], namer,
                       temps: set[str]) -> list:
    """`l += t` of a tuple t: t's items appended to a new list, then joined to l in place."""
    items, k = ir.Var(namer.fresh("items")), ir.Var(namer.fresh("k"))
    length, item = ir.Var(namer.temp()), ir.Var(namer.temp())
    temps |= {length.name, item.name}
    loop = ir.For(k, ir.Const(0), length, ir.Const(1), (
        ir.Assign(item, Prim.GETITEM, (seq, k), ITEM, stmt.loc),
        ir.Assign(items, Prim.APPEND, (items, item), loc=stmt.loc)), loc=stmt.loc)
    joined = replace(stmt, args=(stmt.args[0], items))
    in_place.add(id(joined))
    return [ir.Assign(items, Prim.LIST, (), loc=stmt.loc),
            ir.Assign(length, Prim.LEN, (seq,), loc=stmt.loc), loop, joined]


def list_names(fn: ir.Function) -> set[str]:
    """Names that hold a list wherever they are bound: a list display or comprehension,
    a list appended to, joined to (`l + x`, a list or an error), sliced, or named again."""

    def is_list(stmt: ir.Assign, found: set[str]) -> bool:
        first = stmt.args[0] if stmt.args else None
        of_list = isinstance(first, ir.Var) and first.name in found
        return stmt.prim in (Prim.LIST, Prim.APPEND, Prim.LIST_POP) or of_list and (
            stmt.prim in (Prim.COPY, Prim.ADD, Prim.SEQ_JOIN)
            or stmt.prim is Prim.GETITEM and one_slice(stmt))

    return bound_only_by(fn, is_list)


def refuse_array_methods(fn: ir.Function, methods: dict[int, str], kinds: dict[str, str]
                         ) -> None:
    """`y.pop()` or `y.insert(i, v)` where y is an array: numpy has no such method (agc
    wrote them as slices, which an array would take)."""
    for stmt in ir.walk(fn.body):
        if isinstance(stmt, ir.Assign) and id(stmt) in methods and \
                kinds.get(stmt.target.name) == ARRAY:
            name, method = stmt.target.name, methods[id(stmt)]
            raise UserCodeError(f"`{name}.{method}()`: `{name}` is an array here, and a numpy "
                                f"array has no `.{method}()` method", stmt.loc,
                                f"make `{name}` a list, or use np.delete / np.insert")
