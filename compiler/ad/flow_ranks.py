"""Ranks in program order: the number of dimensions a name has at each statement.

`variable_ranks` gives one rank per name, None where its bindings disagree:
`v = M @ w` (a vector) and later `v = np.sum(v)` (a number) leave `v` unknown
everywhere. Following the statements in order, with the branches and loop
trips joined where paths meet, tells that `v` is a vector up to its second
binding. The alias pass reads this at `v op= ...`, where an array changes in
place and a number does not.
"""

from __future__ import annotations

from .. import ir
from ..ir.prims import Prim
from .ranks import INDEX_LIST, UNSET, assigned_once, index_lists, rank_of

Env = dict  # name -> rank (None: unknown) of the names bound so far


def ranks_before(fn: ir.Function, param_ranks: dict[str, int],
                 watch: frozenset[str] | None = None) -> dict[int, Env]:
    """{id(stmt): the ranks of the names bound before it}, for every statement reached.

    With `watch`, only those names' ranks are kept: a copy of every name's
    rank at every statement would make a long function cost its length squared.
    """
    flow = _Flow(fn, watch)
    flow.block(fn.body, {p: param_ranks.get(p) for p in fn.param_names})
    return flow.before


def _join(left: Env | None, right: Env | None) -> Env | None:
    """Ranks where two paths meet: agreed ranks stay; a name bound on one path keeps its."""
    if left is None:
        return None if right is None else dict(right)
    if right is None:
        return dict(left)
    out = {}
    for name in left.keys() | right.keys():
        one, other = left.get(name, right.get(name)), right.get(name, left.get(name))
        out[name] = one if one == other else None
    return out


def _join_owned(left: Env | None, right: Env | None) -> Env | None:
    """`_join` of two envs no one else holds, built in the larger: an elif chain's else
    holds every name bound below it, and copying those at each if was quadratic."""
    if left is None or right is None:
        return right if left is None else left
    big, small = (left, right) if len(left) >= len(right) else (right, left)
    for name, rank in small.items():
        if name not in big:
            big[name] = rank
        elif big[name] != rank:
            big[name] = None
    return big


class _Flow:
    """One walk in order; loops run to a fixed point of their head's ranks."""

    def __init__(self, fn: ir.Function, watch: frozenset[str] | None):
        self.before: dict[int, Env] = {}
        self.watch = watch
        assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
        # tuples written out once (reshape's shapes), and lists of ints used as indexes
        once = assigned_once(assigns)
        self.lengths = {s.target.name: len(s.args) for s in assigns if s.prim is Prim.TUPLE
                        and s.target.name in once}
        self.lengths.update({name: INDEX_LIST for name in index_lists(fn)})
        self.breaks: list = []
        self.continues: list = []
        self.assigned_in: dict[int, frozenset[str]] = {}  # loop id -> names its trip binds

    def head_join(self, stmt, head: Env, ends) -> Env:
        """`_join` of a loop's head with the envs its trips end in (None: jumped away),
        looking only at the names a trip binds: any other is as in the head, and joining
        every name at every loop was quadratic in a model of many loops."""
        names = self.assigned_in.get(id(stmt))
        if names is None:
            names = ir.assigned_names(stmt.body) | (ir.assigned_names(stmt.test)
                                                   if isinstance(stmt, ir.While) else set())
            if isinstance(stmt, ir.For) and stmt.target is not None:
                names.add(stmt.target.name)
            names = self.assigned_in[id(stmt)] = frozenset(names)
        new = dict(head)
        for end in ends:
            if end is None:
                continue
            for name in names & end.keys():
                rank = end[name]
                if name not in new:
                    new[name] = rank
                elif new[name] != rank:
                    new[name] = None
        return new

    def block(self, stmts, env: Env | None) -> Env | None:
        for stmt in stmts:
            if env is None:
                return None
            self.before[id(stmt)] = dict(env) if self.watch is None else \
                {k: env[k] for k in self.watch if k in env}
            env = self.stmt(stmt, env)
        return env

    def stmt(self, stmt, env: Env) -> Env | None:
        """The ranks after `stmt`; an assignment updates `env` itself (each block owns its env)."""
        if isinstance(stmt, ir.Assign):
            rank = rank_of(stmt, env, self.lengths)
            env[stmt.target.name] = None if rank == UNSET else rank
            return env
        if isinstance(stmt, ir.If):
            return _join_owned(self.block(stmt.body, dict(env)),
                               self.block(stmt.orelse, dict(env)))
        if isinstance(stmt, (ir.For, ir.While)):
            return self.loop(stmt, env)
        if isinstance(stmt, ir.Break):
            self.breaks.append(env)
            return None
        if isinstance(stmt, ir.Continue):
            self.continues.append(env)
            return None
        if isinstance(stmt, ir.Return):
            return None
        return env

    def loop(self, stmt, entry: Env) -> Env | None:
        outer = self.breaks, self.continues
        head = dict(entry)
        while True:
            self.breaks, self.continues = [], []
            env = dict(head)
            if isinstance(stmt, ir.While):
                env = self.block(stmt.test, env)
                after_test = None if env is None else dict(env)  # the body updates env
            elif stmt.target is not None:
                env[stmt.target.name] = 0  # a range index
            end = self.block(stmt.body, env)
            new = self.head_join(stmt, head, (end, *self.continues))
            if new == head:
                break
            head = new
        exit_env = after_test if isinstance(stmt, ir.While) else head
        for state in self.breaks:
            exit_env = _join(exit_env, state)
        self.breaks, self.continues = outer
        return exit_env
