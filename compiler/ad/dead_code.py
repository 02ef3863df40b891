"""Simplification of the emitted function: dead code and empty structure go.

Takes an Adjoint whose markers are resolved (tape.py), or a Tangent (`prune_tangent`). Removes assignments
whose value nobody reads (a user's unused metric, cotangents of frozen
inputs, forward values only the primal return needed), then branches and
loops left with nothing to do. Pure primitives only, so this is always safe,
except that a pure primitive may raise (`v = l[3]` of a 2-item list, a singular
`inv`, `x + y` of shapes (3,) and (4,)): a user's statement that may raise is kept
where its value is never read (`may_raise`), since Python would have raised there.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from .adjoint import Adjoint, Restore, Save, StmtStart
from .forward import Tangent


def optimize(adj: Adjoint) -> Adjoint:
    """Remove dead code until nothing more can go."""
    numbers = adj.numbers
    # a helper's vjp sweeps again what its caller's forward sweep ran (and raised in) already
    vjp_only = not (adj.returns_value or adj.scalar_output or adj.split)

    def kept(stmt) -> bool:
        return not vjp_only and may_raise(stmt, numbers)

    while True:
        live = _read_everywhere(adj)
        inside: dict = {}  # id of a compound statement -> (it, the names assigned inside it)
        # the forward sweep runs the user's statements; the backward sweep's redo none that
        # the forward sweep has not run already
        forward = _prune(adj.forward, live, inside, kept)
        seed = _prune(adj.seed, live, inside)
        backward = _prune(adj.backward, live, inside)
        forward, seed, backward = _drop_overwritten(adj, [forward, seed, backward], kept)
        if _same(forward, adj.forward) and _same(seed, adj.seed) and _same(backward, adj.backward):
            return adj
        adj = replace(adj, forward=forward, seed=seed, backward=backward)


def prune_body(body: list, returned: tuple, primal: frozenset[str] = frozenset(),
               numbers: frozenset[str] = frozenset()) -> list:
    """Dead code of one function body (a tangent function's), until nothing more can go:
    what neither `returned` nor a later statement reads (the tangent of a value only a
    gradient is returned for); a statement assigning a `primal` name that may raise stays
    (`numbers`: the names of rank 0)."""
    def kept(stmt) -> bool:
        return stmt.target.name in primal and may_raise(stmt, numbers)

    while True:
        live = {a.name for a in returned if isinstance(a, ir.Var)}
        for stmt in ir.walk(tuple(body)):
            live.update(ir.vars_read(stmt))
        pruned = _prune(body, live, {}, kept)
        if _same(pruned, body):
            return body
        body = pruned


def prune_tangent(tangent: Tangent) -> Tangent:
    """A JVP without its dead code: the tangents no later statement reads (in an HVP, the
    tangent of the value that only the constant seed reads)."""
    primal = frozenset(name for stmt in ir.walk(tuple(tangent.primal.body))
                       if (name := ir.var_written(stmt)) is not None)
    return replace(tangent, body=prune_body(tangent.body, tangent.outputs + tangent.tangents,
                                            primal, tangent.numbers))


def may_raise(stmt: ir.Assign, numbers: frozenset[str] = frozenset()) -> bool:
    """Whether the user's statement may raise for some inputs (its prim's `may_raise`, or a
    math / builtins function: math.sqrt(-1.0)), so that dropping it, its value unread, would
    turn Python's error into no error. Operands that always broadcast together (a constant,
    one value twice, or two `numbers`: values of rank 0) raise nothing, but a Python number
    divided by a zero does."""
    spec = stmt.prim.spec
    if spec.group == "elementwise" and stmt.params.get("lib") in ("math", "builtins"):
        return True
    if not spec.may_raise:
        return False
    if spec.group != "elementwise" or len(stmt.args) != 2:
        return True
    a, b = stmt.args
    if stmt.prim in _DIVIDES:  # 1.0 / 0.0, 0.0 ** -1.0 of Python numbers: ZeroDivisionError
        return not (isinstance(b, ir.Const) and (b.value >= 0 if stmt.prim is Prim.POW else b.value != 0))
    return not (_number(a, numbers) or _number(b, numbers) or a == b)


def _number(atom, numbers: frozenset[str]) -> bool:
    """A constant, or a variable of rank 0: broadcasts with anything."""
    return isinstance(atom, ir.Const) or isinstance(atom, ir.Var) and atom.name in numbers


_DIVIDES = frozenset({Prim.DIV, Prim.MOD, Prim.FLOORDIV, Prim.FMOD, Prim.POW})


def _read_everywhere(adj: Adjoint) -> set[str]:
    """The names the function returns, or some statement reads that does not write them:
    a counter only read by its own increment is not really read."""
    returned = adj.grads + adj.kept + (adj.outputs if adj.returns_value else ())
    names = {a.name for a in returned if isinstance(a, ir.Var)}
    for block in (adj.forward, adj.seed, adj.backward):
        for stmt in ir.walk(tuple(block)):
            reads = ir.vars_read(stmt)
            if reads:
                written = ir.var_written(stmt)
                names.update(name for name in reads if name != written)
    return names


def _drop_overwritten(adj: Adjoint, blocks: list[list], raises) -> list[list]:
    """The top-level assignments whose value is bound again (or the function ends) before
    anything reads it, dropped: `x = x_saved` restored where only a later `x = x_saved_1`
    is read would keep x_saved, a whole array, alive for nothing. Only once the tape is
    resolved: a Save marker reads its value, and a loop's restores are pops. A forward
    statement that `raises` says may raise stays."""
    if any(isinstance(s, (Save, Restore, StmtStart)) for b in blocks for s in ir.walk(tuple(b))):
        return blocks
    returned = adj.grads + adj.kept + (adj.outputs if adj.returns_value else ())
    live = {a.name for a in returned if isinstance(a, ir.Var)}
    out: list[list] = []
    for block in reversed(blocks):
        if block is blocks[0] and adj.returns_value:  # a split helper's h_fwd returns here
            live |= {a.name for a in adj.outputs if isinstance(a, ir.Var)}
        kept = []
        for stmt in reversed(block):
            if isinstance(stmt, ir.Assign) and not (
                    stmt.prim.spec.in_place or stmt.prim.spec.effect or stmt.prim.spec.draws
                    or (block is blocks[0] and raises(stmt))):
                if stmt.target.name not in live:
                    continue
                live.discard(stmt.target.name)
            elif isinstance(stmt, ir.Pop):
                live.discard(stmt.target.name)
            # a compound statement kills nothing: its blocks may not run
            live |= ir.read_names((stmt,)) if ir.children(stmt) else set(ir.vars_read(stmt))
            kept.append(stmt)
        kept.reverse()
        out.append(kept)
    out.reverse()
    return out


def _drop_copies_back(block, inside: dict) -> list:
    """Drop `a = b` right after `b = a` (nothing in between changed either name)."""
    out = []
    copies: dict[str, str] = {}  # name -> the name it was copied from
    copied_to: dict[str, set[str]] = {}  # the reverse: source -> names copied from it
    for stmt in block:
        if isinstance(stmt, ir.Assign) and stmt.prim is Prim.COPY and \
                isinstance(stmt.args[0], ir.Var) and copies.get(stmt.args[0].name) == stmt.target.name:
            continue
        # forget only the pairs a changed name is in: one statement costs what it changes
        _forget(copies, copied_to, ir.var_written(stmt))
        if copies and ir.children(stmt):
            nested = _assigned_inside(stmt, inside)
            # look through the fewer: an if of an elif chain assigns every name below it
            if len(nested) <= len(copies) + len(copied_to):
                names = [n for n in nested if n in copies or n in copied_to]
            else:
                names = [n for n in (*copies, *copied_to) if n in nested]
            for name in names:
                _forget(copies, copied_to, name)
        if isinstance(stmt, ir.Assign) and stmt.prim is Prim.COPY and isinstance(stmt.args[0], ir.Var):
            copies[stmt.target.name] = stmt.args[0].name
            copied_to.setdefault(stmt.args[0].name, set()).add(stmt.target.name)
        out.append(stmt)
    return out


def _forget(copies: dict[str, str], copied_to: dict[str, set[str]], name) -> None:
    """Drop every copy pair that `name` is in, as either side."""
    source = copies.pop(name, None)
    if source is not None:
        copied_to[source].discard(name)
    for target in copied_to.pop(name, ()):
        copies.pop(target, None)


def _assigned_inside(stmt, inside: dict) -> set[str]:
    """The names assigned in a compound statement's blocks, nested ones included.

    Memoized in `inside` and computed bottom-up without recursion: nested
    blocks are asked again as `_prune` descends, and an elif chain nests deeply.
    """
    stack = [(stmt, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in inside:
            continue
        nested = [s for block in ir.children(node) for s in block if ir.children(s)]
        if not ready:
            stack.append((node, True))
            stack += [(s, False) for s in nested]
            continue
        names = {w for block in ir.children(node) for s in block if (w := ir.var_written(s))}
        for s in nested:
            names |= inside[id(s)][1]
        inside[id(node)] = (node, names)  # holding the node keeps its id from being reused
    return inside[id(stmt)][1]


def _never(stmt: ir.Assign) -> bool:
    """No statement is kept for raising (the backward sweep's)."""
    return False


def _prune(block, live: set[str], inside: dict, kept=_never) -> list:
    """`block` without the assignments nobody reads (but effects, draws, and those `kept`
    says may raise) and the branches and loops left empty."""
    out = []
    for stmt in _drop_copies_back(block, inside):
        if isinstance(stmt, ir.Assign) and stmt.target.name not in live \
                and not (stmt.prim.spec.effect or stmt.prim.spec.draws or kept(stmt)):
            continue  # a draw advances its generator even when its value is unused
        if isinstance(stmt, ir.If):
            body = _prune(stmt.body, live, inside, kept)
            orelse = _prune(stmt.orelse, live, inside, kept)
            if not body and not orelse:
                continue
            if not (_same(body, stmt.body) and _same(orelse, stmt.orelse)):
                stmt = replace(stmt, body=tuple(body), orelse=tuple(orelse))
        elif isinstance(stmt, ir.For):
            body = _prune(stmt.body, live, inside, kept)
            if not body:
                continue
            if not _same(body, stmt.body):
                stmt = replace(stmt, body=tuple(body))
        elif isinstance(stmt, ir.While):
            body = _prune(stmt.body, live, inside, kept)
            if not _same(body, stmt.body):
                stmt = replace(stmt, body=tuple(body))
        out.append(stmt)
    return out


def _same(new, old) -> bool:
    """Whether pruning left a block as it was: the same statement objects.

    Identity, not ==: comparing nested dataclasses recurses once per level.
    """
    return len(new) == len(old) and all(a is b for a, b in zip(new, old))
