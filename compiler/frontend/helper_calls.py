"""Calls of a user's helper functions: of this module, of an imported module (`nn.linear`),
agc.nn's primitives; keyword arguments bound to the helper's parameters, defaults filled in
(a mixin of calls.CallLowering)."""

from __future__ import annotations

import inspect
import sys

import libcst as cst

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim
from .nn_calls import nn_primitive


class HelperCalls:
    """Mixin of the Lowerer: a call of a helper function, one CALL primitive."""

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
