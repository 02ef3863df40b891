"""The backward sweep of reverse mode (reverse.py's Reverser): each statement's adjoint,
walked in reverse, with the restore markers of what it overwrote (tape.py resolves them)
and the zero fills where branches and loops join."""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from ..primitives import rule_for
from ..primitives.gradient_calls import with_active
from .adjoint import Restore, StmtStart
from .lists import list_setitem_rule


class BackwardSweep:
    """The Reverser's backward sweep: statements in reverse, each one's adjoint."""

    def backward_block(self, block: ir.Block, defined: set[str]) -> list:
        out: list = []
        for index in reversed(range(len(block))):
            out.append(StmtStart(id(block), index))
            out += self.backward_stmt(block[index], defined)
        return out + [StmtStart(id(block), -1)]

    def backward_stmt(self, stmt: ir.Stmt, defined: set[str]) -> list:
        if isinstance(stmt, ir.Assign):
            return self.backward_assign(stmt, defined)
        if isinstance(stmt, ir.If):
            return self.backward_if(stmt, defined)
        if isinstance(stmt, (ir.While, ir.For)):
            return self.backward_loop(stmt, defined)
        return []  # break: nothing ran after it in its trip

    def backward_assign(self, stmt: ir.Assign, defined: set[str]) -> list:
        b = self.builder(stmt.loc, stmt)
        name = stmt.target.name
        restore = [Restore(stmt.target, self.site_of(stmt), stmt.loc, stmt)]
        record = self.records.get(id(stmt))
        if record is not None:  # the record after the value: its save came first
            restore.append(Restore(record.target, self.site_of(record), stmt.loc, record))
            stmt = replace(stmt, params=stmt.params.with_(record=record.target.name))
        kept = self.capture(stmt, defined)
        if name not in self.active or self.bars.get(name) not in defined:
            return kept + restore
        g = self.bar(name)
        defined.discard(g.name)
        if not stmt.prim.differentiable or stmt.params.get("nograd"):
            return kept + restore  # a value with no derivative (np.zeros(n), no_grad)
        cotangents = None
        if stmt.prim is Prim.SETITEM and name in self.tuple_valued:
            cotangents = list_setitem_rule(b, g, stmt)  # lists: sparse adjoints
        if stmt.prim in (Prim.GRAD_CALL, Prim.JVP_CALL):  # adjoints for these arguments only
            stmt = with_active(stmt, self.active, self.containers)
        if cotangents is None:
            cotangents = rule_for(stmt.prim)(b, g, stmt)
        for arg, ct in zip(stmt.args, cotangents):
            if ct is not None and isinstance(arg, ir.Var) and arg.name in self.active:
                self.accumulate(b, arg.name, ct, defined)
        return kept + b.stmts + restore

    def capture(self, stmt: ir.Assign, defined: set[str]) -> list:
        """Keep the adjoint of a named intermediate as its assignment is reached."""
        kept = self.keep.get(stmt.target.name)
        if kept is None:
            return []
        if self.bars.get(stmt.target.name) in defined:
            return [ir.Assign(kept, Prim.COPY, (self.bar(stmt.target.name),), loc=stmt.loc)]
        return [ir.Assign(kept, Prim.ZERO_LIKE, (stmt.target,), loc=stmt.loc)]

    def site_of(self, stmt: ir.Assign) -> int:
        return self.site_ids[id(stmt)]

    def backward_if(self, stmt: ir.If, defined: set[str]) -> list:
        then_defined, else_defined = set(defined), set(defined)
        body = self.backward_block(stmt.body, then_defined)
        orelse = self.backward_block(stmt.orelse, else_defined)
        union = then_defined | else_defined
        body += self.zero_fill(union - then_defined)
        orelse += self.zero_fill(union - else_defined)
        defined.clear()  # after the branch: what either path defined (the others zero-filled)
        defined.update(union)
        if not body and not orelse:
            return []
        return [ir.If(stmt.cond, tuple(body), tuple(orelse), stmt.loc)]

    def backward_loop(self, loop, defined: set[str]) -> list:
        entry = set(defined)
        while True:
            end = set(entry)
            body = self.backward_block(loop.body, end)
            if end <= entry:
                break
            entry |= end  # adjoints carried from trip to trip: defined before the loop
        body += self.zero_fill(entry - end)
        before = self.zero_fill(entry - defined)
        defined |= entry
        trips = self.trip_counter(loop)
        out: list = []
        if trips is not None and self.nested.get(id(loop)):
            out.append(ir.Pop(trips, loop.loc))
        out += before
        if isinstance(loop, ir.While):
            out.append(ir.For(None, ir.Const(0), trips, ir.Const(1), tuple(body), loc=loop.loc))
        else:
            out.append(ir.For(loop.target, loop.start, loop.stop, loop.step, tuple(body),
                              reverse=True, limit=trips, loc=loop.loc))
        return out
