"""Random draws (issue 19): `rng.normal(0, 1, size=n)` of a Generator the model is given.

A call of one of DRAW_METHODS on any value lowers to one DRAW statement (the
method's name and its keywords in params, the generator first in args); the
value has no derivative. `agc.nn.dropout(x, p, rng, training)` lowers to its
mask, drawn (DROPOUT_MASK), times x. numpy's global functions (np.random.normal)
are refused: their hidden state is what a gradient call would advance twice.
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..ir.prims import Prim

# Generator methods agc lowers (no ndarray method has these names); their distribution
# arguments must carry no derivative (ad/draws.py refuses them, with the rewrite to use)
DRAW_METHODS = frozenset({"random", "uniform", "normal", "standard_normal", "integers",
                          "exponential", "standard_exponential", "choice", "permutation"})
GLOBAL_HINT = ("pass a numpy.random.Generator to the model as an argument (rng = "
               "np.random.default_rng(seed)) and draw from it: rng.normal(...), "
               "rng.random(...); agc then draws once per call, as the function does")


def source_draws(node: cst.FunctionDef, helper_draws) -> bool:
    """Whether a function's source calls a draw method, a `dropout`, or a function named
    in it for which `helper_draws(name)` is true (its own helpers that draw)."""
    calls = _Calls()  # a visitor, not libcst.matchers: importing that takes 0.5-1.5 s
    node.visit(calls)
    for func in calls.funcs:
        if isinstance(func, cst.Attribute) and func.attr.value in DRAW_METHODS | {"dropout"}:
            return True
        if isinstance(func, cst.Name) and (func.value == "dropout" or helper_draws(func.value)):
            return True
    return False


class _Calls(cst.CSTVisitor):
    """The called expressions of every call in a node, in source order."""

    def __init__(self):
        super().__init__()
        self.funcs: list[cst.BaseExpression] = []

    def visit_Call(self, node) -> None:
        self.funcs.append(node.func)


def names_a_draw(func: cst.BaseExpression) -> bool:
    """Whether a call's function is `something.METHOD` with METHOD a Generator draw's name."""
    return isinstance(func, cst.Attribute) and func.attr.value in DRAW_METHODS


def is_draw(low, func: cst.BaseExpression) -> bool:
    """Whether a call's function is `value.METHOD` of a value (a Generator), a draw:
    not a module's function (np.random.normal) nor a method of `self`."""
    return names_a_draw(func) and not low.is_self(func.value) \
        and low._helper_module(func) is None and low.qualify(func) is None


def refuse_global_random(low, func: cst.BaseExpression, qualified: str) -> None:
    """np.random.normal(...) and the like: numpy's hidden global state, refused with a hint."""
    if qualified.startswith("numpy.random."):
        raise low.unsupported(func, "numpy's global random function "
                              f"`{low.module.code_for_node(func)}`", GLOBAL_HINT)


def lower_draw(low, node: cst.Call, dest) -> ir.Atom:
    """rng.METHOD(args, key=value): one DRAW, evaluated in Python's order (rng, then args)."""
    starred = next((a for a in node.args if a.star), None)
    if starred is not None:
        raise low.unsupported(starred, "*args / **kwargs in a random draw",
                              "pass each argument by position or by name")
    rng = low.expr(node.func.value)
    atoms = [low.expr(a.value) for a in node.args]  # keywords follow positionals in Python
    keywords = tuple(a.keyword.value for a in node.args if a.keyword is not None)
    params = ir.Params.of(method=node.func.attr.value, keywords=keywords or None)
    return low.emit_assign(dest, Prim.DRAW, [rng, *atoms], node, params)


def lower_dropout(low, node: cst.Call, atoms: list, dest) -> ir.Atom:
    """agc.nn.dropout(x, p, rng, training): x * mask, the mask drawn once, kept for the adjoint."""
    x, p, rng, training = atoms
    mask = low.emit_assign(None, Prim.DROPOUT_MASK, [rng, x, p, training], node)
    return low.emit_assign(dest, Prim.MUL, [x, mask], node)
