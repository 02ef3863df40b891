"""A negated number's cotangent that is only ever added into sums is subtracted instead.

    t5_bar = -t6_bar                     c_bar = c_bar - t6_bar * v
    c_bar = c_bar + t5_bar * v           v_bar = v_bar - t6_bar * c
    v_bar = v_bar + t5_bar * c

`a - b * c` is how the reverse sweep of `x - c * v` starts (SUB's rule negates
the right operand's cotangent); in a scalar loop (an Euler step) that is one
operation per trip for nothing. IEEE arithmetic makes the two forms equal to the
bit: (-p) * y is -(p * y) exactly and a + (-q) is a - q. Only numbers (the
adjoint's `scalar_bars`): an array's `acc + v` is added in place (backend/in_place.py),
which a subtraction would lose. The negation and its copy, read by nothing then, go.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from .adjoint import Adjoint
from .dead_code import optimize


def fold_negations(adj: Adjoint) -> Adjoint:
    """adj with each number's negated cotangent, read only as a term of sums, folded into them."""
    reads: dict[str, int] = {}
    writes: dict[str, int] = {}
    for block in (adj.forward, adj.seed, adj.backward):
        for stmt in ir.walk(tuple(block)):
            for name in ir.vars_read(stmt):
                reads[name] = reads.get(name, 0) + 1
            if (name := ir.var_written(stmt)) is not None:
                writes[name] = writes.get(name, 0) + 1
    facts = (reads, writes, adj.scalar_bars)
    backward = _block(adj.backward, facts)
    if backward == list(adj.backward):
        return adj
    return optimize(replace(adj, backward=backward))  # the negations no one reads now go


def _block(block, facts) -> list:
    """One block (and its nested ones) with its negations folded."""
    stmts = [ir.map_blocks(s, lambda b: tuple(_block(b, facts))) for s in block]
    index = _Index(stmts)
    for i, stmt in enumerate(stmts):
        if isinstance(stmt, ir.Assign) and stmt.prim is Prim.NEG:
            rewrites = _rewrites(stmts, index, i, facts)
            for j, new in rewrites.items():
                stmts[j] = new  # a product now reads u: u's readers are not looked up again
    return stmts


class _Index:
    """Where a block's top-level statements read and write each name (one walk, so that
    folding stays linear in the block's length)."""

    def __init__(self, stmts: list):
        self.reads: dict[str, list[int]] = {}  # statements reading it themselves
        self.nested: dict[str, list[int]] = {}  # compound statements reading it inside
        self.writes: dict[str, list[int]] = {}  # statements writing it, inside or not
        for j, stmt in enumerate(stmts):
            for name in set(ir.vars_read(stmt)):
                self.reads.setdefault(name, []).append(j)
            for name in ir.read_names(sum(ir.children(stmt), ())):
                self.nested.setdefault(name, []).append(j)
            for name in ir.assigned_names((stmt,)):
                self.writes.setdefault(name, []).append(j)

    def readers(self, name: str, i: int) -> list[int]:
        """The statements after the i-th that read `name` themselves."""
        found = self.reads.get(name, [])
        return found[bisect_right(found, i):]

    def reader(self, name: str, i: int) -> int | None:
        """The first statement after the i-th reading `name`; None where a compound
        statement reads it first."""
        after = self.readers(name, i)
        nested = self.nested.get(name, [])
        k = bisect_right(nested, i)
        if not after or (k < len(nested) and nested[k] < after[0]):
            return None
        return after[0]

    def written_between(self, name: str, i: int, j: int) -> bool:
        """Whether a statement strictly between the i-th and the j-th writes `name`."""
        found = self.writes.get(name, [])
        k = bisect_right(found, i)
        return k < len(found) and found[k] < j


def _rewrites(stmts: list, index: _Index, i: int, facts) -> dict[int, ir.Assign]:
    """{position: new statement} folding the negation at stmts[i], or {} when it does not fold."""
    reads, writes, numbers = facts
    neg = stmts[i]
    [u] = neg.args
    if not isinstance(u, ir.Var) or u.name not in numbers:
        return {}
    alias, start = neg.target.name, i
    copy = index.reader(alias, i)
    if reads.get(alias) == 1 and copy is not None and isinstance(stmts[copy], ir.Assign) \
            and stmts[copy].prim is Prim.COPY:
        alias, start = stmts[copy].target.name, copy  # `t5_bar = t30`: its readers fold
    if writes.get(alias) != 1:
        return {}
    out: dict[int, ir.Assign] = {}
    products = index.readers(alias, start)
    if len(products) != reads.get(alias) or not products:
        return {}  # read in a nested block, or nowhere
    if index.written_between(u.name, i, products[-1]):
        return {}  # u changes before a product would read it
    for j in products:
        folded = _fold_product(stmts, index, j, alias, u, facts)
        if folded is None:
            return {}
        out.update(folded)
    return out


def _fold_product(stmts, index: _Index, j: int, alias: str, u: ir.Var, facts) -> dict | None:
    """`m = alias * y` read once by `acc = a + m` (or `m + a`, `a - m`): `m = u * y` and
    `acc = a - m` (`a + m`); None where the product is read otherwise."""
    reads, writes, numbers = facts
    product = stmts[j]
    if not isinstance(product, ir.Assign) or product.prim is not Prim.MUL or [a.name for a in product.args
                                        if isinstance(a, ir.Var)].count(alias) != 1:
        return None
    m = product.target.name
    k = index.reader(m, j)
    if reads.get(m) != 1 or writes.get(m) != 1 or k is None:
        return None
    total = stmts[k]
    if not isinstance(total, ir.Assign) or total.target.name not in numbers or len(total.args) != 2:
        return None
    left, right = total.args
    if total.prim is Prim.ADD and (left == product.target) != (right == product.target):
        other = right if left == product.target else left
        summed = replace(total, prim=Prim.SUB, args=(other, product.target))
    elif total.prim is Prim.SUB and right == product.target and left != product.target:
        summed = replace(total, prim=Prim.ADD)
    else:
        return None
    args = tuple(u if isinstance(a, ir.Var) and a.name == alias else a for a in product.args)
    return {j: replace(product, args=args), k: summed}
