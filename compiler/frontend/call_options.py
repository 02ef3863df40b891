"""The binding of a numpy call's arguments to its signature (numpy_names), and its options:
constants kept in the statement's params, `order=`, `dtype=` of reductions, and the options
agc refuses, each with a hint (a mixin of calls.CallLowering)."""

from __future__ import annotations

import libcst as cst
import numpy as np

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim
from . import numpy_names as calls
from .dtype_calls import CAST_FIRST, cast_operand
from .nn_calls import NN_HINTS


class CallOptions:
    """Mixin of the Lowerer: a call's arguments bound by name, its options checked."""

    def _statistics_option(self, node, spec, arg: calls.Arg, value, params: dict,
                           atoms: list) -> None:
        """`dtype=` of a reduction (kept: numpy accumulates in it; an integer one casts the
        operand first), or an option agc refuses (`out=`, `where=`, ...) when it is given."""
        if value is arg.default or (isinstance(value, cst.Name) and value.value == "None"):
            return
        if arg.kind == "refuse":
            raise self.unsupported(value, f"the keyword argument `{arg.name}=` of "
                                   f"`{spec.prim.spec.name}`", _REFUSED_HINTS.get(arg.name))
        dtype = self.expr(value)
        if not isinstance(dtype, ir.Const):
            raise UserCodeError("`dtype` must be a constant here", self.loc(value),
                                _STATIC_HINTS["dtype"])
        if np.dtype(dtype.value).kind in "iub" and spec.prim in CAST_FIRST and atoms:
            cast_operand(self, node, atoms, dtype.value)  # no derivative flows through it
        elif np.dtype(dtype.value).kind not in "fc":
            raise self.unsupported(value, f"`dtype={np.dtype(dtype.value).name}` in "
                                   f"`{spec.prim.spec.name}`", "reduce in a floating dtype "
                                   "or cast the operand first: np.sum(x.astype(np.int64))")
        params["dtype"] = dtype.value

    def _order(self, spec: calls.CallSpec, value, params: dict) -> None:
        """`order=`: C order is reshape's and ravel's own; copies and asarray keep any order
        (the values do not change); reshape or ravel in another order is refused."""
        if value is None or (isinstance(value, cst.Name) and value.value == "None"):
            return
        order = self._static(value, calls.Arg("order"))
        if spec.prim is Prim.ASARRAY and order in _ORDERS:
            params["order"] = order  # passed on: it decides whether numpy copies
        elif order != "C" and not (spec.prim is Prim.COPY and order in _ORDERS):
            raise self.unsupported(value, f"`order={order!r}` in `{spec.prim.spec.name}`",
                                   "agc reshapes and flattens in C order only: drop order=, "
                                   "or transpose first (x.T.reshape(-1) is x.ravel(order='F'))")

    def _bind(self, node: cst.Call, spec: calls.CallSpec, args: list[cst.Arg]) -> dict:
        bound: dict[str, object] = {}
        positional = [a for a in args if a.keyword is None]
        starred = next((a for a in args if a.star), None)
        if starred is not None:
            raise self.unsupported(starred, "*args / **kwargs in a call",
                                   "pass each argument by position: np.add(a, b)")
        names = [a.name for a in spec.args]
        by_position = [] if spec.varargs == "arrays" else names  # meshgrid(*xi, indexing=)
        if spec.varargs in ("shape", "index"):  # x.reshape(2, 3, order="C"): after *args
            by_position = [a.name for a in spec.args if a.kind != "order"]
        extra = positional[len(by_position):]
        if extra and spec.varargs is None:
            raise UserCodeError(f"too many arguments ({len(positional)} given)", self.loc(node))
        for name, arg in zip(by_position, positional):
            bound[name] = arg.value
        bound["*"] = [a.value for a in extra]
        for arg in args:
            if arg.keyword is None:
                continue
            key = arg.keyword.value
            if key not in names or key in bound:
                raise self.unsupported(arg, f"the keyword argument `{key}=` here")
            bound[key] = arg.value
        return bound

    def _static(self, value, arg: calls.Arg):
        if not isinstance(value, cst.CSTNode):
            return value
        if isinstance(value, cst.List) and arg.name in _LIST_OPTIONS:  # pad_width=[(1, 0)]
            return tuple(self._static(e.value, arg) for e in self._plain_elements(value))
        atom = self.expr(value)
        if not isinstance(atom, ir.Const):
            raise UserCodeError(f"`{arg.name}` must be a constant here", self.loc(value),
                                _STATIC_HINTS.get(arg.name, f"write the {arg.name} as a "
                                                  f"literal, e.g. {arg.name}=0"))
        return atom.value

    def _refuse_option(self, prim: Prim, option: str, value: object, node) -> None:
        """Refuse a static option agc does not support (numpy_names.REFUSED_OPTIONS)."""
        if not isinstance(value, (bool, int, float, str)):
            return  # tuples of axes, dtypes: none is refused, and lists do not hash
        hint = calls.REFUSED_OPTIONS.get((prim, option, value))
        if hint is not None:
            raise self.unsupported(node, f"`{option}={value!r}`", hint)

    def _sequence(self, value) -> list[ir.Atom]:
        if not isinstance(value, (cst.List, cst.Tuple)):
            raise self.unsupported(value, "a non-literal sequence of arrays here",
                                   "write the arrays in a list literal: np.stack([a, b])")
        return [self.expr(el.value) for el in self._plain_elements(value)]

    def _shape(self, node, extra: list) -> ir.Atom:
        if len(extra) == 1:
            return self.expr(extra[0])
        items = [self.expr(e) for e in extra]
        if all(isinstance(a, ir.Const) for a in items):
            return ir.Const(tuple(a.value for a in items))
        return self.emit_assign(None, Prim.TUPLE, items, node)


# The orders numpy knows (copies and asarray keep any of them).
_ORDERS = ("C", "F", "A", "K")

# Options numpy also takes as a list (axis, keepdims, ... must be ints or tuples there).
_LIST_OPTIONS = frozenset({"pad_width", "constant_values", "reps", "shift", "window_shape",
                           "indices_or_sections", "source", "destination", "axes"})

# What to write instead of a computed option, for the options whose value is not a number.
_STATIC_HINTS = {
    "dtype": "name the dtype itself, e.g. dtype=np.float32, or start from x: "
             "np.zeros_like(x) and np.ones_like(x) keep x's dtype",
    "keepdims": "write keepdims=True or keepdims=False",
    **NN_HINTS,
}

# What to write instead of the options of reductions that agc refuses.
_REFUSED_HINTS = {
    "out": "assign the result instead: y = np.sum(x, axis=0)",
    "where": "mask the operand first: np.sum(np.where(mask, x, 0.0))",
    "initial": "combine it afterwards: np.maximum(np.max(x), initial), or np.sum(x) + initial",
    "order": "sort plain arrays (structured arrays are not supported)",
    "period": "wrap x yourself first: np.interp(np.mod(x - xp[0], period) + xp[0], xp, fp), with "
              "xp covering one period",
    "overwrite_input": "leave it out (agc does not let a median reorder its input)",
}
