"""Activity analysis: which variables carry a derivative worth computing.

A variable is *varied* if it depends on a `wrt` parameter through
differentiable primitives, *useful* if the returned values depend on it, and
*active* if both. Only active variables get adjoints, so frozen parameters
(those not in `wrt`) and everything computed only from them cost nothing in
the emitted backward sweep. The analysis is flow-insensitive (a variable is
active if any of its assignments is), which is conservative and simple.
"""

from __future__ import annotations

from .. import ir


def differentiable_args(stmt: ir.Assign) -> list[str]:
    """Names of the arguments of `stmt` through which a derivative can flow."""
    if not stmt.prim.differentiable or stmt.params.get("nograd"):
        return []
    positions = stmt.prim.spec.diff_args
    if positions is None:
        positions = range(len(stmt.args))
    return [stmt.args[i].name for i in positions if isinstance(stmt.args[i], ir.Var)]


def active_variables(fn: ir.Function, wrt: tuple[str, ...], outputs: int | None = None) -> set[str]:
    """The names that are both varied (from `wrt`) and useful (to the result).

    `outputs` limits the result to the first returned values (auxiliary
    outputs after them are returned but not differentiated).
    """
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    edges = [(name, s.target.name) for s in assigns for name in differentiable_args(s)]
    varied = _closure(set(wrt), edges)
    returned = {a.name for s in ir.walk(fn.body) if isinstance(s, ir.Return)
                for a in s.values[:outputs] if isinstance(a, ir.Var)}
    useful = _closure(returned, [(dst, src) for src, dst in edges])
    return varied & useful


def _closure(start: set[str], edges: list[tuple[str, str]]) -> set[str]:
    """Everything reachable from `start` along (source, destination) edges."""
    successors: dict[str, list[str]] = {}
    for source, dest in edges:
        successors.setdefault(source, []).append(dest)
    reached = set(start)
    pending = list(start)
    while pending:  # a graph search: each edge is followed once
        for dest in successors.get(pending.pop(), ()):
            if dest not in reached:
                reached.add(dest)
                pending.append(dest)
    return reached
