"""Lowerings of numpy statistics that are compositions of primitives: np.average, np.diff,
and the in-place `x.sort()`.

np.average(a, axis, weights) is written as numpy computes it: the weights laid
along `axis` (rt.weights_like), sum(a * w) / sum(w); `returned=True` adds the
sum of the weights, broadcast to the average's shape, as numpy does. np.diff is
n differences of neighbouring slices, after prepend / append are joined on.
`x.sort()` is the write `x[...] = np.sort(x)`, which the aliasing pass then
follows through x's other names and views, as numpy's in-place sort is seen.
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..errors import UserCodeError
from ..ir.index import ELLIPSIS, Index, Slice
from ..ir.prims import Prim
from . import numpy_names as calls


def lower_statistic(low, node: cst.Call, spec: calls.CallSpec, bound: dict, dest):
    """The statements of np.average or np.diff (spec.fixed["lowering"]); their result."""
    if "a" not in bound:
        raise UserCodeError("missing argument `a`", low.loc(node))
    if spec.fixed["lowering"] == "average":
        return _average(low, node, spec, bound, dest)
    return _diff(low, node, spec, bound, dest)


def given(low, bound: dict, name: str) -> ir.Atom | None:
    """An array argument, None where it is not given (or given as None)."""
    value = bound.get(name)
    if value is None or (isinstance(value, cst.Name) and value.value == "None"):
        return None
    if isinstance(value, (cst.List, cst.Tuple)):  # numpy makes an array of it (np.asarray)
        return low._bind_and_emit(value, calls.FUNCTIONS["numpy.stack"], [cst.Arg(value)], None)
    return low.expr(value)


def option(low, spec: calls.CallSpec, bound: dict, name: str):
    """A static option's value (its default where not given)."""
    arg = next(a for a in spec.args if a.name == name)
    return arg.default if name not in bound else low._static(bound[name], arg)


def _average(low, node, spec, bound, dest):
    a = low.expr(bound["a"])
    axis, returned = option(low, spec, bound, "axis"), option(low, spec, bound, "returned")
    keepdims = option(low, spec, bound, "keepdims")
    if not isinstance(returned, bool) or not isinstance(keepdims, bool):
        raise UserCodeError("`returned` and `keepdims` must be True or False", low.loc(node))
    params = ir.Params.of(axis=axis, keepdims=keepdims or None)
    weights = given(low, bound, "weights")
    emit = low.emit_assign
    if weights is None:
        average = emit(None if returned else dest, Prim.MEAN, [a], node, params)
        if not returned:
            return average
        count = emit(None, Prim.DIV, [emit(None, Prim.SIZE, [a], node),
                                      emit(None, Prim.SIZE, [average], node)], node)
        total = emit(None, Prim.MUL, [emit(None, Prim.ONES_LIKE, [average], node), count], node)
        return emit(dest, Prim.TUPLE, [average, total], node)
    laid = emit(None, Prim.WEIGHTS_LIKE, [weights, a], node, ir.Params.of(axis=axis))
    total = emit(None, Prim.SUM, [laid], node, params)
    weighted = emit(None, Prim.SUM, [emit(None, Prim.MUL, [a, laid], node)], node, params)
    average = emit(None if returned else dest, Prim.DIV, [weighted, total], node)
    if not returned:
        return average
    shape = emit(None, Prim.SHAPE, [average], node)
    spread = emit(None, Prim.BROADCAST_TO, [total, shape], node)
    total = emit(None, Prim.COPY, [spread], node, ir.Params.of(fresh=True))
    return emit(dest, Prim.TUPLE, [average, total], node)


def _diff(low, node, spec, bound, dest):
    x = low.expr(bound["a"])
    n, axis = option(low, spec, bound, "n"), option(low, spec, bound, "axis")
    if type(n) is not int or n < 0 or type(axis) is not int:
        raise UserCodeError("np.diff's `n` must be a whole number >= 0 and `axis` an int",
                            low.loc(node), "write them as literals: np.diff(x, n=1, axis=0)")
    if n == 0:
        return x  # numpy gives the input itself
    edges = [(given(low, bound, name), name) for name in ("prepend", "append")]
    if any(e is not None for e, _ in edges):
        parts = [low.emit_assign(None, Prim.EDGE_LIKE, [e, x], node, ir.Params.of(axis=axis))
                 for e, name in edges if e is not None and name == "prepend"]
        parts.append(x)
        parts += [low.emit_assign(None, Prim.EDGE_LIKE, [e, x], node, ir.Params.of(axis=axis))
                  for e, name in edges if e is not None and name == "append"]
        x = low.emit_assign(None, Prim.CONCATENATE, parts, node,
                            ir.Params.of(axis=axis or None))
    later, earlier = along(axis, Slice(lower=1)), along(axis, Slice(upper=1))
    for k in range(n):
        upper = low.emit_assign(None, Prim.GETITEM, [x, ir.Const(1)], node, later)
        lower = low.emit_assign(None, Prim.GETITEM, [x, ir.Const(-1)], node, earlier)
        x = low.emit_assign(dest if k == n - 1 else None, Prim.SUB, [upper, lower], node)
    return x


def along(axis: int, item: Slice) -> ir.Params:
    """The index `x[:, ..., item]` that slices axis `axis` (from the end where negative)."""
    whole = Slice()
    items = (whole,) * axis + (item,) if axis >= 0 else \
        (ELLIPSIS, item) + (whole,) * (-axis - 1)
    return ir.Params.of(index=Index(items, tuple_form=True))


def sort_in_place(low, call: cst.Call) -> None:
    """`x.sort(axis=-1)` on an array named x: `x[...] = np.sort(x, axis)`, marked so that
    the aliasing pass refuses it where x may be a list (frontend/aliasing.py)."""
    receiver = call.func.value
    if not isinstance(receiver, cst.Name) or receiver.value not in low.local_names:
        raise low.unsupported(call.func, "`.sort()` of this expression",
                              "sort a named array: x = np.sort(x)")
    spec = calls.METHODS["sort"]
    bound = low._bind(call, spec, [cst.Arg(receiver), *call.args])
    params = {}
    for arg in spec.args[1:]:
        if arg.name not in bound:
            continue
        if arg.kind == "refuse":
            raise low.unsupported(bound[arg.name], "`order=` in `.sort()`",
                                  "sort plain arrays (structured arrays are not supported)")
        params[arg.name] = low._static(bound[arg.name], arg)
    if "axis" in params and params["axis"] is None:
        raise low.unsupported(bound["axis"], "`x.sort(axis=None)`", "write x = np.sort(x, "
                              "axis=None) for the sorted entries of the flattened array")
    name = receiver.value
    ordered = low.emit_assign(None, Prim.SORT, [ir.Var(name)], call, ir.Params.of(**params))
    low.emit_assign(name, Prim.SETITEM, (ir.Var(name), ordered), call,
                    ir.Params.of(index=Index((ELLIPSIS,)), sort_in_place=True))

