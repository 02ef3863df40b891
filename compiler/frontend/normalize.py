"""Normalization: put a lowered function in the shape the reverse pass expects.

Takes a valid IR function. Guarantees on the result:
  * no `Assign` reads its own target (`x = x * 2` becomes `t = x * 2; x = t`),
    so an assignment's adjoint can always see its inputs;
  * `return` appears exactly once, as the last top-level statement;
    a return inside a loop becomes `result = v; returned = True; break`;
  * `break` appears only at the end of a branch, never followed by code;
    `continue` is gone: what follows it moved into the other branch;
  * no `If` assigns its own condition variable in its branches
    (`if c: ... c = ...` tests a copy of c), so the backward sweep, which
    re-reads the condition after undoing the branch's later statements, sees
    the decision that was taken (`a or b` lowers to exactly that shape).
Behaviour is unchanged: this only restructures.
"""

from __future__ import annotations

import copy
from dataclasses import replace

from .. import ir
from ..errors import UserCodeError
from ..ir.builder import Builder
from ..ir.prims import Prim
from .loop_targets import own_counters

JUMPS = (ir.Break, ir.Continue, ir.Return)


class Normalizer:
    """Rewrites one function; shares the Namer of the pipeline."""

    def __init__(self, fn: ir.Function, builder: Builder):
        self.fn = fn
        self.b = builder
        self.results: list[ir.Var] | None = None
        self.returned: ir.Var | None = None

    def run(self) -> ir.Function:
        """The normalized function."""
        body = own_counters(self.fn.body, self.b)
        body = self.split_self_reads(body)
        body = self.returns_out_of_loops(body, in_loop=False)
        body = structure(body)
        body = self.single_exit(body)
        body = self.decisions_kept(body)
        return replace(self.fn, body=tuple(body), temps=frozenset(self.b.temps))

    # ----------------------------------------------------- x = x * 2
    def split_self_reads(self, block: ir.Block) -> ir.Block:
        out: list[ir.Stmt] = []
        for stmt in block:
            if isinstance(stmt, ir.Assign) and stmt.target in stmt.args \
                    and not stmt.prim.spec.in_place:
                temp = self.b.temp()
                out.append(replace(stmt, target=temp))
                out.append(ir.Assign(stmt.target, Prim.COPY, (temp,), loc=stmt.loc))
            else:
                out.append(_map_children(stmt, self.split_self_reads))
        return tuple(out)

    # ----------------------------------------------------- if c: c = ...
    def decisions_kept(self, block: ir.Block) -> ir.Block:
        return self._decisions_kept(block)[0]

    def _decisions_kept(self, block: ir.Block) -> tuple[ir.Block, set[str]]:
        """The block with its decisions kept, and the names it assigns, nested blocks
        included (gathered on the way up: asking each if of an elif chain again would cost
        the chain's length squared)."""
        out: list[ir.Stmt] = []
        assigned: set[str] = set()
        for stmt in block:
            inner: set[str] = set()

            def kept(child: ir.Block, inner=inner) -> ir.Block:
                child, names = self._decisions_kept(child)
                inner.update(names)
                return child

            if isinstance(stmt, (ir.If, ir.While, ir.For)):
                stmt = _map_children(stmt, kept)
            if isinstance(stmt, ir.While):  # its test block is not mapped, but it assigns
                inner |= ir.assigned_names(stmt.test)
            if isinstance(stmt, ir.If) and isinstance(stmt.cond, ir.Var) and stmt.cond.name in inner:
                decision = self.b.temp()
                out.append(ir.Assign(decision, Prim.COPY, (stmt.cond,), loc=stmt.loc))
                assigned.add(decision.name)
                stmt = replace(stmt, cond=decision)
            out.append(stmt)
            assigned |= inner
            if (name := ir.var_written(stmt)) is not None:
                assigned.add(name)
        return tuple(out), assigned

    # ----------------------------------------------------- returns
    def result_vars(self, stmt: ir.Return) -> list[ir.Var]:
        if self.results is None:
            names = ["result"] if len(stmt.values) == 1 else \
                [f"result{i}" for i in range(len(stmt.values))]
            self.results = [ir.Var(self.b.namer.fresh(n)) for n in names]
        if len(stmt.values) != len(self.results):
            raise UserCodeError("every return must give the same number of values", stmt.loc)
        return self.results

    def assign_results(self, stmt: ir.Return) -> list[ir.Stmt]:
        return [ir.Assign(var, Prim.COPY, (value,), loc=stmt.loc)
                for var, value in zip(self.result_vars(stmt), stmt.values) if var != value]

    def returns_out_of_loops(self, block: ir.Block, in_loop: bool) -> ir.Block:
        out: list[ir.Stmt] = []
        for stmt in block:
            if isinstance(stmt, ir.Return) and in_loop:
                flag = self.returned_flag()
                out += self.assign_results(stmt)
                out += [ir.Assign(flag, Prim.COPY, (ir.Const(True),), loc=stmt.loc),
                        ir.Break(stmt.loc)]
            elif isinstance(stmt, (ir.For, ir.While)):
                body = self.returns_out_of_loops(stmt.body, in_loop=True)
                if not any(isinstance(s, ir.Return) for s in ir.walk(stmt.body)):
                    out.append(stmt)
                    continue
                flag = self.returned_flag()
                out.append(ir.Assign(flag, Prim.COPY, (ir.Const(False),), loc=stmt.loc))
                out += [ir.Assign(var, Prim.COPY, (ir.Const(None),), loc=stmt.loc)
                        for var in self.results]  # bound on every path, as Python needs
                out.append(replace(stmt, body=body))
                exit_ = ir.Return(tuple(self.results), stmt.loc)
                if endless(stmt):  # only a return leaves it: what follows never runs
                    return tuple(out) + self.returns_out_of_loops((exit_,), in_loop)
                out += self.returns_out_of_loops((ir.If(flag, (exit_,), (), stmt.loc),), in_loop)
            else:
                out.append(_map_children(stmt, lambda b: self.returns_out_of_loops(b, in_loop)))
        return tuple(out)

    def returned_flag(self) -> ir.Var:
        if self.returned is None:
            self.returned = ir.Var(self.b.namer.fresh("returned"))
        return self.returned

    def single_exit(self, body: ir.Block) -> ir.Block:
        returns = [s for s in ir.walk(body) if isinstance(s, ir.Return)]
        if not returns:
            raise UserCodeError("the function never returns a value", self.fn.loc,
                                "end it with `return <value>`")
        if len(returns) == 1 and body and body[-1] is returns[0]:
            return body
        rewritten = self.replace_returns(body)
        return tuple(rewritten) + (ir.Return(tuple(self.results), returns[0].loc),)

    def replace_returns(self, block: ir.Block) -> ir.Block:
        out: list[ir.Stmt] = []
        for stmt in block:
            if isinstance(stmt, ir.Return):
                out += self.assign_results(stmt)
            else:
                out.append(_map_children(stmt, self.replace_returns))
        return tuple(out)


def endless(loop: ir.Stmt) -> bool:
    """`while True:` (any true constant) with no `break` of its own: only a return or a
    raise leaves it, so a return after it is never reached. Binding the results on that
    path anyway left them undefined there, which the numba target refuses."""
    return isinstance(loop, ir.While) and not loop.test and isinstance(loop.cond, ir.Const) \
        and bool(loop.cond.value) and not _breaks(loop.body)


def _breaks(block: ir.Block) -> bool:
    """Whether `block` has a `break` of the loop whose body it is (not of an inner loop)."""
    return any(isinstance(s, ir.Break) or (isinstance(s, ir.If) and (
        _breaks(s.body) or _breaks(s.orelse))) for s in block)


def _map_children(stmt: ir.Stmt, fn) -> ir.Stmt:
    if isinstance(stmt, ir.If):
        return replace(stmt, body=fn(stmt.body), orelse=fn(stmt.orelse))
    if isinstance(stmt, ir.While):
        return replace(stmt, body=fn(stmt.body))
    if isinstance(stmt, ir.For):
        return replace(stmt, body=fn(stmt.body))
    return stmt


# ----------------------------------------------------------- jumps -> structure
def may_jump(block: ir.Block, known: dict[int, tuple] | None = None) -> bool:
    """Whether a structured block can end in break/continue/return; `known` remembers the
    answer for each if asked about (id -> (if, answer)), as `structure` asks at every
    level of an elif chain about the chain below it."""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, JUMPS):
        return True
    if not isinstance(last, ir.If):
        return False
    if known is not None and id(last) in known:
        return known[id(last)][1]
    jumps = may_jump(last.body, known) or may_jump(last.orelse, known)
    if known is not None:
        known[id(last)] = (last, jumps)  # the if held: its id is not reused meanwhile
    return jumps


def append_fallthrough(block: ir.Block, rest: ir.Block) -> ir.Block:
    """`block` followed by `rest` on every path that does not jump away."""
    if not block:
        return rest
    last = block[-1]
    if isinstance(last, JUMPS):
        return block
    if isinstance(last, ir.If) and may_jump((last,)):
        # Each branch gets its own copy: later passes key facts on statement identity.
        return block[:-1] + (replace(last, body=append_fallthrough(last.body, rest),
                                     orelse=append_fallthrough(last.orelse, copy.deepcopy(rest))),)
    return block + rest


def structure(block: ir.Block, in_loop_body: bool = False,
              known: dict[int, tuple] | None = None) -> ir.Block:
    """Move code that follows a possible jump into the branches that fall through."""
    known = {} if known is None else known  # may_jump's answers, shared by the recursion
    out: list[ir.Stmt] = []
    for i, stmt in enumerate(block):
        if isinstance(stmt, (ir.For, ir.While)):
            stmt = replace(stmt, body=_drop_continues(structure(stmt.body, True, known)))
        elif isinstance(stmt, ir.If):
            stmt = replace(stmt, body=structure(stmt.body, known=known),
                           orelse=structure(stmt.orelse, known=known))
        out.append(stmt)
        if isinstance(stmt, JUMPS):
            break  # anything after a jump never runs
        if isinstance(stmt, ir.If) and may_jump((stmt,), known):
            rest = structure(block[i + 1:], known=known)
            out[-1] = append_fallthrough((stmt,), rest)[0]
            break
    return tuple(out)


def _drop_continues(block: ir.Block) -> ir.Block:
    """After `structure`, a continue only ends its loop body's trip: drop it."""
    out: list[ir.Stmt] = []
    for stmt in block:
        if isinstance(stmt, ir.Continue):
            continue
        if isinstance(stmt, ir.If):
            stmt = replace(stmt, body=_drop_continues(stmt.body), orelse=_drop_continues(stmt.orelse))
        out.append(stmt)
    return tuple(out)
