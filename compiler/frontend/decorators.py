"""The `@agc.differentiate(wrt=..., has_aux=...)` decorators of a model file read as text.

`agc compile` finds the functions to differentiate by them; a model calling
`f.grad(x)` of a decorated f reads f's wrt from them too.
"""

from __future__ import annotations

import libcst as cst

from ..errors import UserCodeError
from .resolve import literal_wrt


def decorated_functions(parsed) -> dict[str, tuple[tuple[str, ...] | None, bool]]:
    """name -> (wrt, has_aux) from the decorator, for each function decorated with differentiate."""
    found = {}
    for name, node in parsed.functions.items():
        call = is_decorated(node)
        if call is not None:
            call = call if isinstance(call, cst.Call) else None
            found[name] = (_decorator_wrt(parsed, call), _decorator_has_aux(parsed, call))
    return found


def is_decorated(node: cst.FunctionDef):
    """The `differentiate` decorator expression of a function, or None."""
    for decorator in node.decorators:
        expr = decorator.decorator
        callee = expr.func if isinstance(expr, cst.Call) else expr
        if _dotted(callee).split(".")[-1] == "differentiate":
            return expr
    return None


def _dotted(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _decorator_wrt(parsed, call: cst.Call | None) -> tuple[str, ...] | None:
    if call is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "wrt":
            wrt = literal_wrt(arg.value)
            if wrt is False:
                raise UserCodeError("wrt= must be a literal string or tuple of strings here",
                                    parsed.loc(arg.value))
            return wrt
    return None


def _decorator_has_aux(parsed, call: cst.Call | None) -> bool:
    for arg in call.args if call is not None else ():
        if arg.keyword is not None and arg.keyword.value == "has_aux":
            if isinstance(arg.value, cst.Name) and arg.value.value in ("True", "False"):
                return arg.value.value == "True"
            raise UserCodeError("has_aux= must be True or False here", parsed.loc(arg.value))
    return False
