"""Writes into numpy's read-only views, refused with their position.

`np.broadcast_to` and `np.lib.stride_tricks.sliding_window_view` return views numpy
marks read-only: `w[0] = v` or `w += v` raises ValueError there. agc refuses such a
write at compile time instead (a positioned UserCodeError), following the view through
plain copies of the name and through the views made of it (reshape, transpose, ...).
"""

from __future__ import annotations

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim
from .alias_facts import MAY_VIEW

READ_ONLY = {Prim.BROADCAST_TO: "np.broadcast_to",
             Prim.SLIDING_WINDOW: "np.lib.stride_tricks.sliding_window_view"}


def refuse_read_only_writes(fn: ir.Function, in_place: set[int]) -> None:
    """Raise a UserCodeError at the first write into a name that holds a read-only view."""
    views: dict[str, str] = {}  # name -> the function that made the read-only view
    for stmt in ir.walk(fn.body):
        if not isinstance(stmt, ir.Assign):
            continue
        name = stmt.target.name
        writes = stmt.prim.spec.in_place or id(stmt) in in_place
        if writes and name in views:
            raise UserCodeError(
                f"`{name}` is a read-only view made by {views[name]}: numpy raises "
                "ValueError on this write", stmt.loc,
                f"write into a copy: `{name} = {name}.copy()` first")
        if writes:
            continue
        first = stmt.args[0] if stmt.args else None
        source = views.get(first.name) if isinstance(first, ir.Var) else None
        if stmt.prim in READ_ONLY:
            views[name] = READ_ONLY[stmt.prim]
        elif source is not None and not stmt.params.get("fresh") and (
                stmt.prim is Prim.COPY or stmt.prim in MAY_VIEW or stmt.prim is Prim.GETITEM):
            views[name] = source  # a basic index of it is a read-only view too (conservative)
        else:
            views.pop(name, None)
