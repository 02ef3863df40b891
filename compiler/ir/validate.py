"""The IR verifier: run after every pass when AGC_CHECKS=1 (the tests set it).

`validate(fn)` checks a function, `validate_adjoint(adj)` the forward, seed and
backward sweeps of an `ad.reverse.Adjoint` run one after the other, as the
emitted gradient function runs them. Checks:

  * every variable is defined before it is read on every path (Python's own
    rule, so emitted code never raises NameError). Paths are told apart by
    branch conditions: a name assigned under `if c:` may be read under a later
    `if c:` (the backward sweep mirrors the forward sweep's branches);
  * each primitive gets as many atoms as its Spec says, its `params` are a
    sorted mapping without None values, an index template points only at
    atoms the statement has, and a call names its function;
  * break/continue sit inside a loop;
  * in an adjoint: every Pop takes what a Push recorded, at the same loop
    depth, in mirror order (the backward sweep pops what the forward sweep
    pushed, last first); no save/restore marker is left after tape resolution.

Raises `InternalError` on the first violation, naming the function, the pass
that ran last, the variable and the statement: a failure is a bug in agc.
"""

from __future__ import annotations

import os

from .. import ir
from ..errors import InternalError
from .prims import VARIADIC, Prim
from .printer import format_block

_STATEMENTS = (ir.Assign, ir.If, ir.While, ir.For, ir.Break, ir.Continue, ir.Return,
               ir.Push, ir.Pop)
# A guard: the branch decisions (condition name, taken) a path has made.
Guard = frozenset


def checks_enabled() -> bool:
    """Whether the environment asks for `validate` after every pass (AGC_CHECKS=1)."""
    return os.environ.get("AGC_CHECKS", "") == "1"


class Checks:
    """Runs the verifier after each pass of one compile, if AGC_CHECKS=1 when it began."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = checks_enabled() if enabled is None else enabled

    def function(self, fn: ir.Function, after: str) -> ir.Function:
        """Check a function after the pass `after`; return it."""
        if self.enabled:
            validate(fn, after=after)
        return fn

    def adjoint(self, adj, after: str, markers: bool = False):
        """Check an Adjoint after the pass `after` (`markers`: save/restore markers allowed)."""
        if self.enabled:
            validate_adjoint(adj, after=after, markers=markers)
        return adj


# ---------------------------------------------------------------- entry points
def validate(fn: ir.Function, extra_defined: frozenset[str] = frozenset(),
             after: str | None = None) -> None:
    """Raise InternalError if `fn` breaks an IR invariant."""
    checker = _Checker(_where(fn.name, after), markers=False)
    state = {name: Guard() for name in (*fn.param_names, *extra_defined)}
    checker.block(fn.body, state, Guard(), in_loop=False)


def validate_adjoint(adj, after: str | None = None, markers: bool = False) -> None:
    """Raise InternalError if an Adjoint's sweeps break an IR invariant.

    The sweeps run in order, from the primal's parameters and the seed
    parameter, and end by returning the outputs (when the variant returns the
    value), the gradients and the kept adjoints. `markers` allows the Save,
    Restore and BlockStart markers that tape resolution replaces.
    """
    where = _where(f"the adjoint of {adj.primal.name}", after)
    checker = _Checker(where, markers)
    state = {name: Guard() for name in (*adj.primal.param_names, adj.seed_param)}
    body = tuple(adj.forward) + tuple(adj.seed) + tuple(adj.backward)
    returned = (tuple(adj.outputs) if adj.returns_value else ()) + tuple(adj.grads) + tuple(adj.kept)
    end = checker.block(body, state, Guard(), in_loop=False)
    if end is not None:
        checker.reads(ir.Return(returned, adj.primal.loc), end, Guard())
    checker.tape(adj.forward, adj.seed, adj.backward)


def _where(name: str, after: str | None) -> str:
    return name if after is None else f"{name} after {after}"


def _show(stmt) -> str:
    if not isinstance(stmt, _STATEMENTS):
        return type(stmt).__name__
    return format_block((stmt,), 0)[0]


# ------------------------------------------------------------------- checker
class _Checker:
    def __init__(self, where: str, markers: bool):
        self.where = where
        self.markers = markers

    def fail(self, stmt, message: str) -> None:
        loc = getattr(stmt, "loc", None)
        at = f" at {loc}" if loc is not None and getattr(loc, "line", 0) else ""
        raise InternalError(f"invalid IR in {self.where}: {message}, in `{_show(stmt)}`{at}")

    # ------------------------------------------------------------ statements
    def reads(self, stmt, state: dict, assume: Guard) -> None:
        for name in ir.vars_read(stmt):
            guard = state.get(name)
            if guard is None:
                self.fail(stmt, f"{name!r} is read before it is defined")
            if not guard <= assume:
                branches = ", ".join(f"{'' if taken else 'not '}{cond}"
                                     for cond, taken in sorted(guard - assume))
                self.fail(stmt, f"{name!r} is read where it may be undefined "
                                f"(it is defined only when {branches})")

    def assign(self, stmt: ir.Assign) -> None:
        arity = stmt.prim.spec.arity
        if arity != VARIADIC and arity != len(stmt.args):
            self.fail(stmt, f"{stmt.prim.name} takes {arity} atoms, not {len(stmt.args)}")
        params = stmt.params
        if not isinstance(params, ir.Params):
            self.fail(stmt, f"params must be ir.Params, not {type(params).__name__}")
        keys = [k for k, _ in params.items]
        if keys != sorted(set(keys)):
            self.fail(stmt, f"params keys {keys} are not sorted and unique")
        if any(v is None for _, v in params.items):
            self.fail(stmt, "params hold a None value")
        if stmt.prim in (Prim.CALL, Prim.CALL_VJP) and not params.get("fn"):
            self.fail(stmt, f"{stmt.prim.name} names no function (params fn=)")
        index = params.get("index")
        if index is not None:
            self.index(stmt, index)

    def index(self, stmt: ir.Assign, template) -> None:
        if not isinstance(template, ir.Index):
            self.fail(stmt, f"malformed index template {template!r}")
        holes = [pos for item in template.items for pos in _positions(item)]
        # Every indexing primitive takes at least the indexed value before the holes.
        if any(pos < 1 or pos > len(stmt.args) - 1 for pos in holes):
            self.fail(stmt, f"index template {template} points past the "
                            f"{len(stmt.args) - 1} index atoms")

    def block(self, block, state: dict, assume: Guard, in_loop: bool) -> dict | None:
        """Check a block from `state` (name -> guard); the state after it, None if it jumps."""
        for stmt in block:
            if not isinstance(stmt, _STATEMENTS):
                if not self.markers:
                    self.fail(stmt, f"a {type(stmt).__name__} marker is left unresolved")
                continue
            if not isinstance(stmt, ir.While):  # its condition is read after its test block
                self.reads(stmt, state, assume)
            if isinstance(stmt, ir.Assign):
                self.assign(stmt)
            if isinstance(stmt, (ir.Break, ir.Continue)) and not in_loop:
                self.fail(stmt, "break/continue outside a loop")
            if isinstance(stmt, ir.If):
                state = self.if_(stmt, state, assume, in_loop)
                if state is None:
                    return None
            elif isinstance(stmt, ir.While):
                after_test = self.block(stmt.test, dict(state), assume, in_loop)
                if after_test is None:
                    self.fail(stmt, "the test of a while loop jumps")
                self.reads(stmt, after_test, assume)
                self.block(stmt.body, dict(after_test), assume, True)
                # Python binds what the body assigns once it has run: trust the user on that.
                state = after_test
                _define_all(state, ir.assigned_names(stmt.body), assume)
            elif isinstance(stmt, ir.For):
                inner = dict(state)
                if stmt.target is not None:
                    _define(inner, stmt.target.name, assume)
                self.block(stmt.body, inner, assume, True)
                _define_all(state, ir.assigned_names(stmt.body) | ({stmt.target.name}
                                                                   if stmt.target else set()), assume)
            elif (name := ir.var_written(stmt)) is not None:
                _define(state, name, assume)
            if isinstance(stmt, (ir.Return, ir.Break, ir.Continue)):
                return None  # code after a jump never runs: the join takes the other paths
        return state

    def if_(self, stmt: ir.If, state: dict, assume: Guard, in_loop: bool) -> dict | None:
        cond = stmt.cond.name if isinstance(stmt.cond, ir.Var) else None
        then_assume = assume | {(cond, True)} if cond else assume
        else_assume = assume | {(cond, False)} if cond else assume
        then = self.block(stmt.body, dict(state), then_assume, in_loop)
        other = self.block(stmt.orelse, dict(state), else_assume, in_loop)
        if then is None or other is None:
            return other if then is None else then
        joined = {}
        for name in then.keys() | other.keys():
            first, second = then.get(name), other.get(name)
            if first is None or second is None:
                joined[name] = first if second is None else second
            else:  # defined under either guard: X + {c} or X + {not c} is defined under X
                joined[name] = first & second
        return joined

    # ------------------------------------------------------------------ tape
    def tape(self, forward, seed, backward) -> None:
        """Pops, last first, must mirror the pushes: same count, same loop depth."""
        pushes = list(_tape_ops(forward, ir.Push, 0))
        for block, name in ((seed, "seed"), (backward, "backward")):
            for stmt, _ in _tape_ops(block, ir.Push, 0):
                self.fail(stmt, f"a Push in the {name} sweep")
        for stmt, _ in _tape_ops(forward, ir.Pop, 0):
            self.fail(stmt, f"Pop of {stmt.target.name!r} in the forward sweep")
        pops = list(_tape_ops(backward, ir.Pop, 0))
        for i, (pop, depth) in enumerate(reversed(pops)):
            if i >= len(pushes):
                self.fail(pop, f"Pop of {pop.target.name!r} has no matching Push "
                               f"({len(pushes)} pushes, {len(pops)} pops)")
            push, push_depth = pushes[i]
            if depth != push_depth:
                self.fail(pop, f"Pop of {pop.target.name!r} at loop depth {depth} matches "
                               f"`{_show(push)}` at loop depth {push_depth}")
        if len(pushes) > len(pops):
            push = pushes[len(pops)][0]
            self.fail(push, f"Push of {push.value} is never popped "
                            f"({len(pushes)} pushes, {len(pops)} pops)")


def _define(state: dict, name: str, assume: Guard) -> None:
    old = state.get(name)
    if old is None or assume <= old:
        state[name] = assume  # defined now wherever it was before, and on this path


def _define_all(state: dict, names, assume: Guard) -> None:
    for name in names:
        _define(state, name, assume)


def _tape_ops(block, kind, depth: int):
    """(statement, loop depth) of every Push or Pop of a block, in program order."""
    for stmt in block:
        if isinstance(stmt, kind):
            yield stmt, depth
        if isinstance(stmt, _STATEMENTS):
            inner = depth + 1 if isinstance(stmt, (ir.While, ir.For)) else depth
            for child in ir.children(stmt):
                yield from _tape_ops(child, kind, inner)


def _positions(item) -> list[int]:
    """The argument positions an index item reads."""
    if isinstance(item, ir.Hole):
        return [item.pos]
    if isinstance(item, ir.Slice):
        return [p for p in (item.lower, item.upper, item.step) if p is not None]
    return []
