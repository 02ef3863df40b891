"""Lowering of calls: numpy / math / builtin functions and array methods, onto primitives.

The binding of a call's arguments and its options is in call_options.py, calls of a user's
helper functions in helper_calls.py (mixins of CallLowering).
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim
from . import linalg_calls
from . import numpy_names as calls
from .call_options import CallOptions
from .draw_calls import is_draw, lower_draw, lower_dropout, refuse_global_random
from .dtype_calls import array_with_dtype, has_dtype
from .helper_calls import HelperCalls
from .list_methods import array_copy, list_pop
from .list_searches import list_search
from .more_calls import handles, has_reduction_options, lower_more, reduction_options
from .nn_calls import CONVS, conv_with_bias
from .sequence_builtins import rows_of_each
from .stat_calls import lower_statistic


class CallLowering(CallOptions, HelperCalls):
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

    def _dtype_when_run(self, value) -> bool:
        """Whether a dtype= is known only when the code runs: `x.dtype`, or a local name
        bound to one (`t = x.dtype`)."""
        if isinstance(value, cst.Attribute) and value.attr.value == "dtype":
            return True
        return isinstance(value, cst.Name) and self.is_local(value.value) \
            and not isinstance(self.expr(value), ir.Const)

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
                    and self._dtype_when_run(value):
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



# Arrays made from a shape, whose dtype may be another array's (`dtype=x.dtype`).
_MADE_FROM_A_SHAPE = frozenset({Prim.ZEROS, Prim.ONES, Prim.FULL})

# The fixed params of a CallSpec that the statement keeps (the others steer the lowering).
_KEPT_FIXED = ("lib", "fresh", "hstack", "vstack", "axis", "ndim", "array_split", "dtype_name",
               "ufunc")
