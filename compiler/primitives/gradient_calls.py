"""A model that calls a gradient: `g = f.grad(x, theta)` of a decorated f (GRAD_CALL).

The call is emitted as `f_grad(x, theta)`, f's own emitted gradient, placed in the
same module (compiler/nested.py). Its derivatives are second derivatives of f, so both
rules call `f_hvp` (GRAD_CALL_HVP), f's emitted Hessian-vector product (ad/second.py):
with A the arguments that carry a derivative and w the one wrt name,

  * VJP: the cotangent of A is H[A, w] g_bar. H is symmetric, so that is the tangent of
    f's gradient with respect to A along the direction g_bar in w (zero elsewhere);
  * JVP: the tangent of the gradient is H[w, A] a_dot: the tangent of the gradient with
    respect to w along the tangents of A.

One f_hvp, differentiating with respect to A and w together, serves both. Its name says
which arguments move unless that is f's first one alone (`f_hvp_x_theta`). The JVP of
f_hvp's call (a model calling f.grad, differentiated twice) is GRAD_CALL_HVP_JVP:
forward mode over f_hvp (ad/twice.py), f's third derivatives, `f_hvp_jvp_x_x_dot`.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from .. import ir
from ..backend.expressions import call
from ..errors import UnsupportedError
from ..ir.builder import Builder
from ..ir.prims import Prim
from ..proof.values import SymbolicError
from .registry import emitter, jvp, meaning, vjp
from .tangents import zero

_ITEM = ir.Params.of(index=ir.Index.at(1))


def _hvp(b: Builder, s: ir.Assign, moving: list[int], directions: dict[int, ir.Atom]):
    """The tangents H v of f's gradient w.r.t. the arguments at `moving`, one per position,
    along `directions` (position -> tangent; a zero for a moving argument without one)."""
    names = s.params.get("names")
    dots = [directions.get(i) if directions.get(i) is not None else zero(b, s.args[i])
            for i in moving]
    out = b.apply(Prim.GRAD_CALL_HVP, (*s.args, *dots),
                  s.params.with_(wrt=tuple(names[i] for i in moving),
                                 dots=tuple(f"{names[i]}_dot" for i in moving)))
    hv = b.apply(Prim.GETITEM, (out, ir.Const(1)), _ITEM)
    if len(moving) == 1:
        return {moving[0]: hv}
    return {i: b.apply(Prim.GETITEM, (hv, ir.Const(k)), _ITEM) for k, i in enumerate(moving)}


def _wrt_position(s: ir.Assign) -> int:
    """Where the gradient's one wrt name is among f's parameters."""
    return s.params.get("names").index(s.params.get("grad_wrt"))


def with_active(s: ir.Assign, active: set[str], containers: set[str]) -> ir.Assign:
    """The GRAD_CALL `s` marked with the positions of its arguments that have adjoints (the
    reverse pass's activity); refused where one of them is a dict, list or tuple."""
    positions = tuple(i for i, a in enumerate(s.args)
                      if isinstance(a, ir.Var) and a.name in active)
    if any(s.args[i].name in containers for i in positions):
        raise UnsupportedError(f"the derivative of {s.params.get('fn')}.grad() with respect to a "
                               f"dict, list or tuple (a pytree) is not supported", s.loc,
                               "pass the arrays it holds as separate arguments")
    return replace(s, params=s.params.with_(active=positions))


@vjp(Prim.GRAD_CALL)
def _grad_call(b: Builder, g, s: ir.Assign):
    w = _wrt_position(s)
    active = s.params.get("active")  # set by the reverse pass: the arguments with adjoints
    active = range(len(s.args)) if active is None else active
    if not active:
        return (None,) * len(s.args)
    moving = sorted(set(active) | {w})
    cts = _hvp(b, s, moving, {w: g})
    return tuple(cts.get(i) if i in active else None for i in range(len(s.args)))


@jvp(Prim.GRAD_CALL)
def _grad_call_jvp(b: Builder, t: tuple, s: ir.Assign):
    w = _wrt_position(s)
    carried = [i for i, dot in enumerate(t) if dot is not None]
    if not carried:
        return None
    moving = sorted(set(carried) | {w})
    return _hvp(b, s, moving, {i: t[i] for i in carried})[w]


@emitter(Prim.GRAD_CALL)
def _emit_grad_call(stmt, atom):
    return call(function_name(stmt, "grad"), [atom(a) for a in stmt.args]), False


def function_name(s: ir.Assign, kind: str) -> str:
    """The emitted function a GRAD_CALL (kind "grad", "value_and_grad") or GRAD_CALL_HVP
    (kind "hvp") calls: `f_grad` and `f_hvp` with respect to f's first parameter, else
    named after the parameters, `f_grad_w`, `f_hvp_x_theta` (two wrt, two functions)."""
    return f"{s.params.get('fn')}_{kind}{wrt_suffix(s, kind)}"


def wrt_suffix(s: ir.Assign, kind: str) -> str:
    """"" for f's first parameter alone, else `_w`, `_x_theta` (see function_name)."""
    wrt = s.params.get("wrt") if kind == "hvp" else (s.params.get("grad_wrt"),)
    return "" if wrt == s.params.get("names")[:1] else "_" + "_".join(wrt)


@emitter(Prim.GRAD_CALL_HVP)
def _emit_grad_call_hvp(stmt, atom):
    dots = stmt.params.get("dots")
    values = [atom(a) for a in stmt.args]
    primals, tangents = values[:len(values) - len(dots)], values[len(values) - len(dots):]
    return call(function_name(stmt, "hvp"), primals, dict(zip(dots, tangents))), False


@jvp(Prim.GRAD_CALL_HVP)
def _grad_call_hvp_jvp(b: Builder, t: tuple, s: ir.Assign):
    """(gradient, H v) of f moves with f's arguments and the directions v: forward mode
    over f's HVP (ad/twice.py), f's third derivatives along them."""
    names, wrt = s.params.get("names"), s.params.get("wrt")
    count = len(s.args) - len(wrt)
    primal = [i for i in range(count) if t[i] is not None]
    dots = [k for k in range(len(wrt)) if t[count + k] is not None]
    if not primal and not dots:
        return None
    directions = [t[i] for i in primal] + [t[count + k] for k in dots]
    return b.apply(Prim.GRAD_CALL_HVP_JVP, (*s.args, *directions),
                   s.params.with_(twice=tuple(names[i] for i in primal),
                                  twice_dots=tuple(wrt[k] for k in dots)))


@emitter(Prim.CHECK_SEED)
def _emit_check_seed(stmt, atom):
    return cst.Expr(call("rt.check_seed", [atom(a) for a in stmt.args]).node)


@meaning(Prim.CHECK_SEED)
def _check_seed(run, s, value, seed):
    return None  # the check runs in the emitted code; a proof assumes it passes


@meaning(Prim.GRAD_CALL, Prim.GRAD_CALL_HVP)
def _grad_call_meaning(run, s, *args):
    raise SymbolicError(f"line {s.loc.line}: the proofs do not cover a gradient called "
                        f"inside the model yet")
