"""Lowerings of the calls of numpy_names_more.py that are a few primitives each.

Each is written with numpy's own operations in numpy's order, so its value is
numpy's to the last bit: np.divmod and divmod are `(a // b, a % b)` (one loop
of numpy's and Python's gives both), np.float_power is `**` in float64,
math.log(x, base) is log(x) / log(base) (CPython's own), np.nanmax the max of
the array with its NaNs as -inf (NaN where a slice is all NaN, as numpy),
np.trapezoid is numpy's `(d * (y[1:] + y[:-1]) / 2.0).sum(axis)`, math.fsum the
FSUM primitive of the items in one array, and x.item(i) a read of x's flat view.
A sum or mean given where= / initial= keeps numpy's own call (SUM_WHERE,
MEAN_WHERE); a max or min given them is the extreme of the masked array and the
initial value.
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..errors import UserCodeError
from ..ir.index import Hole, Index, Slice
from ..ir.prims import Prim
from .call_specs import CallSpec
from .list_methods import new_array
from .numpy_lowerings import LOWERINGS
from .numpy_names import FUNCTIONS
from .stat_calls import along, given, option


def lower_more(low, node: cst.Call, spec: CallSpec, bound: dict, dest):
    """The statements of a call whose spec has a `lowering` of this module; its result."""
    return _LOWERINGS[spec.fixed["lowering"]](low, node, spec, bound, dest)


def handles(spec: CallSpec) -> bool:
    """Whether this module lowers `spec`."""
    return spec.fixed.get("lowering") in _LOWERINGS


def _operands(low, node, spec: CallSpec, bound: dict) -> list[ir.Atom]:
    names = [a.name for a in spec.args if a.kind == "array" and a.default is not None]
    missing = [n for n in names if n not in bound]
    if missing:
        raise UserCodeError(f"missing argument `{missing[0]}`", low.loc(node))
    return [low.expr(bound[n]) for n in names]


def _arrays(low, node, spec, bound) -> list[ir.Atom]:
    """The operands as numpy has them: arrays (a list's is an array)."""
    return [low.emit_assign(None, Prim.ASARRAY, [a], node)
            for a in _operands(low, node, spec, bound)]


def _ufunc(name: str) -> ir.Params:
    """`//` or `%` written as numpy's ufunc `name` (np.floor_divide(a, b)): two Python
    numbers give inf at 0 as numpy's, not ZeroDivisionError, and a Python number next to a
    float32 array stays weak (a float32 result), as it would not once made an array."""
    return ir.Params.of(ufunc=name)


def _floor_divide(low, node, spec, bound, dest):
    operands = _operands(low, node, spec, bound)
    return low.emit_assign(dest, Prim.FLOORDIV, operands, node, _ufunc("floor_divide"))


def _divmod(low, node, spec, bound, dest):
    """divmod(a, b) as Python's (Python numbers stay numbers); np.divmod as numpy's ufuncs."""
    numpy = spec.args[0].name == "x1"
    a, b = _operands(low, node, spec, bound)
    quotient = low.emit_assign(None, Prim.FLOORDIV, [a, b], node,
                               _ufunc("floor_divide") if numpy else None)
    remainder = low.emit_assign(None, Prim.MOD, [a, b], node,
                                _ufunc("remainder") if numpy else None)
    return low.emit_assign(dest, Prim.TUPLE, [quotient, remainder], node)


def _positive(low, node, spec, bound, dest):
    """np.positive(x): a new array of x's values (of a list's too, as numpy makes one)."""
    (x,) = _operands(low, node, spec, bound)
    low.emit_assign(None, Prim.CHECK_POSITIVE, (x, ir.Const(True)), node)
    return new_array(low, x, node, dest)


def _float_power(low, node, spec, bound, dest):
    wide = ir.Params.of(dtype_name="float64")  # numpy's float_power computes in float64
    a, b = (low.emit_assign(None, Prim.CAST, [v], node, wide)
            for v in _operands(low, node, spec, bound))
    return low.emit_assign(dest, Prim.POW, [a, b], node)


def _log_base(low, node, spec, bound, dest):
    (x,) = _operands(low, node, spec, bound)
    math = ir.Params.of(lib="math")
    base = given(low, bound, "base")
    if base is None:
        return low.emit_assign(dest, Prim.LOG, [x], node, math)
    top = low.emit_assign(None, Prim.LOG, [x], node, math)
    bottom = low.emit_assign(None, Prim.LOG, [base], node, math)
    return low.emit_assign(dest, Prim.DIV, [top, bottom], node)


def _item(low, node, spec, bound, dest):
    """x.item(): x's one value; x.item(i): the i-th of its flattened values; x.item(i, j)."""
    x = low.expr(bound["x"])
    written = list(bound["*"])
    if len(written) == 1 and isinstance(written[0], cst.Tuple):  # x.item((i, j)) is x.item(i, j)
        written = [el.value for el in written[0].elements]
    indices = [low.expr(e) for e in written]
    if len(indices) < 2:  # a flat index, into x read in C order; or x's only value (an
        # error as numpy's where x has more than one, where float() takes a (1, 1) array)
        shape = (-1,) if indices else ()
        x = low.emit_assign(None, Prim.RESHAPE, [x, ir.Const(shape)], node)
    if indices:
        index = Index(tuple(Hole(k) for k in range(1, len(indices) + 1)),
                      tuple_form=len(indices) > 1)
        x = low.emit_assign(None, Prim.GETITEM, [x, *indices], node, ir.Params.of(index=index))
    # emitted as x.item(): an integer array's item is an int (an index), as numpy gives it
    return low.emit_assign(dest, Prim.FLOAT, [x], node, ir.Params.of(item=True))


def _fsum(low, node, spec, bound, dest):
    """math.fsum(items): of the items stacked in one array (a generator's as a list)."""
    items = bound.get("seq")
    if items is None:
        raise UserCodeError("missing argument `seq`", low.loc(node))
    if isinstance(items, cst.GeneratorExp):  # numpy refuses a generator: make it a list
        items = cst.ListComp(elt=items.elt, for_in=items.for_in)
    if isinstance(items, (cst.List, cst.Tuple, cst.ListComp)):
        stacked = low._bind_and_emit(node, FUNCTIONS["numpy.stack"], [cst.Arg(items)], None)
    else:  # an array, or a list of numbers
        stacked = low.emit_assign(None, Prim.ASARRAY, [low.expr(items)], node)
    return low.emit_assign(dest, Prim.FSUM, [stacked], node)


def has_reduction_options(spec: CallSpec, bound: dict) -> bool:
    """Whether a sum, mean, max or min is given where= or initial= (not None)."""
    return spec.prim in _WITH_OPTIONS and any(
        _written(bound.get(name)) for name in ("where", "initial"))


def _written(value) -> bool:
    return value is not None and not (isinstance(value, cst.Name) and value.value == "None")


def reduction_options(low, node: cst.Call, spec: CallSpec, bound: dict, dest):
    """np.sum / np.prod / np.mean with where= and initial= passed on to numpy; np.max /
    np.min as the extreme of np.where(mask, x, -inf) (+inf for min) and initial, exact."""
    for name in ("out", "dtype"):
        if _written(bound.get(name)):
            raise low.unsupported(bound[name], f"`{name}=` together with where= or initial=",
                                  "cast the operand first: np.sum(x.astype(np.float64), "
                                  "where=mask)")
    x = low.expr(bound[spec.args[0].name])
    params = ir.Params.of(axis=option(low, spec, bound, "axis"),
                          keepdims=option(low, spec, bound, "keepdims") or None)
    mask, initial = given(low, bound, "where"), given(low, bound, "initial")
    emit = low.emit_assign
    if spec.prim is Prim.SUM:
        options = [mask or ir.Const(True), initial or ir.Const(None)]
        return emit(dest, Prim.SUM_WHERE, [x, *options], node, params)
    if spec.prim is Prim.MEAN:
        return emit(dest, Prim.MEAN_WHERE, [x, mask or ir.Const(True)], node, params)
    if spec.prim is Prim.PROD:
        options = [mask or ir.Const(True), initial or ir.Const(None)]
        return emit(dest, Prim.PROD_WHERE, [x, *options], node, params)
    if initial is None:  # numpy raises: a maximum has no identity to start from
        raise low.unsupported(bound["where"], f"where= without initial= in "
                              f"np.{spec.prim.spec.name}", "give the value of an empty "
                              "selection too: np.max(x, where=mask, initial=-np.inf)")
    # numpy casts initial into x's dtype (np.max(k, initial=3.5) of an integer k starts
    # from 3) and fills what where= leaves out with it: full_like does both casts
    if mask is not None:
        x = emit(None, Prim.WHERE, [mask, x, emit(None, Prim.FULL_LIKE, [x, initial], node)],
                 node)
    if isinstance(initial, ir.Const):  # numpy's own start too: an empty x gives initial
        params = ir.Params.of(**dict(params.items), initial=initial.value)
    extreme = emit(None, spec.prim, [x], node, params)
    start = emit(None, Prim.FULL_LIKE, [extreme, initial], node)
    pair = Prim.MAXIMUM if spec.prim is Prim.MAX else Prim.MINIMUM
    return emit(dest, pair, [start, extreme], node)  # numpy starts from initial


def _nan_extreme(low, node, spec, bound, dest):
    """np.nanmax / np.nanmin: NaNs lose (their gradient is zero); an all-NaN slice is NaN."""
    (a,) = _operands(low, node, spec, bound)
    params = ir.Params.of(axis=option(low, spec, bound, "axis"),
                          keepdims=option(low, spec, bound, "keepdims") or None)
    emit = low.emit_assign
    nans = emit(None, Prim.ISNAN, [a], node)
    loser = float("-inf") if spec.prim is Prim.MAX else float("inf")
    kept = emit(None, Prim.NAN_FILL, [a, ir.Const(loser)], node)  # an int array keeps its dtype
    extreme = emit(None, spec.prim, [kept], node, params)
    all_nan = emit(None, Prim.ALL, [nans], node, params)
    # times 1.0, or NaN for an all-NaN slice: -0.0 and the infinities stay as they are
    scale = emit(None, Prim.WHERE, [all_nan, ir.Const(float("nan")), ir.Const(1.0)], node)
    scale = emit(None, Prim.CAST_LIKE, [scale, extreme], node)  # float32 stays float32
    return emit(dest, Prim.MUL, [extreme, scale], node)


def _trapezoid(low, node, spec, bound, dest):
    y = low.emit_assign(None, Prim.ASARRAY, _operands(low, node, spec, bound), node)
    axis, dx = option(low, spec, bound, "axis"), option(low, spec, bound, "dx")
    if type(axis) is not int:
        raise UserCodeError("np.trapezoid's `axis` must be an int", low.loc(node))
    x = given(low, bound, "x")
    if x is not None:  # numpy's asanyarray: a list's slices are arrays, not lists
        x = low.emit_assign(None, Prim.ASARRAY, [x], node)
    if x is not None and axis != -1:  # numpy lays a 1-d x along axis; agc cannot tell its rank
        raise low.unsupported(bound["x"], "np.trapezoid's `x=` with an axis other than -1",
                              "move the axis last first: np.trapezoid(np.moveaxis(y, axis, -1), "
                              "x)")
    emit = low.emit_assign
    later, earlier = along(axis, Slice(lower=1)), along(axis, Slice(upper=1))
    step = ir.Const(dx)
    if x is not None:
        step = emit(None, Prim.SUB, [emit(None, Prim.GETITEM, [x, ir.Const(1)], node, later),
                                     emit(None, Prim.GETITEM, [x, ir.Const(-1)], node, earlier)],
                    node)
    upper = emit(None, Prim.GETITEM, [y, ir.Const(1)], node, later)
    lower = emit(None, Prim.GETITEM, [y, ir.Const(-1)], node, earlier)
    pairs = emit(None, Prim.ADD, [upper, lower], node)
    areas = emit(None, Prim.DIV, [emit(None, Prim.MUL, [step, pairs], node), ir.Const(2.0)], node)
    return emit(dest, Prim.SUM, [areas], node, ir.Params.of(axis=axis))


_WITH_OPTIONS = frozenset({Prim.SUM, Prim.MEAN, Prim.MAX, Prim.MIN, Prim.PROD})

_LOWERINGS = {"divmod": _divmod, "positive": _positive, "floor_divide": _floor_divide, "float_power": _float_power, "log_base": _log_base,
              "item": _item, "fsum": _fsum, "nan_extreme": _nan_extreme, "trapezoid": _trapezoid,
              **LOWERINGS}
