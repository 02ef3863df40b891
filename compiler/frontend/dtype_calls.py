"""`dtype=` of np.array and np.asarray, and of reductions that accumulate in integers.

    np.array(v, dtype=d)    ->  asarray(v), then .astype(d): a new array, as np.array's
    np.asarray(v, dtype=d)  ->  asarray(v), then xp.asarray(t, dtype=d): t itself where it
                                has that dtype, as numpy's asarray
    np.sum(x, dtype=np.int64)  ->  the sum of x.astype(np.int64) (numpy casts each item first)

A cast to integers or booleans carries no derivative; a cast to another float type gives
its cotangent back in the operand's dtype (the rules of Prim.ASTYPE and Prim.CAST).
"""

from __future__ import annotations

import libcst as cst
import numpy as np

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim

# Reductions whose integer `dtype=` is the sum (product, mean) of the operand cast first;
# nansum's NaNs would be cast before they are dropped, var's squares are not x's items.
CAST_FIRST = frozenset({Prim.SUM, Prim.PROD, Prim.MEAN, Prim.CUMSUM, Prim.CUMPROD})

_ARRAY_KEYWORDS = {"numpy.array": ("object", "dtype", "copy"),
                   "numpy.asarray": ("a", "dtype", "order")}


def has_dtype(node: cst.Call) -> bool:
    """Whether a call of np.array / np.asarray passes a dtype (by keyword or second)."""
    positional = [a for a in node.args if a.keyword is None]
    return len(positional) >= 2 or any(a.keyword is not None and a.keyword.value == "dtype"
                                       for a in node.args)


def array_with_dtype(low, node: cst.Call, qualified: str, dest) -> ir.Atom:
    """np.array(v, dtype=d) or np.asarray(v, dtype=d): v's items in an array of dtype d."""
    bound = _bind(low, node, _ARRAY_KEYWORDS[qualified])
    if "object" not in bound and "a" not in bound:
        raise UserCodeError(f"{qualified.replace('numpy.', 'np.')}() is missing its "
                            "first argument", low.loc(node))
    _refuse_options(low, bound)
    items = bound.get("object", bound.get("a"))
    dtype_node = bound["dtype"]
    if isinstance(items, (cst.List, cst.Tuple)):  # np.array([a, b]): stacked, as without dtype
        made = low.stacked(node, items)
    else:
        made = low.emit_assign(None, Prim.ASARRAY, (low.expr(items),), node)
    dtype = low.expr(dtype_node)
    if qualified == "numpy.array":  # astype copies, as np.array does
        return low.emit_assign(dest, Prim.ASTYPE, (made, dtype), node)
    if not isinstance(dtype, ir.Const):
        raise low.unsupported(dtype_node, "np.asarray with a dtype computed when it runs",
                              "write the dtype itself (dtype=np.float32), or "
                              "np.array(v, dtype=x.dtype) for a copy")
    return low.emit_assign(dest, Prim.CAST, (made,), node,
                           ir.Params.of(dtype_name=scalar_type_name(low, dtype_node, dtype.value)))


def scalar_type_name(low, node, dtype) -> str:
    """The name of the numpy scalar type of a constant dtype (`float` -> "float64")."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        raise UserCodeError(f"`{dtype!r}` is not a dtype", low.loc(node)) from None
    if name == "bool":
        return "bool_"  # np.bool is numpy 2's name only
    if not hasattr(np, name):
        raise low.unsupported(node, f"the dtype {name}", "use a float, int or bool dtype")
    return name


def cast_operand(low, node, atoms: list[ir.Atom], dtype) -> None:
    """np.sum(x, dtype=np.int64): x's items cast to the integer dtype first, as numpy does."""
    atoms[0] = low.emit_assign(None, Prim.ASTYPE, (atoms[0], ir.Const(dtype)), node)


def _bind(low, node: cst.Call, names: tuple[str, ...]) -> dict:
    bound: dict[str, cst.BaseExpression] = {}
    positional = [a for a in node.args if a.keyword is None]
    for arg in node.args:
        if arg.star:
            raise low.unsupported(arg, "*args / **kwargs in a call",
                                  "pass each argument by position or by name")
    if len(positional) > 2:
        raise low.unsupported(positional[2], "a third positional argument here",
                              "pass options by name")
    for key, arg in zip(names, positional):
        bound[key] = arg.value
    for arg in node.args:
        if arg.keyword is None:
            continue
        key = arg.keyword.value
        if key not in names or key in bound:
            raise low.unsupported(arg, f"the keyword argument `{key}=` here",
                                  "np.array takes dtype= and copy=True here, np.asarray "
                                  "dtype= and order=")
        bound[key] = arg.value
    return bound


def _refuse_options(low, bound: dict) -> None:
    copy = bound.get("copy")
    if copy is not None and not (isinstance(copy, cst.Name) and copy.value == "True"):
        raise low.unsupported(copy, "`copy=` other than True in np.array",
                              "write np.asarray(y, dtype=d) where no copy is wanted")
    order = bound.get("order")
    if order is not None and not (isinstance(order, cst.Name) and order.value == "None"):
        raise low.unsupported(order, "order= with a dtype in np.asarray",
                              "leave order= out: the values do not change")
