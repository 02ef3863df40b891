"""Lowerings of np.quantile, np.percentile, np.select and np.polyval (more lowerings of
numpy_names_more.py), each numpy's own operations in numpy's order.

np.quantile(a, q) of one constant q is the QUANTILE primitive (numpy's own call); of a
list of constants, the quantiles stacked, which is what numpy computes (one q at a
time, by the same formula), each q given to numpy as an array of the list's dtype (so
the values and dtypes are those of numpy's list: float64 for a float32 array). Only numpy's default linear method is taken.
"""

from __future__ import annotations

import libcst as cst
import numpy as np

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim
from .call_specs import Arg, CallSpec
from .sequence_builtins import call_on
from .stat_calls import option

# options that write into an argument or change the method: refused where given
_REFUSED = {"out": "drop out= and assign the result",
            "weights": "weights= needs method='inverted_cdf', which agc does not take",
            "interpolation": "drop interpolation= (numpy's default linear method is taken)"}


def _written(value) -> bool:
    return value is not None and not (isinstance(value, cst.Name) and value.value == "None")


def _quantile(low, node, spec: CallSpec, bound: dict, dest):
    """np.quantile / np.percentile(a, q, axis, keepdims) of constant q (one, or a list)."""
    name = "percentile" if spec.fixed.get("percent") else "quantile"
    for key, hint in _REFUSED.items():
        if _written(bound.get(key)):
            raise low.unsupported(bound[key], f"`{key}=` of np.{name}", hint)
    if option(low, spec, bound, "overwrite_input") is not False:
        raise low.unsupported(bound["overwrite_input"], f"`overwrite_input=` of np.{name}",
                              "drop overwrite_input= (numpy may then reorder a in place)")
    if option(low, spec, bound, "method") != "linear":
        raise low.unsupported(bound["method"], f"a `method=` other than 'linear' in np.{name}",
                              "drop method= to take numpy's default linear interpolation")
    if "a" not in bound or "q" not in bound:
        raise UserCodeError(f"np.{name} takes an array and q", low.loc(node))
    x = low.expr(bound["a"])
    params = {"percent": spec.fixed.get("percent") or None,
              "axis": option(low, spec, bound, "axis"),
              "keepdims": option(low, spec, bound, "keepdims") or None}
    qs = _constants(low, bound["q"], name)
    if not isinstance(qs, tuple):
        return low.emit_assign(dest, Prim.QUANTILE, [x], node, ir.Params.of(q=qs, **params))
    dtype = np.asarray(qs).dtype.name  # numpy's array of the list: int64 or float64
    parts = [low.emit_assign(None, Prim.QUANTILE, [x], node,
                             ir.Params.of(q=q, q_dtype=dtype, **params)) for q in qs]
    return low.emit_assign(dest, Prim.STACK, parts, node)


def _constants(low, value: cst.BaseExpression, name: str):
    """q: one constant number, or a tuple of them (a flat list or tuple literal)."""
    if isinstance(value, (cst.List, cst.Tuple)):
        qs = tuple(_constants(low, el.value, name) for el in low._plain_elements(value))
        if not qs or any(isinstance(q, tuple) for q in qs):
            raise low.unsupported(value, f"this q of np.{name}",
                                  "give q as a number or a flat, non-empty list of numbers")
        return qs
    q = low._static(value, Arg("q", "static"))
    if type(q) not in (int, float):
        raise low.unsupported(value, f"this q of np.{name}",
                              "give q as a constant number, or a list of them")
    return q


def _literal_list(low, bound: dict, name: str, what: str) -> list[cst.BaseExpression]:
    value = bound.get(name)
    if not isinstance(value, (cst.List, cst.Tuple)):
        raise low.unsupported(value if value is not None else bound.get("condlist"),
                              f"this `{name}` of np.{what}",
                              f"write {name} as a list literal: [x > 0, x < -1]")
    return [el.value for el in low._plain_elements(value)]


def _select(low, node, spec: CallSpec, bound: dict, dest):
    """np.select(condlist, choicelist, default): the first choice whose condition holds."""
    conds = _literal_list(low, bound, "condlist", "select")
    choices = _literal_list(low, bound, "choicelist", "select")
    if len(conds) != len(choices):  # numpy's ValueError, found before the run
        raise UserCodeError("list of cases must be same length as list of conditions",
                            low.loc(node))
    if not conds:
        raise UserCodeError("select with an empty condition list is not possible",
                            low.loc(node))
    masks = [low.expr(c) for c in conds]  # in the order Python evaluates the arguments
    values = [low.expr(c) for c in choices]
    default = bound.get("default")
    last = low.expr(default) if default is not None else ir.Const(0)
    return low.emit_assign(dest, Prim.SELECT, [*masks, *values, last], node)


def _polyval(low, node, spec: CallSpec, bound: dict, dest):
    """np.polyval(p, x): Horner's loop over np.asarray(p), as numpy runs it."""
    if "p" not in bound or "x" not in bound:
        raise UserCodeError("np.polyval takes p and x", low.loc(node))
    emit = low.emit_assign
    p = emit(None, Prim.ASARRAY, [low.expr(bound["p"])], node)
    emit(None, Prim.CHECK_ITERABLE, [p], node)  # numpy's TypeError for a 0-d p
    x = emit(None, Prim.ASARRAY, [low.expr(bound["x"])], node)
    y = low.namer.fresh("y")  # named, not a temporary: bound again per coefficient
    emit(y, Prim.ZEROS_LIKE, [x], node)
    low.each(p, node, 0, lambda pv: emit(
        y, Prim.ADD, [emit(None, Prim.MUL, [ir.Var(y), x], node), pv], node))
    return ir.Var(y)


def _tolist(low, node, spec: CallSpec, bound: dict, dest):
    """x.tolist() of a 1-d array: [x[k].item() for k in range(len(x))], Python numbers."""
    x = low.expr(bound["x"])
    emit = low.emit_assign
    emit(None, Prim.CHECK_TOLIST, [x], node)  # numpy's list of a matrix holds lists
    items = low.namer.fresh("items")  # named, not a temporary: appended to per item
    emit(items, Prim.LIST, [], node)
    low.each(x, node, 0, lambda v: emit(
        items, Prim.APPEND, [ir.Var(items), emit(None, Prim.FLOAT, [v], node,
                                                   ir.Params.of(item=True))], node))
    return ir.Var(items)


def _piecewise(low, node, spec: CallSpec, bound: dict, dest):
    """np.piecewise(x, condlist, funclist) as numpy runs it: y = zeros_like(x), then for each
    condition in order y[cond] = func(x[cond]) where it selects something (a later condition
    wins), or y[cond] = value for a value; one more function than conditions is the
    otherwise, where none holds."""
    conds = _literal_list(low, bound, "condlist", "piecewise")
    funcs = _literal_list(low, bound, "funclist", "piecewise")
    if "x" not in bound or not conds:
        raise low.unsupported(node, "np.piecewise without x or conditions",
                              "give x and a non-empty list of conditions")
    x = low.emit_assign(None, Prim.ASARRAY, [low.expr(bound["x"])], node)
    emit = low.emit_assign
    as_bool = low.expr(cst.Name("bool"))  # numpy's np.asarray(condlist, dtype=bool)
    masks = [emit(None, Prim.ASTYPE, [emit(None, Prim.ASARRAY, [low.expr(c)], node), as_bool],
                  node) for c in conds]  # a condition on a number x is a Python bool
    if len(masks) == len(funcs) - 1:
        anyone = masks[0]
        for mask in masks[1:]:
            anyone = emit(None, Prim.LOGICAL_OR, [anyone, mask], node)
        masks.append(emit(None, Prim.LOGICAL_NOT, [anyone], node))
    elif len(masks) != len(funcs):
        n = len(masks)
        raise UserCodeError(f"with {n} condition(s), either {n} or {n + 1} functions are "
                            f"expected", low.loc(node))
    y = low.namer.fresh("pieces")  # named: written piece by piece
    emit(y, Prim.ZEROS_LIKE, [x], node)
    write = ir.Params.of(index=ir.Index.at(2))
    for mask, func in zip(masks, funcs):
        if low.function_value(func) is None:  # a value, not a function
            emit(y, Prim.SETITEM, [ir.Var(y), low.expr(func), mask], node, write)
            continue
        values = emit(None, Prim.GETITEM, [x, mask], node, ir.Params.of(index=ir.Index.at(1)))
        some = emit(None, Prim.GT, [emit(None, Prim.SIZE, [values], node), ir.Const(0)], node)
        body = low.sub_block(lambda values=values, mask=mask, func=func: emit(
            y, Prim.SETITEM, [ir.Var(y), call_on(low, func, values, node), mask], node, write))
        low.block.append(ir.If(some, body, (), loc=low.loc(node)))
    return ir.Var(y)


LOWERINGS = {"quantile": _quantile, "select": _select, "polyval": _polyval, "tolist": _tolist,
             "piecewise": _piecewise}
