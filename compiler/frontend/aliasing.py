"""Aliasing: numpy's shared arrays and views, and Python's shared lists, made explicit.

In Python, `y = x` makes two names for one array, a basic slice `v = y[1:]`
is a view of y's memory, and `lst2 = lst` shares one list: a write in place
through one name (`y += 1`, `v[0] = a`, `lst2[0] = b`, `lst2.append(c)`) is
seen through all of them. The rest of agc reads the IR as values, so this
pass (run on the lowered IR) makes every such effect an IR statement of its own,
which the reverse pass then differentiates like any other:

  * after a write to `w`, each other name for the same object that is still
    read later is bound again: `x = w`;
  * a view `w = b[idx]` that is written is written back into its base,
    `b[idx] = w` (and that write is then followed like any other);
  * a view `v = w[idx]` of a written array that is still read is taken again;
  * the same for views that permute axes (`T = w.T`, swapaxes, moveaxis, mT):
    a written view is carried back with the axes moved back (`w = T.T`), and
    such a view of a written array is made again.
  * the same for reshapes (`r = w.reshape(s)`, ravel): carried back as
    `w = r.reshape(w.shape)`, made again as `r = w.reshape(s)`; numpy's reshape copies a
    non-contiguous w, so such a binding is checked when it runs (`rt.check_view`);
  * `a = np.asarray(w)` of an array is `a = w`, the same object.

An in-place `y += v` on an array that has other names becomes `y[...] = y + v`
(numpy's in-place update, dtype kept); on a number it stays `y = y + v`
(Python numbers and numpy scalars are immutable). Item assignments whose
object is shared are marked `shared=True`, so the tape always keeps what they
overwrite: the array may be read later through another name.

What the analysis cannot follow is refused with a `UserCodeError` at the
write: a name that is the same object on one path only (`if c: y = x`), a
view through expand_dims, squeeze, `np.asarray` of what may be a list or a number, or a
helper's result, an array
kept inside a list (`l.append(y)` then `y *= 2`, or `l[i] op= v`, in place on the
item, where that array is also another name or another slot), a parameter a helper writes in place (the caller's array
would change), or a write whose target may be either an array or a number.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ad.flow_ranks import ranks_before
from ..ad.param_kinds import container_params, scalar_params
from ..ad.ranks import index_lists, variable_ranks
from ..ad.sequences import ARRAY, SEQUENCE, sequence_kinds
from ..errors import UserCodeError
from ..ir.prims import Prim
from .alias_bindings import BindingFacts
from .alias_facts import (
    MAY_VIEW,
    Fact,
    Liveness,
    ellipsis_views,
    fact_key,
    join,
    join_all,
    maybe_zero_d,
    nonscalar_names,
    permutation_op,
    repeated_lists,
    tuple_names,
)
from .alias_items import ItemWrites
from .alias_refusals import (
    CALLER,
    array_or_number,
    list_item_written_into,
    list_slice_write,
)
from .alias_writes import WriteFollowing
from .list_extends import lists_extended, refuse_array_methods
from .read_only import refuse_read_only_writes

CONTAINS = frozenset({Prim.LIST, Prim.TUPLE, Prim.CALL})  # may hold (or return) any argument
WHOLE = ir.Params.of(index=ir.Index((ir.ELLIPSIS,)), shared=True)  # y[...] = v


# ------------------------------------------------------------------ the pass
# numpy's ufunc of each operator `y op= v` applies: numpy's casting error names it
_UFUNCS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "//": "floor_divide",
           "%": "remainder", "**": "power", "@": "matmul", "&": "bitwise_and",
           "|": "bitwise_or", "^": "bitwise_xor", "<<": "left_shift", ">>": "right_shift"}


class AliasResolver(ItemWrites, BindingFacts, WriteFollowing):
    """Walks a function once in order, keeping the alias facts that hold at each point."""

    def __init__(self, fn: ir.Function, in_place: set[int], ranks: dict[str, int | None],
                 sequences: dict[str, str], scalars: set[str], helper: bool, namer=None,
                 temps: set[str] | None = None, item_updates=frozenset(),
                 param_ranks: dict[str, int | None] | None = None):
        self.fn = fn
        self.in_place = in_place  # ids of `y op= v` statements on a plain name
        self.ranks = ranks
        self.sequences = sequences
        self.scalars = scalars
        self.helper = helper
        self.namer = namer
        self.temps = temps if temps is not None else set()
        self.live = Liveness(fn).after
        self.array_made = maybe_zero_d(fn, scalars)
        self.nonscalar = nonscalar_names(fn, ranks, in_place) | ellipsis_views(fn, in_place)
        self.index_lists = index_lists(fn)
        # asked only at `y op= v` on a name whose bindings disagree in rank (augmented below)
        asked = frozenset(s.target.name for s in ir.walk(fn.body)
                          if id(s) in in_place and ranks.get(s.target.name) is None)
        # and at `y[i]` of a name rebound with other ranks: a number, or a row? (_one_item)
        asked |= {s.args[0].name for s in ir.walk(fn.body)
                  if isinstance(s, ir.Assign) and s.prim is Prim.GETITEM
                  and isinstance(s.args[0], ir.Var) and ranks.get(s.args[0].name) is None}
        # a parameter's rank on entry is the call's, also where the model binds it again
        entry = {n: r for n, r in ranks.items() if n in fn.param_names}
        entry.update((n, r) for n, r in (param_ranks or {}).items() if r is not None)
        self.flow = ranks_before(fn, entry, asked)
        self.breaks: list = []
        self.continues: list = []
        self.kept_views: dict[int, str] = {}  # id(`v = v[1:]`) -> the name of the old v
        self.item_updates = item_updates
        self.repeated = repeated_lists(fn, sequences, self._immutable)
        self.tuples = tuple_names(fn)  # lists that may hold one object twice
        self.checked_views: set[tuple] = set()  # (name, loc) of reshapes written as views

    def run(self) -> ir.Function:
        state: dict = {}
        for p in self.fn.params:
            if self.helper:  # a helper's parameters are the caller's objects
                state[fact_key("shares", p.name, CALLER)] = Fact(True, self.fn.loc)
            elif self.sequences.get(p.name) == SEQUENCE:
                # so is a list the model is given: the emitted sweeps change (and restore) a
                # list by value, so a write the caller would see after the call is refused;
                # a new list holding its items is another list (arrays are written in place)
                state[fact_key("same", p.name, CALLER)] = Fact(True, self.fn.loc)
        body, _ = self.block(self.fn.body, state)
        return replace(self.fn, body=self._checked(body))

    # ------------------------------------------------------------ blocks
    def block(self, block: ir.Block, state: dict | None) -> tuple[ir.Block, dict | None]:
        out: list[ir.Stmt] = []
        for stmt in block:
            if state is None:  # unreachable (after a return, break or continue)
                out.append(stmt)
                continue
            stmts, state = self.stmt(stmt, state)
            out += stmts
        return tuple(out), state

    def stmt(self, stmt: ir.Stmt, state: dict) -> tuple[list, dict | None]:
        if isinstance(stmt, ir.Assign):
            return self.assign(stmt, state)
        if isinstance(stmt, ir.If):
            body, then_state = self.block(stmt.body, dict(state))
            orelse, else_state = self.block(stmt.orelse, dict(state))
            return [replace(stmt, body=body, orelse=orelse)], join(then_state, else_state)
        if isinstance(stmt, (ir.For, ir.While)):
            return self.loop(stmt, state)
        if isinstance(stmt, ir.Break):
            self.breaks.append(state)
            return [stmt], None
        if isinstance(stmt, ir.Continue):
            self.continues.append(state)
            return [stmt], None
        if isinstance(stmt, ir.Return):
            return [stmt], None
        return [stmt], state

    def loop(self, stmt, entry: dict) -> tuple[list, dict | None]:
        outer = self.breaks, self.continues
        head = dict(entry)
        while True:
            self.breaks, self.continues = [], []
            state = dict(head)
            test: ir.Block = ()
            if isinstance(stmt, ir.While):
                test, state = self.block(stmt.test, state)
                after_test = state
            elif stmt.target is not None:
                state = self.kill(state, stmt.target.name)
            body, end = self.block(stmt.body, state)
            new = join_all([head, end, *self.continues])
            if new == head:
                break
            head = new
        exit_state = after_test if isinstance(stmt, ir.While) else head
        exit_state = join_all([exit_state, *self.breaks])
        self.breaks, self.continues = outer
        if isinstance(stmt, ir.While):
            return [replace(stmt, test=test, body=body)], exit_state
        return [replace(stmt, body=body)], exit_state

    # ------------------------------------------------------------ assignments
    def assign(self, stmt: ir.Assign, state: dict) -> tuple[list, dict]:
        name = stmt.target.name
        if id(stmt) in self.in_place:
            return self.augmented(stmt, state)
        if stmt.prim is Prim.SETITEM:
            slot = self.sequences.get(name) == SEQUENCE
            if slot and any(isinstance(item, ir.Slice) for item in stmt.params.get("index").items):
                raise list_slice_write(stmt, name)
            if stmt.params.get("into_item") and (slot or not self._basic(stmt)):
                # `out=l[0]` writes into the item's memory; `out=y[idx]`, a copy, leaves y
                raise list_item_written_into(stmt, name, slot)
            if slot and id(stmt) in self.item_updates:
                self._item_update(stmt, name, state)
            fixes = self.written(stmt, name, state, slot)
            if stmt.params.get("sort_in_place"):  # after written(): it knows stmt by id
                stmt = self._sorted_in_place(stmt, name)
            if stmt.params.get("into_item"):
                stmt = replace(stmt, params=stmt.params.with_(into_item=None))
            if self._partners(state, name) and not stmt.params.get("shared"):
                stmt = replace(stmt, params=stmt.params.with_(shared=True))
            if slot:  # l[i] = y: the list now holds y's object
                state = self._holds(state, name, stmt.args[1], stmt.loc)
            return [stmt] + fixes, state
        if stmt.prim is Prim.APPEND:
            fixes = self.written(stmt, name, state, slot=True)
            if self._partners(state, name):
                stmt = replace(stmt, params=stmt.params.with_(shared=True))
            return [stmt] + fixes, self._holds(state, name, stmt.args[1], stmt.loc)
        return self._rebound(stmt, name, state)

    def _rebound(self, stmt: ir.Assign, name: str, state: dict) -> tuple[list, dict]:
        """`name = prim(args)` as a new object, and the facts that binding adds."""
        before = []
        if self._rebinds_its_view(stmt, name, state):
            # `v = v[1:]` where v is a view: the old v, named, keeps the chain to its base
            # one name per statement: a loop's body is walked until its facts settle
            old = ir.Var(self.kept_views.setdefault(id(stmt), self._temp()))
            before = [ir.Assign(old, Prim.COPY, (ir.Var(name),), loc=stmt.loc)]
            self.ranks[old.name] = self.ranks.get(name)  # what agc knows of it, as of name
            if name in self.sequences:
                self.sequences[old.name] = self.sequences[name]
            if name in self.nonscalar:
                self.nonscalar.add(old.name)
            state = self.bind(before[0], state)
            stmt = replace(stmt, args=tuple(old if a == ir.Var(name) else a for a in stmt.args))
        state = self.kill(state, name)
        return before + [stmt], self.bind(stmt, state)

    def _rebinds_its_view(self, stmt: ir.Assign, name: str, state: dict) -> bool:
        """`name = view of name` (a slice, a transpose, a reshape, `l + [y]`...) while
        `name` shares memory with a name read later: its facts would go with the old binding."""
        return ir.Var(name) in stmt.args and (
            stmt.prim in (Prim.GETITEM, *MAY_VIEW) or permutation_op(stmt)
            or self._holds_its_args(stmt)) and any(
            self._needed(state, p, {name}, stmt) for p in self._partners(state, name))

    def _holds_its_args(self, stmt: ir.Assign) -> bool:
        """A list or tuple made of its arguments' objects: `[y, z]`, `l + [y]`, `[y] * 2`."""
        return stmt.prim in CONTAINS or stmt.prim in (Prim.ADD, Prim.MUL) and \
            self.sequences.get(stmt.target.name) == SEQUENCE

    def _holds(self, state: dict, name: str, item: ir.Atom, loc) -> dict:
        """The facts after the list `name` takes `item` into a slot: a later write in
        place to that object is seen there (only that object: the list shares nothing
        with what the object shares, so appending to the list leaves those alone)."""
        if not isinstance(item, ir.Var) or item.name == name:
            return state
        if item.name in self._partners(state, name):
            self.repeated.add(name)  # l.append(l[0]): one object in two slots
        state = dict(state)
        state[fact_key("shares", name, item.name)] = Fact(True, loc, holder=name)
        return state

    def _sorted_in_place(self, stmt: ir.Assign, name: str) -> ir.Assign:
        """`x.sort()` (x[...] = sort(x)): refused unless x is known to be an array."""
        if self.sequences.get(name) != ARRAY:
            raise UserCodeError(f"`{name}.sort()` sorts in place, and agc cannot tell that "
                                f"`{name}` is an array (a list sorts differently)", stmt.loc,
                                f"write `{name} = np.sort({name})`, or `sorted({name})` "
                                "for a list")
        return replace(stmt, params=stmt.params.with_(sort_in_place=None))

    def augmented(self, stmt: ir.Assign, state: dict) -> tuple[list, dict]:
        """`y op= v` on a name: in place on an array or list, a new value for a number."""
        name = stmt.target.name
        others = self._partners(state, name)
        rank = self.ranks.get(name)
        if rank is None:  # this binding's rank, where the name is rebound with others
            rank = self.flow.get(id(stmt), {}).get(name)
        is_list = self.sequences.get(name) == SEQUENCE
        array = rank is not None and rank >= 1 or name in self.nonscalar
        if not others and not is_list and array and not self._immutable(name):
            return self._kept_in_place(stmt, name, state)
        if not others or self._immutable(name) or name in self.tuples:
            # a number or a tuple: `op=` makes a new object, the other names keep the old
            return self._rebound(stmt, name, state)
        if not is_list and not (rank is not None and rank >= 1) and name not in self.nonscalar:
            live = [p for p in others if self._needed(state, p, {name}, stmt)]
            if live:
                partner = CALLER if CALLER in live else live[0]
                raise array_or_number(stmt, self.fn.name, name, partner, others[partner])
            return [stmt], self.bind(stmt, self.kill(state, name))
        if is_list:
            return [stmt] + self.written(stmt, name, state, slot=True), state
        # An array: numpy updates it in place, keeping its dtype (`y[...] = y + v`).
        new, kept = self._in_place_value(stmt)
        write = ir.Assign(stmt.target, Prim.SETITEM, (stmt.target, kept.target), WHOLE, stmt.loc)
        return [new, kept, write] + self.written(stmt, name, state, slot=False), state

    def _in_place_value(self, stmt: ir.Assign) -> tuple[ir.Assign, ir.Assign]:
        """`t = y op v` and `t2 = rt.in_place(t, y)`: the value numpy leaves in the array y,
        in y's dtype and shape (numpy raises for an int y and a float t, or a t of a larger
        shape: it computes into y's memory)."""
        temp, kept = self._temp(), self._temp()
        new = replace(stmt, target=ir.Var(temp))
        ufunc = stmt.params.get("ufunc") or _UFUNCS.get(stmt.prim.spec.name)
        cast = ir.Assign(ir.Var(kept), Prim.IN_PLACE, (ir.Var(temp), stmt.target),
                         ir.Params.of(ufunc=ufunc), stmt.loc)  # named in numpy's error
        return new, cast

    def _kept_in_place(self, stmt: ir.Assign, name: str, state: dict) -> tuple[list, dict]:
        """`y op= v` on an array no other name holds: y is bound to numpy's in-place result."""
        new, kept = self._in_place_value(stmt)
        bound, state = self._rebound(replace(kept, target=stmt.target), name, self.bind(new, state))
        return [new, *bound], state

    def _temp(self) -> str:
        name = self.namer.temp()
        self.temps.add(name)
        return name

    def _immutable(self, name: str) -> bool:
        """A Python number or numpy scalar: `+=` makes a new value, aliases keep theirs."""
        if name in self.scalars:
            return True
        return self.ranks.get(name) == 0 and name not in self.array_made

    # ------------------------------------------------------------ facts
    def kill(self, state: dict, name: str) -> dict:
        """`name` is bound to a new object: its facts go; views indexed by it become opaque."""
        out = {}
        for key, fact in state.items():
            if name in key[1:]:
                continue
            if key[0] == "view" and any(isinstance(h, ir.Var) and h.name == name
                                        for h in fact.holes):
                out[fact_key("shares", key[1], key[2])] = replace(fact, holes=(), index=None,
                                                              stale=True)
                continue
            out[key] = fact
        return out

    def _partners(self, state: dict, name: str) -> dict[str, Fact]:
        return {(key[2] if key[1] == name else key[1]): fact
                for key, fact in state.items() if name in key[1:]}

    def _needed(self, state: dict, name: str, skip: set[str], stmt: ir.Stmt) -> bool:
        """Whether `name`, or a name sharing its object, is read after `stmt`."""
        live = self.live.get(id(stmt), set())
        seen, work = set(skip), [name]
        while work:
            current = work.pop()
            if current in seen:
                continue
            seen.add(current)
            if current == CALLER or current in live:
                return True
            work += [p for p in self._partners(state, current) if p not in seen]
        return False


def resolve_aliasing(fn: ir.Function, in_place: set[int], namer, temps: set[str],
                     containers=frozenset(), ranks: dict[str, int] | None = None,
                     scalars=frozenset(), helper: bool = False,
                     item_updates=frozenset(), extends=None, list_methods=None
                     ) -> ir.Function:
    """fn with every write seen through all names of its object, or a UserCodeError."""
    fn = lists_extended(fn, extends or {}, in_place, namer, temps)
    refuse_read_only_writes(fn, in_place)
    known = dict(ranks or {})
    known.update({name: 0 for name in set(scalars) | scalar_params(fn)})
    ranks_known = variable_ranks(fn, known)
    sequences = sequence_kinds(fn, set(containers) | container_params(fn),
                               params_are_arrays=not helper)
    scalar_names = set(scalars) | scalar_params(fn)
    refuse_array_methods(fn, list_methods or {}, sequences)
    params = {n: r for n, r in known.items() if n in fn.param_names}
    return AliasResolver(fn, in_place, ranks_known, sequences, scalar_names, helper,
                         namer, temps, item_updates, params).run()


def resolve(fn: ir.Function, lowerer, namer, temps: set[str], target=None,
            helper: bool = False) -> ir.Function:
    """The pipeline's hook: resolve_aliasing with what the lowerer and the target know."""
    if target is None:
        return resolve_aliasing(fn, lowerer.in_place, namer, temps, helper=helper,
                                item_updates=lowerer.item_updates, extends=lowerer.extends,
                                list_methods=lowerer.list_methods)
    return resolve_aliasing(fn, lowerer.in_place, namer, temps, target.containers,
                            dict(target.ranks), target.scalars, helper, lowerer.item_updates,
                            lowerer.extends, lowerer.list_methods)
