"""Liveness over structured IR: the names a later statement may read before binding
them again, after each compound statement and at each loop's head.

forward.py asks it at its joins (after an `if`, at a loop's head, at a break), where a
tangent defined on some paths only gets zeros on the others: a name nothing reads after
the join before binding it again needs no tangent there (an index the backward sweep
redoes at the top of each trip, `t2 = k + 3`, whose tangent the tape gave it).
"""

from __future__ import annotations

from .. import ir


class Liveness:
    """The live names of one function body, keyed by its statements' identity."""

    def __init__(self, body):
        self._after: dict[int, set[str]] = {}
        self._head: dict[int, set[str]] = {}
        self._block(tuple(body), set(), set(), set())

    def after(self, stmt: ir.Stmt) -> set[str]:
        """The names live right after `stmt` (an if or a loop of the body)."""
        return self._after[id(stmt)]

    def head(self, loop: ir.While | ir.For) -> set[str]:
        """The names live at a loop's head: read by a trip or after the loop."""
        return self._head[id(loop)]

    def _block(self, block, live: set[str], exit_: set[str], again: set[str]) -> set[str]:
        """The names live before `block`, given those live after it (`exit_`: after the
        loop a break in it leaves; `again`: at the head a continue goes back to)."""
        for stmt in reversed(block):
            live = self._stmt(stmt, live, exit_, again)
        return live

    def _stmt(self, stmt: ir.Stmt, live: set[str], exit_: set[str],
              again: set[str]) -> set[str]:
        # a statement object met twice (shared) keeps the union of its sets: never fewer
        self._after[id(stmt)] = self._after.get(id(stmt), set()) | live
        read = set(ir.vars_read(stmt))
        if isinstance(stmt, ir.Break):
            return set(exit_)
        if isinstance(stmt, ir.Continue):
            return set(again)
        if isinstance(stmt, ir.Return):
            return read
        if isinstance(stmt, ir.If):
            return self._block(stmt.body, live, exit_, again) | \
                self._block(stmt.orelse, live, exit_, again) | read
        if isinstance(stmt, ir.While):
            return self._loop(stmt, live)  # its condition is read at the head
        if isinstance(stmt, ir.For):
            return self._loop(stmt, live) | read  # its bounds are read once, before
        return (live - {ir.var_written(stmt)}) | read

    def _loop(self, loop: ir.While | ir.For, live: set[str]) -> set[str]:
        """The names live at the loop's head, grown to a fixpoint (from the last one found:
        an enclosing loop's fixpoint then visits a nested loop's once per round)."""
        head = self._head.get(id(loop), set()) | live
        while True:
            trip = self._block(loop.body, head, live, head)
            if isinstance(loop, ir.While):  # the test, then the condition read, each trip
                grown = self._block(loop.test, trip | live | set(ir.vars_read(loop)), live,
                                    head)
            else:
                grown = live | (trip - {loop.target.name} if loop.target else trip)
            if grown <= head:
                self._head[id(loop)] = head
                return head
            head |= grown
