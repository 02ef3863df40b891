"""Writes in place to a list's items (`l[i] op= v`), for the aliasing pass (aliasing.py)."""

from __future__ import annotations

from .. import ir
from .alias_facts import fact_key
from .alias_refusals import shared_item_update


class ItemWrites:
    """AliasResolver's checks of `l[i] op= v`: Python runs `op=` on the item object itself."""

    def _item_update(self, stmt: ir.Assign, name: str, state: dict) -> None:
        """`l[i] op= v` on a list: Python applies `op=` to the item itself, in place where
        it is an array, so every other reference to that array sees the change. agc keeps
        a list's items as values: refused where another reference may be read afterwards
        (a name the array was put in the list from, or another slot of a repeated list)."""
        value = stmt.args[1]
        if not isinstance(value, ir.Var) or self._immutable(value.name):
            return  # the item is a number: `op=` makes a new one, as the IR does
        partners = self._partners(state, name)
        lists = {name} | {p for p, fact in partners.items()  # the list under other names
                          if fact_key("same", name, p) in state and fact.must}
        live = self.live.get(id(stmt), set())
        others = sorted((p for p in partners if p not in lists
                         and self._needed(state, p, lists, stmt)), key=lambda p: p not in live)
        if others or self._repeated_list(state, name):
            partner = others[0] if others else None
            raise shared_item_update(stmt, name, partner, partners.get(partner))

    def _repeated_list(self, state: dict, name: str) -> bool:
        """Whether `name`, or a name for the same list, may hold one object twice."""
        return any(n in self.repeated for n in [name, *(
            key[2] if key[1] == name else key[1] for key in state
            if key[0] == "same" and name in key[1:])])
