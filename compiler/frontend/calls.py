"""Lowering of calls: numpy / math / builtin functions, array methods, helpers."""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim
from . import numpy_names as calls


class CallLowering:
    """Mixin of the Lowerer: turns a call into one primitive application."""

    def _expr_Call(self, node: cst.Call, dest):
        node = self.expanded(node)
        func = node.func
        if (any(self.passes_function(a.value) for a in node.args) or self.recursive(func)) \
                and self.inlinable_helper(func):
            # a helper given a function (a lambda, np.cos), or calling itself: inlined, so it
            # can call it, or so its recursion unrolls on constants
            return self.call_local(self.module_function(func.value), node)
        if isinstance(func, cst.Name) and func.value in self.local_functions:
            return self.call_local(self.local_functions[func.value], node)
        if isinstance(func, cst.Lambda):  # (lambda t: t * 2)(x)
            return self.call_local(self.function_value(func), node)
        if isinstance(func, cst.Name) and not self.is_local(func.value) \
                and self.names.qualify(func.value) is None \
                and func.value not in self.names.functions:
            handled = self.builtin_call(node, func.value, dest)
            if handled is not None:
                return handled
        if isinstance(func, cst.Name) and func.value in self.names.functions \
                and not self.is_local(func.value):
            module = self.names.function_modules.get(func.value)
            return self._helper_call(node, func.value, module, dest)
        module = self._helper_module(func)
        if module is not None:
            return self._helper_call(node, func.attr.value, module, dest)
        qualified = self._callee_name(func)
        if qualified is not None and qualified.startswith("agc.nn."):
            module, _, name = qualified.rpartition(".")
            return self._helper_call(node, name, module, dest)
        if qualified is not None:
            spec = calls.FUNCTIONS.get(qualified)
            if spec is None:
                raise self.unsupported(func, f"the function `{self.module.code_for_node(func)}`",
                                       "see docs/api.md for the supported numpy functions")
            if qualified in ("numpy.array", "numpy.asarray") and self._is_literal_list(node):
                spec = calls.FUNCTIONS["numpy.stack"]
            return self._bind_and_emit(node, spec, list(node.args), dest)
        if isinstance(func, cst.Attribute):
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

    @staticmethod
    def _is_literal_list(node: cst.Call) -> bool:
        return bool(node.args) and isinstance(node.args[0].value, (cst.List, cst.Tuple))

    # ------------------------------------------------------------- binding
    def _bind_and_emit(self, node: cst.Call, spec: calls.CallSpec, args: list[cst.Arg], dest):
        bound = self._bind(node, spec, args)
        atoms: list[ir.Atom] = []
        params: dict[str, object] = {k: v for k, v in spec.fixed.items() if k in _KEPT_FIXED}
        for arg in spec.args:
            value = bound.get(arg.name, arg.default)
            if value is calls.REQUIRED:
                raise UserCodeError(f"missing argument `{arg.name}`", self.loc(node))
            if arg.kind == "static":
                if value is not arg.default:
                    params[arg.name] = self._static(value, arg)
                    if params[arg.name] is None and arg.default is not None:
                        # params drop None values: it would silently mean the default
                        raise self.unsupported(value, f"`{arg.name}=None` here",
                                               f"write the {arg.name} you mean, e.g. flatten "
                                               f"first with x.ravel()")
            elif arg.kind == "seq" and not isinstance(value, (cst.List, cst.Tuple)) \
                    and spec.prim in (Prim.STACK, Prim.CONCATENATE) and not spec.fixed:
                # np.stack(a_list_variable), np.concatenate([f(v) for v in vs])
                prim = Prim.STACK_LIST if spec.prim is Prim.STACK else Prim.CONCAT_LIST
                spec = calls.CallSpec(prim, spec.args)
                atoms.append(self.expr(value))  # a generator: refused, as numpy raises
            elif arg.kind == "seq":
                atoms.extend(self._sequence(value))
            elif value is not None:
                atoms.append(self.expr(value) if isinstance(value, cst.CSTNode) else ir.Const(value))
        if spec.varargs == "axes" and bound["*"]:
            axes = tuple(self._static(e, calls.Arg("axes")) for e in bound["*"])
            params["axes"] = axes[0] if len(axes) == 1 and isinstance(axes[0], tuple) else axes
        elif spec.varargs == "shape":
            atoms.append(self._shape(node, bound["*"]))
        if spec.fixed.get("flatten"):
            atoms.append(ir.Const((-1,)))
        if spec.fixed.get("ravel_args"):  # np.vdot, np.outer: of the flattened operands
            atoms = [self.emit_assign(None, Prim.RESHAPE, [a, ir.Const((-1,))], node)
                     for a in atoms]
        return self.emit_assign(dest, spec.prim, atoms, node, ir.Params.of(**params))

    def _bind(self, node: cst.Call, spec: calls.CallSpec, args: list[cst.Arg]) -> dict:
        bound: dict[str, object] = {}
        positional = [a for a in args if a.keyword is None]
        starred = next((a for a in args if a.star), None)
        if starred is not None:
            raise self.unsupported(starred, "*args / **kwargs in a call",
                                   "pass each argument by position: np.add(a, b)")
        names = [a.name for a in spec.args]
        extra = positional[len(names):]
        if extra and spec.varargs is None:
            raise UserCodeError(f"too many arguments ({len(positional)} given)", self.loc(node))
        for name, arg in zip(names, positional):
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
        atom = self.expr(value)
        if not isinstance(atom, ir.Const):
            raise UserCodeError(f"`{arg.name}` must be a constant here", self.loc(value),
                                _STATIC_HINTS.get(arg.name, f"write the {arg.name} as a "
                                                  f"literal, e.g. {arg.name}=0"))
        return atom.value

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
        if any(a.keyword is not None or a.star for a in node.args):
            raise self.unsupported(node, "keyword arguments in a call of a helper function",
                                   "pass the helper's arguments by position")
        atoms = [self.expr(a.value) for a in node.args]
        return self.emit_assign(dest, Prim.CALL, atoms, node, ir.Params.of(fn=name, module=module))


# The fixed params of a CallSpec that the statement keeps (the others steer the lowering).
_KEPT_FIXED = ("lib", "fresh", "hstack", "vstack")

# What to write instead of a computed option, for the options whose value is not a number.
_STATIC_HINTS = {
    "dtype": "name the dtype itself, e.g. dtype=np.float32, or start from x: "
             "np.zeros_like(x) and np.ones_like(x) keep x's dtype",
    "keepdims": "write keepdims=True or keepdims=False",
}
