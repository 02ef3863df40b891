"""Reverse mode: from a normalized primal function to its adjoint.

Takes a normalized function (see normalize.py) and the names to
differentiate with respect to. Produces an `Adjoint`: a forward sweep (the
primal, plus what must be kept for later), the seeding of the output's
adjoint, and a backward sweep that walks the statements in reverse.

Invariant of the backward sweep: when it reaches a statement, every
variable it reads holds the value it had right after that statement ran in
the forward sweep. An assignment that overwrote a value the backward sweep
reads must therefore save the old value and restore it after its adjoint.
Which values are read is only known once the backward sweep exists, so the
two sweeps are built with save/restore markers (adjoint.py) that tape.py
then resolves.

Adjoints `x_bar` are tracked statically: the first contribution assigns,
later ones add; at the joins of branches and around loops, adjoints defined
on one path only are zero-filled on the others.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..errors import UserCodeError
from ..ir.builder import Builder
from ..ir.namer import Namer
from ..ir.prims import Prim
from . import param_kinds
from .activity import active_variables
from .adjoint import Adjoint, Save
from .backward import BackwardSweep
from .draws import refuse_varied_draws
from .invariance import mark_shift_invariant
from .ranks import variable_ranks
from .shape_classes import shaped_operands
from .split import caller_may_split
from .unspread import spreadable


class Reverser(BackwardSweep):
    """Builds the forward and backward sweeps of one function."""

    def __init__(self, fn: ir.Function, wrt: tuple[str, ...], namer: Namer, temps: set[str],
                 scalar_params: set[str] = frozenset(), helper: bool = False,
                 container_params: set[str] = frozenset(), has_aux: bool = False,
                 keep: tuple[str, ...] = (), param_ranks: dict[str, int] | None = None,
                 paths: dict[str, tuple[tuple, ...]] | None = None, split: bool = False,
                 summaries: dict[tuple, tuple[int, ...]] | None = None):
        self.primal = fn  # what verification differentiates: the function as written
        fn = mark_shift_invariant(fn)
        self.fn = fn
        self.has_aux = has_aux
        self.keep = {name: ir.Var(namer.fresh(f"{name}_grad")) for name in keep}
        self.helper = helper
        self.containers = set(container_params) | param_kinds.container_params(fn) | \
            param_kinds.keyed_params(fn)
        known = dict(param_ranks or {})
        # Python numbers (the call's, or annotated): no dtype; a numpy scalar or 0-d array has
        self.python_numbers = set(scalar_params) | param_kinds.scalar_params(fn)
        known.update({name: 0 for name in self.python_numbers})
        self.ranks = variable_ranks(fn, known)
        self.scalars = frozenset(name for name, rank in self.ranks.items() if rank == 0)
        self.wrt = wrt
        self.namer = namer
        self.temps = temps
        self.paths = paths or {}  # wrt parameters differentiated in part: {name: key paths}
        self.active = active_variables(fn, wrt, 1 if has_aux else None, self.paths)
        refuse_varied_draws(fn, set(wrt))
        self.bars: dict[str, str] = {}
        self.sites = 0
        self.def_counts = ir.def_counts(fn)
        self.originals: dict[str, str] = {}  # a rebound wrt parameter -> its value on entry
        self.site_ids: dict[int, int] = {}  # id(Assign) -> its save site
        self.trips: dict[int, ir.Var] = {}  # id(loop) -> its trip counter
        self.nested: dict[int, bool] = {}  # id(loop) -> inside another loop?
        # id(loop) -> (loop, names its blocks assign, those and its index): asked once per
        # statement of its body, walked once (the loop is kept so its id stays its own)
        self.loop_names: dict[int, tuple] = {}
        # Split helper calls (h_fwd / h_bwd): never where the function writes an array in
        # place, since a record holds the very arrays a later in-place write would change.
        self.split = split and caller_may_split(fn)
        self.records: dict[int, ir.Assign] = {}  # id(call) -> `record = h_fwd(args)`
        # Values that may be tuples, lists or dicts: `+` would concatenate them.
        # A helper's parameter read by index may be a list or tuple the caller built.
        indexed = param_kinds.indexed_params(fn) if helper else set()
        self.tuple_valued = param_kinds.container_variables(fn, self.containers | indexed)
        self.spread = {name: like for name, like in spreadable(fn, temps, self.scalars).items()
                       if name not in self.keep and name not in self.tuple_valued}
        self.shaped = shaped_operands(fn, self.ranks, known, self.tuple_valued, summaries,
                                      helper)

    # ------------------------------------------------------------ naming
    def bar(self, name: str) -> ir.Var:
        """The adjoint variable of `name` (x -> x_bar)."""
        if name not in self.bars:
            self.bars[name] = self.namer.fresh(f"{name}_bar")
            if self.ranks.get(name) is not None:  # an adjoint has its primal's shape
                self.ranks[self.bars[name]] = self.ranks[name]
        return ir.Var(self.bars[name])

    def builder(self, loc, stmt: ir.Assign | None = None) -> Builder:
        return Builder(self.namer, self.temps, loc, stmt, self.scalars, self.ranks, self.spread,
                       self.shaped)

    # ------------------------------------------------------------ driver
    def run(self) -> Adjoint:
        """Build the Adjoint of the function."""
        *body, ret = self.fn.body
        body = tuple(body)
        seed_param = self.namer.fresh("seed")
        self.maybe_bound = set(self.fn.param_names)
        forward = self.forward_block(body, loops=(), bound=set(self.fn.param_names))
        forward = self.kept_params() + forward
        seed, defined = self.seed_outputs(ret, seed_param)
        backward = self.backward_block(body, defined)
        grads = self.gradients(defined, backward)
        return Adjoint(self.primal, self.wrt, forward, seed, backward, ret.values, grads,
                       seed_param, self.bars, returns_value=not self.helper,
                       kept=tuple(self.keep.values()), scalar_output=self.scalar_output(ret),
                       records=tuple(r.target.name for r in self.records.values()),
                       numbers=self.scalars)

    def scalar_output(self, ret: ir.Return) -> bool:
        """Whether the function returns one value known to be a number (rank 0)."""
        if len(ret.values) != 1 or self.has_aux or self.helper:
            return False
        value = ret.values[0]
        return isinstance(value, ir.Const) or value.name in self.scalars

    def seed_outputs(self, ret: ir.Return, seed_param: str):
        b = self.builder(ret.loc)
        defined: set[str] = set()
        values = ret.values[:1] if self.has_aux else ret.values
        seed = None
        if len(values) == 1:  # a helper's seed is always given; no check needed
            seed = ir.Var(seed_param) if self.helper else b.apply(
                Prim.SEED, (values[0], ir.Var(seed_param)), target=ir.Var(self.namer.fresh("out_bar")))
        for i, value in enumerate(values):
            if not (isinstance(value, ir.Var) and value.name in self.active):
                continue
            part = seed if seed is not None else b.apply(
                Prim.GETITEM, (ir.Var(seed_param), ir.Const(i)),
                ir.Params.of(index=ir.Index.at(1)))
            self.accumulate(b, value.name, part, defined)
        return b.stmts, defined

    def gradients(self, defined: set[str], backward: list) -> tuple[ir.Atom, ...]:
        b = self.builder(self.fn.loc)
        grads = []
        for name in self.wrt:
            if name in self.paths:  # only the named subtrees, completed; the rest is frozen
                bar = self.bar(name) if self.bars.get(name) in defined else ir.Const(None)
                grads.append(b.apply(Prim.COMPLETE_PATHS,
                                     (bar, ir.Var(name), ir.Const(self.paths[name]))))
            elif self.bars.get(name) in defined and name in self.containers:
                grads.append(b.apply(Prim.COMPLETE_LIKE, (self.bar(name), ir.Var(name))))
            elif self.bars.get(name) in defined and self.keeps_dtype(name):
                grads.append(self.bar(name))
            elif self.bars.get(name) in defined:
                # float64 work (np.zeros(3), float64 data) widens cotangents; like torch and
                # JAX, a gradient has its parameter's dtype (a rebound one: as it came in).
                like = ir.Var(self.originals.get(name, name))
                grads.append(b.apply(Prim.CAST_LIKE, (self.bar(name), like),
                                     target=self.bar(name)))
            else:
                grads.append(b.apply(Prim.ZERO_LIKE, (ir.Var(name),), target=self.bar(name)))
        backward += b.stmts
        return tuple(grads)

    def keeps_dtype(self, name: str) -> bool:
        """Whether a parameter's gradient needs no cast back to its dtype: a helper's
        cotangents go on to its caller, and a Python number's gradient is float64 as the
        sweep makes it unless an array argument may bring float32 in (`np.sum(a * x32)`
        of a Python float `a`: rt.cast_like widens its np.float32 gradient)."""
        return self.helper or name in self.python_numbers and \
            all(p in self.python_numbers for p in self.fn.param_names)

    def kept_params(self) -> list:
        """`x_param = x` for a wrt parameter the function binds again (`x = x * w`): the
        name then holds something else at the end of the backward sweep, and the gradient
        takes the dtype of the array the caller passed (an in-place write keeps it)."""
        stmts = []
        for name in self.wrt:
            if self.def_counts.get(name, 1) > 1 and not self.keeps_dtype(name) \
                    and name not in self.containers and name not in self.paths:
                kept = ir.Var(self.namer.fresh(f"{name}_param"))
                self.originals[name] = kept.name
                stmts.append(ir.Assign(kept, Prim.COPY, (ir.Var(name),), ir.Params.of(),
                                       self.fn.loc))
        return stmts

    # ------------------------------------------------------- accumulation
    def accumulate(self, b: Builder, name: str, contribution: ir.Atom, defined: set[str]) -> None:
        """name_bar += contribution (or = when name_bar holds nothing yet)."""
        target = self.bar(name)
        negated = _negated_operand(b, contribution)
        if contribution == target:  # an in-place rule handed the adjoint back as it is
            defined.add(target.name)
        elif target.name in defined and negated is not None:
            b.apply(Prim.SUB, (target, negated), target=target)  # x_bar - y, not x_bar + -y
        elif target.name in defined:
            add = Prim.ADD_ANY if name in self.tuple_valued else Prim.ADD
            b.apply(add, (target, contribution), target=target)
        else:
            b.apply(Prim.COPY, (contribution,), target=target)
            defined.add(target.name)
            if name in self.spread and b.rank(contribution) == 0:
                b.number(target)  # its only contribution: one number (unspread.py)

    def zero_fill(self, names: set[str]) -> list[ir.Stmt]:
        """x_bar = zeros_like(x) for adjoint names (given by adjoint name)."""
        by_bar = {bar: primal for primal, bar in self.bars.items()}
        return [ir.Assign(ir.Var(bar), Prim.ZERO_LIKE, (ir.Var(by_bar[bar]),))
                for bar in sorted(names)]

    # ---------------------------------------------------- forward sweep
    def forward_block(self, block: ir.Block, loops: tuple, bound: set[str]) -> list:
        out: list = []
        for index, stmt in enumerate(block):
            out += self.forward_stmt(stmt, loops, bound, (id(block), index))
        return out

    def forward_stmt(self, stmt: ir.Stmt, loops: tuple, bound: set[str],
                     at: tuple[int, int] = (0, 0)) -> list:
        if isinstance(stmt, ir.Assign):
            split = self.split_call(stmt, loops, bound, at)
            save = self.save_marker(stmt, loops, bound, at)
            bound.add(stmt.target.name)
            if split:  # `y, record = h_fwd(args)` (the old values kept first): h runs once
                save_record, pair, record = split
                return [save_record, save, pair, _item(pair.target, 0, stmt), record]
            return [stmt] if stmt.prim is Prim.APPEND else [save, stmt]
        if isinstance(stmt, ir.If):
            then_bound, else_bound = set(bound), set(bound)
            before = set(self.maybe_bound)  # each branch starts from what was bound before it
            body = self.forward_block(stmt.body, loops, then_bound)
            after_then, self.maybe_bound = self.maybe_bound, before
            orelse = self.forward_block(stmt.orelse, loops, else_bound)
            self.maybe_bound |= after_then
            bound |= then_bound & else_bound
            return [ir.If(stmt.cond, tuple(body), tuple(orelse), stmt.loc)]
        if isinstance(stmt, (ir.While, ir.For)):
            return self.forward_loop(stmt, loops, bound)
        return [stmt]

    def split_call(self, stmt: ir.Assign, loops: tuple, bound: set[str],
                   at: tuple[int, int]) -> list:
        """`record = h_fwd(args)` before a helper call whose adjoint the backward sweep runs:
        the call itself then reads its value from the record (`y = record[0]`)."""
        if not self.split or stmt.prim is not Prim.CALL or stmt.target.name not in self.active \
                or stmt.params.get("nograd"):
            return []
        record = ir.Var(self.namer.fresh(f"{stmt.target.name}_saved"))
        pair = ir.Assign(ir.Var(self.namer.temp()), Prim.CALL_FWD, stmt.args, stmt.params,
                         stmt.loc)
        self.temps.add(pair.target.name)
        fwd = _item(pair.target, 1, replace(stmt, target=record))
        self.records[id(stmt)] = fwd
        if loops:  # later trips see the record of earlier ones (forward_loop's maybe_bound)
            self.maybe_bound.add(record.name)
        save = self.save_marker(fwd, loops, bound, at)
        bound.add(record.name)
        return [save, pair, fwd]

    def save_marker(self, stmt: ir.Assign, loops: tuple, bound: set[str],
                    at: tuple[int, int]) -> Save:
        self.sites += 1
        self.site_ids[id(stmt)] = self.sites
        name = stmt.target.name
        # a draw is new each iteration although it reads only values the loop keeps
        invariant = bool(loops) and self.def_counts.get(name, 0) == 1 and not (
            set(ir.vars_read(stmt)) & self.loop_assigned(loops[0])) and not stmt.prim.spec.draws
        unbound = name not in self.maybe_bound
        self.maybe_bound.add(name)
        recompute = not invariant and self.recomputable(stmt, loops)
        return Save(stmt.target, self.sites, bool(loops), invariant, name not in bound, unbound,
                    stmt.loc, stmt, recompute, at[0], at[1],
                    self.fixed(stmt, loops) if recompute else frozenset())

    def loop_assigned(self, loop) -> frozenset[str]:
        """The names a loop assigns: in its body, in a while loop's test, and its index."""
        return self._loop_names(loop)[2]

    def body_assigned(self, loop) -> frozenset[str]:
        """The names a loop's blocks assign (its index only if they do)."""
        return self._loop_names(loop)[1]

    def _loop_names(self, loop) -> tuple:
        """(loop, the names its blocks assign, those and its index), walked once per loop."""
        if id(loop) not in self.loop_names:
            blocks = frozenset(ir.assigned_names(sum(ir.children(loop), ())))
            index = {loop.target.name} if isinstance(loop, ir.For) and loop.target else set()
            self.loop_names[id(loop)] = (loop, blocks, blocks | index)
        return self.loop_names[id(loop)]

    def fixed(self, stmt: ir.Assign, loops: tuple) -> frozenset[str]:
        """The names a loop's statement reads that hold one value through the whole loop
        nest: the indices of the loops around it and the names the outermost loop never
        assigns."""
        indices = {loop.target.name for loop in loops if isinstance(loop, ir.For) and loop.target
                   and loop.target.name not in self.body_assigned(loop)}
        changing = self.loop_assigned(loops[0])
        return frozenset(n for n in ir.vars_read(stmt) if n in indices or n not in changing)

    def recomputable(self, stmt: ir.Assign, loops: tuple) -> bool:
        """Whether a loop's value may be redone in the backward sweep instead of kept.

        True for a value assigned once, by one cheap or elementwise step with no effect
        (not a draw, a print, an in-place write); recompute.py decides whether it is
        redone (from values the backward sweep restores anyway) and where.
        """
        name = stmt.target.name
        spec = stmt.prim.spec
        return bool(loops) and self.def_counts.get(name) == 1 and name not in self.keep \
            and (spec.cheap or spec.group == "elementwise") \
            and not (spec.draws or spec.effect or spec.in_place)

    def forward_loop(self, loop, loops: tuple, bound: set[str]) -> list:
        self.nested[id(loop)] = bool(loops)
        self.maybe_bound |= self.loop_assigned(loop)  # later trips see earlier trips' values
        if isinstance(loop, ir.For):
            _check_bounds_fixed(loop)
        inner = loops + (loop,)
        body_bound = set(bound) | ({loop.target.name} if isinstance(loop, ir.For) and loop.target else set())
        body = self.forward_block(loop.body, inner, body_bound)
        trips = self.trip_counter(loop)
        out: list = []
        if trips is not None:
            out.append(ir.Assign(trips, Prim.COPY, (ir.Const(0),), loc=loop.loc))
            body = [ir.Assign(trips, Prim.ADD, (trips, ir.Const(1)), loc=loop.loc)] + body
        out.append(_replace_body(loop, tuple(body)))
        if trips is not None and loops:
            out.append(ir.Push(trips, loop.loc))
        return out

    def trip_counter(self, loop) -> ir.Var | None:
        """The counter variable of a loop whose trip count must be recorded."""
        if isinstance(loop, ir.For) and not _breaks(loop.body):
            return None
        if id(loop) not in self.trips:
            self.trips[id(loop)] = ir.Var(self.namer.fresh("trips"))
        return self.trips[id(loop)]


def _item(pair: ir.Var, i: int, stmt: ir.Assign) -> ir.Assign:
    """`stmt.target = pair[i]`, at the statement's place."""
    return ir.Assign(stmt.target, Prim.GETITEM, (pair, ir.Const(i)),
                     ir.Params.of(index=ir.Index.at(1)), stmt.loc)


def _negated_operand(b: Builder, atom: ir.Atom) -> ir.Atom | None:
    """y when `atom` is a temporary the builder just made as -y."""
    for stmt in reversed(b.stmts):
        if isinstance(stmt, ir.Assign) and stmt.target == atom:
            return stmt.args[0] if stmt.prim is Prim.NEG else None
    return None


def _check_bounds_fixed(loop: ir.For) -> None:
    """The backward sweep re-reads a loop's range, so its bounds must not change inside."""
    assigned = ir.assigned_names(loop.body)
    for bound in (loop.start, loop.stop, loop.step):
        if isinstance(bound, ir.Var) and bound.name in assigned:
            raise UserCodeError(f"the loop bound `{bound.name}` is reassigned inside the loop",
                                loop.loc, "compute the bound into a new variable before the loop")


def _replace_body(loop, body):
    return replace(loop, body=body)


def _breaks(block: ir.Block) -> bool:
    """Whether a loop body breaks out of its own loop."""
    for stmt in block:
        if isinstance(stmt, ir.Break):
            return True
        if isinstance(stmt, ir.If) and (_breaks(stmt.body) or _breaks(stmt.orelse)):
            return True
    return False
