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
  * in an adjoint: every Pop takes what a Push recorded, in the mirror loop
    and branch, in mirror order (the backward sweep pops what the forward
    sweep pushed, last first); no save/restore marker is left after tape
    resolution.

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
# A guard: the branch decisions (condition name, taken) a path has made. A name is
# defined under a set of guards, alternatives: on every path that meets one of them.
Guard = frozenset
ALWAYS = frozenset({Guard()})
_UNDEFINED = frozenset()  # no guards: one object, so that `is` tells two of them apart


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
    state = {name: ALWAYS for name in (*fn.param_names, *extra_defined)}
    checker.block(fn.body, state, Guard(), in_loop=False)


def validate_adjoint(adj, after: str | None = None, markers: bool = False) -> None:
    """Raise InternalError if an Adjoint's sweeps break an IR invariant.

    The sweeps run in order, from the primal's parameters and the seed
    parameter, and end by returning the outputs (when the variant returns the
    value), the gradients and the kept adjoints. `markers` allows the Save,
    Restore and StmtStart markers that tape resolution replaces.
    """
    where = _where(f"the adjoint of {adj.primal.name}", after)
    checker = _Checker(where, markers)
    state = {name: ALWAYS for name in (*adj.primal.param_names, adj.seed_param)}
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
        # An if's join looks only at the names its branches may have changed, and at
        # those whose guards may name its condition (joining those with themselves can
        # change them): every name, at every if, would cost names x ifs.
        self.touched: list[set[str]] = []  # per branch being checked: the names it defined
        # (condition, taken) -> the names each if on that condition defined in that branch,
        # kept when the if is checked (a name's guards name a decision only if it was defined
        # in that branch of an if on it): joined only for a condition tested again
        self.named_in: dict[tuple[str, bool], list[set[str]]] = {}

    def define(self, state: dict, name: str, assume: Guard) -> None:
        """Defined now on this path (as well as wherever it was before)."""
        state[name] = _simplest(state.get(name, frozenset()) | {assume})
        if self.touched:
            self.touched[-1].add(name)

    def define_all(self, state: dict, names, assume: Guard) -> None:
        """`define` each of `names`."""
        for name in names:
            self.define(state, name, assume)

    def fail(self, stmt, message: str) -> None:
        loc = getattr(stmt, "loc", None)
        at = f" at {loc}" if loc is not None and getattr(loc, "line", 0) else ""
        raise InternalError(f"invalid IR in {self.where}: {message}, in `{_show(stmt)}`{at}")

    # ------------------------------------------------------------ statements
    def reads(self, stmt, state: dict, assume: Guard) -> None:
        for name in ir.vars_read(stmt):
            guards = state.get(name)
            if guards is None:
                self.fail(stmt, f"{name!r} is read before it is defined")
            if not any(guard <= assume for guard in guards):
                guard = min(guards, key=len)
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
        if stmt.prim in (Prim.CALL, Prim.CALL_VJP, Prim.CALL_FWD, Prim.CALL_BWD) and not params.get("fn"):
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
                self.define_all(state, ir.assigned_names(stmt.body), assume)
            elif isinstance(stmt, ir.For):
                inner = dict(state)
                if stmt.target is not None:
                    self.define(inner, stmt.target.name, assume)
                self.block(stmt.body, inner, assume, True)
                self.define_all(state, ir.assigned_names(stmt.body) | ({stmt.target.name}
                                                                   if stmt.target else set()), assume)
            elif (name := ir.var_written(stmt)) is not None:
                self.define(state, name, assume)
            if isinstance(stmt, (ir.Return, ir.Break, ir.Continue)):
                return None  # code after a jump never runs: the join takes the other paths
        return state

    def if_(self, stmt: ir.If, state: dict, assume: Guard, in_loop: bool) -> dict | None:
        cond = stmt.cond.name if isinstance(stmt.cond, ir.Var) else None
        then_assume = assume | {(cond, True)} if cond else assume
        else_assume = assume | {(cond, False)} if cond else assume
        then, then_touched = self.branch(stmt.body, state, then_assume, in_loop)
        other, other_touched = self.branch(stmt.orelse, state, else_assume, in_loop)
        tested_before = cond is not None and (cond, True) in self.named_in
        if cond is not None:
            self.named_in.setdefault((cond, True), []).append(then_touched)
            self.named_in.setdefault((cond, False), []).append(other_touched)
        if then is None or other is None:
            # only the branch that falls through reaches what follows: its decision is known there
            if then is None and other is None:
                return None
            survivor, taken = (other, (cond, False)) if then is None else (then, (cond, True))
            changed = self.named(taken) & survivor.keys() if cond else set()
            for name in changed:
                survivor[name] = _simplest({g - {taken} for g in survivor[name]})
            self.mark(changed | (other_touched if then is None else then_touched))
            return survivor
        return self.join(then, then_touched, other, other_touched, cond, tested_before)

    def named(self, decision: tuple[str, bool]) -> set[str]:
        """The names defined (so far) under a decision, so the names whose guards may hold it."""
        return set().union(*self.named_in.get(decision, ()))

    def join(self, then: dict, then_touched: set, other: dict, other_touched: set,
             cond: str | None, tested_before: bool) -> dict:
        """The state after an if whose two branches both fall through."""
        # Built in the state of the branch that changed more names (an elif chain's else),
        # visiting only the other's: a name changed by one branch alone is as that branch
        # left it (its guards there cover those before the if), unless its guards hold
        # `cond` true from another if on the same condition (only their join can add a
        # guard). Visiting every name an elif chain defines below, at each of its ifs, was
        # quadratic.
        base, few = (other, then_touched) if len(other_touched) > len(then_touched) \
            else (then, other_touched)
        named = self.named((cond, True)) if tested_before else set()
        for name in few | named:
            first, second = then.get(name, _UNDEFINED), other.get(name, _UNDEFINED)
            if first is second and not _mentions(first, cond):
                continue  # neither branch touched it (or defines it): as it was
            if not first and not _mentions(second, cond):  # defined in the else branch only
                base[name] = second
            elif not second and not _mentions(first, cond):  # in the then branch only
                base[name] = first
            else:
                base[name] = _joined(first, second, cond)
        self.mark(then_touched, other_touched)
        return base

    def branch(self, block, state: dict, assume: Guard, in_loop: bool):
        """(the state after a branch, None if it jumps; the names it may have changed)."""
        self.touched.append(set())
        try:
            return self.block(block, dict(state), assume, in_loop), self.touched[-1]
        finally:
            self.touched.pop()

    def mark(self, *names: set[str]) -> None:
        """Names an if changed count as changed by the branch around it."""
        if not self.touched:
            return
        # the smaller sets into the largest (an elif chain's names climb it once each)
        sets = sorted((self.touched[-1], *names), key=len)
        for smaller in sets[:-1]:
            sets[-1].update(smaller)
        self.touched[-1] = sets[-1]

    # ------------------------------------------------------------------ tape
    def tape(self, forward, seed, backward) -> None:
        """Pops, last first, must mirror the pushes: same count, same loop, same branch."""
        for block, name in ((seed, "seed"), (backward, "backward")):
            for stmt in _tape_ops(block, ir.Push):
                self.fail(stmt, f"a Push in the {name} sweep")
        for stmt in _tape_ops(forward, ir.Pop):
            self.fail(stmt, f"Pop of {stmt.target.name!r} in the forward sweep")
        problem = _mirror_problem(_tape_shape(forward, ir.Push), _tape_shape(backward, ir.Pop))
        if problem is not None:
            self.fail(*problem)


def _tape_shape(block, kind) -> list:
    """The tape operations of a block as a tree: statements, ("loop", items), ("if", a, b)."""
    items: list = []
    for stmt in block:
        if isinstance(stmt, kind):
            items.append(stmt)
        elif isinstance(stmt, (ir.While, ir.For)):
            inner = _tape_shape(stmt.body, kind)
            if inner:
                items.append(("loop", inner, stmt))
        elif isinstance(stmt, ir.If):
            body, orelse = _tape_shape(stmt.body, kind), _tape_shape(stmt.orelse, kind)
            if body or orelse:
                items.append(("if", body, orelse, stmt))
    return items


def _mirror_problem(pushes: list, pops: list):
    """(statement, message) where `pops`, last first, do not mirror `pushes`; else None."""
    for push, pop in zip(pushes, reversed(pops)):
        if isinstance(push, ir.Push) and isinstance(pop, ir.Pop):
            continue
        if isinstance(push, tuple) and isinstance(pop, tuple) and push[0] == pop[0] == "loop":
            problem = _mirror_problem(push[1], pop[1])
        elif isinstance(push, tuple) and isinstance(pop, tuple) and push[0] == pop[0] == "if":
            # a lean forward sweep may test the negated condition: accept either pairing
            straight = _mirror_problem(push[1], pop[1]) or _mirror_problem(push[2], pop[2])
            crossed = _mirror_problem(push[1], pop[2]) or _mirror_problem(push[2], pop[1])
            problem = straight if straight and crossed else None
        else:
            return (_tape_stmt(pop), (f"`{_show(_tape_stmt(pop))}` does not mirror "
                                     f"`{_show(_tape_stmt(push))}` (another loop or branch)"))
        if problem is not None:
            return problem
    if len(pushes) > len(pops):
        push = _tape_stmt(pushes[len(pushes) - len(pops) - 1])
        return (push, (f"Push of {_show(push).removeprefix('push ')} is never popped "
                      f"({len(pushes)} pushes, {len(pops)} pops in one block)"))
    if len(pops) > len(pushes):
        pop = _tape_stmt(pops[len(pops) - len(pushes) - 1])
        return (pop, (f"{_show(pop)!r} has no matching Push "
                     f"({len(pushes)} pushes, {len(pops)} pops in one block)"))
    return None


def _tape_stmt(item):
    """The statement behind an item of `_tape_shape`."""
    return item[-1] if isinstance(item, tuple) else item


def _joined(first: frozenset, second: frozenset, cond: str | None) -> frozenset:
    """The guards of a name after an if, from those of its two branches: the paths of
    either, and X where the branches hold X + {cond} and X + {not cond}."""
    guards = set(first | second)
    if cond is not None:
        for guard in first | second:
            if (cond, True) in guard and guard - {(cond, True)} | {(cond, False)} in guards:
                guards.add(guard - {(cond, True)})
    return _simplest(guards)


def _mentions(guards: frozenset, cond: str | None) -> bool:
    """Whether a guard holds `cond` true: the only case where joining a set with itself
    changes it (its state values are always _simplest already)."""
    return cond is not None and any((cond, True) in guard for guard in guards)


def _simplest(guards) -> frozenset:
    """The guards, without those that another one implies (a superset of it)."""
    return frozenset(g for g in guards if not any(other < g for other in guards))


def _tape_ops(block, kind):
    """Every Push or Pop of a block, nested blocks included."""
    return [stmt for stmt in ir.walk(tuple(block)) if isinstance(stmt, kind)]


def _positions(item) -> list[int]:
    """The argument positions an index item reads."""
    if isinstance(item, ir.Hole):
        return [item.pos]
    if isinstance(item, ir.Slice):
        return [p for p in (item.lower, item.upper, item.step) if p is not None]
    return []
