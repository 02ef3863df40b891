"""The cotangent of a value unpacked whole (`h, c = cell(...)`), built in one step.

The backward sweep of `h = t[0]; c = t[1]` scatters each item's cotangent into a
tuple of zeros (`rt.getitem_grad`) and adds the tuples (`rt.add`): three calls and
two tuples of stand-ins where the cotangent is `(h_bar, c_bar)`. When every item
0, ..., n-1 of t sends one, the chain

    t_bar = rt.getitem_grad(c_bar, t, rt.index[1])
    t_bar = rt.add(t_bar, rt.getitem_grad(h_bar, t, rt.index[0]))

becomes `t_bar = rt.unpacked_grad(t, h_bar, c_bar)`, at the place of the last
accumulation: the tuple of the items' cotangents where t is a tuple of n items,
else the same scatters and sums (a list, an array of n rows). Decided just before
emission, like in_place.py; the Adjoint (what `agc.verify` interprets) keeps the
scatters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from .. import ir
from ..ir.index import Index
from ..ir.prims import Prim


def unpack_whole(blocks: list[list], inlinable: set[str]) -> list[list]:
    """The blocks with each complete chain of item scatters into one adjoint fused."""
    reads = Counter(name for block in blocks for s in ir.walk(tuple(block))
                    for name in ir.vars_read(s))
    return [_rewrite(list(block), inlinable, reads) for block in blocks]


def _rewrite(block: list, inlinable: set[str], reads: Counter) -> list:
    out = []
    for s in block:
        if isinstance(s, ir.If):
            s = replace(s, body=tuple(_rewrite(list(s.body), inlinable, reads)),
                        orelse=tuple(_rewrite(list(s.orelse), inlinable, reads)))
        elif isinstance(s, ir.For):
            s = replace(s, body=tuple(_rewrite(list(s.body), inlinable, reads)))
        elif isinstance(s, ir.While):
            s = replace(s, test=tuple(_rewrite(list(s.test), inlinable, reads)),
                        body=tuple(_rewrite(list(s.body), inlinable, reads)))
        out.append(s)
    while True:  # one chain at a time (they are few), each pass linear in the block
        terms = {s.target.name: (i, s) for i, s in enumerate(out) if _is_item_scatter(s)
                 and s.target.name in inlinable and reads[s.target.name] == 1}
        starts = [i for i, s in enumerate(out) if terms and isinstance(s, ir.Assign)
                  and s.prim is Prim.COPY and _term(s.args[0], terms, i) is not None]
        fused = next((f for i in starts if (f := _fused(out, i, terms)) is not None), None)
        if fused is None:
            return out
        out = fused


def _fused(block: list, start: int, terms: dict) -> list | None:
    """`block` with the chain that `block[start]` (`t_bar = X`, X a scatter of an item of
    t, one of `terms`) begins fused, or None where it begins none to fuse."""
    first = block[start]
    term = _term(first.args[0], terms, start)
    if term is None:
        return None
    target, whole = first.target, term[1].args[1]
    chain, used = [start], [term]
    for i in range(start + 1, len(block)):
        s = block[i]
        if _accumulates(s, target) and (t := _term(s.args[1], terms, i)) is not None \
                and t[1].args[1] == whole:
            chain.append(i)
            used.append(t)
        elif target.name in ir.read_names((s,)) | ir.assigned_names((s,)):
            break
    items = {_item_index(t[1]): t for t in used}
    if len(chain) < 2 or sorted(items) != list(range(len(used))) or \
            not _undisturbed(block, chain, used, whole):
        return None
    last = block[chain[-1]]
    fused = ir.Assign(target, Prim.UNPACKED_GRAD,
                      (whole, *(items[k][1].args[0] for k in range(len(used)))), loc=last.loc)
    dropped = set(chain) | {t[0] for t in used}
    return [fused if i == chain[-1] else s for i, s in enumerate(block)
            if i == chain[-1] or i not in dropped]


def _is_item_scatter(s) -> bool:
    """`X = getitem_grad(g, t, k)` for an int k (the adjoint of `t[k]`)."""
    return isinstance(s, ir.Assign) and s.prim is Prim.GETITEM_GRAD and len(s.args) == 3 \
        and isinstance(s.args[1], ir.Var) and s.params.get("index") == Index.at(1) \
        and isinstance(s.args[2], ir.Const) and type(s.args[2].value) is int


def _term(atom, terms: dict, before: int):
    """(position, statement) of the item scatter that `atom` names, bound above `before`."""
    if not isinstance(atom, ir.Var) or atom.name not in terms:
        return None
    position, stmt = terms[atom.name]
    return (position, stmt) if position < before else None


def _item_index(stmt: ir.Assign) -> int:
    return stmt.args[2].value


def _accumulates(s, target: ir.Var) -> bool:
    """`target = rt.add(target, v)`."""
    return isinstance(s, ir.Assign) and s.prim is Prim.ADD_ANY and s.target == target \
        and s.args[0] == target


def _undisturbed(block: list, chain: list[int], used: list, whole: ir.Var) -> bool:
    """Whether the scatters' operands keep their values from each scatter to the chain's
    end, so that reading them all there reads the same values: nothing between binds
    the tuple, nor an item's cotangent after its scatter."""
    ours = set(chain) | {t[0] for t in used}
    begin = min(ours)
    for i in range(begin, chain[-1] + 1):
        if i in ours:
            continue
        written = ir.assigned_names((block[i],))
        if whole.name in written:
            return False
        for position, stmt in used:
            g = stmt.args[0]
            if position < i and isinstance(g, ir.Var) and g.name in written:
                return False
    return True
