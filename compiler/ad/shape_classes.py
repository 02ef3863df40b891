"""Shape classes: which operands of an elementwise statement already have its output's shape.

Each array value the analysis follows gets a set of symbols, its class: its shape is
numpy's broadcast of the shapes the symbols stand for (a parameter's shape on entry,
the shape one statement gave, a name's shape at the head of a loop's trip or after a
branch). A number has the empty class (shape `()`, which broadcasting ignores).
Broadcasting is associative, commutative and idempotent, so `a op b` has the class
A | B, and an operand whose class is the output's has the output's shape: its
cotangent needs no `rt.unbroadcast` (`-p * sin(x) + 0.1 * x`'s `-p * sin(x)`; a
helper's value `rhs(x, p)` with its parameters' classes, `helper_summaries`).

The walk is in program order, so a name bound again gets its new class. A name a loop
changes gets a symbol of its own at the loop's head (its shape may differ from trip to
trip: `x = x + rhs(x, p)` grows an `x` of shape (1,) to p's), and so does a name two
branches give different classes; a symbol from one trip never meets another trip's
value, since every name that crosses a loop's back edge with another class is renamed.
What the analysis cannot follow (containers, values of unknown rank, nesting deeper than
`_DEPTH`) has no class, and its operands keep `rt.unbroadcast`.
"""

from __future__ import annotations

from .. import ir
from ..ir.prims import Prim

Class = frozenset | None  # the symbols of a value's shape; None: not known
_DEPTH = 48  # nesting followed; deeper functions get no facts (no recursion limit to meet)
_PASSES = 4  # a loop's head is settled in this many walks of its body, else all renamed
_WORK = 20  # statements walked per statement of the function at most (nested loops' walks)
_OWN_CLASS = (Prim.ASTYPE, Prim.IN_PLACE)  # the output has args[0]'s shape
_UNKNOWN = (Prim.SELECT,)  # lists of conditions and choices
_LIKE = (Prim.COPY, Prim.ZEROS_LIKE, Prim.ONES_LIKE, Prim.FULL_LIKE)  # args[0]'s shape


class _TooDeep(Exception):
    """Nesting beyond _DEPTH, or loops walked beyond the budget: the function gets no facts."""


def shaped_operands(fn: ir.Function, ranks: dict, params: dict, opaque: set[str],
                    summaries: dict | None = None, helper: bool = False) -> dict[int, frozenset]:
    """id(statement) -> positions of its operands that have its output's shape, for each
    elementwise statement where the classes show some (`ranks`: ad/ranks.py; `params`: the
    parameters' ranks on entry (the call's); `opaque`:
    names that may hold containers; `summaries`: helper_summaries of the helpers called;
    `helper`: every parameter has a class of its own, whatever the caller passes)."""
    walker = _Walker(ranks, opaque, summaries or {}, _WORK * sum(1 for _ in ir.walk(fn.body)))
    try:
        walker.block(fn.body, walker.entry(fn, params, helper), 0)
    except _TooDeep:
        return {}
    return walker.shaped


def helper_summaries(helpers: dict[tuple, ir.Function]) -> dict[tuple, tuple[int, ...]]:
    """(module, name) -> positions of the parameters whose classes make the helper's value's
    class, for each helper whose one returned value broadcasts its parameters elementwise."""
    summaries: dict[tuple, tuple[int, ...]] = {}
    pending = dict(helpers)
    while pending:  # callees first: a helper's summary reads its callees'
        ready = {k: f for k, f in pending.items() if not set(_callees(f)) & set(pending) - {k}}
        for key, fn in (ready or pending).items():
            summary = _summary(fn, summaries)
            if summary is not None:
                summaries[key] = summary
            del pending[key]
    return summaries


def _callees(fn: ir.Function) -> list[tuple]:
    return [(s.params.get("module"), s.params.get("fn")) for s in ir.walk(fn.body)
            if isinstance(s, ir.Assign) and s.prim is Prim.CALL]


def _summary(fn: ir.Function, summaries: dict) -> tuple[int, ...] | None:
    walker = _Walker({}, set(), summaries, _WORK * sum(1 for _ in ir.walk(fn.body)))
    try:
        env = walker.block(fn.body[:-1], walker.entry(fn, {}, True), 0)
    except _TooDeep:
        return None
    ret = fn.body[-1] if fn.body else None
    early = any(isinstance(t, ir.Return) for t in ir.walk(fn.body[:-1]))
    if env is None or early or not isinstance(ret, ir.Return) or len(ret.values) != 1:
        return None
    found = walker.atom(ret.values[0], env)
    params = {("param", name): i for i, name in enumerate(fn.param_names)}
    if found is None or not found <= params.keys():
        return None
    return tuple(sorted(params[s] for s in found))


class _Walker:
    """One walk of a function in program order, keeping each name's class."""

    def __init__(self, ranks: dict, opaque: set[str], summaries: dict, budget: int):
        self.budget = budget  # statements left to walk: nested loops' walks multiply
        self.ranks = ranks
        self.opaque = opaque
        self.summaries = summaries
        self.shaped: dict[int, frozenset] = {}

    def entry(self, fn: ir.Function, ranks: dict, helper: bool) -> dict[str, Class]:
        """The parameters' classes: their own symbol, empty for a number."""
        env = {}
        for name in fn.param_names:
            rank = ranks.get(name)
            if name in self.opaque or (rank is None and not helper):
                env[name] = None
            else:
                env[name] = frozenset() if rank == 0 else frozenset({("param", name)})
        return env

    def atom(self, atom: ir.Atom, env: dict) -> Class:
        """An operand's class (a number constant: empty)."""
        if isinstance(atom, ir.Const):
            return frozenset() if type(atom.value) in (int, float, bool) else None
        return env.get(atom.name)

    def block(self, stmts, env: dict, depth: int) -> dict | None:
        """The classes after a block (None: it never falls through)."""
        self.budget -= len(stmts)
        if depth > _DEPTH or self.budget < 0:
            raise _TooDeep
        env = dict(env)
        for stmt in stmts:
            if isinstance(stmt, ir.Assign):
                env[stmt.target.name] = self.assign(stmt, env)
            elif isinstance(stmt, ir.If):
                env = self.branch(stmt, env, depth)
            elif isinstance(stmt, (ir.For, ir.While)):
                env = self.loop(stmt, env, depth)
            elif isinstance(stmt, (ir.Break, ir.Continue, ir.Return)):
                return None
            if env is None:
                return None
        return env

    def assign(self, s: ir.Assign, env: dict) -> Class:
        """The class of an assignment's target, noting which operands have it."""
        name = s.target.name
        if s.prim is Prim.CALL and self._summarized(s) is not None:  # an array, not a tuple
            return self._union([s.args[i] for i in self._summarized(s)], env)
        if name in self.opaque:
            return None
        if s.prim.spec.in_place:  # a write into args[0] keeps its shape
            return env.get(name) if s.args and s.args[0] == s.target else None
        if s.prim.spec.group == "elementwise" and s.prim not in _UNKNOWN:
            return self.elementwise(s, env)
        if s.prim in _LIKE and not s.params.get("shape"):
            return self.atom(s.args[0], env)
        rank = self.ranks.get(name)
        if rank == 0 or s.prim.spec.always_scalar:
            return frozenset()
        return None if rank is None else frozenset({("stmt", id(s))})

    def elementwise(self, s: ir.Assign, env: dict) -> Class:
        if s.prim.spec.always_scalar:
            return frozenset()
        out = self.atom(s.args[0], env) if s.prim in _OWN_CLASS else self._union(s.args, env)
        # The last walk decides: a loop's earlier walks start from a head not yet settled
        # (`y + x` with y's class still x's, before a trip makes y p's shape).
        self.shaped.pop(id(s), None)
        if out is not None:
            same = frozenset(i for i, a in enumerate(s.args) if self.atom(a, env) == out)
            if same:
                self.shaped[id(s)] = same
        return out

    def _union(self, args, env: dict) -> Class:
        classes = [self.atom(a, env) for a in args]
        if any(c is None for c in classes):
            return None
        return frozenset().union(*classes)

    def _summarized(self, s: ir.Assign) -> tuple[int, ...] | None:
        summary = self.summaries.get((s.params.get("module"), s.params.get("fn")))
        if summary is None or s.params.get("keywords") or max(summary, default=-1) >= len(s.args):
            return None
        return summary

    def branch(self, s: ir.If, env: dict, depth: int) -> dict | None:
        """The classes after an `if`: a name the branches give different classes gets a
        symbol of its own."""
        then = self.block(s.body, env, depth + 1)
        orelse = self.block(s.orelse, env, depth + 1)
        if then is None or orelse is None:
            return orelse if then is None else then
        return {name: self._join(then.get(name), orelse.get(name), ("if", id(s), name))
                for name in then.keys() | orelse.keys()}

    @staticmethod
    def _join(a: Class, b: Class, symbol: tuple) -> Class:
        if a == b:
            return a
        return None if a is None or b is None else frozenset({symbol})

    def loop(self, s, env: dict, depth: int) -> dict:
        """The classes after a loop, its head settled first: a name whose class its body
        changes gets a symbol of its own there (no class in a loop that breaks or
        continues: its back edges leave from the middle of the body)."""
        blocks = (s.test, s.body) if isinstance(s, ir.While) else (s.body,)
        assigned = set().union(*(ir.assigned_names(b) for b in blocks))
        head = {**env, **({s.target.name: frozenset()} if isinstance(s, ir.For) and s.target
                          else {})}
        if any(isinstance(t, (ir.Break, ir.Continue)) for b in blocks for t in ir.walk(b)):
            head.update({name: None for name in assigned})
            self._trip(s, head, depth)
            return head
        for _ in range(_PASSES):
            end = self._trip(s, head, depth)
            changed = {n: self._renamed(s, n, head, end) for n in assigned
                       if end is not None and end.get(n) != head.get(n)}
            changed = {n: c for n, c in changed.items() if c != head.get(n, ())}
            if not changed:
                break
            head.update(changed)
        else:  # not settled: nothing known of what the loop assigns
            head.update({name: None for name in assigned})
            self._trip(s, head, depth)
        if isinstance(s, ir.While):
            return self.block(s.test, head, depth + 1) or head
        return head

    @staticmethod
    def _renamed(s, name: str, head: dict, end: dict) -> Class:
        """A name's class at the loop's head where a trip changes it: a symbol of its own
        where its class is known before and after the trip (or it is bound in the loop)."""
        if end.get(name) is None or (name in head and head[name] is None):
            return None
        return frozenset({("loop", id(s), name)})

    def _trip(self, s, head: dict, depth: int) -> dict | None:
        """The classes at the end of one trip from `head`."""
        if isinstance(s, ir.While):
            head = self.block(s.test, head, depth + 1)
            if head is None:
                return None
        return self.block(s.body, head, depth + 1)
