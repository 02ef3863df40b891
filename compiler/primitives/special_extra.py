"""More of scipy.special: the normal distribution (ndtr, log_ndtr, ndtri), erfinv, gamma,
beta, entr, rel_entr and polygamma(n, x) (n a constant).

Written `rt.special.NAME(x)` like the others of special.py. Each rule reads the
function's own output where that is both cheaper and steadier (ndtri, erfinv,
gamma); log_ndtr's is exp(-x^2 / 2 - log_ndtr(x)) / sqrt(2 pi), which stays
finite far in the lower tail where ndtr(x) itself underflows.
"""

from __future__ import annotations

import math

import sympy

from .. import ir
from ..backend.expressions import call, const
from ..ir.prims import Prim
from .elementwise_math import _function
from .registry import emitter, jvp, meaning, vjp
from .special import _emit_special
from .tangents import diagonal

INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
SQRT_2PI = math.sqrt(2 * math.pi)
HALF_SQRT_PI = math.sqrt(math.pi) / 2

emitter(Prim.NDTR, Prim.LOG_NDTR, Prim.NDTRI, Prim.ERFINV, Prim.GAMMA, Prim.BETA, Prim.ENTR,
        Prim.REL_ENTR)(_emit_special)


def _order(s: ir.Assign) -> int:
    """polygamma's n (1 where a statement has none: the primitive table's test statements)."""
    n = s.params.get("n")
    return 1 if n is None else int(n)


@emitter(Prim.POLYGAMMA)
def _emit_polygamma(stmt, atom):
    return call("rt.special.polygamma", [const(_order(stmt)), atom(stmt.args[0])]), False


@vjp(Prim.POLYGAMMA)
def _polygamma_rule(b, g, s):
    return (b.mul(g, b.op(Prim.POLYGAMMA, s.args[0], n=_order(s) + 1)),)


@meaning(Prim.POLYGAMMA)
def _polygamma_meaning(run, s, x):
    return _function(lambda v: sympy.polygamma(_order(s), v))(run, s, x)


def _ndtr(x):
    return (1 + sympy.erf(x / sympy.sqrt(2))) / 2


def _half_square(b, x):
    """-(x * x) / 2 as IR: -(0.5 * (x * x))."""
    return b.neg(b.mul(ir.Const(0.5), b.mul(x, x)))


@vjp(Prim.NDTR)
def _ndtr_rule(b, g, s):
    density = b.mul(ir.Const(INV_SQRT_2PI), b.op(Prim.EXP, _half_square(b, s.args[0])))
    return (b.mul(g, density),)


@vjp(Prim.LOG_NDTR)
def _log_ndtr_rule(b, g, s):
    # density / ndtr = exp(-x^2 / 2 - log_ndtr(x)) / sqrt(2 pi): no 0 / 0 in the far tail
    ratio = b.op(Prim.EXP, b.sub(_half_square(b, s.args[0]), s.target))
    return (b.mul(g, b.mul(ir.Const(INV_SQRT_2PI), ratio)),)


@vjp(Prim.NDTRI)
def _ndtri_rule(b, g, s):
    # the inverse's derivative: 1 / density(ndtri(p)) = sqrt(2 pi) exp(ndtri(p)^2 / 2)
    out = s.target
    return (b.mul(g, b.mul(ir.Const(SQRT_2PI), b.op(Prim.EXP, b.mul(ir.Const(0.5),
                                                                      b.mul(out, out))))),)


@vjp(Prim.ERFINV)
def _erfinv_rule(b, g, s):
    out = s.target
    return (b.mul(g, b.mul(ir.Const(HALF_SQRT_PI), b.op(Prim.EXP, b.mul(out, out)))),)


@vjp(Prim.GAMMA)
def _gamma_rule(b, g, s):
    return (b.mul(g, b.mul(s.target, b.op(Prim.DIGAMMA, s.args[0]))),)


@vjp(Prim.BETA)
def _beta_rule(b, g, s):
    x, y = s.args
    both = b.op(Prim.DIGAMMA, b.add(x, y))
    scale = b.mul(g, s.target)
    gx = b.mul(scale, b.sub(b.op(Prim.DIGAMMA, x), both))
    gy = b.mul(scale, b.sub(b.op(Prim.DIGAMMA, y), both))
    return b.unbroadcast(gx, x), b.unbroadcast(gy, y)


@vjp(Prim.ENTR)
def _entr_rule(b, g, s):
    # entr(x) = -x log(x): -(log(x) + 1), with no case made of x == 0 (as jax)
    return (b.neg(b.mul(g, b.add(b.op(Prim.LOG, s.args[0]), ir.Const(1.0)))),)


@vjp(Prim.REL_ENTR)
def _rel_entr_rule(b, g, s):
    x, y = s.args  # x log(x / y): log(x / y) + 1 in x, -x / y in y
    gx = b.mul(g, b.add(b.op(Prim.LOG, b.div(x, y)), ir.Const(1.0)))
    gy = b.neg(b.mul(g, b.div(x, y)))
    return b.unbroadcast(gx, x), b.unbroadcast(gy, y)


meaning(Prim.NDTR)(_function(_ndtr))
meaning(Prim.LOG_NDTR)(_function(lambda x: sympy.log(_ndtr(x))))
meaning(Prim.NDTRI)(_function(lambda p: sympy.sqrt(2) * sympy.erfinv(2 * p - 1)))
meaning(Prim.ERFINV)(_function(sympy.erfinv))
meaning(Prim.GAMMA)(_function(sympy.gamma))
meaning(Prim.BETA)(_function(lambda x, y: sympy.gamma(x) * sympy.gamma(y) / sympy.gamma(x + y)))
meaning(Prim.ENTR)(_function(lambda x: -x * sympy.log(x)))
meaning(Prim.REL_ENTR)(_function(lambda x, y: x * sympy.log(x / y)))


jvp(Prim.POLYGAMMA, Prim.NDTR, Prim.LOG_NDTR, Prim.NDTRI, Prim.ERFINV, Prim.GAMMA, Prim.BETA,
    Prim.ENTR, Prim.REL_ENTR)(diagonal)  # tangents: elementwise, see tangents.py
