"""A JVP of f called inside a model: `f.jvp(x, tangents=(t,))` or `agc.jvp(f, (x,), (t,))`
(JVP_CALL, lowered in frontend/product_calls.py), for an f of an array or of a number.

With `f_seeded(x, seed) = sum(f(x) * seed)` (compiler/seeded.py), the gradient of
f_seeded with respect to the seed is f(x), so its tangent along t is J t: the call is
emitted as f_seeded's Hessian-vector product with the seed moving, at a zero seed,
`f_seeded_hvp_x_seed(x, zero, x_dot=t, seed_dot=zero)[1][-1]`. Its VJP, for the
cotangent u of J t, is one more call of that HVP, at seed = u: its gradient part gives
each tangent J_i^T u, its H v part gives each argument d/dx (u . J t). Its JVP, for the
model's tangents x_dot of x and t_dot of t, is J t_dot + D^2 f(x)[t, x_dot]: one call of
forward mode over f's JVP (JVP_CALL_JVP, `f_jvp_jvp_x_x_dot(x, t, x_dot, t_dot)[1]`,
ad/twice.py), not f_seeded's third derivatives. Where the ranks tell that f returns a
number, the call is written with f's gradient instead (seeded.scalar_products).
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..backend.expressions import Expr, call
from ..ir.builder import Builder
from ..ir.prims import Prim
from ..proof.values import SymbolicError
from .gradient_calls import function_name
from .registry import emitter, jvp, meaning, vjp
from .tangents import zero


def _parts(s: ir.Assign) -> tuple[int, list[int]]:
    """How many arguments f takes, and the positions of those given a tangent."""
    names = s.params.get("names")
    return len(names) - 1, [names.index(w) for w in s.params.get("wrt")[:-1]]


@emitter(Prim.JVP_CALL)
def _emit_jvp_call(stmt, atom):
    count = len(stmt.params.get("names")) - 1
    values = [atom(a) for a in stmt.args]
    dots = dict(zip(stmt.params.get("dots"), [*values[count + 1:], values[count]]))
    hvp = call(function_name(stmt, "hvp"), values[:count + 1], dots).node
    last = cst.SubscriptElement(cst.Index(cst.UnaryOperation(cst.Minus(), cst.Integer("1"))))
    return Expr(cst.Subscript(cst.Subscript(hvp, [cst.SubscriptElement(cst.Index(
        cst.Integer("1")))]), [last])), False


def _item(b: Builder, value: ir.Atom, k: int) -> ir.Atom:
    return b.apply(Prim.GETITEM, (value, ir.Const(k)), ir.Params.of(index=ir.Index.at(1)))


@vjp(Prim.JVP_CALL)
def _jvp_call(b: Builder, g, s: ir.Assign):
    count, with_tangent = _parts(s)
    names = s.params.get("names")
    active = s.params.get("active")
    active = range(len(s.args)) if active is None else active
    moving = sorted({i for i in active if i < count} | set(with_tangent))
    tangent_of = {i: s.args[count + 1 + k] for k, i in enumerate(with_tangent)}
    dots = [tangent_of[i] if i in tangent_of else zero(b, s.args[i]) for i in moving]
    out = b.apply(Prim.GRAD_CALL_HVP, (*s.args[:count], g, *dots), s.params.with_(
        wrt=tuple(names[i] for i in moving), dots=tuple(f"{names[i]}_dot" for i in moving)))
    grads, hv = _item(b, out, 0), _item(b, out, 1)
    cts: list = [None] * len(s.args)
    for k, i in enumerate(moving):
        if i in active:  # d/da (u . J t)
            cts[i] = hv if len(moving) == 1 else _item(b, hv, k)
        position = count + 1 + with_tangent.index(i) if i in tangent_of else None
        if position in active:  # J_i^T u
            cts[position] = grads if len(moving) == 1 else _item(b, grads, k)
    return tuple(cts)


@jvp(Prim.JVP_CALL)
def _jvp_call_jvp(b: Builder, t: tuple, s: ir.Assign):
    count, with_tangent = _parts(s)
    names = s.params.get("names")
    primal = [i for i in range(count) if t[i] is not None]
    dots = [k for k in range(len(with_tangent)) if t[count + 1 + k] is not None]
    if not primal and not dots:
        return None
    directions = [t[i] for i in primal] + [t[count + 1 + k] for k in dots]
    return b.apply(Prim.JVP_CALL_JVP, (*s.args[:count], *s.args[count + 1:], *directions),
                   s.params.with_(twice=tuple(names[i] for i in primal),
                                  twice_dots=tuple(names[with_tangent[k]] for k in dots)))


def twice_name(s: ir.Assign) -> str:
    """The emitted function a JVP_CALL_JVP or GRAD_CALL_HVP_JVP calls: forward mode over
    f's JVP, `f_jvp_jvp_x_x_dot`, or over f's HVP, `f_hvp_jvp_x_x_dot`, after the
    parameters whose value or tangent moves (`f_jvp_x_w_jvp_...` where f's JVP or HVP is
    not along its first parameter alone)."""
    if s.prim is Prim.JVP_CALL_JVP:
        f, names, wrt = s.params.get("seeded"), s.params.get("names")[:-1], \
            s.params.get("wrt")[:-1]
        kind = "jvp"
    else:
        f, names, wrt, kind = s.params.get("fn"), s.params.get("names"), s.params.get("wrt"), \
            "hvp"
    first = "" if wrt == names[:1] else "_" + "_".join(wrt)
    moving = (*s.params.get("twice"), *(f"{n}_dot" for n in s.params.get("twice_dots")))
    return f"{f}_{kind}{first}_jvp_{'_'.join(moving)}"


@emitter(Prim.JVP_CALL_JVP, Prim.GRAD_CALL_HVP_JVP)
def _emit_jvp_call_jvp(stmt, atom):
    both = call(twice_name(stmt), [atom(a) for a in stmt.args]).node
    return Expr(cst.Subscript(both, [cst.SubscriptElement(cst.Index(cst.Integer("1")))])), False


@meaning(Prim.JVP_CALL, Prim.JVP_CALL_JVP, Prim.GRAD_CALL_HVP_JVP)
def _jvp_call_meaning(run, s, *args):
    raise SymbolicError(f"line {s.loc.line}: the proofs do not cover a JVP called inside the "
                        f"model yet")
