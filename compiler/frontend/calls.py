"""Lowering of calls: numpy / math / builtin functions, array methods, helpers."""

from __future__ import annotations

import inspect
import sys

import libcst as cst
import numpy as np

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim
from . import linalg_calls
from . import numpy_names as calls
from .draw_calls import is_draw, lower_draw, lower_dropout, refuse_global_random
from .dtype_calls import CAST_FIRST, array_with_dtype, cast_operand, has_dtype
from .list_methods import array_copy, list_pop
from .list_searches import list_search
from .more_calls import handles, has_reduction_options, lower_more, reduction_options
from .nn_calls import CONVS, NN_HINTS, conv_with_bias, nn_primitive
from .sequence_builtins import rows_of_each
from .stat_calls import lower_statistic


class CallLowering:
    """Mixin of the Lowerer: turns a call into one primitive application."""

    def _expr_Call(self, node: cst.Call, dest):
        node = self.expanded(node)
        func = node.func
        if isinstance(func, cst.Attribute) and self.is_self(func.value):
            return self.self_method_call(node, dest)
        gradient = self.gradient_call(node, dest)  # f.grad(x) of a decorated f
        if gradient is not None:
            return gradient
        if (any(self.passes_function(a.value) for a in node.args) or self.recursive(func)) \
                and self.inlinable_helper(func) or self.writes_its_arguments(func) \
                or self.draws_inside(func):
            # a helper given a function (a lambda, np.cos), calling itself, or writing its
            # argument in place, or drawing random numbers: inlined, so it can call it, so its
            # recursion unrolls on constants, so the write reaches the caller's object, or so
            # each draw happens once
            return self.call_local(self.module_function(func.value), node)
        if isinstance(func, cst.Name) and func.value in self.local_functions:
            return self.call_local(self.local_functions[func.value], node)
        if isinstance(func, cst.Lambda):  # (lambda t: t * 2)(x)
            return self.call_local(self.function_value(func), node)
        if is_draw(self, func):  # rng.normal(...) of a Generator value
            return lower_draw(self, node, dest)
        if isinstance(func, cst.Name) and not self.is_local(func.value) \
                and self.names.qualify(func.value) is None \
                and func.value not in self.names.functions:
            handled = self.builtin_call(node, func.value, dest)
            if handled is not None:
                return handled
        if isinstance(func, cst.Name) and func.value in self.names.functions \
                and not self.is_local(func.value):
            module = self.names.function_modules.get(func.value)
            self.names.name_calls.add(func.value)
            return self._helper_call(node, func.value, module, dest)
        module = self._helper_module(func)
        if module is not None:
            self.names.attribute_calls.add((module, func.attr.value))
            return self._helper_call(node, func.attr.value, module, dest)
        qualified = self._callee_name(func)
        if qualified is not None and qualified.startswith("agc.nn."):
            module, _, name = qualified.rpartition(".")
            return self._helper_call(node, name, module, dest)
        if qualified in linalg_calls.LOWERINGS:
            return linalg_calls.LOWERINGS[qualified](self, node, dest)
        if qualified is not None:
            spec = calls.FUNCTIONS.get(qualified)
            if spec is None:
                refuse_global_random(self, func, qualified)
                raise self.unsupported(func, f"the function `{self.module.code_for_node(func)}`",
                                       "see docs/api.md for the supported numpy functions")
            if qualified in ("numpy.array", "numpy.asarray") and has_dtype(node):
                return array_with_dtype(self, node, qualified, dest)  # np.array(v, dtype=d)
            if qualified in ("numpy.array", "numpy.asarray") and self._is_literal_list(node):
                spec = calls.FUNCTIONS["numpy.stack"]
            elif qualified == "numpy.array" and (copied := array_copy(self, node, dest)):
                return copied
            if qualified == "math.hypot" and len(node.args) > 2:
                return self._hypot_of_many(node, spec, dest)
            if qualified == "numpy.where" and len(node.args) == 1:  # np.where(c): np.nonzero(c)
                spec = calls.FUNCTIONS["numpy.nonzero"]
            return self._bind_and_emit(node, spec, list(node.args), dest)
        popped = list_pop(self, node, dest)  # l.pop(i) of a list
        if popped is not None:
            return popped
        got = self.dict_method(node, dest)  # d.get(k, default) of a dict built here
        if got is not None:
            return got
        searched = list_search(self, node, dest)  # l.index(v), l.count(v)
        if searched is not None:
            return searched
        if isinstance(func, cst.Attribute):
            self.check_self_attribute(func.value)  # self.layer.forward(x): say what layer is
            spec = calls.METHODS.get(func.attr.value)
            if spec is None:
                raise self.unsupported(func.attr, f"the method `.{func.attr.value}()`",
                                       "call the numpy function instead, e.g. np.sum(x)")
            receiver = cst.Arg(value=func.value)
            return self._bind_and_emit(node, spec, [receiver, *node.args], dest)
        raise self.unsupported(func, "calling this expression",
                               "call a function by its name: a numpy function, a helper or "
                               "a function defined in this one")

    def _callee_name(self, func: cst.BaseExpression) -> str | None:
        if isinstance(func, cst.Name):
            if self.is_local(func.value):
                raise UserCodeError(f"`{func.value}` is a local variable, not a function",
                                    self.loc(func))
            qualified = self.names.qualify(func.value)
            if qualified is None and func.value in calls.FUNCTIONS:
                return func.value  # a Python builtin: abs, len, float, ...
            if qualified is None:
                raise UserCodeError(f"unknown function `{func.value}`", self.loc(func),
                                    "define it in the same module, or import it from numpy/math")
            return qualified
        return self.qualify(func)

    def _hypot_of_many(self, node: cst.Call, spec: calls.CallSpec, dest):
        """math.hypot(a, b, c, ...): hypot(hypot(a, b), c), ... (the length of the vector)."""
        if any(a.keyword is not None or a.star for a in node.args):
            raise self.unsupported(node, "math.hypot with keyword or starred arguments")
        atoms = [self.expr(a.value) for a in node.args]
        length = atoms[0]
        for i, atom in enumerate(atoms[1:], 2):
            length = self.emit_assign(dest if i == len(atoms) else None, spec.prim,
                                      [length, atom], node, ir.Params.of(lib="math"))
        return length

    def stacked(self, node: cst.Call, items: cst.BaseExpression) -> ir.Atom:
        """np.stack of a list literal's items (np.array([a, b]) without a dtype)."""
        return self._bind_and_emit(node, calls.FUNCTIONS["numpy.stack"], [cst.Arg(items)], None)

    @staticmethod
    def _is_literal_list(node: cst.Call) -> bool:
        return bool(node.args) and isinstance(node.args[0].value, (cst.List, cst.Tuple))

    # ------------------------------------------------------------- binding
    def _bind_and_emit(self, node: cst.Call, spec: calls.CallSpec, args: list[cst.Arg], dest):
        bound = self._bind(node, spec, args)
        if handles(spec):  # np.divmod, np.trapezoid, math.log(x, base), x.item(i), ...
            return lower_more(self, node, spec, bound, dest)
        if has_reduction_options(spec, bound):  # np.sum(x, where=mask, initial=c), ...
            return reduction_options(self, node, spec, bound, dest)
        if spec.fixed.get("lowering"):  # np.average, np.diff
            return lower_statistic(self, node, spec, bound, dest)
        atoms: list[ir.Atom] = []
        params: dict[str, object] = {k: v for k, v in spec.fixed.items() if k in _KEPT_FIXED}
        dtype_of = None  # np.zeros(n, dtype=x.dtype): made, then cast to x's dtype
        for arg in spec.args:
            value = bound.get(arg.name, arg.default)
            if value is calls.REQUIRED:
                raise UserCodeError(f"missing argument `{arg.name}`", self.loc(node))
            if arg.name == "dtype" and spec.prim in _MADE_FROM_A_SHAPE \
                    and isinstance(value, cst.Attribute) and value.attr.value == "dtype":
                dtype_of = self.expr(value)
            elif arg.kind == "static":
                if value is not arg.default:
                    params[arg.name] = self._static(value, arg)
                    if params[arg.name] is None and arg.default is not None and spec.prim \
                            not in (Prim.SORT, Prim.ARGSORT, Prim.CONCATENATE):  # flattened below
                        # params drop None values: it would silently mean the default
                        raise self.unsupported(value, f"`{arg.name}=None` here",
                                               f"write the {arg.name} you mean, e.g. flatten "
                                               f"first with x.ravel()")
                    self._refuse_option(spec.prim, arg.name, params[arg.name], value)
            elif arg.kind == "order":
                self._order(spec, value, params)
            elif arg.kind in ("refuse", "dtype"):
                self._statistics_option(node, spec, arg, value, params, atoms)
            elif arg.kind == "seq" and not isinstance(value, (cst.List, cst.Tuple)) \
                    and spec.prim in (Prim.STACK, Prim.CONCATENATE) and not spec.fixed:
                # np.stack(a_list_variable), np.concatenate([f(v) for v in vs])
                prim = Prim.STACK_LIST if spec.prim is Prim.STACK else Prim.CONCAT_LIST
                spec = calls.CallSpec(prim, spec.args)
                atoms.append(self.expr(value))  # a generator: refused, as numpy raises
            elif arg.kind == "seq" and (spec.fixed.get("vstack") or spec.fixed.get("hstack")) \
                    and not isinstance(value, (cst.List, cst.Tuple)):
                # np.vstack(np.split(x, 2)): its list's items made 2-D, then concatenated;
                # np.hstack(parts): made 1-D, then concatenated along the axis numpy picks
                hstack = bool(spec.fixed.get("hstack"))
                spec = calls.CallSpec(Prim.CONCAT_LIST, spec.args)
                params = {"hstack": True} if hstack else {}
                atoms.append(rows_of_each(self, value, node, 1 if hstack else 2))
            elif arg.kind == "seq":
                atoms.extend(self._sequence(value))
            elif value is calls.NONE_ATOM:
                atoms.append(ir.Const(None))
            elif value is not None:
                atoms.append(self.expr(value) if isinstance(value, cst.CSTNode) else ir.Const(value))
        if spec.varargs == "axes" and bound["*"]:
            axes = tuple(self._static(e, calls.Arg("axes")) for e in bound["*"])
            params["axes"] = axes[0] if len(axes) == 1 and isinstance(axes[0], tuple) else axes
        elif spec.varargs == "shape":
            atoms.append(self._shape(node, bound["*"]))
        elif spec.varargs == "arrays":  # np.ix_(rows, cols): each one an argument
            atoms.extend(self.expr(e) for e in bound["*"])
        if spec.fixed.get("flatten"):
            atoms.append(ir.Const((-1,)))
        if spec.fixed.get("append") and params.get("axis") is None:  # np.append(a, v)
            spec, params = calls.CallSpec(spec.prim, spec.args, {"ravel_args": True}), {}
        if spec.fixed.get("ravel_args"):  # np.vdot, np.outer: of the flattened operands
            atoms = [self.emit_assign(None, Prim.RESHAPE, [a, ir.Const((-1,))], node)
                     for a in atoms]
        if spec.prim is Prim.CONCATENATE and "axis" in params and params["axis"] is None:
            # np.concatenate(arrays, axis=None): of the flattened arrays (params drop a None)
            atoms = [self.emit_assign(None, Prim.RESHAPE, [a, ir.Const((-1,))], node)
                     for a in atoms]
            del params["axis"]
        if spec.prim in (Prim.SORT, Prim.ARGSORT) and "axis" in params \
                and params["axis"] is None:  # of the flattened array (params drop a None)
            atoms[0] = self.emit_assign(None, Prim.RESHAPE, [atoms[0], ir.Const((-1,))], node)
            del params["axis"]
        if spec.fixed.get("in_place"):  # the value of x.sort() (a statement: stat_calls.py)
            raise self.unsupported(node.func, "the value of `x.sort()` (it sorts x in place "
                                   "and gives None)", "write `x.sort()` on its own line, or "
                                   "`y = np.sort(x)` for a sorted copy")
        if spec.fixed.get("ptp"):  # np.ptp(x) = max - min, each with its own kink rule
            params = ir.Params.of(**params)
            top = self.emit_assign(None, Prim.MAX, atoms, node, params)
            bottom = self.emit_assign(None, Prim.MIN, atoms, node, params)
            return self.emit_assign(dest, Prim.SUB, [top, bottom], node)
        if spec.fixed.get("copies"):  # x.flatten(): a new array, never a view of x
            made = self.emit_assign(None, spec.prim, atoms, node, ir.Params.of(**params))
            return self.emit_assign(dest, Prim.COPY, [made], node, ir.Params.of(fresh=True))
        if dtype_of is not None:
            made = self.emit_assign(None, spec.prim, atoms, node, ir.Params.of(**params))
            return self.emit_assign(dest, Prim.ASTYPE, [made, dtype_of], node)
        if spec.prim is Prim.DROPOUT_MASK:  # agc.nn.dropout(x, p, rng, training)
            return lower_dropout(self, node, atoms, dest)
        if spec.prim in CONVS and len(atoms) == 3:  # agc.nn.conv2d(x, w, bias)
            return conv_with_bias(self, node, spec.prim, atoms, params, dest)
        return self.emit_assign(dest, spec.prim, atoms, node, ir.Params.of(**params))

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

    # ------------------------------------------------------------- helpers
    def _helper_module(self, func) -> str | None:
        """The module of `mylib.linear` / `nn.cross_entropy` when mylib is an imported module."""
        if not isinstance(func, cst.Attribute):
            return None
        base = func.value
        parts = []
        while isinstance(base, cst.Attribute):
            parts.append(base.attr.value)
            base = base.value
        if not isinstance(base, cst.Name) or self.is_local(base.value):
            return None
        module = self.names.modules.get(base.value)
        if module is None:
            return None
        return ".".join([module, *reversed(parts)])

    def _helper_call(self, node: cst.Call, name: str, module: str | None, dest):
        if nn_primitive(module, name) is not None:  # agc.nn.conv2d, max_pool2d, ...
            return self._bind_and_emit(node, nn_primitive(module, name), list(node.args), dest)
        starred = next((a for a in node.args if a.star), None)
        if starred is not None:
            raise self.unsupported(starred, "*args / **kwargs in a call of a helper function",
                                   "pass each argument by position or by name")
        # Arguments are evaluated in the order written, then placed by parameter.
        atoms = [self.expr(a.value) for a in node.args]
        if any(a.keyword is not None for a in node.args):
            atoms = self.bind_arguments(node, name, atoms,
                                        self._helper_params(node, name, module))
        return self.emit_assign(dest, Prim.CALL, atoms, node, ir.Params.of(fn=name, module=module))

    def bind_arguments(self, node: cst.Call, name: str, atoms: list[ir.Atom],
                       params: list[tuple[str, object]], leading: int = 0) -> list[ir.Atom]:
        """The atoms of `helper(x, b=w)` in parameter order, defaults filled in.

        `atoms` holds `leading` atoms passed before the written arguments (a method's self),
        then one atom per written argument, in the order written.
        """
        names = [p for p, _ in params]
        written = atoms[leading:]
        positional = atoms[:leading] + [atom for arg, atom in zip(node.args, written)
                                        if arg.keyword is None]
        if len(positional) > len(names):
            raise UserCodeError(f"{name}() takes {len(names)} arguments "
                                f"({len(positional)} given)", self.loc(node))
        bound: dict[str, ir.Atom] = dict(zip(names, positional))
        for arg, atom in zip(node.args, written):
            if arg.keyword is None:
                continue
            key = arg.keyword.value
            if key not in names or key in bound:
                what = "no parameter" if key not in names else "a second value for parameter"
                raise UserCodeError(f"{name}() gets {what} `{key}`", self.loc(arg),
                                    f"its parameters are {', '.join(names)}")
            bound[key] = atom
        return [bound[p] if p in bound else self._helper_default(node, name, p, default)
                for p, default in params]

    def _helper_default(self, node, name: str, param: str, default) -> ir.Atom:
        if default is NO_DEFAULT:
            raise UserCodeError(f"{name}() is missing its argument `{param}`", self.loc(node))
        atom = self.expr(default) if isinstance(default, cst.CSTNode) else _const_default(default)
        if not isinstance(atom, ir.Const):
            raise self.unsupported(node, f"the default value of `{param}` of {name}() here",
                                   f"pass {param}= explicitly in this call")
        return atom

    def _helper_params(self, node, name: str, module: str | None) -> list[tuple[str, object]]:
        """(name, default) of each parameter of a helper: from its source, else its live object."""
        if module is None and name in self.parsed.functions:
            ps = self.parsed.functions[name].params
            return [(p.name.value, p.default if p.default is not None else NO_DEFAULT)
                    for p in [*ps.posonly_params, *ps.params, *ps.kwonly_params]]
        live = self._live_helper(name, module)
        if live is None:
            raise self.unsupported(node, "keyword arguments in a call of a helper of another "
                                   "module", "pass the helper's arguments by position")
        return self.live_params(live)

    @staticmethod
    def live_params(live) -> list[tuple[str, object]]:
        """(name, default) of each parameter of a live function."""
        return [(p.name, NO_DEFAULT if p.default is p.empty else p.default)
                for p in inspect.signature(live).parameters.values()
                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]

    def _live_helper(self, name: str, module: str | None):
        """The helper's function object when the caller is a live function (the decorator)."""
        glob = self.parsed.live_globals
        if glob is None:
            return None
        if glob.get(name) is not None and (module is None or module == self.names.function_modules
                                           .get(name)):
            return glob.get(name)
        return getattr(sys.modules.get(module or ""), name, None)


NO_DEFAULT = object()


def _const_default(value) -> ir.Atom | None:
    """A live helper's default as a constant: numbers, None, strings and tuples of them."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return ir.Const(value)
    if isinstance(value, tuple) and all(isinstance(v, (bool, int, float, str)) for v in value):
        return ir.Const(value)
    return None


# The orders numpy knows (copies and asarray keep any of them).
_ORDERS = ("C", "F", "A", "K")

# Arrays made from a shape, whose dtype may be another array's (`dtype=x.dtype`).
_MADE_FROM_A_SHAPE = frozenset({Prim.ZEROS, Prim.ONES, Prim.FULL})

# The fixed params of a CallSpec that the statement keeps (the others steer the lowering).
_KEPT_FIXED = ("lib", "fresh", "hstack", "vstack", "axis", "ndim", "array_split", "dtype_name",
               "ufunc")

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

