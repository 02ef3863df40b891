"""A helper's adjoint split in two: `h_fwd` (value and record) and `h_bwd` (cotangents).

Takes a helper's finished Adjoint (markers resolved, dead code removed, the
value kept: `returns_value`). Its forward sweep becomes `h_fwd(args)`, which
returns the value and a record: the values the backward sweep reads that the
forward sweep made (or was given). `h_bwd(g, record)` is the seed and the
backward sweep, reading the record instead of running the helper again.

A value the backward sweep reads only for its shape (unbroadcast's, the lengths
of concatenate_grad's parts) goes into the record as its shape (`rt.kept_shape`), so a caller looping over the helper
keeps no array for it. A value the forward sweep binds only on some paths
starts as None, so the record can always be built (the backward sweep reads
it only on the paths that bound it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .. import ir
from ..ir.namer import Namer
from ..ir.prims import Prim
from .adjoint import Adjoint
from .record_shapes import like_only, read_shapes, shape_only, with_shapes
from .tape import sweep_reads

COMPARISONS = (Prim.LT, Prim.LE, Prim.GT, Prim.GE, Prim.EQ, Prim.NE)


@dataclass(frozen=True)
class HelperSplit:
    """The two halves: `forward` ends with the record's values bound; `backward` (the
    seed, then the backward sweep) reads `saved`, the record's names, and nothing else
    of the forward sweep."""

    forward: list
    saved: tuple[ir.Var, ...]
    backward: list


def writes_in_place(fn: ir.Function) -> bool:
    """Whether a function writes an array or list in place: a record would then hold
    values a later write changes, so its calls are not split."""
    return any(isinstance(s, ir.Assign) and s.prim.spec.in_place for s in ir.walk(fn.body))


# What may read a list the caller builds by appending, without another name or
# container coming to hold the list itself: an item, a copy of a slice, its length, or
# one array of its items.
_LIST_READERS = frozenset({Prim.GETITEM, Prim.STACK, Prim.STACK_LIST, Prim.CONCATENATE,
                           Prim.LEN, Prim.ASARRAY})


def caller_may_split(fn: ir.Function) -> bool:
    """Whether a caller's helper calls may be split: it writes nothing in place, or only
    appends to lists it made itself (`hs = []`, then `hs.append(h)`, `np.stack(hs)`).

    Appending changes no array, so a record (arrays, numbers, stand-ins) stays true;
    the list itself must reach no helper, no other name and no container, where a
    record could hold it. A list read any other way, or an array written in place,
    keeps the unsplit form (`h_vjp`).
    """
    writes = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign) and s.prim.spec.in_place]
    if not writes:
        return True
    if any(s.prim is not Prim.APPEND for s in writes):
        return False
    lists = {s.target.name for s in writes}
    for stmt in ir.walk(fn.body):
        if isinstance(stmt, ir.Assign) and stmt.target.name in lists:
            if stmt.prim is Prim.APPEND:
                if any(isinstance(a, ir.Var) and a.name in lists for a in stmt.args[1:]):
                    return False  # a list appended to a list
                continue
            if stmt.prim is not Prim.LIST or any(
                    isinstance(a, ir.Var) and a.name in lists for a in stmt.args):
                return False  # bound to something other than a new list
        elif isinstance(stmt, ir.Assign) and stmt.prim in _LIST_READERS:
            continue
        elif any(name in lists for name in ir.vars_read(stmt)):
            return False
    return True


def fresh_arguments(callers: list[Adjoint]) -> dict[str, frozenset[str]]:
    """{helper: its parameters that every call of it in the callers' functions passes a
    temporary nothing else reads} (`sigmoid(x * w + b)`, not `sigmoid(x)`): the caller
    keeps no other reference to it, so the record holding something else instead costs
    no more memory. One walk of each caller."""
    fresh: dict[str, set[int]] = {}
    for adj in callers:
        reads: dict[str, int] = {}
        for stmt in ir.walk(adj.primal.body):
            for name in ir.vars_read(stmt):
                reads[name] = reads.get(name, 0) + 1
        for stmt in ir.walk(adj.primal.body):
            if isinstance(stmt, ir.Assign) and stmt.prim is Prim.CALL:
                here = {i for i, a in enumerate(stmt.args) if isinstance(a, ir.Var)
                        and a.name in adj.temps and reads.get(a.name) == 1}
                name = stmt.params.get("fn")
                fresh[name] = fresh[name] & here if name in fresh else here
    params = {adj.primal.name: adj.primal.param_names for adj in callers}
    return {name: frozenset(params[name][i] for i in positions if i < len(params[name]))
            for name, positions in fresh.items() if name in params}


def split_helper(adj: Adjoint, fresh: frozenset[str] = frozenset()) -> HelperSplit:
    """The forward half, the record's names and the backward half of a helper's adjoint;
    `fresh`: its parameters every caller passes a temporary (fresh_arguments)."""
    made = _in_order(adj.primal.param_names, adj.forward)
    backward = list(adj.seed) + list(adj.backward)
    fixed = set(made) - ir.assigned_names(tuple(backward))
    backward = _shape_reads_of_restores(backward, fixed, set())
    read = _live_in(backward, set())
    namer = Namer(set(made) | ir.assigned_names(tuple(backward)) | read)
    shaped = shape_only([n for n in made if n in read], backward)
    wanted = [n for n in made if n in read and n not in shaped]
    redone = _redone(adj, wanted)
    masks = _masks(redone, backward)
    if masks:  # kept, not redone: then what they compare need not be
        redone = _redone(adj, wanted, masks)
    redone = _costly_kept(adj, wanted, masks, redone, backward, made, fresh)
    backward = [s for s in adj.forward if s in redone] + backward
    read = _live_in(backward, set())
    saved = [n for n in made if n in read]
    shaped = shape_only(saved, backward)
    shapes = {n: ir.Var(namer.fresh(f"{n}_shape")) for n in shaped}
    likes = {n: ir.Var(namer.fresh(f"{n}_like")) for n in like_only(saved, backward)
             if n not in shaped}
    bound = {s.target.name for s in adj.forward if isinstance(s, (ir.Assign, ir.Pop))}
    inits = [ir.Assign(ir.Var(n), Prim.COPY, (ir.Const(None),)) for n in saved
             if n not in bound and n not in adj.primal.param_names]
    kept = {n: (v, Prim.KEPT_SHAPE) for n, v in shapes.items()} | \
        {n: (v, Prim.KEPT_LIKE) for n, v in likes.items()}
    record = tuple(kept[n][0] if n in kept else ir.Var(n) for n in saved)
    forward = inits + with_shapes(adj.forward, kept, bound)
    return HelperSplit(forward, record, read_shapes(backward, shapes | likes))


def top_level_stand_ins(blocks: list, kept: set[str]) -> tuple[list, set[str]]:
    """The blocks (forward sweep first) of a function that is not split, where the
    backward sweep reads a value only for its shape, dtype and items (getitem_grad of a
    tuple the model unpacked: `out, mean, var = layer(...)`): a stand-in (`rt.kept_like`)
    is taken once the value is bound, and the sweep reads that. Also the names replaced:
    they may die in the forward sweep. Only values bound once, at the top level, and not
    in `kept` (the arguments and what is returned), indexed by an integer: a tuple or
    list (a value read only for its shape is left as it is: it dies with its line)."""
    forward, backward = list(blocks[0]), [s for block in blocks[1:] for s in block]
    counts: dict[str, int] = {}
    for stmt in ir.walk(tuple(forward)):
        if (name := ir.var_written(stmt)) is not None:
            counts[name] = counts.get(name, 0) + 1
    once = [ir.var_written(s) for s in forward if isinstance(s, ir.Assign)
            and counts[s.target.name] == 1 and s.target.name not in kept]
    items = {s.args[1].name for s in ir.walk(tuple(backward)) if isinstance(s, ir.Assign)
             and s.prim is Prim.GETITEM_GRAD and isinstance(s.args[1], ir.Var)
             and len(s.args) == 3 and isinstance(s.args[2], ir.Const)
             and type(s.args[2].value) is int}
    likes = [n for n in like_only(once, backward) if n in items]  # (a dict is its own)
    if not likes:
        return blocks, set()
    namer = Namer(ir.assigned_names(tuple(forward + backward)) | ir.read_names(
        tuple(forward + backward)) | kept)
    stand_ins = {n: ir.Var(namer.fresh(f"{n}_like")) for n in likes}
    forward = with_shapes(forward, {n: (v, Prim.KEPT_LIKE) for n, v in stand_ins.items()},
                           set(likes))
    return [forward] + [read_shapes(list(b), stand_ins) for b in blocks[1:]], set(likes)


def _live_in(block, live_out: set[str]) -> set[str]:
    """The names `block` may read before binding them (a value the backward half only
    reads after restoring it, such as the helper's output, needs no place in the record)."""
    live = set(live_out)
    for stmt in reversed(block):
        if isinstance(stmt, ir.If):
            live = _live_in(stmt.body, live) | _live_in(stmt.orelse, live) | \
                set(ir.vars_read(stmt))
        elif isinstance(stmt, (ir.For, ir.While)):  # any number of trips: nothing is killed
            live |= ir.read_names((stmt,))
        else:
            # an in-place write reads its target as well: it kills nothing
            if isinstance(stmt, ir.Pop) or isinstance(stmt, ir.Assign) and \
                    not stmt.prim.spec.in_place:
                live.discard(ir.var_written(stmt))
            live |= set(ir.vars_read(stmt))
    return live


def _masks(redone: list[ir.Assign], backward: list) -> set[str]:
    """The redone comparisons of an array with a constant (relu's `x > 0`) whose array
    nothing else the backward half runs reads but for its shape: the record keeps the
    mask (a byte per element) rather than the array it was made from."""
    found = set()
    for stmt in redone:
        if not (stmt.prim in COMPARISONS and len(stmt.args) == 2 and
                sum(isinstance(a, ir.Const) for a in stmt.args) == 1):
            continue
        operand = next(a.name for a in stmt.args if isinstance(a, ir.Var))
        others = [s for s in redone if s is not stmt] + list(backward)
        if operand not in sweep_reads(others, shape_only=False) and \
                operand not in {n for s in redone if s is not stmt for n in ir.vars_read(s)}:
            found.add(stmt.target.name)
    return found


def _costly_kept(adj: Adjoint, wanted: list[str], masks: set[str], redone: list,
                 backward: list, made: list[str], fresh: frozenset[str]) -> list[ir.Assign]:
    """`redone` less its costly values (sigmoid's `exp(-z)`) that a chain of one-operand
    steps makes from one array, where keeping them instead leaves the record no longer:
    the record then holds `exp(-z)` in place of z, an array of the same shape, and the
    backward half no longer redoes the exponential on each call. Only where z is the
    helper's own or a parameter every caller passes a temporary (`fresh`): a z the caller
    keeps anyway costs the record nothing, and `exp(-z)` would be one more array."""
    by_name = {s.target.name: s for s in redone}
    params = set(adj.primal.param_names)
    kept: frozenset[str] = frozenset()
    size = len(_record(redone, adj, backward, made))
    for stmt in [s for s in redone if not s.prim.spec.cheap and
                 (source := _one_source(s, by_name)) is not None and
                 (source not in params or source in fresh)]:
        trial = kept | {stmt.target.name}
        other = _redone(adj, wanted, frozenset(masks) | trial, usable=trial)
        if len(_record(other, adj, backward, made)) <= size:
            kept, redone = trial, other
    return redone


def _one_source(stmt: ir.Assign, by_name: dict) -> str | None:
    """The one variable `stmt` is made from where it and the redone values it is made
    from each read one variable (so each has that array's shape), else None."""
    reads = ir.vars_read(stmt)
    if len(set(reads)) != 1:
        return None
    source = by_name.get(reads[0])
    return reads[0] if source is None else _one_source(source, by_name)


def _record(redone: list, adj: Adjoint, backward: list, made: list[str]) -> list[str]:
    """The names the record keeps when the backward half redoes `redone`."""
    read = _live_in([s for s in adj.forward if s in redone] + backward, set())
    return [n for n in made if n in read]


def _redone(adj: Adjoint, saved: list[str], kept: frozenset[str] = frozenset(),
            usable: frozenset[str] = frozenset()) -> list[ir.Assign]:
    """The top-level statements of the forward sweep the backward half redoes instead of
    reading a record: cheap or elementwise ones (-p, 0.1 * x, sin(x), an item) of
    parameters the helper never rebinds, or of other such values (an elementwise one
    of another elementwise one is kept: one costly step redone at most), but never those
    named in `kept`. A caller that loops over the helper then keeps its arguments, not
    arrays made from them (as a hand-written adjoint does: Tapenade's to-be-recorded
    choice). `usable`: values kept in the record that may be redone from."""
    counts: dict[str, int] = {}
    for stmt in ir.walk(tuple(adj.forward)):
        if (name := ir.var_written(stmt)) is not None:
            counts[name] = counts.get(name, 0) + 1
    fixed = {p for p in adj.primal.param_names if p not in counts} | usable
    costly: set[str] = set()  # redone values that are not cheap: never redone from again
    redone: list[ir.Assign] = []
    for stmt in adj.forward:
        if not (isinstance(stmt, ir.Assign) and _redoable(stmt.prim.spec)
                and counts[stmt.target.name] == 1 and not stmt.prim.spec.draws) \
                or stmt.target.name in kept:
            continue
        reads = set(ir.vars_read(stmt))
        if reads <= fixed and (stmt.prim.spec.cheap or not reads & costly):
            fixed.add(stmt.target.name)  # a later value may be redone from it
            if not stmt.prim.spec.cheap:
                costly.add(stmt.target.name)
            redone.append(stmt)
    wanted = set(saved)
    for stmt in reversed(redone):  # only those the backward half reads, and what they read
        if stmt.target.name in wanted:  # (never one read for its shape: that is kept)
            wanted |= set(ir.vars_read(stmt))
    return [s for s in redone if s.target.name in wanted]


def _redoable(spec) -> bool:
    """Cheap, or elementwise (no larger than its inputs, which the record holds anyway)."""
    return spec.cheap or spec.group == "elementwise"


def _in_order(params, forward: list) -> list[str]:
    """The parameters, then the names the forward sweep binds, each once, in order."""
    names = dict.fromkeys(params)
    for stmt in ir.walk(tuple(forward)):
        name = ir.var_written(stmt)
        if name is not None:
            names.setdefault(name)
    return list(names)


def _shape_reads_of_restores(block: list, fixed: set[str], live_out: set[str]) -> list:
    """`block` where a restore `y = y_saved` is read only as unbroadcast's shape before y
    is bound again (or dies) reads `y_saved` there instead, the restore dropped: then
    y_saved goes into the record as its shape (`_affine_bwd`'s `y * weight` was kept
    whole only for its shape). `fixed`: names the backward half never binds; `live_out`:
    what is read after the block. Only straight-line code and the branches of an `if`."""
    out = list(block)
    for i in range(len(out)):
        stmt = out[i]
        if isinstance(stmt, ir.If):
            after = _live_in([s for s in out[i + 1:] if s is not None], live_out)
            out[i] = replace(stmt, body=tuple(_shape_reads_of_restores(list(stmt.body), fixed,
                                                                        after)),
                             orelse=tuple(_shape_reads_of_restores(list(stmt.orelse), fixed,
                                                                   after)))
        elif _is_restore(stmt, fixed):
            _read_restored_shape(out, i, live_out)
    return [s for s in out if s is not None]


def _is_restore(stmt, fixed: set[str]) -> bool:
    return isinstance(stmt, ir.Assign) and stmt.prim is Prim.COPY and len(stmt.args) == 1 \
        and isinstance(stmt.args[0], ir.Var) and stmt.args[0].name in fixed \
        and stmt.target.name != stmt.args[0].name


def _read_restored_shape(out: list, i: int, live_out: set[str]) -> None:
    """out[i] (y = y_saved) replaced by None, its shape reads moved to y_saved, where that
    is exact (in place; out unchanged otherwise)."""
    name, source = out[i].target.name, out[i].args[0]
    uses = []
    for j in range(i + 1, len(out)):
        stmt = out[j]
        if stmt is None:
            continue
        if isinstance(stmt, ir.Assign) and stmt.prim is Prim.UNBROADCAST and \
                isinstance(stmt.args[1], ir.Var) and stmt.args[1].name == name and \
                name not in ir.vars_read(
                    replace(stmt, args=stmt.args[:1])):
            uses.append(j)
        elif name in ir.read_names((stmt,)):
            return  # read as a value: the restore stays
        if name in ir.assigned_names((stmt,)):
            if not (isinstance(stmt, (ir.Assign, ir.Pop)) and ir.var_written(stmt) == name
                    and not (isinstance(stmt, ir.Assign) and stmt.prim.spec.in_place)):
                return  # bound in a nested block or written in place: not followed
            break  # bound again: the restored value dies here
    else:  # never bound again in this block: it must not be read after it
        if name in live_out:
            return
    if not uses:
        return
    for j in uses:
        out[j] = replace(out[j], args=(out[j].args[0], source))
    out[i] = None
