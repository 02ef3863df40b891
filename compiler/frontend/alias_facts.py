"""The facts the aliasing pass (aliasing.py) keeps, and the analyses it starts from.

A `Fact` relates two names ("same" object, "shares" memory, or a "view" of a base);
`join` merges the facts of two paths where they meet. `Liveness` finds the names
still read after each statement, and `maybe_zero_d` the names that may hold a 0-d
array (mutable) rather than a number.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .. import ir
from ..ad.sequences import SEQUENCE
from ..errors import Loc
from ..ir.prims import Prim

# Results that may share memory with their first argument (views, or the argument itself).
MAY_VIEW = frozenset({Prim.RESHAPE, Prim.TRANSPOSE, Prim.SQUEEZE, Prim.EXPAND_DIMS,
                      Prim.BROADCAST_TO, Prim.ASARRAY, Prim.STOP_GRADIENT,
                      # issue 13: numpy's views (split's parts are views; atleast_nd and
                      # np.float64(x) may return x itself)
                      Prim.SWAPAXES, Prim.MOVEAXIS, Prim.FLIP, Prim.ROT90, Prim.MATRIX_T,
                      Prim.ATLEAST, Prim.SLIDING_WINDOW, Prim.SPLIT, Prim.CAST})
MAY_VIEW |= {Prim.DIAGONAL, Prim.DIAG}  # issue 13: numpy's diagonal is a (read-only) view
# A reshape's view fact: op is (RESHAPE, None, the view's name as bound), its hole the shape
RESHAPED = (Prim.RESHAPE, None)
MAKES_ARRAY = frozenset({Prim.ASARRAY, Prim.ZEROS, Prim.ONES, Prim.ZEROS_LIKE, Prim.ONES_LIKE,
                         Prim.FULL})  # a rank-0 result of these is a 0-d array, not a number


@dataclass(frozen=True)
class Fact:
    """A relation between two names: certain on every path (`must`) or only on some."""

    must: bool
    loc: Loc
    holes: tuple = ()  # a view's index atoms
    index: object = None  # a view's index template (GETITEM form)
    stale: bool = False  # a view whose index variable was reassigned since
    op: tuple | None = None  # a view made by an axis permutation: (prim, params) to redo it
    item_or_row: bool = False  # `y[i]` of unknown rank: a number (a copy) or a row (a view)
    holder: str | None = None  # "shares" of a list and an object in it: the list's name


def fact_key(rel: str, a: str, b: str) -> tuple:
    """("same"|"shares", a, b) is symmetric; ("view", view, base) is not."""
    return (rel, a, b) if rel == "view" or a < b else (rel, b, a)


def held_by(state: dict, name: str, lst: str, loc: Loc) -> None:
    """`name = lst[i]`: an object the list holds, and every other name of that list holds."""
    for key, fact in list(state.items()):
        if key[0] == "same" and lst in key[1:] and fact.must:
            other = key[2] if key[1] == lst else key[1]
            state[fact_key("shares", name, other)] = Fact(True, loc, holder=other)
    state[fact_key("shares", name, lst)] = Fact(True, loc, holder=lst)


def join(left: dict | None, right: dict | None) -> dict | None:
    """The facts that hold after two paths meet: a fact on one path only holds on some."""
    if left is None:
        return None if right is None else dict(right)
    if right is None:
        return dict(left)
    out = {}
    for key in left.keys() | right.keys():
        a, b = left.get(key), right.get(key)
        if a is not None and b is not None and a.must and b.must and \
                (a.holes, a.index, a.op) == (b.holes, b.index, b.op):
            out[key] = a
        else:
            out[key] = replace(a or b, must=False)
    return out


def join_all(states) -> dict | None:
    """`join` of any number of states (None: a path that does not reach here)."""
    out = None
    for state in states:
        out = join(out, state)
    return out


# Views that permute axes: the view is the base with its axes moved, and the base is the
# view with them moved back, so a write to either can be carried to the other.
PERMUTING = frozenset({Prim.TRANSPOSE, Prim.SWAPAXES, Prim.MOVEAXIS, Prim.MATRIX_T})


def permutation_op(stmt: ir.Assign) -> tuple | None:
    """(prim, params) that makes the view `stmt` from its base again; None if not permuting."""
    if stmt.prim not in PERMUTING or len(stmt.args) != 1:
        return None
    return (stmt.prim, stmt.params)


def inverse_op(op: tuple) -> tuple | None:
    """(prim, params) that makes the base from a view made by `op`."""
    prim, params = op
    if prim is Prim.TRANSPOSE:
        axes = params.get("axes")
        if axes is None:
            return op  # reversing the axes twice
        if not all(isinstance(a, int) and a >= 0 for a in axes):
            return None
        inverse = tuple(sorted(range(len(axes)), key=lambda i: axes[i]))
        return (prim, ir.Params.of(axes=inverse))
    if prim in (Prim.SWAPAXES, Prim.MATRIX_T):
        return op  # its own inverse
    if prim is Prim.MOVEAXIS:
        return (prim, ir.Params.of(source=params.get("destination"),
                                   destination=params.get("source")))
    return None


# ------------------------------------------------------------------ liveness
class Liveness:
    """The names read later (before being bound again) after each statement."""

    def __init__(self, fn: ir.Function):
        self.after: dict[int, set[str]] = {}
        self.block(fn.body, set(), None)

    def block(self, block: ir.Block, live_out: set[str], loop) -> set[str]:
        """The names live before `block`, given those live after it."""
        live = set(live_out)
        for stmt in reversed(block):
            self.after[id(stmt)] = self.after.get(id(stmt), set()) | live
            live = self.stmt(stmt, live, loop)
        return live

    def stmt(self, stmt: ir.Stmt, live: set[str], loop) -> set[str]:
        """The names live before `stmt`, given those live after it."""
        if isinstance(stmt, ir.Assign):
            return (live - {stmt.target.name}) | set(ir.vars_read(stmt))
        if isinstance(stmt, ir.If):
            return self.block(stmt.body, live, loop) | self.block(stmt.orelse, live, loop) \
                | set(ir.vars_read(stmt))
        if isinstance(stmt, ir.Return):
            return set(ir.vars_read(stmt))
        if isinstance(stmt, ir.Break):
            return set(loop[0]) if loop else set()
        if isinstance(stmt, ir.Continue):
            return set(loop[1]) if loop else set()
        if isinstance(stmt, (ir.For, ir.While)):
            return self.loop(stmt, live)
        return live

    def loop(self, stmt, exit_live: set[str]) -> set[str]:
        """The names live at the top of a loop, iterated to a fixed point."""
        head = set(exit_live)  # live at the top of each trip (before the test or target)
        while True:
            if isinstance(stmt, ir.For):
                body_in = self.block(stmt.body, head, (exit_live, head))
                target = {stmt.target.name} if stmt.target is not None else set()
                new = exit_live | (body_in - target) | set(ir.vars_read(stmt))
            else:
                body_in = self.block(stmt.body, head, (exit_live, head))
                new = self.block(stmt.test, exit_live | body_in | set(ir.vars_read(stmt)), None)
            if new <= head:
                return head
            head |= new


def maybe_zero_d(fn: ir.Function, scalars: set[str]) -> set[str]:
    """Names that may hold a 0-d array (mutable), not a number: from a rank-0 parameter
    that is not known to be a number, np.asarray / np.zeros(()) and the like, or a name
    bound to one of those."""
    found = {p for p in fn.param_names if p not in scalars}
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    changed = True
    while changed:
        changed = False
        for s in assigns:
            first = s.args[0] if s.args else None
            passes = s.prim in MAY_VIEW | {Prim.COPY} and isinstance(first, ir.Var) \
                and first.name in found and not s.params.get("fresh")
            if (s.prim in MAKES_ARRAY or passes or _ellipsis_read(s)) and \
                    s.target.name not in found:
                found.add(s.target.name)
                changed = True
    return found


def _ellipsis_read(stmt: ir.Assign) -> bool:
    """`y[i, j, ...]`: an array (a 0-d view where the integers take every axis), never the
    number `y[i, j]` is."""
    index = stmt.params.get("index") if stmt.prim is Prim.GETITEM else None
    return index is not None and any(isinstance(i, ir.Ellipsis_) for i in index.items)


def ellipsis_views(fn: ir.Function, in_place: frozenset[int] | set[int]) -> set[str]:
    """Names every binding of which is `y[..., ...]` read with an Ellipsis: an array (0-d
    where the integers take every axis), which `v op= w` changes in place."""
    binds: dict[str, list] = {}
    for stmt in ir.walk(fn.body):
        name = ir.var_written(stmt)
        if name is not None and id(stmt) not in in_place and \
                not (isinstance(stmt, ir.Assign) and stmt.prim is Prim.SETITEM):
            binds.setdefault(name, []).append(stmt)
    return {name for name, stmts in binds.items() if name not in fn.param_names and
            all(isinstance(s, ir.Assign) and _ellipsis_read(s) for s in stmts)}


def nonscalar_names(fn: ir.Function, ranks: dict[str, int | None],
                    in_place: frozenset[int] | set[int] = frozenset()) -> set[str]:
    """Names that hold an array of at least one dimension on every path, where the ranks
    do not say so: a slice, a new axis or a literal list of positions keeps a dimension,
    and an elementwise operation with such an operand broadcasts to at least one (a
    number there would have raised before)."""
    known = {name for name, rank in ranks.items() if rank is not None and rank >= 1}
    defs: dict[str, list[ir.Assign]] = {}
    for stmt in ir.walk(fn.body):
        if isinstance(stmt, ir.Assign) and stmt.target.name not in fn.param_names:
            defs.setdefault(stmt.target.name, []).append(stmt)
    # A name bound once (or a parameter never rebound) that is sliced somewhere holds an
    # array there: a number cannot be sliced. (If the slice never runs and the name holds a
    # number after all, the in-place write `y[...] = y op v` raises: never a silent result.)
    counts = {p: 1 for p in fn.param_names}  # bindings; item writes and `y op= v` (in
    for stmt in ir.walk(fn.body):            # place on an array) keep the object
        name = ir.var_written(stmt)
        if name is not None and id(stmt) not in in_place and \
                not (isinstance(stmt, ir.Assign) and stmt.prim is Prim.SETITEM):
            counts[name] = counts.get(name, 0) + 1
    known |= {s.args[0].name for s in ir.walk(fn.body) if isinstance(s, ir.Assign)
              and s.prim in (Prim.GETITEM, Prim.SETITEM) and isinstance(s.args[0], ir.Var)
              and counts.get(s.args[0].name, 0) == 1 and _slices(s)}
    # The greatest fixed point: `z = z * s` in a loop keeps z's dimension; every name's
    # first binding is among its assignments, so a name only ever bound from numbers leaves.
    found = known | set(defs)
    changed = True
    while changed:
        changed = False
        for name, stmts in defs.items():
            if name in found and name not in known and \
                    not all(_keeps_a_dimension(s, found) for s in stmts):
                found.discard(name)
                changed = True
    return found


def _slices(stmt: ir.Assign) -> bool:
    """Whether an indexing statement's index holds a slice or a new axis."""
    index = stmt.params.get("index")
    return isinstance(index, ir.Index) and any(
        isinstance(item, (ir.Slice, ir.NewAxis)) for item in index.items)


def _keeps_a_dimension(stmt: ir.Assign, found: set[str]) -> bool:
    args = stmt.args
    if stmt.prim is Prim.SETITEM:
        return True  # writes into its array, which keeps its shape
    if stmt.prim is Prim.GETITEM:
        index = stmt.params.get("index")
        items = index.items if isinstance(index, ir.Index) else ()
        return any(isinstance(item, (ir.Slice, ir.NewAxis)) or (
            isinstance(item, ir.Hole) and isinstance(args[item.pos], ir.Const)
            and isinstance(args[item.pos].value, (list, tuple)) and args[item.pos].value)
            for item in items)
    if stmt.prim in (Prim.COPY, Prim.TRANSPOSE) or stmt.prim.spec.group == "elementwise" and \
            stmt.prim.spec.form in ("binop", "unop", "xp"):
        return any(isinstance(a, ir.Var) and a.name in found for a in args)
    return False


def repeated_lists(fn: ir.Function, sequences: dict[str, str], immutable) -> set[str]:
    """Lists that may hold one mutable object (not a number: `immutable(name)`) in two
    slots: `[a] * n`, `[a, a]`, and the names bound to one of them (`m = l`);
    `l.append(l[0])` is found where it runs (aliasing.py)."""
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    displays = {s.target.name: s for s in assigns if s.prim in (Prim.LIST, Prim.TUPLE)}

    def mutable(atom: ir.Atom) -> bool:
        return isinstance(atom, ir.Var) and not immutable(atom.name)

    def repeats(stmt: ir.Assign) -> bool:
        if stmt.prim is Prim.MUL and sequences.get(stmt.target.name) == SEQUENCE:
            lists = [a.name for a in stmt.args
                     if isinstance(a, ir.Var) and sequences.get(a.name) == SEQUENCE]
            return not lists or not all(  # `[0.0] * n` repeats a number: not an object
                n in displays and not any(map(mutable, displays[n].args)) for n in lists)
        names = [a.name for a in stmt.args if mutable(a)]
        return stmt.prim in (Prim.LIST, Prim.TUPLE) and len(set(names)) < len(names)

    found = {s.target.name for s in assigns if repeats(s)}
    changed = True
    while changed:
        changed = False
        for stmt in assigns:
            if stmt.prim is Prim.COPY and stmt.args and isinstance(stmt.args[0], ir.Var) \
                    and stmt.args[0].name in found and stmt.target.name not in found:
                found.add(stmt.target.name)
                changed = True
    return found


def tuple_names(fn: ir.Function) -> set[str]:
    """Names that hold a tuple wherever they are bound: a tuple display, a tuple joined
    (`t + (v,)`, `t += (v,)`) or repeated (`t * 2`), or another such name. A tuple is
    immutable: `t += (v,)` binds a new tuple and leaves the other names of the old alone."""

    def is_tuple(stmt: ir.Assign, found: set[str]) -> bool:
        names = [a.name in found for a in stmt.args if isinstance(a, ir.Var)]
        return stmt.prim is Prim.TUPLE or stmt.prim is Prim.ADD and bool(names) and all(names) \
            or stmt.prim is Prim.MUL and any(names) or stmt.prim is Prim.COPY and all(names) \
            and bool(names)

    return bound_only_by(fn, is_tuple)


def bound_only_by(fn: ir.Function, makes) -> set[str]:
    """The local names whose every binding `makes(stmt, names)` accepts, `names` being the
    set itself (the largest such set: a name bound from another of the set stays in it)."""
    defs: dict[str, list[ir.Assign]] = {}
    for stmt in ir.walk(fn.body):
        if isinstance(stmt, ir.Assign):
            defs.setdefault(stmt.target.name, []).append(stmt)
    found = set(defs) - set(fn.param_names)
    changed = True
    while changed:
        changed = False
        for name in sorted(found):
            if not all(makes(s, found) for s in defs[name]):
                found.discard(name)
                changed = True
    return found
