"""What a helper's record keeps of a value the backward sweep reads only for its shape
(split.py): which saved names those are, the forward sweep taking their shapes (or
stand-ins), and the backward sweep reading them instead of the values."""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from .tape import sweep_reads


def with_shapes(forward: list, kept: dict[str, tuple], bound: set[str]) -> list:
    """The forward sweep, each kept shape (or stand-in: `kept` maps a name to its kept
    name and KEPT_SHAPE or KEPT_LIKE) taken after the top-level statement binding its
    value (at the end for a value bound in a branch or loop)."""
    out, late = [], []
    for stmt in forward:
        out.append(stmt)
        name = ir.var_written(stmt) if isinstance(stmt, ir.Assign) else None
        if name in kept:
            out.append(ir.Assign(kept[name][0], kept[name][1], (ir.Var(name),), loc=stmt.loc))
    for name, (shape, prim) in kept.items():
        if name not in bound:
            late.append(ir.Assign(shape, prim, (ir.Var(name),)))
    return out + late


def shape_only(saved: list[str], backward: list) -> list[str]:
    """The saved names the backward sweep reads only as unbroadcast's shape or as
    concatenate_grad's parts (their lengths), and never binds itself (a restored value
    is another value)."""
    read, by_value = sweep_reads(backward), sweep_reads(backward, shape_only=False, parts=True)
    bound = ir.assigned_names(tuple(backward))
    return [n for n in saved if n in read and n not in by_value and n not in bound]


def like_only(saved: list[str], backward: list) -> list[str]:
    """The saved names the backward sweep reads only for their shape, dtype and items
    (unbroadcast's shape, getitem_grad's `x`: the tuple a helper returned, unpacked, is
    read only to give its other items zero cotangents), and never binds itself."""
    read = sweep_reads(backward)
    by_value = sweep_reads(backward, shape_only=False, like_only=True, parts=True)
    bound = ir.assigned_names(tuple(backward))
    return [n for n in saved if n in read and n not in by_value and n not in bound]


def read_shapes(block, shapes: dict[str, ir.Var]) -> list:
    """`block` with unbroadcast (and getitem_grad) reading the kept shape (or stand-in)
    instead of the value."""
    out = []
    for stmt in block:
        if isinstance(stmt, ir.Assign) and stmt.prim in (Prim.UNBROADCAST, Prim.GETITEM_GRAD) \
                and isinstance(stmt.args[1], ir.Var) and stmt.args[1].name in shapes:
            stmt = replace(stmt, args=(stmt.args[0], shapes[stmt.args[1].name], *stmt.args[2:]))
        elif isinstance(stmt, ir.Assign) and stmt.prim is Prim.CONCAT_GRAD:
            stmt = replace(stmt, args=(stmt.args[0], *(
                shapes.get(a.name, a) if isinstance(a, ir.Var) else a for a in stmt.args[1:])))
        elif isinstance(stmt, ir.If):
            stmt = replace(stmt, body=tuple(read_shapes(stmt.body, shapes)),
                           orelse=tuple(read_shapes(stmt.orelse, shapes)))
        elif isinstance(stmt, ir.While):
            stmt = replace(stmt, test=tuple(read_shapes(stmt.test, shapes)),
                           body=tuple(read_shapes(stmt.body, shapes)))
        elif isinstance(stmt, ir.For):
            stmt = replace(stmt, body=tuple(read_shapes(stmt.body, shapes)))
        out.append(stmt)
    return out
