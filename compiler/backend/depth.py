"""Python's limit on nesting: emitted code that would pass it is refused at the model's line.

CPython's tokenizer stops at 100 levels of indentation ("too many levels of
indentation"); a function's body is level 1. An `elif` chain is emitted flat
(statements.py `_elif`), but inside a loop each branch first tapes its
condition, so the chain nests one level per branch in the forward sweep.
"""

from __future__ import annotations

from .. import ir
from ..errors import UnsupportedError

MAX_LEVEL = 99  # the deepest indentation level Python compiles (the function body is 1)


def check_depth(adj) -> None:
    """Raise UnsupportedError, at the model's line, if a sweep of `adj` nests past Python's limit."""
    for block in (adj.forward, adj.seed, adj.backward):
        stmt, level = _deepest(block)
        if level > MAX_LEVEL:
            raise UnsupportedError(
                f"this nests {level} levels deep in the gradient code of "
                f"{adj.primal.name}(), past Python's limit of {MAX_LEVEL}", stmt.loc,
                "an elif chain inside a loop nests one level per branch in the emitted "
                "forward sweep: split the chain, or choose the branch with a lookup")


def _deepest(block) -> tuple[object, int]:
    """The most deeply indented statement of a block and its level, without recursion."""
    deepest, level_of = None, 0
    stack = [(stmt, 1) for stmt in block]
    while stack:
        stmt, level = stack.pop()
        if level > level_of:
            deepest, level_of = stmt, level
        children = ir.children(stmt)
        if isinstance(stmt, ir.If) and stmt.body and _is_elif(stmt.orelse):
            stack += [(s, level + 1) for s in stmt.body]
            stack += [(s, level) for s in stmt.orelse]  # emitted as `elif`: no deeper
            continue
        stack += [(s, level + 1) for child in children for s in child]
    return deepest, level_of


def _is_elif(orelse) -> bool:
    """Whether statements.py emits this else block as an `elif` (`if c`, or `t = c; if t`)."""
    if len(orelse) == 1:
        return isinstance(orelse[0], ir.If)
    return len(orelse) == 2 and isinstance(orelse[0], ir.Assign) and \
        isinstance(orelse[1], ir.If) and isinstance(orelse[1].cond, ir.Var) and \
        orelse[1].cond.name == orelse[0].target.name
