"""Lowering of a gradient called inside a model: `f.grad(x)` of a decorated f, or `g(x)`
for `g = agc.grad(f)` at module level (GRAD_CALL, primitives/gradient_calls.py); one
GRAD_CALL per wrt name, and for `value_and_grad` a call of f as a helper beside them.

f is found as a helper is: its live object (the decorator) or its definition in the
model file with its decorator's literal `wrt=` (`agc compile`). Each GRAD_CALL gives
one array, whose derivatives are f's Hessian-vector products.

`f.vjp(x, seed=s)`, `f.jvp(x, tangents=(t,))` and `agc.jvp(f, (x,), (t,))`, of an f of
an array or of a number, are lowered in frontend/product_calls.py, `y, pull =
agc.vjp(f, x)` and `pull(s)` in frontend/pullbacks.py. `hvp`, has_aux and agc's other
functional forms are refused here with a hint that says what to call instead.
"""

from __future__ import annotations

import types

import libcst as cst

from .. import ir
from ..ir.prims import Prim
from .decorators import decorated_functions
from .product_calls import lower_functional_jvp, lower_product
from .pullbacks import lower_pullback_call
from .resolve import decorated_function, made_gradient

# the methods of a decorated function that give derivatives
GRADIENT_METHODS = ("grad", "value_and_grad", "vjp", "jvp", "hvp")
# agc's functional forms a model may not call (agc.grad, agc.value_and_grad, agc.jvp it may)
_FUNCTIONAL = frozenset(f"agc.{name}" for name in (
    "vjp", "hvp", "hessian", "jacobian", "jacfwd", "jacrev", "check_grad"))
_INSTEAD = ("inside a model agc differentiates `f.grad(...)`, `f.value_and_grad(...)` of a "
            "decorated f of one number (no has_aux), `f.vjp(..., seed=s)`, "
            "`f.jvp(..., tangents=(...))`, `agc.jvp(f, (x,), (t,))`, "
            "`y, pull = agc.vjp(f, x)` then `pull(s)`, or `g(...)` for `g = agc.grad(f)`")


class GradientCallLowering:
    """Mixin of the Lowerer: gradients called by the model."""

    def gradient_call(self, node: cst.Call, dest) -> ir.Atom | None:
        """The GRAD_CALLs of `f.grad(x)` / `g(x)` (one per wrt name: a tuple for several),
        with f's value for `value_and_grad`; None when `node` calls no gradient."""
        pulled = lower_pullback_call(self, node, dest)  # pull(s) of y, pull = agc.vjp(f, x)
        if pulled is not None:
            return pulled
        if self._refuse_functional(node.func) == "agc.jvp":
            return lower_functional_jvp(self, node, dest)
        found = self._gradient_callee(node.func)
        if found is None:
            return None
        name, method, wrt, has_aux, params = found
        where = node.func.attr if isinstance(node.func, cst.Attribute) else node.func
        if method in ("vjp", "jvp") and not has_aux:
            return lower_product(self, node, dest, name, method, wrt, params)
        if method not in ("grad", "value_and_grad") or has_aux:
            what = f"`{name}.{method}()`" if not has_aux else f"the gradient of {name}() " \
                "with has_aux"
            raise self.unsupported(where, f"{what} inside a differentiated model", _INSTEAD)
        if any(a.star for a in node.args):
            raise self.unsupported(node, "*args / **kwargs in a call of a gradient",
                                   "pass each argument by position or by name")
        atoms = [self.expr(a.value) for a in node.args]
        atoms = self.bind_arguments(node, name, atoms, params)
        names = tuple(p for p, _ in params)
        module = self.names.function_modules.get(name)
        wrt = wrt or names[:1]
        alone = method == "grad" and len(wrt) == 1  # the common case: one GRAD_CALL, no tuple
        grads = tuple(self.emit_assign(dest if alone else None, Prim.GRAD_CALL, atoms, node,
                                       ir.Params.of(fn=name, module=module, grad_wrt=w,
                                                    names=names, form=_form(node.func)))
                      for w in wrt)
        if alone or method == "grad":
            return grads[0] if alone else self.emit_assign(dest, Prim.TUPLE, grads, node)
        value = self.emit_assign(None, Prim.CALL, atoms, node, ir.Params.of(fn=name,
                                                                            module=module))
        packed = grads[0] if len(grads) == 1 else self.emit_assign(None, Prim.TUPLE, grads, node)
        return self.emit_assign(dest, Prim.TUPLE, (value, packed), node)

    def _refuse_functional(self, func) -> str | None:
        """`agc.vjp(f, x)`, `agc.hvp(f)(x, v)`, ... inside a model: refused at the call.
        Returns the qualified name of what is called (`agc.jvp` is lowered)."""
        callee = func.func if isinstance(func, cst.Call) else func
        if not isinstance(callee, (cst.Name, cst.Attribute)):
            return None
        qualified = self.names.qualify(self.module.code_for_node(callee))
        if qualified in _FUNCTIONAL or (qualified == "agc.jvp" and callee is not func):
            raise self.unsupported(callee, f"`{qualified}` inside a differentiated model",
                                   _INSTEAD)
        return qualified

    def _gradient_callee(self, func) -> tuple | None:
        """(f's name, method, wrt, has_aux, f's (parameter, default)s) of a gradient call."""
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) \
                and not self.is_local(func.value.value):
            name = func.value.value
            live = (self.parsed.live_globals or {}).get(name)
            if decorated_function(live) is not None:
                return name, func.attr.value, live.wrt, live.has_aux, self.live_params(live.fn)
            decorated = decorated_functions(self.parsed) if self.parsed.live_globals is None \
                and name in self.parsed.functions else {}
            if name in decorated:
                wrt, has_aux = decorated[name]
                return name, func.attr.value, wrt, has_aux, self._helper_params(func, name, None)
            if name in self.names.functions and func.attr.value in GRADIENT_METHODS:
                raise self.unsupported(func.attr, f"`.{func.attr.value}()` of {name}(), which "
                                       f"is not decorated in this file", "agc compile reads "
                                       "f's wrt from its @agc.differentiate in the model file: "
                                       "define f there, decorated")
            return None
        if isinstance(func, cst.Attribute) and func.attr.value in GRADIENT_METHODS \
                and isinstance(func.value, cst.Attribute):  # mylib.f.grad(x)
            raise self.unsupported(func.attr, f"`.{func.attr.value}()` of "
                                   f"`{self.module.code_for_node(func.value)}` here",
                                   "call the gradient of a decorated module-level function by "
                                   "its name: from mylib import f, then f.grad(...)")
        if isinstance(func, cst.Name) and not self.is_local(func.value):
            return self._made_gradient(func)
        if isinstance(func, cst.Call):  # agc.grad(f)(x)
            return self._written_gradient(func, made_gradient(func, self.names))
        return None

    def _made_gradient(self, func: cst.Name) -> tuple | None:
        """`g` of `g = agc.grad(f)`: a bound method of a decorated function (live), or the
        module-level assignment (a model file read as text)."""
        if self.parsed.live_globals is None:
            return self._written_gradient(func, self.names.gradients.get(func.value))
        live = (self.parsed.live_globals or {}).get(func.value)
        owner, method = _bound_gradient(live)
        if owner is None or decorated_function(owner) is None:
            if isinstance(live, types.FunctionType) and live.__module__ == "agc.functional":
                raise self.unsupported(func, f"calling `{func.value}`, made by agc's functional "
                                       f"forms (agc.hvp, agc.hessian, agc.jacobian, ...), inside "
                                       f"a differentiated model", _INSTEAD)
            return None
        name = owner.fn.__name__
        if decorated_function((self.parsed.live_globals or {}).get(name)) is not owner.fn \
                and (self.parsed.live_globals or {}).get(name) is not owner.fn:
            raise self.unsupported(func, f"the gradient `{func.value}` of {name}(), which is not "
                                   f"a module-level function here", "define the function at "
                                   "module level, where agc reads its source by its name")
        return name, method, owner.wrt, owner.has_aux, self.live_params(owner.fn)

    def _written_gradient(self, func: cst.BaseExpression, found: tuple | None) -> tuple | None:
        """`agc.grad(f, wrt="x")` written in the model, `(f's name, method, wrt)`: in the call
        (`agc.grad(f)(x)`) or at the top of a model file read as text (`g = agc.grad(f)`)."""
        if found is None:
            return None
        name, method, wrt = found
        live = (self.parsed.live_globals or {}).get(name)
        fn = decorated_function(live) or live
        if wrt == "?" or (name not in self.parsed.functions
                          and not isinstance(fn, types.FunctionType)):
            raise self.unsupported(func, "this gradient inside a differentiated model",
                                   "write `agc.grad(f, wrt=\"x\")` with f a module-level "
                                   "function and wrt a literal")
        if isinstance(fn, types.FunctionType):
            return (name, method, wrt or getattr(live, "wrt", None),
                    getattr(live, "has_aux", False), self.live_params(fn))
        decorated = decorated_functions(self.parsed).get(name, (None, False))
        return (name, method, wrt or decorated[0], decorated[1],
                self._helper_params(func, name, None))


def _form(func: cst.BaseExpression) -> str:
    """The call as written, `f.value_and_grad()` or `cost_grad()`, for refusals to name."""
    return f"{cst.Module([]).code_for_node(func)}()"


def _bound_gradient(live) -> tuple:
    """(the decorated function, "grad" or "value_and_grad") of a live `f.grad`: a bound
    method, or on the numba target the function of its own that fast_calls.numba_methods
    made; (None, None) for anything else."""
    if isinstance(live, types.MethodType):
        return live.__self__, live.__func__.__name__
    owner = getattr(live, "differentiated", None)
    if owner is not None and (live is owner.grad or live is owner.value_and_grad):
        return owner, live.__name__
    return None, None
