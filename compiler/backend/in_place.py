"""In-place accumulation of cotangents, decided just before emission.

`x_bar = x_bar + rt.getitem_grad(g, x, rt.index[k])` builds an array of zeros the
size of x on every trip of a loop, to add one row. When x_bar is an array agc
owns outright, the same update is written `x_bar = rt.add_at(x_bar, g, x, rt.index[k])`
and costs only the row. x_bar is owned when every assignment to it makes a new
array (`rt.zeros_like(x)`, arithmetic such as `g * 2 * y`, or `x_bar + ...`) and
nothing else reads it before its last update: no other name can see it change.

Any other `x_bar = x_bar + v` of such an x_bar becomes `x_bar = rt.accumulate(x_bar, v)`,
which adds v into x_bar's array where numpy's sum would have its shape and dtype (so
a batch norm's backward makes one array of its input's size where it made three).

The Adjoint itself (what `agc.verify` interprets) keeps the functional form.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from .unpacked import unpack_whole


def accumulate_in_place(blocks: list[list], inlinable: set[str],
                        scalars: frozenset[str] = frozenset()) -> list[list]:
    """The blocks with `acc = acc + getitem_grad(...)` turned into `add_at`, and other
    accumulations into in-place forms, where safe (`acc + v` stays for the adjoints
    named in `scalars`, known to be numbers)."""
    blocks = unpack_whole(blocks, inlinable)  # (h_bar, c_bar), not scatters: unpacked.py
    statements = [s for block in blocks for s in ir.walk(tuple(block))]
    top_level = {id(s) for block in blocks for s in block}
    owned, viewed = _owned_accumulators(statements, top_level, inlinable)
    writes, reads = _writes_and_reads(statements)
    owned |= _owned_per_trip(blocks, writes, reads) | \
        _owned_list_adjoints(writes, reads, inlinable)
    owned -= scalars
    if not owned:
        return blocks
    # a term read once that adds into the adjoint's array without being built: one row
    # (add_at), or g spread over x's shape (add_sum_grad, add_mean_grad)
    terms = {s.target.name: s for s in statements if isinstance(s, ir.Assign)
             and s.prim.spec.added_into and s.target.name in inlinable}
    reads = Counter(name for s in statements for name in ir.vars_read(s))
    fused = {s.args[1].name for s in statements if _is_accumulation(s)
             and s.target.name in owned and isinstance(s.args[1], ir.Var)
             and s.args[1].name in terms and reads[s.args[1].name] == 1
             and (terms[s.args[1].name].prim is Prim.GETITEM_GRAD or s.prim is Prim.ADD)
             and s.target.name not in viewed}  # (these forms write without asking)
    return [_rewrite(block, owned, terms, fused) for block in blocks]


def _owned_accumulators(statements, top_level: set[int],
                         inlinable: set[str]) -> tuple[set[str], set[str]]:
    """Adjoints only ever made fresh, and read only by their own accumulations until done;
    and those of them made by `rt.unbroadcast`, which may be a read-only broadcast view
    (only rt.accumulate, which falls back to `acc + v` there, adds into those)."""
    accumulated = {s.target.name for s in statements if _is_accumulation(s)}
    fresh_temps: set[str] = set()
    viewed_temps: set[str] = set()  # fresh temporaries an unbroadcast may have made a view
    for s in statements:
        if isinstance(s, ir.Assign) and s.target.name in inlinable and \
                (_makes_new_array(s) or _passes_fresh(s, fresh_temps)):
            fresh_temps.add(s.target.name)
            if _may_view(s, viewed_temps):
                viewed_temps.add(s.target.name)
    owned, viewed = set(accumulated), set()
    last_update: dict[str, int] = {}
    for position, s in enumerate(statements):
        if _casts_itself(s):
            continue  # the gradient's final `x_bar = rt.cast_like(x_bar, x)`: a read when done
        if isinstance(s, ir.Assign) and s.target.name in accumulated:
            last_update[s.target.name] = position
            if not (_makes_new_array(s) or _is_accumulation(s) or _passes_fresh(s, fresh_temps)):
                owned.discard(s.target.name)  # a copy, view or helper result may alias
            elif _may_view(s, viewed_temps):
                viewed.add(s.target.name)
    for position, s in enumerate(statements):
        for operand, name in _reads(s):
            if name not in accumulated or (_is_accumulation(s) and s.target.name == name
                                      and operand == 0):
                continue
            # Reading a finished adjoint is safe: outside loops, after its last update.
            if id(s) not in top_level or position < last_update.get(name, -1):
                owned.discard(name)
    return owned, viewed


def _owned_per_trip(blocks, writes: dict, reads: dict) -> set[str]:
    """Adjoints made fresh at the top level of a loop's body each trip, accumulated only
    below that (in nested loops too), and read only before it or after the accumulations.

    `m_bar = zeros_like(m)` in a loop's body, its accumulations below it, and its reads at
    that body's top level after the last of them: a view read out of one trip's array
    (`concatenate_grad(m_bar, ...)`) never sees an update, since the next trip's updates
    go into the next trip's new array. This is the recursion a Laplace expansion unrolls
    into: one minor's adjoint per level. A read above the fresh array (LSTM's
    `unstack_grad(cells_bar)`) reads the previous trip's, finished; the name may be bound
    outside the loop too, to new arrays only, which nothing accumulates into.
    """
    found = set()
    for body in _loop_bodies(blocks):
        tops = _top_positions(body)
        for position, first in enumerate(body):
            if isinstance(first, ir.Assign) and _makes_new_array(first) and \
                    not _is_accumulation(first) and \
                    _trip_owns(first, position, body, tops, writes, reads):
                found.add(first.target.name)
    return found


def _top_positions(body: tuple) -> dict[int, int]:
    """{id(statement): the position in `body` of the top-level statement holding it},
    for every statement of the body and of its nested blocks: one walk per loop body."""
    return {id(inner): position for position, s in enumerate(body)
            for inner in ir.walk((s,))}


def _writes_and_reads(statements) -> tuple[dict, dict]:
    """{name: its assignments}, {name: [(statement, operand position)] reading it}, in order."""
    writes: dict[str, list] = {}
    reads: dict[str, list] = {}
    for s in statements:
        if isinstance(s, ir.Assign):
            writes.setdefault(s.target.name, []).append(s)
        for operand, name in _reads(s):
            reads.setdefault(name, []).append((s, operand))
    return writes, reads


def _loop_bodies(blocks) -> list[tuple]:
    """The body of every loop in the blocks."""
    return [s.body for block in blocks for s in ir.walk(tuple(block))
            if isinstance(s, (ir.For, ir.While))]


def _trip_owns(first, position: int, body: tuple, tops: dict, writes: dict,
               reads: dict) -> bool:
    """Whether `first` (at `position` in `body`) binds its name in `body`, which then only
    accumulates it (outside it only new arrays bind it, never accumulated), and whether
    `body` reads it only in its accumulations, at the top level above `first`, or at the
    top level after the statements that hold the accumulations. `tops` maps every
    statement inside `body` to its top-level position (`_top_positions`)."""
    name = first.target.name
    mine = [s for s in writes[name] if id(s) in tops]
    if mine[0] is not first or not all(_is_accumulation(s) for s in mine[1:]) or \
            not all(_makes_new_array(s) and not _is_accumulation(s)
                    for s in writes[name] if id(s) not in tops):
        return False
    last = max(tops[id(s)] for s in mine)
    return all(id(s) not in tops or _top_level_outside(s, body, tops, position, last) or
               (_is_accumulation(s) and s.target.name == name and operand == 0)
               for s, operand in reads.get(name, ()))


def _top_level_outside(s, body: tuple, tops: dict, above: int, last: int) -> bool:
    """Whether `s` is a top-level statement of `body` before position `above` or after
    position `last`."""
    at = tops[id(s)]
    return body[at] is s and (at < above or at > last)


def _owned_list_adjoints(writes: dict, reads: dict, inlinable: set[str]) -> set[str]:
    """A list's adjoint made by unstack_grad (a new dict of positions), only accumulated
    into and read by append_grad and list_item_grad (which take items out of it): `add_at`
    then adds at one position of the dict itself instead of copying the dict each time.
    No array is written: only the dict, which no other name holds."""
    unstacked = {name for name, assigns in writes.items() if name in inlinable
                 and len(assigns) == 1 and assigns[0].prim is Prim.UNSTACK_GRAD}
    found = set()
    for name, assigns in writes.items():
        first = assigns[0]
        made = first.prim is Prim.UNSTACK_GRAD or first.prim is Prim.COPY and \
            isinstance(first.args[0], ir.Var) and first.args[0].name in unstacked
        if not made or not all(_is_accumulation(s) for s in assigns[1:]):
            continue
        if all(isinstance(s, ir.Assign) and operand == 0 and (
                s.prim in (Prim.APPEND_GRAD, Prim.LIST_ITEM_GRAD) or
                _is_accumulation(s) and s.target.name == name)
               for s, operand in reads.get(name, ())):
            found.add(name)
    return found


def _makes_new_array(s: ir.Assign) -> bool:
    """zeros_like, arithmetic (`a * b`, `-a`, `np.cos(a)`), a helper whose Spec says it is
    fresh (var_grad, conv_grad_x, ...) and a scatter into zeros: never a view of an input."""
    return s.prim is Prim.ZERO_LIKE or s.prim.spec.fresh or _scatters_into_zeros(s) or \
        (s.prim.spec.group == "elementwise" and s.prim is not Prim.COPY)


def _passes_fresh(s: ir.Assign, fresh_temps: set[str]) -> bool:
    """`x_bar = t` or `x_bar = rt.unbroadcast(t, x)` for a fresh temporary t: t itself, a
    sum of it or a view of it that no other name holds (a read-only broadcast view is never
    added into: rt.accumulate checks)."""
    return s.prim in (Prim.COPY, Prim.UNBROADCAST) and isinstance(s.args[0], ir.Var) and \
        s.args[0].name in fresh_temps


def _may_view(s: ir.Assign, viewed_temps: set[str]) -> bool:
    """`rt.unbroadcast(t, x)` (a read-only broadcast view where t is smaller than x), or
    a copy of a temporary that may be one."""
    return s.prim is Prim.UNBROADCAST or s.prim is Prim.COPY and \
        isinstance(s.args[0], ir.Var) and s.args[0].name in viewed_temps


def _scatters_into_zeros(s: ir.Assign) -> bool:
    """`rt.getitem_grad(g, x, index)` that writes g into new zeros (or a new dict or tuple).

    Not where the index only adds axes (`x[:, None]`): its cotangent is g reshaped, a
    view. So no `None` in the index, and no bare index read from a variable (it may
    hold None); slice bounds may (a slice is never only new axes).
    """
    if s.prim is not Prim.GETITEM_GRAD:
        return False
    for item in s.params.get("index").items:
        if isinstance(item, ir.NewAxis):
            return False
        if isinstance(item, ir.Hole):  # its positions count from x (args[1]), as in GETITEM
            atom = s.args[item.pos + 1]
            if not (isinstance(atom, ir.Const) and type(atom.value) is int):
                return False
    return True


def _casts_itself(s) -> bool:
    """`acc = cast_like(acc, x)`."""
    return isinstance(s, ir.Assign) and s.prim is Prim.CAST_LIKE and s.args[0] == s.target


def _is_accumulation(s) -> bool:
    """`acc = acc + v`, or `acc = rt.add(acc, v)` (v may be a tuple, list or dict of adjoints:
    `rt.add_at` adds those as `rt.add` does)."""
    return (isinstance(s, ir.Assign) and s.prim in (Prim.ADD, Prim.ADD_ANY)
            and isinstance(s.args[0], ir.Var)
            and s.args[0].name == s.target.name and s.args[1] != s.args[0])


def _reads(s) -> list[tuple[int, str]]:
    """(operand position, name) of each variable a statement reads (-1: not an operand)."""
    if isinstance(s, ir.Assign):
        return [(i, a.name) for i, a in enumerate(s.args) if isinstance(a, ir.Var)]
    return [(-1, name) for name in ir.vars_read(s)]


def _rewrite(block, owned: set[str], terms: dict, fused: set[str], in_loop: bool = False) -> list:
    out = []
    for s in block:
        if isinstance(s, ir.Assign) and s.target.name in fused:
            continue  # emitted inside the add_at (or add_sum_grad, ...) below
        if _is_accumulation(s) and s.target.name in owned and \
                isinstance(s.args[1], ir.Var) and s.args[1].name in fused:
            term = terms[s.args[1].name]
            s = ir.Assign(s.target, Prim[term.prim.spec.added_into], (s.args[0], *term.args),
                          term.params, s.loc)
        elif _is_accumulation(s) and s.target.name in owned and s.prim is Prim.ADD \
                and not in_loop:
            # (not in a loop, whose small arrays would pay rt.accumulate's call each trip)
            s = ir.Assign(s.target, Prim.ACCUMULATE, s.args, s.params, s.loc)  # acc += v
        elif isinstance(s, ir.If):
            s = replace(s, body=tuple(_rewrite(s.body, owned, terms, fused, in_loop)),
                        orelse=tuple(_rewrite(s.orelse, owned, terms, fused, in_loop)))
        elif isinstance(s, ir.For):
            s = replace(s, body=tuple(_rewrite(s.body, owned, terms, fused, True)))
        elif isinstance(s, ir.While):
            s = replace(s, test=tuple(_rewrite(s.test, owned, terms, fused, True)),
                        body=tuple(_rewrite(s.body, owned, terms, fused, True)))
        out.append(s)
    return out
