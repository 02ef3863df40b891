"""Methods of a class as differentiated functions: `def loss(self, x)` reading `self.w`.

The instance is passed to the emitted code as a dict of its parameters (the
attributes holding floats, float arrays, or lists/tuples/dicts of them), so
`self.w` lowers to `self["w"]` and the gradient with respect to `self` is a
dict {attribute: gradient}, like any pytree. Attributes holding ints, bools,
strings or None are configuration: their values are constants of the compiled
code (the compiled code is keyed by them, as JAX keys on static arguments).
`self.forward(x)` calls another method as a helper, emitted as
`Model_forward(self, x)`. Writing `self.w = ...` inside is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim
from .helper_calls import NO_DEFAULT

STATIC_TYPES = (bool, int, str, type(None))


@dataclass(frozen=True)
class MethodInfo:
    """What the lowering knows of the instance a method is compiled for."""

    cls_name: str
    params: frozenset[str] | None  # attributes passed in the `self` dict (None: any)
    static: tuple[tuple[str, object], ...] = ()  # configuration attributes and their values
    others: tuple[tuple[str, str], ...] = ()  # other attributes and their kinds (refused)
    methods: dict = field(default_factory=dict, compare=False, hash=False)  # name -> function

    def helper_name(self, method: str) -> str:
        """The emitted name of a method called as a helper: `Model_forward`."""
        return f"{self.cls_name}_{method}"


def method_info(obj, *, params: frozenset[str], static: dict,
                others: dict | None = None) -> MethodInfo:
    """The MethodInfo of a live instance, given the split of its attributes."""
    cls = type(obj)
    methods = {name: getattr(cls, name) for name in dir(cls)
               if not name.startswith("__") and callable(getattr(cls, name, None))
               and hasattr(getattr(cls, name), "__code__")}
    return MethodInfo(cls.__name__, params, static=tuple(sorted(static.items())),
                      others=tuple(sorted((others or {}).items())), methods=methods)


class MethodLowering:
    """Mixin of the Lowerer: `self.attr` and `self.method(...)` inside a method."""

    def is_self(self, node: cst.BaseExpression) -> bool:
        """`node` is the instance parameter of the method being lowered."""
        return (self.self_name is not None and isinstance(node, cst.Name)
                and node.value == self.self_name)

    def self_attribute(self, node: cst.Attribute, dest) -> ir.Atom:
        """`self.w`: an entry of the `self` dict, or a configuration constant."""
        static = dict(self.method_info.static)
        if node.attr.value in static:
            return ir.Const(static[node.attr.value])
        self.check_self_attribute(node)
        return self.emit_assign(dest, Prim.GETITEM, (ir.Var(self.self_name),
                                                     ir.Const(node.attr.value)),
                                node, ir.Params.of(index=ir.Index.at(1)))

    def check_self_attribute(self, node: cst.BaseExpression) -> None:
        """Refuse `self.layer` (also in `self.layer.forward(x)`) unless agc can read it."""
        if not (isinstance(node, cst.Attribute) and self.is_self(node.value)):
            return
        method, attr = self.method_info, node.attr.value
        if method.params is None or attr in method.params or attr in dict(method.static):
            return
        kind = dict(method.others).get(attr)
        what = "a method" if attr in method.methods else \
            f"an attribute holding {kind}, which agc cannot read" if kind else \
            "not an attribute agc can read"
        raise UserCodeError(f"`self.{attr}` is {what} here", self.loc(node),
                            "agc reads attributes holding floats, float arrays or "
                            "lists/dicts of them (the parameters), and ints, bools, "
                            "strings or None (configuration); call methods as "
                            "self.name(...). Objects held as attributes (sub-layers) "
                            "are not supported: keep their parameters on this object, "
                            "or pass them as a dict parameter")

    def self_method_call(self, node: cst.Call, dest) -> ir.Atom:
        """`self.forward(x)`: the method as a helper taking the `self` dict first."""
        method, name = self.method_info, node.func.attr.value
        if name not in method.methods:
            raise UserCodeError(f"`self.{name}` is not a method of {method.cls_name}",
                                self.loc(node.func))
        starred = next((a for a in node.args if a.star), None)
        if starred is not None:
            raise self.unsupported(starred, "*args / **kwargs in a call of a method",
                                   "pass each argument by position or by name")
        atoms = [ir.Var(self.self_name)] + [self.expr(a.value) for a in node.args]
        if any(a.keyword is not None for a in node.args):
            atoms = self.bind_arguments(node, name, atoms, self._method_params(node, name),
                                        leading=1)
        return self.emit_assign(dest, Prim.CALL, atoms, node,
                                ir.Params.of(fn=method.helper_name(name)))

    def _method_params(self, node, name: str) -> list[tuple[str, object]]:
        live = self.method_info.methods.get(name)
        if live is None:
            raise self.unsupported(node, "keyword arguments in this method call",
                                   "pass the method's arguments by position")
        if isinstance(live, cst.FunctionDef):  # a model file read as text
            ps = live.params
            return [(p.name.value, p.default if p.default is not None else NO_DEFAULT)
                    for p in [*ps.posonly_params, *ps.params, *ps.kwonly_params]]
        return self.live_params(live)

    def refuse_self_write(self, target: cst.BaseExpression) -> None:
        """Writing `self.w = ...` (or `self.w[i] = ...`) inside a differentiated method."""
        base = target
        while isinstance(base, (cst.Attribute, cst.Subscript)):
            if isinstance(base, cst.Attribute) and self.is_self(base.value):
                raise UserCodeError(
                    f"writing `self.{base.attr.value}` inside a differentiated method is not "
                    "supported", self.loc(target),
                    "compute a new value and return it; update the model outside the "
                    "differentiated method (e.g. in the training loop)")
            base = base.value
