"""The derivative of an item assignment `lst[i] = v` into a list (or dict).

A list's adjoint is sparse: a dict {position: cotangent} holding only the
positions some read reached (runtime getitem_grad keys it by `i % len(lst)`).
So the cotangent of `v` is the entry at the written position, or zeros shaped
like `v` when no read reached it (`rt.list_item_grad`), and what stays for the
list is the adjoint without that position (`rt.zero_at` leaves it out): the
value that was overwritten contributed nothing after this assignment.
"""

from __future__ import annotations

from .. import ir
from ..ir.builder import Builder
from ..ir.prims import Prim

ITEM = ir.Params.of(index=ir.Index.at(1))


def list_setitem_rule(b: Builder, g: ir.Atom, stmt: ir.Assign) -> tuple:
    """Cotangents of (lst, v, index) for `lst = SETITEM(lst, v, index)` on a list or dict."""
    lst, value, *holes = stmt.args
    position = holes[0] if len(holes) == 1 else None
    if position is None or stmt.params.get("index").items != (ir.Hole(2),):
        return None  # a slice assignment: not a single position
    if _may_be_negative(b, position):
        position = b.apply(Prim.MOD, (position, b.apply(Prim.LEN, (lst,))))
    written = b.apply(Prim.LIST_ITEM_GRAD, (g, position, value))
    # The target may be an array after all (a helper's result): a row written from a
    # number or a smaller array sends back the broadcast row's sum.
    if not isinstance(value, ir.Const):
        written = b.apply(Prim.WRITTEN_ITEM_GRAD, (written, value))
    rest = b.apply(Prim.ZERO_AT, (g, position), ITEM)
    return (rest, written) + (None,) * len(holes)


def _may_be_negative(b: Builder, position: ir.Atom) -> bool:
    """A numeric position that may count from the end (string keys and i >= 0 stay)."""
    if isinstance(position, ir.Const):
        return type(position.value) is int and position.value < 0
    return b.rank(position) == 0
