"""Builtins that make a sequence from another: `tuple(seq)`, `sorted(seq)`, and the rows
`np.vstack(parts)` / `np.hstack(parts)` stack when `parts` is a list variable (the parts of `np.split`).

    tuple(seq)        ->  t = (); t = t + (item,) for each item of seq
    sorted(seq)       ->  [seq[int(i)] for i in rt.sorted_order(np.asarray(seq))]
                          (Python's own sort of the positions by their items: stable, NaNs
                          where Python leaves them, and the items are seq's own objects; the
                          gradient follows the permutation)
    sorted(seq, key=k, reverse=r)
                      ->  the positions sorted by np.asarray([k(v) for v in seq]), reverse=r
                          (k a lambda, a nested or module function: called once per item)
    np.vstack(parts)  ->  np.concatenate([np.atleast_2d(p) for p in parts])
    np.hstack(parts)  ->  np.hstack([np.atleast_1d(p) for p in parts])  (axis 0 of vectors, else 1)
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..ad.lists import ITEM
from ..errors import UserCodeError
from ..ir.prims import Prim
from .call_specs import Arg


class SequenceBuiltins:
    """Mixin of the Lowerer: `tuple(seq)` and `sorted(seq)`."""

    def _builtin_tuple(self, node: cst.Call, dest):
        args = self._plain_args(node, "tuple")
        if not args:
            return ir.Const(())
        if len(args) > 1:
            raise UserCodeError(f"tuple expected at most 1 argument, got {len(args)}",
                                self.loc(node))
        if isinstance(args[0], (cst.List, cst.Tuple)) and \
                not any(isinstance(el, cst.StarredElement) for el in args[0].elements):
            return self.emit_assign(dest, Prim.TUPLE,
                                    [self.expr(el.value) for el in args[0].elements], node)
        seq = self.iterable(args[0])
        result = self.namer.fresh("items")  # named, not a temporary: it is bound per item
        self.emit_assign(result, Prim.COPY, (ir.Const(()),), node)

        def join(item: ir.Atom) -> None:
            one = self.emit_assign(None, Prim.TUPLE, (item,), node)
            self.emit_assign(result, Prim.ADD, (ir.Var(result), one), node)

        self.each(seq, node, 0, join)
        return ir.Var(result)

    def _builtin_sorted(self, node: cst.Call, dest):
        args = self._plain_args(node, "sorted", ("key", "reverse"))
        if len(args) != 1:
            raise UserCodeError(f"sorted expected 1 argument, got {len(args)}", self.loc(node))
        seq = self.iterable(args[0])
        key = self._keyword_arg(node, "key")
        written = self._keyword_arg(node, "reverse")
        reverse = self._static(written, Arg("reverse")) if written is not None else False
        if not isinstance(reverse, bool):
            raise self.unsupported(written, "this `reverse=` of sorted()",
                                   "write reverse=True or reverse=False")
        keys = seq if key is None or _is_none(key) else self._keys(seq, key, node)
        values = self.emit_assign(None, Prim.ASARRAY, (keys,), node)
        # along the items: items of one element each (numbers, or arrays of one number)
        # are ordered; int() of a longer row raises, as Python's comparison of arrays does
        order = self.emit_assign(None, Prim.SORTED_ORDER, (values,), node,
                                 ir.Params.of(reverse=reverse or None))
        result = self.namer.fresh("ordered")
        self.emit_assign(result, Prim.LIST, (), node)

        def take(row: ir.Atom) -> None:
            i = self.emit_assign(None, Prim.INT, (row,), node)
            item = self.emit_assign(None, Prim.GETITEM, (seq, i), node, ITEM)
            self.emit_assign(result, Prim.APPEND, (ir.Var(result), item), node)

        self.each(order, node, 0, take)
        return ir.Var(result)

    def _keys(self, seq: ir.Atom, key: cst.BaseExpression, node: cst.Call) -> ir.Atom:
        """[key(item) for item in seq]: key called once per item, in order, as Python does."""
        keys = self.namer.fresh("keys")
        self.emit_assign(keys, Prim.LIST, (), node)

        def called(item: ir.Atom) -> None:
            value = call_on(self, key, item, node)
            self.emit_assign(keys, Prim.APPEND, (ir.Var(keys), value), node)

        self.each(seq, node, 0, called)
        return ir.Var(keys)


def call_on(low, func: cst.BaseExpression, value: ir.Atom, node: cst.CSTNode) -> ir.Atom:
    """func(value): the function a call's argument names or writes (a lambda, a nested or
    module function, np.sin) called on an atom, as Python would call it there."""
    name = low.namer.fresh("arg")
    low.renames[name] = value  # the atom, as the argument of the call written below
    call = cst.Call(func=func, args=[cst.Arg(cst.Name(name))])
    low.loc_alias[call] = node
    try:
        return low.expr(call)
    finally:
        low.renames.pop(name, None)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def rows_of_each(low, value: cst.BaseExpression, node, ndim: int = 2) -> ir.Atom:
    """`[np.atleast_2d(p) for p in parts]`: what np.vstack concatenates (atleast_1d: np.hstack)."""
    parts = low.expr(value)
    result = low.namer.fresh("rows")
    low.emit_assign(result, Prim.LIST, (), node)
    low.each(parts, node, 0, lambda part: low.emit_assign(
        result, Prim.APPEND,
        (ir.Var(result), low.emit_assign(None, Prim.ATLEAST, (part,), node,
                                          ir.Params.of(ndim=ndim))), node))
    return ir.Var(result)
