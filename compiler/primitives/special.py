"""More elementwise functions (cbrt, hypot, logaddexp, sinc, fmax, ...) and scipy.special.

numpy's are written `xp.NAME(x)` from their Spec. scipy.special's are written
`rt.special.NAME(x)` (runtime/special.py picks scipy or cupyx), or `math.NAME(x)`
for the math module's erf, erfc and lgamma. The derivative rules are the
textbook ones; the kinks are those of docs/correctness.md: fmax / fmin split a
tie evenly (as np.maximum), sinc's derivative at 0 is 0, heaviside is flat in x.
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from .. import ir
from ..backend.expressions import MATH_NAMES, call, kwargs
from ..ir.prims import Prim
from ..proof.values import SymbolicError, elementwise, holds, pairwise, sym
from .elementwise_kinks import tie_split
from .elementwise_math import _function, _lib
from .gradients import expand
from .registry import emitter, jvp, meaning, vjp
from .tangents import diagonal, weighted

TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
LN2 = math.log(2)


def _unary(prim: Prim, derivative, fn) -> None:
    """Register g * derivative(b, x, out, lib) as the rule and the sympy function fn as the meaning."""

    @vjp(prim)
    def _(b, g, s):
        return (b.mul(g, derivative(b, s.args[0], s.target, _lib(s))),)

    meaning(prim)(_function(fn))


def _quotient(prim: Prim, denominator, fn) -> None:
    """Register g / denominator(b, x, out) as the rule (reads better than g * (1 / ...))."""

    @vjp(prim)
    def _(b, g, s):
        return (b.div(g, denominator(b, s.args[0], s.target)),)

    if fn is not None:  # None: the meaning is registered on its own
        meaning(prim)(_function(fn))


def _signed(run, a, positive, negative, zero):
    """positive(a), negative(a) or zero, by the sign of a at the point (noted as a condition)."""
    if holds(run, ">", a, 0):
        return positive(a)
    return negative(a) if holds(run, "<", a, 0) else zero


# ------------------------------------------------------------------- numpy
@vjp(Prim.RECIPROCAL)
def _reciprocal(b, g, s):
    return (b.neg(b.mul(b.mul(g, s.target), s.target)),)


meaning(Prim.RECIPROCAL)(_function(lambda x: 1 / x))
_quotient(Prim.CBRT, lambda b, x, out: b.mul(ir.Const(3.0), b.mul(out, out)), None)


@meaning(Prim.CBRT)
def _cbrt_meaning(run, s, x):
    # the real cube root, by sign: sympy's cbrt is the principal (complex) root for x < 0
    third = sympy.Rational(1, 3)
    return elementwise(lambda a: _signed(run, a, lambda v: v ** third,
                                         lambda v: -((-v) ** third), sympy.Integer(0)), x)


_unary(Prim.EXP2, lambda b, x, out, lib: b.mul(out, ir.Const(LN2)), lambda x: 2 ** x)
_quotient(Prim.ARCSINH, lambda b, x, out: b.op(Prim.SQRT, b.add(b.mul(x, x), ir.Const(1.0)),
                                               **_lib(b.stmt)), sympy.asinh)
# sqrt(x - 1) * sqrt(x + 1), not sqrt(x * x - 1): exact x - 1 near 1 (and sympy's own form)
_quotient(Prim.ARCCOSH, lambda b, x, out: b.mul(
    b.op(Prim.SQRT, b.sub(x, ir.Const(1.0)), **_lib(b.stmt)),
    b.op(Prim.SQRT, b.add(x, ir.Const(1.0)), **_lib(b.stmt))), sympy.acosh)
_quotient(Prim.ARCTANH, lambda b, x, out: b.sub(ir.Const(1.0), b.mul(x, x)), sympy.atanh)


@vjp(Prim.DEG2RAD, Prim.RAD2DEG)
def _angle(b, g, s):
    return (b.op(s.prim, g, **_lib(s)),)  # linear: the adjoint converts the cotangent alike


meaning(Prim.DEG2RAD)(_function(lambda x: x * sympy.pi / 180))
meaning(Prim.RAD2DEG)(_function(lambda x: x * 180 / sympy.pi))


@vjp(Prim.SINC)
def _sinc(b, g, s):
    return (b.op(Prim.SINC_GRAD, g, s.args[0]),)


def _sinc_at(a):
    return sympy.sin(sympy.pi * a) / (sympy.pi * a)


@meaning(Prim.SINC)
def _sinc_meaning(run, s, x):
    # sin(pi x) / (pi x), and 1 at x == 0 (sympy's sinc hides the quotient from simplify)
    return elementwise(lambda a: _signed(run, a, _sinc_at, _sinc_at, sympy.Integer(1)), x)


@meaning(Prim.SINC_GRAD)
def _sinc_grad(run, s, g, x):
    def slope(a):
        return (sympy.cos(sympy.pi * a) - _sinc_at(a)) / a

    return elementwise(lambda gv, a: gv * _signed(run, a, slope, slope, sympy.Integer(0)), g, x)


@vjp(Prim.HYPOT)
def _hypot(b, g, s):
    x, y = s.args
    # g / hypot, but 0 at hypot(0, 0), as np.linalg.norm's at 0: no nan from a zero distance
    scale = b.op(Prim.HYPOT_GRAD, g, s.target)
    return b.unbroadcast(b.mul(scale, x), x), b.unbroadcast(b.mul(scale, y), y)


@meaning(Prim.HYPOT)
def _hypot_meaning(run, s, x, y):
    def piece(a, b):
        if run.point.evaluate(sym(a)) == 0 and run.point.evaluate(sym(b)) == 0:
            # the origin is a kink: agc's 0 there is a convention, not a derivative
            raise SymbolicError(f"line {s.loc.line}: hypot at (0, 0) has no derivative "
                                "(agc's convention there is 0)")
        return sympy.sqrt(sym(a) * sym(a) + sym(b) * sym(b))

    return pairwise(piece, x, y)


@meaning(Prim.HYPOT_GRAD)
def _hypot_grad(run, s, g, out):
    return pairwise(lambda gv, o: sympy.Integer(0) if holds(run, "==", o, 0) else sym(gv) / o,
                    g, out)


@vjp(Prim.LOGADDEXP, Prim.LOGADDEXP2)
def _logaddexp(b, g, s):
    exp = Prim.EXP if s.prim is Prim.LOGADDEXP else Prim.EXP2
    return tuple(b.unbroadcast(b.mul(g, b.op(exp, b.sub(a, s.target))), a) for a in s.args)


meaning(Prim.LOGADDEXP)(_function(lambda x, y: sympy.log(sympy.exp(x) + sympy.exp(y))))
meaning(Prim.LOGADDEXP2)(_function(lambda x, y: sympy.log(2 ** x + 2 ** y) / sympy.log(2)))


@vjp(Prim.FMAX, Prim.FMIN)
def _fmax(b, g, s):
    x, y = s.args
    # NaN loses (the other argument gets it all); a tie splits evenly, as np.maximum's does.
    beats = b.op(Prim.GT if s.prim is Prim.FMAX else Prim.LT, x, y)
    first = beats
    if not (isinstance(y, ir.Const) and type(y.value) in (int, float) and y.value == y.value):
        first = b.op(Prim.WHERE, b.op(Prim.ISNAN, y), ir.Const(True), beats)
    half = b.op(Prim.WHERE, b.op(Prim.EQ, x, y), b.mul(ir.Const(0.5), g), ir.Const(0.0))
    gx = b.op(Prim.WHERE, first, g, half)
    gy = b.op(Prim.WHERE, first, ir.Const(0.0), b.op(Prim.WHERE, b.op(Prim.EQ, x, y), half, g))
    return b.unbroadcast(gx, x), b.unbroadcast(gy, y)


@meaning(Prim.FMAX, Prim.FMIN)
def _fmax_meaning(run, s, x, y):
    return tie_split(run, ">" if s.prim is Prim.FMAX else "<", x, y)


@vjp(Prim.HEAVISIDE)
def _heaviside(b, g, s):
    x, h = s.args
    # flat in x (0 at x == 0 too, as in jax); heaviside(0, h) is h itself, so h gets g there
    at_zero = b.op(Prim.EQ, x, ir.Const(0.0))
    return None, b.unbroadcast(b.op(Prim.WHERE, at_zero, g, ir.Const(0.0)), h)


@meaning(Prim.HEAVISIDE)
def _heaviside_meaning(run, s, x, h):
    def step(a, c):
        if holds(run, "==", a, 0):
            return sym(c)
        return sympy.Integer(1 if holds(run, ">", a, 0) else 0)

    return pairwise(step, x, h)


# ------------------------------------------------------------ scipy.special
@emitter(Prim.ERF, Prim.ERFC, Prim.EXPIT, Prim.LOGIT, Prim.LOG_EXPIT, Prim.GAMMALN,
         Prim.DIGAMMA, Prim.MULTIGAMMALN, Prim.BETALN, Prim.XLOGY, Prim.XLOG1PY,
         Prim.SOFTMAX, Prim.LOG_SOFTMAX, Prim.LOGSUMEXP)
def _emit_special(stmt, atom):
    name = stmt.prim.spec.name
    if stmt.params.get("lib") == "math":
        return call("math." + MATH_NAMES.get(name, name), [atom(a) for a in stmt.args]), False
    args, keywords = [atom(a) for a in stmt.args], kwargs(stmt.params)
    if stmt.prim is Prim.LOGSUMEXP and len(args) == 2:  # logsumexp(a, axis=None, b=None, ...)
        keywords["b"] = args.pop()
    return call("rt.special." + name, args, keywords), False


_unary(Prim.ERF, lambda b, x, out, lib: b.mul(ir.Const(TWO_OVER_SQRT_PI),
                                              b.op(Prim.EXP, b.neg(b.mul(x, x)), **lib)),
       sympy.erf)
_unary(Prim.ERFC, lambda b, x, out, lib: b.neg(b.mul(ir.Const(TWO_OVER_SQRT_PI),
                                                     b.op(Prim.EXP, b.neg(b.mul(x, x)), **lib))),
       sympy.erfc)
_unary(Prim.EXPIT, lambda b, x, out, lib: b.mul(out, b.sub(ir.Const(1.0), out)),
       lambda x: 1 / (1 + sympy.exp(-x)))
_quotient(Prim.LOGIT, lambda b, x, out: b.mul(x, b.sub(ir.Const(1.0), x)),
          lambda x: sympy.log(x / (1 - x)))
# d log(expit(x)) = 1 - expit(x) = expit(-x)
_unary(Prim.LOG_EXPIT, lambda b, x, out, lib: b.op(Prim.EXPIT, b.neg(x)),
       lambda x: -sympy.log(1 + sympy.exp(-x)))
# math.lgamma's derivative too is rt.special.digamma: the math module has no digamma
_unary(Prim.GAMMALN, lambda b, x, out, lib: b.op(Prim.DIGAMMA, x), sympy.loggamma)
_unary(Prim.DIGAMMA, lambda b, x, out, lib: b.op(Prim.TRIGAMMA, x), sympy.digamma)
meaning(Prim.TRIGAMMA)(_function(lambda x: sympy.polygamma(1, x)))


@vjp(Prim.MULTIGAMMALN)
def _multigammaln(b, g, s):
    a, d = s.args[0], s.params.get("d") or 1
    # multigammaln(a, d) = const + sum over j < d of gammaln(a - j / 2)
    total = b.op(Prim.DIGAMMA, a)
    for j in range(1, d):
        total = b.add(total, b.op(Prim.DIGAMMA, b.sub(a, ir.Const(j / 2))))
    return (b.mul(g, total),)


@meaning(Prim.MULTIGAMMALN)
def _multigammaln_meaning(run, s, a):
    d = s.params.get("d") or 1

    def one(x):
        const = sympy.Rational(d * (d - 1), 4) * sympy.log(sympy.pi)
        return const + sum(sympy.loggamma(x - sympy.Rational(j, 2)) for j in range(d))

    return elementwise(one, a)


@vjp(Prim.BETALN)
def _betaln(b, g, s):
    x, y = s.args
    both = b.op(Prim.DIGAMMA, b.add(x, y))
    gx = b.mul(g, b.sub(b.op(Prim.DIGAMMA, x), both))
    gy = b.mul(g, b.sub(b.op(Prim.DIGAMMA, y), both))
    return b.unbroadcast(gx, x), b.unbroadcast(gy, y)


meaning(Prim.BETALN)(_function(
    lambda x, y: sympy.loggamma(x) + sympy.loggamma(y) - sympy.loggamma(x + y)))


@vjp(Prim.XLOGY, Prim.XLOG1PY)
def _xlogy(b, g, s):
    x, y = s.args
    # jax's convention: d/dx = log(y), d/dy = x / y, also at x = 0 (no special case)
    if s.prim is Prim.XLOGY:
        log_y, y_plus = b.op(Prim.LOG, y), y
    else:
        log_y, y_plus = b.op(Prim.LOG1P, y), b.add(ir.Const(1.0), y)
    gx = b.mul(g, log_y)
    gy = b.mul(g, b.div(x, y_plus))
    return b.unbroadcast(gx, x), b.unbroadcast(gy, y)


meaning(Prim.XLOGY)(_function(lambda x, y: x * sympy.log(y)))
meaning(Prim.XLOG1PY)(_function(lambda x, y: x * sympy.log(1 + y)))


# ------------------------------------------- logsumexp, softmax, log_softmax
def _axis(s: ir.Assign) -> dict:
    return {"axis": s.params.get("axis"), "keepdims": s.params.get("keepdims") or None}


@vjp(Prim.LOGSUMEXP)
def _logsumexp(b, g, s):
    a, *weights = s.args
    w = b.op(Prim.LOGSUMEXP_GRAD, g, a, s.target, *weights, **_axis(s))
    if not weights:
        return (w,)
    return b.unbroadcast(b.mul(w, weights[0]), a), b.unbroadcast(w, weights[0])


def _np_axis(s) -> dict:
    return {"axis": s.params.get("axis"), "keepdims": bool(s.params.get("keepdims"))}


def _exp(x):
    return elementwise(sympy.exp, x)


def _log(x):
    return elementwise(sympy.log, x)


@meaning(Prim.LOGSUMEXP)
def _logsumexp_meaning(run, s, a, *weights):
    terms = _exp(a) if not weights else elementwise(lambda x, w: w * sympy.exp(x), a, *weights)
    if not isinstance(terms, np.ndarray):
        return _log(terms)
    return _log(np.sum(terms, **_np_axis(s)))


@meaning(Prim.LOGSUMEXP_GRAD)
def _logsumexp_grad(run, s, g, a, out, *weights):
    like = np.broadcast_arrays(np.asarray(a), *(np.asarray(w) for w in weights))[0]
    axis, keepdims = s.params.get("axis"), bool(s.params.get("keepdims"))
    g, out = (expand(v, like, axis, keepdims) if isinstance(v, np.ndarray) else v for v in (g, out))
    w = elementwise(lambda gv, x, o: gv * sympy.exp(x - o), g, a, out)
    return np.array(np.broadcast_to(w, like.shape)) if like.shape else w


@vjp(Prim.SOFTMAX, Prim.LOG_SOFTMAX)
def _softmax(b, g, s):
    grad = Prim.SOFTMAX_GRAD if s.prim is Prim.SOFTMAX else Prim.LOG_SOFTMAX_GRAD
    return (b.op(grad, g, s.target, axis=s.params.get("axis")),)


def _normalizer(x, s):
    """sum(exp(x), axis, keepdims=True), as sympy."""
    return np.sum(_exp(x), axis=s.params.get("axis"), keepdims=True)


@meaning(Prim.SOFTMAX)
def _softmax_meaning(run, s, x):
    if not isinstance(x, np.ndarray):
        return sympy.Integer(1)
    return _exp(x) / _normalizer(x, s)


@meaning(Prim.LOG_SOFTMAX)
def _log_softmax_meaning(run, s, x):
    if not isinstance(x, np.ndarray):
        return sympy.Integer(0)
    return x - _log(_normalizer(x, s))


@meaning(Prim.SOFTMAX_GRAD)
def _softmax_grad(run, s, g, out):
    total = np.sum(sym(g) * out, axis=s.params.get("axis"), keepdims=True)
    return out * (sym(g) - total)


@meaning(Prim.LOG_SOFTMAX_GRAD)
def _log_softmax_grad(run, s, g, out):
    total = np.sum(sym(g) * np.ones_like(out), axis=s.params.get("axis"), keepdims=True)
    return sym(g) - _exp(out) * total


# ------------------------------------------------------ tangents (forward mode)
jvp(Prim.RECIPROCAL, Prim.CBRT, Prim.EXP2, Prim.ARCSINH, Prim.ARCCOSH, Prim.ARCTANH,
    Prim.DEG2RAD, Prim.RAD2DEG, Prim.SINC, Prim.HYPOT, Prim.LOGADDEXP, Prim.LOGADDEXP2, Prim.FMAX,
    Prim.FMIN, Prim.HEAVISIDE, Prim.ERF, Prim.ERFC, Prim.EXPIT, Prim.LOGIT, Prim.LOG_EXPIT,
    Prim.GAMMALN, Prim.DIGAMMA, Prim.BETALN, Prim.XLOGY, Prim.XLOG1PY)(diagonal)


@jvp(Prim.MULTIGAMMALN)
def _multigammaln_jvp(b, t, s):
    """scipy computes multigammaln in float64 (of float32 `a` too): so is its tangent."""
    return b.op(Prim.BROADCAST_LIKE, diagonal(b, t, s), s.target)
jvp(Prim.LOGSUMEXP)(weighted)


@jvp(Prim.SOFTMAX, Prim.LOG_SOFTMAX)
def _softmax_jvp(b, t, s):
    """softmax: p * (v - sum(p * v)); log_softmax: v - sum(p * v), p = softmax(x), along axis."""
    if t[0] is None:
        return None
    p = s.target if s.prim is Prim.SOFTMAX else b.op(Prim.EXP, s.target)
    mean = b.op(Prim.SUM, b.mul(p, t[0]), axis=s.params.get("axis"), keepdims=True)
    centered = b.sub(t[0], mean)
    return b.mul(p, centered) if s.prim is Prim.SOFTMAX else centered
