"""Forward over forward: the tangent of a JVP, a second directional derivative, one sweep.

A model differentiated in forward mode that calls `f.jvp(x, tangents=(t,))` of an f of
an array (JVP_CALL, primitives/jvp_calls.py) needs the tangent of J(x) t along the
model's tangents of x and t: J(x) t_dot + D^2 f(x)[t, x_dot]. forward.py's `Tangent` of
f, read as one IR function of f's parameters and its tangent parameters
(`tangent_function`: `f_jvp(x, w, x_dot)`, returning x_dot's image), is ordinary IR;
`Twice` runs forward mode over it again, so the tangent of its output is that sum,
computed beside f's value and J t, with no tape and no third derivative.

As for forward-over-reverse (second.py, whose `Second` this subclasses), the helpers the
first JVP rules emit (rt.unbroadcast, rt.sum_grad, ...) carry a derivative; a call of a
helper's JVP `h_jvp(args, x_dot=...)` becomes a call of `h_jvp_jvp`, forward over the
helper's own tangent function.
"""

from __future__ import annotations

from .. import ir
from ..errors import UnsupportedError
from ..ir.prims import Prim
from .dead_code import prune_tangent
from .forward import Tangent
from .second import Second


def tangent_function(tangent: Tangent, pair: bool) -> ir.Function:
    """The JVP `tangent` as one IR function `f_jvp(params..., dots...)` returning f's value and
    tangent (`pair`, as the emitted h_jvp a caller unpacks) or the tangent alone. Its
    parameters have no defaults: a tangent parameter follows them, and every call of it
    passes all of them."""
    fn = tangent.primal
    body = list(tangent.body)
    outputs = []
    for values in ((tangent.outputs, tangent.tangents) if pair else (tangent.tangents,)):
        if len(values) == 1:
            outputs.append(values[0])
            continue
        packed = ir.Var(f"{fn.name}_out{len(outputs)}")  # a tuple, as emit_jvp returns it
        body.append(ir.Assign(packed, Prim.TUPLE, tuple(values), loc=fn.loc))
        outputs.append(packed)
    params = tuple(ir.Param(p.name, annotation=p.annotation) for p in fn.params) + \
        tuple(ir.Param(d) for d in tangent.dot_params())
    body.append(ir.Return(tuple(outputs), fn.loc))
    return ir.Function(f"{fn.name}_jvp", params, tuple(body), fn.loc,
                       temps=frozenset(tangent.temps))


class Twice(Second):
    """Forward mode over a tangent function (see the module's docstring). `arity` gives
    the number of parameters of each helper whose JVP the function calls, (module, name)
    -> count: the rewritten call passes them all by position."""

    def __init__(self, fn: ir.Function, wrt: tuple[str, ...], calls: dict, arity: dict):
        super().__init__(fn, wrt, calls=calls)
        self.arity = arity

    def assign(self, s: ir.Assign, defined: set[str], bound: set[str]) -> list:
        if s.prim is Prim.CALL_JVP:  # h_jvp(args, x_dot=...): a call of h's tangent function
            key = (s.params.get("module"), s.params.get("fn"))
            if len(s.args) - len(s.params.get("dots")) != self.arity[key]:
                raise UnsupportedError(
                    f"forward mode over the JVP of {self.fn.name}() needs every argument of "
                    f"{key[1]}() written at the call", s.loc, "pass the default value explicitly")
            s = ir.Assign(s.target, Prim.CALL, s.args,
                          s.params.with_(fn=key[1] + "_jvp"), s.loc)
        return super().assign(s, defined, bound)

    def refuse(self, s: ir.Assign) -> None:
        if s.prim in (Prim.JVP_CALL_JVP, Prim.GRAD_CALL_HVP_JVP):  # a product in f itself
            g = s.params.get("seeded") or s.params.get("fn")
            what = "a JVP" if s.prim is Prim.JVP_CALL_JVP else "a gradient"
            raise UnsupportedError(f"differentiating the tangent of {what} of {g}() again (a "
                                   f"product or gradient of {g} inside a function that is "
                                   "itself differentiated more than once) is not supported",
                                   s.loc, "differentiate the outer model once fewer")
        super().refuse(s)


def forward_twice(tangent: Tangent, moving: tuple[str, ...], calls: dict, arity: dict,
                  pair: bool = False) -> Tangent:
    """The tangent, along the parameters `moving` (f's and its tangent parameters), of the
    tangent of f (`tangent`): `f_jvp_jvp(params..., dots..., moving dots...)` returns
    (J t, its tangent); with `pair`, ((value, tangent), their tangents): for an HVP,
    the tangent of (gradient, H v)."""
    twice = Twice(tangent_function(tangent, pair=pair), moving, calls, arity)
    return prune_tangent(twice.run())


def helper_twice(tangent: Tangent, moving: tuple[str, ...], key: tuple, calls: dict,
                 arity: dict) -> Twice:
    """Forward mode over the tangent function `h_jvp` of the helper `key` (module, name),
    along `moving` (emitted `h_jvp_jvp`); `calls` and `arity` get its signature and its
    parameter count, for the calls of h_jvp it replaces."""
    fn = tangent_function(tangent, pair=True)
    twice = Twice(fn, moving, calls, arity)
    calls[(key[0], fn.name)] = twice.signature()
    arity[key] = len(tangent.primal.params)  # key: h (its h_jvp) or h_vjp (its h_vjp_jvp)
    return twice


def dots_of(tangent: Tangent, names: tuple[str, ...]) -> tuple[str, ...]:
    """The tangent parameters of f's parameters `names` in its tangent function."""
    return tuple(tangent.dots[name] for name in names)

