"""Writes followed through every name of their object, for the aliasing pass
(aliasing.py): after `name` is written in place, each other name still read is brought up
to date (bound again, its view taken again, or written back into its base), or refused."""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ad.sequences import ARRAY
from ..ir.prims import Prim
from .alias_facts import RESHAPED, Fact, inverse_op
from .alias_refusals import CALLER, caller_list_written, write_not_followed


class WriteFollowing:
    """AliasResolver's statements that make a write seen through every other name."""

    def written(self, stmt: ir.Assign, name: str, state: dict, slot: bool) -> list:
        """The statements that make a write to `name` seen through every other name."""
        out: list = []
        visited = {name}

        def changed(current: str) -> None:
            for key, fact in sorted(state.items(), key=lambda kv: kv[0]):
                if current not in key[1:]:
                    continue
                partner = key[2] if key[1] == current else key[1]
                if partner in visited:
                    continue
                if not self._needed(state, partner, visited | {current}, stmt):
                    continue
                made = self._fix(key, fact, current, partner, slot)
                if made is None and self._dead_end(state, stmt, current, partner, visited):
                    continue
                if made is None and partner == CALLER and not self.helper:
                    raise caller_list_written(stmt, self.fn.name, name)
                if made is None:
                    raise write_not_followed(stmt, self.fn.name, name, current, partner, key,
                                             fact)
                if made is False:
                    continue
                visited.add(partner)
                out.extend(replace(m, loc=stmt.loc) for m in (made if isinstance(made, list)
                                                              else [made]))
                changed(partner)

        changed(name)
        return out

    def _dead_end(self, state: dict, stmt: ir.Stmt, current: str, partner: str,
                  visited: set[str]) -> bool:
        """Whether a partner agc cannot update may be left stale: it is never read again,
        and every name it shares memory with that is read again is a partner of `current`
        itself (brought up to date, or refused, on its own)."""
        if partner == CALLER or partner in self.live.get(id(stmt), set()):
            return False
        direct = self._partners(state, current)
        return all(other in direct or other in visited or other == current or
                   not self._needed(state, other, visited | {current, partner}, stmt)
                   for other in self._partners(state, partner))

    def _reshaped(self, key: tuple, fact: Fact, current: str, partner: str) -> list:
        """A reshape's view taken again (`r = x.reshape(s)`), or written back into its base
        (`x = r.reshape(x.shape)`): exact where the reshape was a view, which the binding
        then checks when it runs (`rt.check_view`, aliasing.py)."""
        self.checked_views.add((fact.op[2], fact.loc))
        target = ir.Var(partner)
        if key[1] == partner:
            return [ir.Assign(target, Prim.RESHAPE, (ir.Var(current), *fact.holes))]
        shape = ir.Var(self._temp())
        return [ir.Assign(shape, Prim.SHAPE, (target,)),
                ir.Assign(target, Prim.RESHAPE, (ir.Var(current), shape))]

    def _fix(self, key: tuple, fact: Fact, current: str, partner: str, slot: bool):
        """The statement that brings `partner` up to date; None: impossible; False: unaffected."""
        if partner == CALLER:  # the caller's object: never brought up to date
            return None
        target = ir.Var(partner)
        if key[0] == "same":
            return ir.Assign(target, Prim.COPY, (ir.Var(current),)) if fact.must else None
        if key[0] == "view" and fact.must and fact.op is not None and fact.op[:2] == RESHAPED:
            return self._reshaped(key, fact, current, partner)
        if key[0] == "view" and fact.must and fact.op is not None:
            # an axis permutation: partner = current with its axes moved (or moved back)
            prim, params = fact.op if key[1] == partner else inverse_op(fact.op)
            return ir.Assign(target, prim, (ir.Var(current),), params)
        if key[0] == "view" and fact.must and fact.index is not None:
            if key[1] == partner:  # partner = current[idx]: take the view again
                return ir.Assign(target, Prim.GETITEM, (ir.Var(current), *fact.holes),
                                 ir.Params.of(index=fact.index))
            shifted = fact.index.shift()  # partner[idx] = current: write the view back
            return ir.Assign(target, Prim.SETITEM, (target, ir.Var(current), *fact.holes),
                             ir.Params.of(index=shifted, shared=True))
        if slot and (self.sequences.get(partner) == ARRAY or fact.holder == current):
            return False  # an object held in the list: replacing the item leaves it alone
        return None

    def _checked(self, block: ir.Block) -> ir.Block:
        """block with `rt.check_view(r, x)` after each reshape `r = x.reshape(s)` whose
        write agc follows as a view's: numpy's reshape copies a non-contiguous x."""
        out: list[ir.Stmt] = []
        for stmt in block:
            if isinstance(stmt, ir.If):
                stmt = replace(stmt, body=self._checked(stmt.body),
                               orelse=self._checked(stmt.orelse))
            elif isinstance(stmt, ir.While):
                stmt = replace(stmt, test=self._checked(stmt.test), body=self._checked(stmt.body))
            elif isinstance(stmt, ir.For):
                stmt = replace(stmt, body=self._checked(stmt.body))
            out.append(stmt)
            if isinstance(stmt, ir.Assign) and stmt.prim is Prim.RESHAPE and \
                    (stmt.target.name, stmt.loc) in self.checked_views:
                out.append(ir.Assign(ir.Var(self._temp()), Prim.CHECK_VIEW,
                                     (stmt.target, stmt.args[0]), ir.Params.of(), stmt.loc))
        return tuple(out)
