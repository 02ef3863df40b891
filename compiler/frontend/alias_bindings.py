"""The facts a binding adds for the aliasing pass (aliasing.py): which names are the
same object, a view of another, or may share memory with it, after `name = prim(args)`."""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ad.sequences import ARRAY, SEQUENCE
from ..errors import Loc
from ..ir.prims import Prim
from .alias_facts import (
    MAY_VIEW,
    RESHAPED,
    Fact,
    fact_key,
    held_by,
    inverse_op,
    permutation_op,
)


class BindingFacts:
    """AliasResolver's facts of a new binding (a copy, an index, a view, a container)."""

    def bind(self, stmt: ir.Assign, state: dict) -> dict:
        """The facts a new binding `name = prim(args)` adds."""
        name = stmt.target.name
        first = stmt.args[0] if stmt.args and isinstance(stmt.args[0], ir.Var) else None
        state = dict(state)
        if first is not None and (stmt.prim is Prim.COPY and not stmt.params.get("fresh")
                                  or self._asarray_of_an_array(stmt, first.name)):
            self._copy_facts(state, name, first.name)
            state[fact_key("same", name, first.name)] = Fact(True, stmt.loc)
        elif stmt.prim is Prim.RESHAPE and first is not None and len(stmt.args) == 2 and \
                self.sequences.get(first.name) == ARRAY:
            # a view where the array is contiguous: the write is followed as a view's, and
            # the binding checked at run time to be one (alias_writes.py: checked_views)
            self._view_facts(state, stmt, name, first.name,
                             Fact(True, stmt.loc, (stmt.args[1],), op=RESHAPED + (name,)))
        elif stmt.prim is Prim.GETITEM and first is not None:
            one = self._one_item(stmt, first.name)
            if one is True:
                pass  # `y[0]` of a vector: a number, a copy that later writes leave alone
            elif self._basic(stmt) and (self.sequences.get(first.name) == ARRAY
                                        or self._tuple_index_of_array(stmt, first.name)):
                # of unknown rank, `y[0]` is a row (a view) or a number (a copy): not followed
                self._view_facts(state, stmt, name, first.name, None if one is False else
                                 Fact(False, stmt.loc, tuple(stmt.args[1:]),
                                      stmt.params.get("index"), item_or_row=True))
            elif self.sequences.get(first.name) != ARRAY or self._maybe_basic(stmt):
                self._share_all(state, name, first.name, stmt.loc)
                if self.sequences.get(first.name) == SEQUENCE:  # l[i]: an object l holds
                    held_by(state, name, first.name, stmt.loc)
        elif permutation_op(stmt) and first is not None and \
                self.sequences.get(first.name) == ARRAY and inverse_op(permutation_op(stmt)):
            self._view_facts(state, stmt, name, first.name,
                             Fact(True, stmt.loc, op=permutation_op(stmt)))
        elif stmt.prim in MAY_VIEW and first is not None:
            self._share_all(state, name, first.name, stmt.loc)
        elif self._holds_its_args(stmt):
            for arg in stmt.args:
                if isinstance(arg, ir.Var) and arg.name != name:
                    self._share_all(state, name, arg.name, stmt.loc)
                    if stmt.prim in (Prim.LIST, Prim.TUPLE):  # `[y, z]` holds y's object
                        state[fact_key("shares", name, arg.name)] = Fact(True, stmt.loc,
                                                                         holder=name)
        return state

    def _asarray_of_an_array(self, stmt: ir.Assign, name: str) -> bool:
        """`np.asarray(x)` of an array (no dtype or order): numpy returns x itself."""
        rank = self.ranks.get(name)
        return stmt.prim is Prim.ASARRAY and len(stmt.args) == 1 and not stmt.params.items \
            and self.sequences.get(name) == ARRAY and (rank is not None and rank >= 1
                                                       or name in self.nonscalar)

    def _copy_facts(self, state: dict, name: str, source: str) -> None:
        for key, fact in list(state.items()):
            if source not in key[1:]:
                continue
            if key[0] == "view":
                new = ("view", name if key[1] == source else key[1], name if key[2] == source else key[2])
            else:
                other = key[2] if key[1] == source else key[1]
                new = fact_key(key[0], name, other)
                if fact.holder == source:  # `m = l`: m holds what l holds
                    fact = replace(fact, holder=name)
            if new[1] != new[2]:
                state[new] = fact

    def _view_facts(self, state: dict, stmt: ir.Assign, name: str, base: str,
                    fact: Fact | None = None) -> None:
        fact = fact or Fact(True, stmt.loc, tuple(stmt.args[1:]), stmt.params.get("index"))
        state[("view", name, base)] = fact
        for key, other in list(state.items()):
            if key[0] == "same" and base in key[1:]:
                alias = key[2] if key[1] == base else key[1]
                if alias != name:
                    state[("view", name, alias)] = replace(fact, must=fact.must and other.must)
            elif key[0] == "shares" and base in key[1:]:
                partner = key[2] if key[1] == base else key[1]
                if partner != name:
                    state[fact_key("shares", name, partner)] = other

    def _share_all(self, state: dict, name: str, other: str, loc: Loc) -> None:
        """name may share memory with `other` and with everything `other` shares with."""
        state[fact_key("shares", name, other)] = Fact(True, loc)
        for key, fact in list(state.items()):
            if other in key[1:] and name not in key[1:]:
                partner = key[2] if key[1] == other else key[1]
                # memory of an object in a list is not the list's: `cl` of a helper called
                # with `h` shares nothing with the list `h` was appended to
                if partner != name and fact.holder != partner:
                    state[fact_key("shares", name, partner)] = Fact(fact.must, loc)

    def _one_item(self, stmt: ir.Assign, base: str) -> bool | None:
        """Whether `base[i, j]` takes one item (a number, copied out of the array): True
        for as many integers as `base` has dimensions, False for fewer or for slices,
        None where `base`'s rank is unknown."""
        items = stmt.params.get("index").items
        if not all(isinstance(i, ir.Hole) and self._is_int(stmt.args[i.pos]) for i in items):
            return False
        rank = self.ranks.get(base)
        if rank is None:  # this binding's rank, where the name is rebound with others
            rank = self.flow.get(id(stmt), {}).get(base)
        return None if rank is None else len(items) == rank

    def _tuple_index_of_array(self, stmt: ir.Assign, name: str) -> bool:
        """x[i, j:k] of a name known to hold an array: a list cannot take a tuple index, so
        when this runs x is an array (of two or more dimensions) and the result its view."""
        return name in self.nonscalar and len(stmt.params.get("index").items) >= 2

    def _basic(self, stmt: ir.Assign) -> bool:
        """A basic index (integers, slices, None, ...): the result is a view, or a number."""
        for item in stmt.params.get("index").items:
            if isinstance(item, ir.Hole) and not self._is_int(stmt.args[item.pos]):
                return False
            if isinstance(item, ir.Slice) and not all(
                    p is None or self._is_int(stmt.args[p])
                    for p in (item.lower, item.upper, item.step)):
                return False
        return True

    def _maybe_basic(self, stmt: ir.Assign) -> bool:
        """An index agc cannot classify: neither a sure view nor a sure copy."""
        return any(isinstance(item, ir.Hole) and isinstance(stmt.args[item.pos], ir.Var)
                   and self.ranks.get(stmt.args[item.pos].name) is None
                   and stmt.args[item.pos].name not in self.index_lists
                   for item in stmt.params.get("index").items)

    def _is_int(self, atom: ir.Atom) -> bool:
        if isinstance(atom, ir.Const):
            return type(atom.value) is int or atom.value is None
        return self.ranks.get(atom.name) == 0
