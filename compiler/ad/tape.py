"""The minimal tape: decide which overwritten values are kept, and where.

Takes an `Adjoint` whose sweeps still hold Save/Restore markers (adjoint.py).
A value is kept only if the backward sweep reads the variable (its adjoint
formulas, branch decisions, loop bounds) and the assignment may overwrite an
older value of it that is still needed:

  * an assignment outside loops that is the variable's only one: nothing;
  * outside loops otherwise: a local copy (`y_saved = y`), no tape;
  * inside a loop, if its value is the same on every trip (its inputs are
    not assigned in the loop): nothing;
  * inside a loop otherwise: `tape.append(y)` before, `y = tape.pop()` after
    its adjoint in the backward sweep; when the backward sweep reads y only for
    its shape (`rt.unbroadcast(g, y)`), the shape is taped instead of the array
    (`y_shape = rt.kept_shape(y)` after the assignment; for a name bound several
    times, after each binding, where every read from its first restore on is one);
  * nothing for a loop value one cheap or elementwise step makes from values the
    tape restores anyway: the backward sweep redoes that step (recompute.py).

Trip counts of `while` loops (and of `for` loops that break) live in a local,
or on the tape when the loop is itself inside a loop.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from .adjoint import Adjoint, Restore, Save, StmtStart
from .recompute import plan_recomputes


def resolve_tape(adj: Adjoint, namer, temps: set[str] | None = None) -> Adjoint:
    """Replace every marker with a push/pop, a local copy, or nothing."""
    # A split helper call's record is a forward value like the primal's (one per call site).
    primal_names = set(adj.primal.param_names) | ir.assigned_names(adj.primal.body) | \
        set(adj.records)
    read = sweep_reads(adj.backward) & primal_names
    needed = set(read)
    counts = ir.def_counts(adj.primal) | dict.fromkeys(adj.records, 1)
    params = set(adj.primal.param_names)
    plan: dict[int, tuple] = {}
    unbound_inits: set[str] = set()
    # A write that dead-code removal took out of the forward sweep has nothing to undo.
    kept = [s for s in ir.walk(tuple(adj.forward)) if isinstance(s, ir.Assign)]
    for restore in _markers(adj.backward, Restore):
        if restore.stmt is not None and restore.stmt.prim is Prim.APPEND and \
                restore.stmt in kept and \
                (restore.var.name in needed or restore.stmt.params.get("shared")):
            plan[restore.site] = ("undo", None)  # lst.pop() undoes lst.append(v)
    # Undoing a write in the backward sweep reads the variable: its rebindings need keeping.
    needed |= {r.var.name for r in _markers(adj.backward, Restore) if plan.get(r.site)}
    needed |= {s.var.name for s in _markers(adj.forward, Save) if s.stmt is not None
               and s.stmt.prim is Prim.SETITEM and s.stmt.params.get("shared") and s.stmt in kept}
    temps = temps if temps is not None else set()
    # Read for their values (or kept to be undone): the tape restores these where needed.
    by_value = ((needed - read) | sweep_reads(adj.backward, shape_only=False)) & primal_names
    redone, placed = plan_recomputes(adj, needed, by_value)
    for site in redone:
        plan[site] = ("recompute", None)
    shapes = _shapes_taped(adj, read, by_value, counts, params, namer, redone)
    redone_reads = {n for stmts in placed.values() for s in stmts for n in ir.vars_read(s)}
    redone_names = {s.var.name for s in _markers(adj.forward, Save) if s.site in redone}
    shapes |= _rebound_shapes_taped(adj, read, (needed - read) | redone_reads | redone_names,
                                    params, namer, set(shapes))
    for save in _markers(adj.forward, Save):
        if save.var.name in shapes and save.unbound:
            continue  # a first binding: no old value to keep
        if save.var.name in shapes:
            plan[save.site] = ("tape", shapes[save.var.name])
            if save.maybe_unbound:
                unbound_inits.add(shapes[save.var.name].name)
            continue
        if save.site in plan or (save.stmt is not None and save.stmt.prim is Prim.SETITEM
                                 and save.stmt not in kept):
            continue
        how = _decide(save, needed, counts, params)
        if how is not None and save.stmt is not None and save.stmt.prim is Prim.SETITEM:
            plan[save.site] = ("slice-" + how, _SliceSave(namer, temps, save.stmt))
            continue
        if how is not None and save.maybe_unbound and save.var.name not in params:
            unbound_inits.add(save.var.name)
        if how == "slot":
            plan[save.site] = ("slot", ir.Var(namer.fresh(f"{save.var.name}_saved")))
        elif how == "tape":
            plan[save.site] = ("tape", None)
    plan["blocks"] = placed
    plan["shapes"] = shapes
    forward = _rewrite(adj.forward, plan, forward=True)
    inits = [ir.Assign(ir.Var(n), Prim.COPY, (ir.Const(None),)) for n in sorted(unbound_inits)]
    backward = _rewrite(adj.backward, plan, forward=False)
    return replace(adj, forward=inits + forward, backward=backward)


def _shapes_taped(adj: Adjoint, read: set[str], by_value: set[str], counts: dict[str, int],
                  params: set[str], namer, redone: set[int]) -> dict[str, ir.Var]:
    """{name: its shape's variable} for the loop values the backward sweep reads only as
    unbroadcast's shape: taping a shape instead of an array keeps the tape small.
    `by_value`: the names read for something else too (undone, redone from, read)."""
    shapes: dict[str, ir.Var] = {}
    for save in _markers(adj.forward, Save):
        name = save.var.name
        if name in read and name not in by_value and name not in params \
                and save.site not in redone \
                and counts.get(name, 0) == 1 and save.stmt is not None \
                and save.stmt.prim not in (Prim.SETITEM, Prim.APPEND) \
                and save.in_loop and not save.invariant and not save.unbound:
            shapes[name] = ir.Var(namer.fresh(f"{name}_shape"))
    return shapes


def _rebound_shapes_taped(adj: Adjoint, read: set[str], by_value: set[str], params: set[str],
                          namer, done: set[str]) -> dict[str, ir.Var]:
    """{name: its shape's variable} for the names bound several times (`y = zeros_like(x)`,
    then `y = y + step` in a loop) whose saves all push in a loop or have no old value,
    bound only by whole assignments, and which the backward sweep reads only as
    unbroadcast's shape from its first restore on. A read before that (`y[-1]`'s
    getitem_grad after the loop) sees the last value, which y still holds: with only its
    shape taped, nothing restores y. `by_value`: names read for their values elsewhere
    (undone, or read by a redone step) or redone themselves."""
    saves: dict[str, list[Save]] = {}
    for save in _markers(adj.forward, Save):
        saves.setdefault(save.var.name, []).append(save)
    shapes: dict[str, ir.Var] = {}
    for name, own in saves.items():
        if name in done or name not in read or name in by_value or name in params or \
                not all(_pushed_or_first(s) for s in own) or \
                not any(s.in_loop for s in own) or not _whole_bindings(adj.forward, name):
            continue
        first = next((i for i, stmt in enumerate(adj.backward) if any(
            isinstance(m, Restore) and m.var.name == name for m in ir.walk((stmt,)))), None)
        after = adj.backward[first:] if first is not None else ()
        # read from its first restore on (else no value of it need be kept), for its shape only
        if name in sweep_reads(after) and name not in sweep_reads(after, False) \
                and name not in ir.assigned_names(tuple(adj.backward)):
            shapes[name] = ir.Var(namer.fresh(f"{name}_shape"))
    return shapes


def _pushed_or_first(save: Save) -> bool:
    """A save that the tape pushes on each trip of its loop, or one with no old value."""
    if save.unbound:
        return True
    return save.in_loop and not save.invariant and save.stmt is not None and \
        save.stmt.prim not in (Prim.SETITEM, Prim.APPEND)


def _whole_bindings(forward, name: str) -> bool:
    """Whether every binding of `name` in the forward sweep is an assignment of a new value
    (no in-place write, no loop target)."""
    for stmt in ir.walk(tuple(forward)):
        if isinstance(stmt, ir.For) and name in ir.assigned_names((replace(stmt, body=()),)):
            return False
        if isinstance(stmt, ir.Assign) and stmt.target.name == name and stmt.prim.spec.in_place:
            return False
    return True


def _decide(save: Save, needed: set[str], counts: dict[str, int], params: set[str]) -> str | None:
    name = save.var.name
    if save.stmt is not None and save.stmt.prim is Prim.SETITEM and (
            name in needed or save.stmt.params.get("shared")):  # another name may read it
        return "tape" if save.in_loop else "slot"  # an item assignment always overwrites
    if name not in needed or save.unbound:
        return None
    if save.in_loop:
        return None if save.invariant else "tape"
    if counts.get(name, 0) == 1:
        return None  # bound once: never overwritten
    return "slot"


def _rewrite(block, plan: dict, forward: bool) -> list:
    out: list = []
    shapes = plan["shapes"]
    for stmt in block:
        if isinstance(stmt, StmtStart):  # values cheaper to redo than to keep
            out += plan["blocks"].get((stmt.block, stmt.index), [])
        elif isinstance(stmt, (Save, Restore)):
            out += _resolve_marker(stmt, plan.get(stmt.site), forward)
        elif isinstance(stmt, ir.Assign) and stmt.target.name in shapes and forward:
            out += [stmt, ir.Assign(shapes[stmt.target.name], Prim.KEPT_SHAPE, (stmt.target,),
                                    loc=stmt.loc)]
        elif isinstance(stmt, ir.Assign) and stmt.prim is Prim.UNBROADCAST \
                and isinstance(stmt.args[1], ir.Var) and stmt.args[1].name in shapes:
            out.append(replace(stmt, args=(stmt.args[0], shapes[stmt.args[1].name])))
        elif isinstance(stmt, ir.If):
            out.append(replace(stmt, body=tuple(_rewrite(stmt.body, plan, forward)),
                               orelse=tuple(_rewrite(stmt.orelse, plan, forward))))
        elif isinstance(stmt, (ir.While, ir.For)):
            out.append(replace(stmt, body=tuple(_rewrite(stmt.body, plan, forward))))
        else:
            out.append(stmt)
    return out


def _resolve_marker(marker, decision, forward: bool) -> list:
    if decision is None:
        return []
    how, slot = decision
    var = marker.var
    if how == "recompute":
        return []
    if how == "undo":
        return [] if forward else [ir.Assign(var, Prim.LIST_POP, (var,), loc=marker.loc)]
    if how.startswith("slice-"):
        return slot.forward(how == "slice-tape") if forward else slot.backward(how == "slice-tape")
    if how == "tape":
        var = slot or var  # a shape taped in the array's place
        return [ir.Push(var, marker.loc)] if forward else [ir.Pop(var, marker.loc)]
    if forward:
        return [ir.Assign(slot, Prim.COPY, (var,), loc=marker.loc)]
    return [ir.Assign(var, Prim.COPY, (slot,), loc=marker.loc)]


def _markers(block, kind):
    """The markers of `kind` in a block and its nested blocks, in source order."""
    # ir.walk's stack, not nested generators: those cost a step per level for each marker
    return (stmt for stmt in ir.walk(block) if isinstance(stmt, kind))


def sweep_reads(block, shape_only: bool = True, like_only: bool = False,
                parts: bool = False) -> set[str]:
    """The names a sweep reads; without `shape_only`, not those read only for their shape
    (as unbroadcast's second argument, and with `parts` as concatenate_grad's parts, of
    which it reads the lengths); with `like_only` too, not those read only for their
    shape, dtype and items (as getitem_grad's second argument)."""
    names: set[str] = set()
    for stmt in block:
        if isinstance(stmt, (Save, Restore, StmtStart)):
            continue
        if not shape_only and isinstance(stmt, ir.Assign) and (
                stmt.prim is Prim.UNBROADCAST or parts and stmt.prim is Prim.CONCAT_GRAD):
            names.update(ir.vars_read(replace(stmt, args=stmt.args[:1])))
        elif like_only and isinstance(stmt, ir.Assign) and stmt.prim is Prim.GETITEM_GRAD:
            names.update(ir.vars_read(replace(stmt, args=stmt.args[:1] + stmt.args[2:])))
        else:
            names.update(ir.vars_read(stmt))
        for child in ir.children(stmt):
            names |= sweep_reads(child, shape_only, like_only, parts)
    return names


class _SliceSave:
    """Keeps the part of an array that `y[index] = v` overwrites, and puts it back."""

    def __init__(self, namer, temps: set[str], stmt: ir.Assign):
        self.stmt = stmt
        self.index = ir.Params.of(index=stmt.params.get("index").unshift(1))
        self.names = [namer.temp() for _ in range(3)]
        temps.update(self.names[:2])
        self.slot = ir.Var(namer.fresh(f"{stmt.target.name}_part"))

    def forward(self, on_tape: bool) -> list:
        array, _, *holes = self.stmt.args
        part, copy = ir.Var(self.names[0]), ir.Var(self.names[1])
        stmts = [ir.Assign(part, Prim.GETITEM, (array, *holes), self.index, self.stmt.loc),
                 ir.Assign(copy if on_tape else self.slot, Prim.COPY_OF, (part,), loc=self.stmt.loc)]
        return stmts + ([ir.Push(copy, self.stmt.loc)] if on_tape else [])

    def backward(self, on_tape: bool) -> list:
        array, _, *holes = self.stmt.args
        value = ir.Var(self.names[2]) if on_tape else self.slot
        put = ir.Assign(array, Prim.SETITEM, (array, value, *holes), self.stmt.params, self.stmt.loc)
        return ([ir.Pop(value, self.stmt.loc)] if on_tape else []) + [put]


def protect_outputs(adj: Adjoint, namer) -> Adjoint:
    """Copy returned values the backward sweep restores, so the value returned is the output."""
    written = {n for s in ir.walk(tuple(adj.backward)) if (n := ir.var_written(s))}
    # a list the sweep pops, an array it writes back into: the object itself changes
    changed = {s.target.name for s in ir.walk(tuple(adj.backward))
               if isinstance(s, ir.Assign) and s.prim.spec.in_place}
    outputs, kept = [], []
    for atom in adj.outputs:
        if isinstance(atom, ir.Var) and atom.name in written:
            copy = ir.Var(namer.fresh("value"))
            prim = Prim.COPY_OF if atom.name in changed else Prim.COPY
            kept.append(ir.Assign(copy, prim, (atom,)))
            atom = copy
        outputs.append(atom)
    return replace(adj, forward=adj.forward + kept, outputs=tuple(outputs))
