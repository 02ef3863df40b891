"""Which temporaries emission writes into the one expression that reads them.

statements.py asks `use_counts` how often each name is read (a loop value the
backward sweep redoes, bound twice and each binding read once, counts once) and
`inline_plan` which temporaries of a block to inline.
"""

from __future__ import annotations

from .. import ir


def use_counts(blocks) -> dict[str, int]:
    """How often each name is read, but 1 for a name bound more than once whose every
    binding is read once, by a later statement of its own block (a loop value the
    backward sweep redoes: the forward's binding and the backward's, each inlined)."""
    counts: dict[str, int] = {}
    binds: dict[str, list] = {}
    for block in blocks:
        for stmt in ir.walk(tuple(block)):
            for n in ir.vars_read(stmt):
                counts[n] = counts.get(n, 0) + 1
            if (n := ir.var_written(stmt)) is not None:
                binds.setdefault(n, []).append(stmt)
    twice = {n for n, stmts in binds.items() if 1 < len(stmts) == counts.get(n) and
             all(isinstance(s, ir.Assign) for s in stmts)}
    for n in twice & _each_read_next(blocks, twice):
        counts[n] = 1
    return counts


def _each_read_next(blocks, names: set[str]) -> set[str]:
    """The names whose every binding is read by a later statement of its own block itself
    (not in a nested block) before anything binds them again."""
    failed: set[str] = set()
    for stmts in [list(b) for b in blocks] + [list(c) for b in blocks
                                              for s in ir.walk(tuple(b)) for c in ir.children(s)]:
        for i, stmt in enumerate(stmts):
            name = ir.var_written(stmt)
            if name in names and not _read_next(stmts[i + 1:], name):
                failed.add(name)
    return names - failed


def _read_next(stmts: list, name: str) -> bool:
    for stmt in stmts:
        if name in ir.vars_read(stmt):
            return not isinstance(stmt, ir.While)
        nested = sum(ir.children(stmt), ())
        if ir.var_written(stmt) == name or name in ir.read_names(nested) | \
                ir.assigned_names(nested):
            return False
    return False


def inline_plan(stmts: list, temps, uses: dict[str, int]) -> set[str]:
    """Temporaries of this block to write into the one statement that reads them.

    A temporary qualifies when it is read exactly once, by a later statement
    of the same block (not inside a nested loop or branch, which would change
    how often it is computed), and nothing in between assigns a name its
    expression reads. A random draw never qualifies. A name bound twice (use_counts)
    is inlined only where both of its bindings qualify: emission inlines a name, not
    one of its bindings (`t1_bar = x_bar; t1_bar = t1_bar + g` read after `x_bar` is
    bound again must stay a line).
    """
    refused: set[str] = set()
    while True:
        plan, failed = _plan(stmts, temps, uses, refused)
        if not plan & failed:
            return plan
        refused |= plan & failed  # one binding qualified, another did not: plan again


def _plan(stmts: list, temps, uses: dict[str, int], refused: set[str]) -> tuple[set, set]:
    """(the temporaries whose bindings qualify, those with a binding that does not)."""
    plan: set[str] = set()
    failed: set[str] = set()
    reads: dict[str, set[str]] = {}
    for i, stmt in enumerate(stmts):
        if not (isinstance(stmt, ir.Assign) and stmt.target.name in temps
                and uses.get(stmt.target.name) == 1) or stmt.prim.spec.draws \
                or stmt.target.name in refused:
            continue  # a draw stays on its line: moved, it would draw after a later draw
        t = stmt.target.name
        deps = set()
        for n in ir.vars_read(stmt):
            deps |= reads.get(n, {n}) if n in plan else {n}
        user = _direct_user(stmts, i, t)
        between = stmts[i + 1:user] if user is not None else ()
        # a branch between may bind the temporary again (`t = a; if not t: t = b`, how `a or
        # b` lowers): on either path, or a name its expression reads
        if user is None or any(ir.var_written(s) in deps | {t} for s in between) or \
                any(ir.assigned_names(sum(ir.children(s), ())) & (deps | {t}) for s in between):
            failed.add(t)
            continue
        plan.add(t)
        reads[t] = deps
    return plan, failed


def _direct_user(stmts: list, start: int, name: str) -> int | None:
    for j in range(start + 1, len(stmts)):
        stmt = stmts[j]
        if name in ir.vars_read(stmt):
            return j if not isinstance(stmt, ir.While) else None
        if name in ir.read_names(sum(ir.children(stmt), ())):
            return None
    return None
