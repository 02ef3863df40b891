"""Which temporaries emission writes into the one expression that reads them.

The plan is per binding, not per name: `single_reads` gives the names each of whose
reads is the one read of the binding right before it in its block, so that each binding
of such a name is read at one place; `inline_plan` gives the positions of the bindings of
a block to write into that place. Another binding of the same name that does not qualify
(`t1_bar = t1_bar + g` read after a name its text reads is bound again) stays a line.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import ir


def use_counts(blocks) -> dict[str, int]:
    """How often each name is read, in these blocks and the blocks nested in them."""
    counts: dict[str, int] = {}
    for block in blocks:
        for stmt in ir.walk(tuple(block)):
            for n in ir.vars_read(stmt):
                counts[n] = counts.get(n, 0) + 1
    return counts


def single_reads(blocks, counts: dict[str, int]) -> frozenset[str]:
    """The names each read of which is paired with the binding right before it: an
    assignment earlier in the reader's own block, nothing in between binding or reading the
    name (nested blocks included), a reader that reads it once and is not a while loop
    (which reads it on every trip). Every binding of such a name is read at one place at
    most: a read paired with a binding sees that binding's value on every path."""
    paired: dict[str, int] = {}
    for stmts in _every_block(blocks):
        for n in _paired_reads(stmts):
            paired[n] = paired.get(n, 0) + 1
    return frozenset(n for n, count in paired.items() if count == counts.get(n))


def _every_block(blocks) -> Iterator[list]:
    """Every block, nested ones too; a while's test followed by its condition's read (the
    `while` line reads the condition the test's statements bind)."""
    for block in blocks:
        yield list(block)
        for stmt in ir.walk(tuple(block)):
            if isinstance(stmt, ir.While):
                yield [*stmt.test, ir.Return((stmt.cond,))]
                yield list(stmt.body)
            else:
                yield from (list(child) for child in ir.children(stmt))


def _paired_reads(stmts: list) -> Iterator[str]:
    """The names read by a statement as the one read of an assignment before it."""
    pending: set[str] = set()  # names an assignment bound, not read or bound since
    for stmt in stmts:
        read = ir.vars_read(stmt)
        if not isinstance(stmt, ir.While):
            yield from (n for n in pending & set(read) if read.count(n) == 1)
        nested = sum(ir.children(stmt), ())
        pending -= set(read) | ir.read_names(nested) | ir.assigned_names(nested)
        if (n := ir.var_written(stmt)) is not None:
            pending.discard(n)
            if isinstance(stmt, ir.Assign):
                pending.add(n)


def inline_plan(stmts: list, temps, single: frozenset[str]) -> set[int]:
    """Positions of the bindings of this block to write into the one statement that reads
    them.

    A binding qualifies when it binds a temporary whose every binding is read once
    (`single_reads`), its reader is a later statement of the same block (not inside a
    nested loop or branch, which would change how often it is computed), and nothing in
    between binds the name or a name its expression reads (or the expressions inlined
    into it read). A random draw never qualifies.
    """
    plan: set[int] = set()
    texts: dict[str, set[str]] = {}  # an inlined binding's name -> the names its text reads
    for i, stmt in enumerate(stmts):
        deps: set[str] = set()
        for n in ir.vars_read(stmt):
            deps |= texts.pop(n, {n})
        if _qualifies(stmts, i, temps, single, deps):
            plan.add(i)
            texts[stmt.target.name] = deps
    return plan


def _qualifies(stmts: list, i: int, temps, single: frozenset[str], deps: set[str]) -> bool:
    """Whether binding `i`, whose text reads `deps`, goes into its one reader."""
    stmt = stmts[i]
    if not (isinstance(stmt, ir.Assign) and stmt.target.name in temps
            and stmt.target.name in single) or stmt.prim.spec.draws:
        return False  # a draw stays on its line: moved, it would draw after a later draw
    t = stmt.target.name
    user = _direct_user(stmts, i, t)
    if user is None:
        return False
    # a branch between may bind the temporary again (`t = a; if not t: t = b`, how `a or
    # b` lowers): on either path, or a name its expression reads
    touched = deps | {t}
    return not any(ir.var_written(s) in touched or
                   ir.assigned_names(sum(ir.children(s), ())) & touched
                   for s in stmts[i + 1:user])


def _direct_user(stmts: list, start: int, name: str) -> int | None:
    for j in range(start + 1, len(stmts)):
        stmt = stmts[j]
        if name in ir.vars_read(stmt):
            return j if not isinstance(stmt, ir.While) else None
        if name in ir.read_names(sum(ir.children(stmt), ())):
            return None
    return None
