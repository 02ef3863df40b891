"""Forward mode: from a normalized primal function to its JVP function.

Takes a normalized function (see normalize.py: one return, last) and the
parameters that receive tangents. Produces a `Tangent`: one body in which
each primal statement is followed by the statements computing its output's
tangent `y_dot` (one JVP rule per primitive, primitives/tangents.py), through
the same `if`, `while` and `for`, breaks included. Nothing is taped: each
value's tangent is computed while the value is still there.

Only active values (activity.py) get tangents. A tangent is tracked
statically, like reverse mode's adjoints: `defined` holds the variables whose
`_dot` holds their tangent on every path to a point; any other variable's
tangent is zero there. Where paths join (after an `if`, at the head of a loop
and at its exit, before a `break`), a tangent defined on one path only is
zero-filled (`rt.zero_tangent(y)`) on the others where `y` is bound, and
refused, with its position, where the analysis cannot tell; a name nothing reads
after the join before binding it again (liveness.py) needs no tangent there: none
is filled, and its tangent counts as undefined after the join.

In-place writes (`y[i] = v`, `lst.append(v)`) write into `y_dot` too. A rule
may hand back another value's tangent array (`y = x + 1` gives `y_dot =
x_dot`) where the primal made a new array, so `y_dot` is first made y's own
copy, unless this sweep made it since (`owned`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .. import ir
from ..errors import UnsupportedError
from ..ir.builder import Builder
from ..ir.namer import Namer
from ..ir.prims import Prim
from ..primitives import jvp_rule_for
from ..primitives.tangents import in_value_dtype, zero
from . import param_kinds
from .activity import active_variables
from .draws import refuse_varied_draws
from .liveness import Liveness
from .ranks import variable_ranks

# Primitives whose output may be their argument itself, or a view of it, where the
# primal's is a new array: a tangent they pass on is shared, so no longer owned.
_SHARING = frozenset({Prim.COPY, Prim.ASARRAY, Prim.CAST, Prim.BROADCAST_LIKE, Prim.FLOAT,
                      Prim.IN_PLACE})


@dataclass
class Tangent:
    """A JVP function: the primal body with tangent statements interleaved."""

    primal: ir.Function
    wrt: tuple[str, ...]
    body: list
    outputs: tuple[ir.Atom, ...]
    tangents: tuple[ir.Atom, ...]
    dots: dict[str, str]
    temps: frozenset[str] = frozenset()
    home: object = None  # a helper's parsed module (its imports and constants)
    key: tuple | None = None  # a helper's (module, name), as its callers' CALL_JVPs name it
    numbers: frozenset[str] = frozenset()  # the primal's names of rank 0 (ranks.py)

    def dot_params(self) -> tuple[str, ...]:
        """The tangent parameters, in the order of `wrt`."""
        return tuple(self.dots[name] for name in self.wrt)


@dataclass
class _Loop:
    """What a break inside a loop needs: the tangents defined at the loop's exit, and
    the names live after the loop."""

    exit: set[str]
    live: set[str]
    owned_at_breaks: list
    defined_at_breaks: list


class Forwarder:
    """Builds the JVP body of one function."""

    def __init__(self, fn: ir.Function, wrt: tuple[str, ...], namer: Namer, temps: set[str],
                 scalar_params: set[str] = frozenset(),
                 param_ranks: dict[str, int] | None = None, calls: dict | None = None):
        self.fn = fn
        self.wrt = wrt
        self.namer = namer
        self.temps = temps
        known = dict(param_ranks or {})
        known.update({name: 0 for name in set(scalar_params) | param_kinds.scalar_params(fn)})
        self.ranks = variable_ranks(fn, known)
        self.scalars = frozenset(name for name, rank in self.ranks.items() if rank == 0)
        self.active = active_variables(fn, wrt)
        self.live = Liveness(fn.body)
        refuse_varied_draws(fn, set(wrt))
        self.dots: dict[str, str] = {}
        self.loops: list[_Loop] = []
        self.maybe_bound = set(fn.param_names)  # assigned on some path before this point
        self.owned: set[str] = set()  # tangents this sweep made and nothing else shares
        self.probing = 0  # > 0 while a loop's fixpoint is searched: no refusal yet
        # (module, helper) -> its parameters that take a tangent: ((position, dot name), ...)
        self.calls = calls if calls is not None else {}
        for name in wrt:
            self.dot(name)

    def signature(self) -> tuple[tuple[int, str], ...]:
        """(position, tangent parameter) of each parameter that takes a tangent."""
        return tuple((self.fn.param_names.index(name), self.dots[name]) for name in self.wrt)

    def dot(self, name: str) -> ir.Var:
        """The tangent variable of `name` (x -> x_dot)."""
        if name not in self.dots:
            self.dots[name] = self.namer.fresh(f"{name}_dot")
            if name in self.temps:  # a temporary's tangent is one too: written into its use
                self.temps.add(self.dots[name])
        return ir.Var(self.dots[name])

    def builder(self, loc, stmt: ir.Assign | None = None) -> Builder:
        return Builder(self.namer, self.temps, loc, stmt, self.scalars, self.ranks)

    # ------------------------------------------------------------ driver
    def run(self) -> Tangent:
        """The JVP of the function."""
        *body, ret = self.fn.body
        defined = set(self.wrt)
        out = self.block(tuple(body), defined, set(self.fn.param_names))
        b = self.builder(ret.loc)
        tangents = tuple(self.output_tangent(b, value, defined) for value in ret.values)
        return Tangent(self.fn, self.wrt, out + b.stmts, ret.values, tangents, self.dots,
                       frozenset(self.temps), numbers=self.scalars)

    def output_tangent(self, b: Builder, value: ir.Atom, defined: set[str]) -> ir.Atom:
        if isinstance(value, ir.Var) and value.name in defined:
            return self.dot(value.name)
        return b.op(Prim.ZERO_TANGENT, value)  # a constant output, or one wrt does not reach

    def block(self, block, defined: set[str], bound: set[str]) -> list:
        out: list = []
        for stmt in block:
            out += self.stmt(stmt, defined, bound)
        return out

    def stmt(self, stmt: ir.Stmt, defined: set[str], bound: set[str]) -> list:
        if isinstance(stmt, ir.Assign):
            return self.assign(stmt, defined, bound)
        if isinstance(stmt, ir.If):
            return self.branch(stmt, defined, bound)
        if isinstance(stmt, (ir.While, ir.For)):
            return self.loop(stmt, defined, bound)
        if isinstance(stmt, ir.Break):
            loop = self.loops[-1]
            fills = self.fill((loop.exit - defined) & loop.live, bound, self.maybe_bound,
                              stmt.loc)
            loop.owned_at_breaks.append(set(self.owned))
            loop.defined_at_breaks.append(defined | (loop.exit & loop.live))
            return fills + [stmt]
        return [stmt]

    # -------------------------------------------------------- statements
    def assign(self, s: ir.Assign, defined: set[str], bound: set[str]) -> list:
        name = s.target.name
        self.maybe_bound.add(name)
        tangents = tuple(self.dot(a.name) if isinstance(a, ir.Var) and a.name in defined
                         else None for a in s.args)
        diff = s.prim.spec.diff_args or range(len(s.args))
        carries = name in self.active and self.carries(s)
        if s.prim is Prim.CALL:
            return self.call(s, tangents, carries, defined, bound)
        if not carries or all(tangents[i] is None for i in diff):
            bound.add(name)
            defined.discard(name)  # a value with no derivative: its tangent is zero
            self.owned.discard(name)
            return [s]
        rule = jvp_rule_for(s.prim)
        if rule is None:
            self.refuse(s)
        b = self.builder(s.loc, s)
        if s.prim.spec.in_place:
            return self.write_in_place(b, rule, s, tangents, defined, bound)
        t = rule(b, tangents, s)
        if t is not None:
            t = in_value_dtype(b, t, s, tangents)
        out = [s] + b.stmts
        bound.add(name)
        self.owned.discard(name)
        if t is None:
            defined.discard(name)
            return out
        self.share(b, t)
        if _fresh(b, t):
            self.owned.add(name)
        defined.add(name)
        return out + [ir.Assign(self.dot(name), Prim.COPY, (t,), loc=s.loc)]

    def carries(self, s: ir.Assign) -> bool:
        """Whether the value `s` gives carries a derivative (its primitive has one)."""
        return s.prim.differentiable and not s.params.get("nograd")

    def refuse(self, s: ir.Assign) -> None:
        """The positioned refusal of a primitive with no tangent rule."""
        raise UnsupportedError(f"forward mode does not support {_what(s)} yet", s.loc,
                               "use reverse mode: agc.grad / agc.jacrev")

    def call(self, s: ir.Assign, tangents: tuple, carries: bool, defined: set[str],
             bound: set[str]) -> list:
        """y = h(args) as `h_jvp(args, x_dot=...)`: a helper's value and tangent together."""
        name = s.target.name
        b = self.builder(s.loc, s)
        dots, values = [], []
        for position, dot in self.calls[(s.params.get("module"), s.params.get("fn"))]:
            if position >= len(s.args):
                raise UnsupportedError(
                    f"forward mode needs the argument of {s.params.get('fn')}() that takes a "
                    f"tangent written at the call", s.loc, "pass the default value explicitly")
            dots.append(dot)
            values.append(tangents[position] if tangents[position] is not None
                          else zero(b, s.args[position]))
        pair = b.apply(Prim.CALL_JVP, (*s.args, *values), s.params.with_(dots=tuple(dots)))
        item = ir.Params.of(index=ir.Index.at(1))
        b.apply(Prim.GETITEM, (pair, ir.Const(0)), item, target=s.target)
        bound.add(name)
        self.owned.discard(name)
        if carries and any(t is not None for t in tangents):
            b.apply(Prim.GETITEM, (pair, ir.Const(1)), item, target=self.dot(name))
            defined.add(name)
        else:
            defined.discard(name)
        return b.stmts

    def write_in_place(self, b: Builder, rule, s: ir.Assign, tangents: tuple,
                       defined: set[str], bound: set[str]) -> list:
        """y[i] = v / lst.append(v): the same write into y's own tangent, before the primal's."""
        name = s.target.name
        dot = self.dot(name)
        if tangents[0] is None:
            b.apply(Prim.ZERO_TANGENT, (s.args[0],), target=dot)
        elif name not in self.owned:
            b.apply(Prim.COPY_OF, (dot,), target=dot)
        for t in tangents[1:]:
            if t is not None:  # now also held inside y's tangent (a list item)
                self.owned.discard(_primal_of(self.dots, t))
        rule(b, (dot,) + tangents[1:], s)
        self.owned.add(name)
        defined.add(name)
        bound.add(name)
        return b.stmts + [s]

    def share(self, b: Builder, t: ir.Atom) -> None:
        """The tangent handed on may be another's array: neither is owned any more."""
        source = t
        made = {stmt.target: stmt for stmt in b.stmts if isinstance(stmt, ir.Assign)}
        while isinstance(source, ir.Var) and source in made and made[source].prim in _SHARING:
            source = made[source].args[0]
        self.owned.discard(_primal_of(self.dots, source))

    # ------------------------------------------------------------ joins
    def fill(self, names, bound: set[str], maybe: set[str], loc) -> list:
        """Zero tangents for `names` on a path where they had none."""
        out = []
        for name in sorted(names):
            if name in bound:
                out.append(ir.Assign(self.dot(name), Prim.ZERO_TANGENT, (ir.Var(name),), loc=loc))
                self.owned.add(name)
            elif name in maybe and not self.probing:
                raise UnsupportedError(
                    f"forward mode cannot follow the tangent of `{name}`: it is bound on some "
                    f"paths only", loc, "assign it before the branch or loop, or use reverse "
                    "mode: agc.grad / agc.jacrev")
        return out

    def branch(self, s: ir.If, defined: set[str], bound: set[str]) -> list:
        before_owned, before_maybe = set(self.owned), set(self.maybe_bound)
        paths = []
        for block in (s.body, s.orelse):
            d, bnd = set(defined), set(bound)
            self.owned, self.maybe_bound = set(before_owned), set(before_maybe)
            paths.append((self.block(block, d, bnd), d, bnd, self.owned, self.maybe_bound))
        self.maybe_bound = paths[0][4] | paths[1][4]
        live = [p for p in paths if not (p[0] and isinstance(p[0][-1], ir.Break))]
        if live:
            # defined on some paths: filled on the others, where read after the join
            joined = set.intersection(*(p[1] for p in live)) | \
                (set().union(*(p[1] for p in live)) & self.live.after(s))
            for stmts, d, bnd, owned, _ in live:
                self.owned = owned
                stmts += self.fill(joined - d, bnd, before_maybe, s.loc)
            defined.clear()
            defined |= joined
            bound.intersection_update(*(p[2] for p in live))
            self.owned = set.intersection(*(p[3] for p in live))
        return [ir.If(s.cond, tuple(paths[0][0]), tuple(paths[1][0]), s.loc)]

    def loop(self, loop, defined: set[str], bound: set[str]) -> list:
        before_maybe = set(self.maybe_bound)
        self.maybe_bound |= _loop_assigned(loop)  # a later trip sees an earlier trip's values
        entry, owned_before, lost = set(defined), set(self.owned), set()
        head = self.live.head(loop)  # a tangent a trip defines is needed at the head if read
        self.probing += 1
        while True:
            # at the head: what was owned before, and the zeros filled in just before the loop
            owned = (owned_before | {name for name in entry - defined if name in bound}) - lost
            end, end_owned, _, _, _ = self.trip(loop, entry, owned, bound)
            if not (end - entry) & head and owned <= end_owned:
                break
            entry |= end & head  # a break's tangents too: the loop's exit is its head
            lost |= owned - end_owned  # shared by some trip: not owned at the head either
        self.probing -= 1
        _, end_owned, test, body, breaks = self.trip(loop, entry, owned, bound)
        before = self.fill(entry - defined, bound, before_maybe, loop.loc)
        self.owned = set.intersection(owned, *breaks)
        defined |= entry
        if isinstance(loop, ir.While):
            return before + [replace(loop, test=tuple(test), body=tuple(body))]
        return before + [replace(loop, body=tuple(body))]

    def trip(self, loop, entry: set[str], owned: set[str], bound: set[str]):
        """One trip of a loop's body from the tangents defined at its head."""
        self.owned = set(owned)
        defined = set(entry)
        inner = set(bound)
        if isinstance(loop, ir.For) and loop.target is not None:
            inner.add(loop.target.name)
        self.loops.append(_Loop(entry, self.live.after(loop), [], []))
        test = self.block(loop.test, defined, inner) if isinstance(loop, ir.While) else []
        body = self.block(loop.body, defined, inner)
        done = self.loops.pop()
        body += self.fill((entry - defined) & self.live.head(loop), inner, self.maybe_bound,
                          loop.loc)
        # Tangents a break defines are defined at the exit only if defined at the head too.
        return defined.union(*done.defined_at_breaks), self.owned, test, body, \
            done.owned_at_breaks


def _what(s: ir.Assign) -> str:
    """How the user wrote the primitive a statement applies."""
    if s.prim.spec.form == "rt":  # scipy.linalg's, through the runtime
        return f"scipy.linalg.{s.prim.spec.name}"
    return f"np.{s.prim.spec.name}"


def _fresh(b: Builder, t: ir.Atom) -> bool:
    """Whether `t` is a new array or list the rule just made (arithmetic, a reduction, ...)."""
    stmt = next((x for x in reversed(b.stmts) if isinstance(x, ir.Assign) and x.target == t), None)
    if stmt is None or stmt.prim in _SHARING:
        return False
    return stmt.prim.spec.group in ("elementwise", "reduction", "linalg") or \
        stmt.prim in (Prim.LIST, Prim.ZERO_TANGENT)


def _primal_of(dots: dict[str, str], atom: ir.Atom) -> str | None:
    if not isinstance(atom, ir.Var):
        return None
    return next((primal for primal, dot in dots.items() if dot == atom.name), None)


def _loop_assigned(loop) -> set[str]:
    names = ir.assigned_names(loop.body)
    if isinstance(loop, ir.While):
        names |= ir.assigned_names(loop.test)
    if isinstance(loop, ir.For) and loop.target is not None:
        names.add(loop.target.name)
    return names
