"""Integer arrays carry no derivative, even where a float is written into them.

numpy truncates a float written into an integer array (`y = np.zeros(3,
dtype=np.int64); y[0] = 4 * x[0]` stores int(4 * x[0])): the stored value is
piecewise constant in x, so no cotangent may flow back to the written value.
`mark_integer_writes` finds the variables that hold integer arrays on every
path (made by a constructor with an integer dtype, `np.arange` of integers,
`astype` to an integer type, an array literal of integers, or a copy of
one) and marks the item assignments into them `nograd`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import ir
from ..ir.prims import Prim

# Constructors whose dtype param says what they hold.
_WITH_DTYPE = {Prim.ZEROS, Prim.ONES, Prim.FULL, Prim.ZEROS_LIKE, Prim.ONES_LIKE, Prim.EYE,
               Prim.LINSPACE, Prim.ARANGE}


def mark_integer_writes(fn: ir.Function) -> ir.Function:
    """fn with each item assignment into an integer array marked nograd."""
    integers = integer_variables(fn)
    if not integers:
        return fn

    def mark(block: ir.Block) -> ir.Block:
        out = []
        for stmt in block:
            if isinstance(stmt, ir.Assign) and stmt.prim is Prim.SETITEM and \
                    stmt.target.name in integers:
                stmt = replace(stmt, params=stmt.params.with_(nograd=True))
            out.append(ir.map_blocks(stmt, mark))
        return tuple(out)

    return replace(fn, body=mark(fn.body))


def integer_variables(fn: ir.Function) -> set[str]:
    """Names every assignment of which gives an integer array (item writes keep the dtype)."""
    defs: dict[str, list[ir.Assign]] = {}
    for stmt in ir.walk(fn.body):
        if isinstance(stmt, ir.Assign):
            defs.setdefault(stmt.target.name, []).append(stmt)
    integers: set[str] = set()
    changed = True
    while changed:  # copies of integer arrays are integer arrays: to a fixed point
        changed = False
        for name, stmts in defs.items():
            if name not in integers and name not in fn.param_names and \
                    all(_gives_integers(s, integers) for s in stmts):
                integers.add(name)
                changed = True
    return integers


def _gives_integers(stmt: ir.Assign, integers: set[str]) -> bool:
    if stmt.prim is Prim.SETITEM:
        return True  # keeps its array's dtype
    dtype = stmt.params.get("dtype")
    if stmt.prim in _WITH_DTYPE and dtype is not None:
        return _integer_dtype(dtype)
    if stmt.prim is Prim.ARANGE:
        return all(isinstance(a, ir.Const) and type(a.value) is int for a in stmt.args)
    if stmt.prim is Prim.ASTYPE and len(stmt.args) > 1 and isinstance(stmt.args[1], ir.Const):
        return _integer_dtype(stmt.args[1].value)
    if stmt.prim is Prim.CAST:  # np.int64(x)
        return _integer_dtype(stmt.params.get("dtype_name"))
    if stmt.prim in (Prim.STACK, Prim.ASARRAY):
        return all(_integer_literal(a) for a in stmt.args)
    if stmt.prim is Prim.COPY:
        return isinstance(stmt.args[0], ir.Var) and stmt.args[0].name in integers
    return False


def _integer_literal(atom: ir.Atom) -> bool:
    if not isinstance(atom, ir.Const):
        return False
    value = atom.value
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_integer_literal(ir.Const(v)) for v in value)
    return type(value) is int


def _integer_dtype(dtype) -> bool:
    try:
        return np.dtype(dtype).kind in "iub"
    except TypeError:
        return False
