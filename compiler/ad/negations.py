"""A negated number's cotangent that is only ever added into sums is subtracted instead.

    t5_bar = -t6_bar                     c_bar = c_bar - t6_bar * v
    c_bar = c_bar + t5_bar * v           v_bar = v_bar - t6_bar * c
    v_bar = v_bar + t5_bar * c

`a - b * c` is how the reverse sweep of `x - c * v` starts (SUB's rule negates
the right operand's cotangent); in a scalar loop (an Euler step) that is one
operation per trip for nothing. IEEE arithmetic makes the two forms equal to the
bit: (-p) * y is -(p * y) exactly and a + (-q) is a - q. Only numbers (the
adjoint's `scalar_bars`): an array's `acc + v` is added in place (backend/in_place.py),
which a subtraction would lose. The negation and its copy are left for dead-code removal.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from .adjoint import Adjoint


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
    return adj if backward == list(adj.backward) else replace(adj, backward=backward)


def _block(block, facts) -> list:
    """One block (and its nested ones) with its negations folded."""
    stmts = [ir.map_blocks(s, lambda b: tuple(_block(b, facts))) for s in block]
    for i, stmt in enumerate(stmts):
        if isinstance(stmt, ir.Assign) and stmt.prim is Prim.NEG:
            rewrites = _rewrites(stmts, i, facts)
            for j, new in rewrites.items():
                stmts[j] = new
    return stmts


def _rewrites(stmts: list, i: int, facts) -> dict[int, ir.Assign]:
    """{position: new statement} folding the negation at stmts[i], or {} when it does not fold."""
    reads, writes, numbers = facts
    neg = stmts[i]
    [u] = neg.args
    if not isinstance(u, ir.Var) or u.name not in numbers:
        return {}
    alias, start = neg.target.name, i
    copy = _reader(stmts, i, alias)
    if reads.get(alias) == 1 and copy is not None and isinstance(stmts[copy], ir.Assign) \
            and stmts[copy].prim is Prim.COPY:
        alias, start = stmts[copy].target.name, copy  # `t5_bar = t30`: its readers fold
    if writes.get(alias) != 1:
        return {}
    out: dict[int, ir.Assign] = {}
    products = [j for j in range(start + 1, len(stmts)) if alias in ir.vars_read(stmts[j])]
    if len(products) != reads.get(alias) or not products:
        return {}  # read in a nested block, or nowhere
    if u.name in ir.assigned_names(tuple(stmts[i + 1:products[-1]])):
        return {}  # u changes before a product would read it
    for j in products:
        folded = _fold_product(stmts, j, alias, u, facts)
        if folded is None:
            return {}
        out.update(folded)
    return out


def _fold_product(stmts, j: int, alias: str, u: ir.Var, facts) -> dict | None:
    """`m = alias * y` read once by `acc = a + m` (or `m + a`, `a - m`): `m = u * y` and
    `acc = a - m` (`a + m`); None where the product is read otherwise."""
    reads, writes, numbers = facts
    product = stmts[j]
    if not isinstance(product, ir.Assign) or product.prim is not Prim.MUL or [a.name for a in product.args
                                        if isinstance(a, ir.Var)].count(alias) != 1:
        return None
    m = product.target.name
    k = _reader(stmts, j, m)
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


def _reader(stmts: list, i: int, name: str) -> int | None:
    """The position of the first top-level statement after stmts[i] that reads `name`."""
    for j in range(i + 1, len(stmts)):
        if name in ir.vars_read(stmts[j]):
            return j
        if name in ir.read_names(sum(ir.children(stmts[j]), ())):
            return None
    return None
