"""Elementwise primitives with kinks, pieces or no derivative: abs, maximum, where, clip,
comparisons, floor, isnan, int(), ...

Non-smooth ones pick their piece at the example point and note the relation
that picks it; non-differentiable ones (comparisons, floor) are evaluated
there. Their Specs say which have no derivative.
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from .. import ir
from ..backend.expressions import call
from ..ir.prims import Prim
from ..proof.values import (
    RELATIONS,
    arr,
    at_point,
    elementwise,
    holds,
    number,
    pairwise,
    sign_at,
    single_value,
    sym,
    symbolic_array,
    truths,
)
from .gradient_tangents import linear_in
from .registry import emitter, jvp, meaning, vjp
from .tangents import diagonal


# -------------------------------------------------------------- abs, sign
@vjp(Prim.ABS)
def _abs(b, g, s):
    x = s.args[0]
    if s.params.get("lib") in ("builtins", "math"):
        return (b.op(Prim.ABS_GRAD, g, x),)
    return (b.mul(g, b.op(Prim.SIGN, x)),)


@meaning(Prim.ABS)
def _abs_meaning(run, s, x):
    return elementwise(lambda a: sign_at(run, a) * a, x)


@vjp(Prim.SIGN)
def _sign(b, g, s):
    return (None,)  # zero almost everywhere


@meaning(Prim.SIGN)
def _sign_meaning(run, s, x):
    return elementwise(lambda a: sympy.Integer(sign_at(run, a)), x)


# --------------------------------------------------- maximum, where, clip
@vjp(Prim.MAXIMUM, Prim.MINIMUM)
def _maximum(b, g, s):
    x, y = s.args
    if s.params.get("lib") == "builtins":  # Python's max(x, y) is y only when y > x: ties go to x
        second_wins = b.op(Prim.GT if s.prim is Prim.MAXIMUM else Prim.LT, y, x)
        gx = b.op(Prim.WHERE, second_wins, ir.Const(0.0), g)
        gy = b.op(Prim.WHERE, second_wins, g, ir.Const(0.0))
        return b.unbroadcast(gx, x), b.unbroadcast(gy, y)
    # A tie splits the cotangent evenly (PyTorch and JAX agree).
    first_wins = b.op(Prim.GT if s.prim is Prim.MAXIMUM else Prim.LT, x, y)
    tie = b.op(Prim.EQ, x, y)
    half = b.mul(ir.Const(0.5), g)
    gx = b.op(Prim.WHERE, first_wins, g, b.op(Prim.WHERE, tie, half, ir.Const(0.0)))
    gy = b.op(Prim.WHERE, first_wins, ir.Const(0.0), b.op(Prim.WHERE, tie, half, g))
    return b.unbroadcast(gx, x), b.unbroadcast(gy, y)


@meaning(Prim.MAXIMUM, Prim.MINIMUM)
def _maximum_meaning(run, s, x, y):
    first = ">" if s.prim is Prim.MAXIMUM else "<"
    if s.params.get("lib") == "builtins":  # Python keeps the first of equal values
        return pairwise(lambda a, b: sym(b) if holds(run, first, b, a) else sym(a), x, y)
    return tie_split(run, first, x, y)


def tie_split(run, first: str, x, y):
    """x where `x first y` holds at the point, y where the reverse, their mean at a tie
    (the meaning of maximum, minimum, fmax and fmin, whose rules split a tie evenly)."""
    def piece(a, b):
        if holds(run, first, a, b):
            return sym(a)
        if holds(run, "==", a, b):
            return (sym(a) + sym(b)) / 2
        return sym(b)

    return pairwise(piece, x, y)


@vjp(Prim.WHERE)
def _where(b, g, s):
    cond, x, y = s.args
    gx = b.op(Prim.WHERE, cond, g, ir.Const(0.0))
    gy = b.op(Prim.WHERE, cond, ir.Const(0.0), g)
    return None, b.unbroadcast(gx, x), b.unbroadcast(gy, y)


@meaning(Prim.WHERE)
def _where_meaning(run, s, cond, x, y):
    mask = truths(run, cond)
    if not any(isinstance(v, np.ndarray) for v in (mask, x, y)):
        return sym(x) if mask else sym(y)
    return np.where(mask, arr(x), arr(y))


@vjp(Prim.CLIP)
def _clip(b, g, s):
    x, lo, hi = s.args
    # At a bound the cotangent goes to x (the bounds count as inside, as in PyTorch).
    gx = b.unbroadcast(b.op(Prim.CLIP_GRAD, g, x, lo, hi), x)
    return gx, _bound_grad(b, g, x, lo, Prim.LT), _bound_grad(b, g, x, hi, Prim.GT)


def _bound_grad(b, g, x, bound, beyond: Prim):
    """A clip bound's cotangent: g where x lies beyond it."""
    if isinstance(bound, ir.Const):
        return None
    return b.unbroadcast(b.op(Prim.WHERE, b.op(beyond, x, bound), g, ir.Const(0.0)), bound)


@meaning(Prim.CLIP)
def _clip_meaning(run, s, x, lo, hi):
    def piece(a, low, high):
        if low is not None and holds(run, "<", a, low):
            return sym(low)
        if high is not None and holds(run, ">", a, high):
            return sym(high)
        return sym(a)

    return bounded(piece, x, lo, hi)


def bounded(fn, x, lo, hi):
    """fn(a, low, high) over the broadcast elements of x and of the bounds not None."""
    given = [v for v in (lo, hi) if v is not None]
    if not any(isinstance(v, np.ndarray) for v in (x, *given)):
        return fn(x, lo, hi)
    xs, *rest = np.broadcast_arrays(arr(x), *(arr(v) for v in given))
    out = np.empty(xs.shape, dtype=object)
    for index in np.ndindex(xs.shape):
        found = iter(r[index] for r in rest)
        out[index] = fn(xs[index], *(None if v is None else next(found) for v in (lo, hi)))
    return out


# ------------------------------------------------------------------- relu
@vjp(Prim.RELU)
def _relu(b, g, s):
    # x > 0 exactly where the output is: the rule reads the output the caller keeps anyway
    return (b.op(Prim.RELU_GRAD, g, s.target),)


@meaning(Prim.RELU)
def _relu_meaning(run, s, x):
    return elementwise(lambda a: a if holds(run, ">", a, 0) else sym(0.0), x)


@meaning(Prim.RELU_GRAD)
def _relu_grad_meaning(run, s, g, y):
    return pairwise(lambda v, a: sym(v) if holds(run, ">", a, 0) else sym(0.0), g, y)


# ------------------------------------------------------------- comparisons
def _numeric(x: object) -> bool:
    return isinstance(x, (np.ndarray, sympy.Basic, int, float, np.number, bool, np.bool_))


@meaning(Prim.LT, Prim.LE, Prim.GT, Prim.GE, Prim.EQ, Prim.NE)
def _compare(run, s, x, y):
    op = s.prim.spec.name
    if not _numeric(x) or not _numeric(y):
        return RELATIONS[op][0](x, y)  # dtypes, strings, None: plain Python
    result = pairwise(lambda a, b: holds(run, op, a, b), x, y)
    return result.astype(bool) if isinstance(result, np.ndarray) else result


@meaning(Prim.NOT)
def _not(run, s, x):
    mask = truths(run, x)
    return np.logical_not(mask) if isinstance(mask, np.ndarray) else not mask


@emitter(Prim.BOOL)
def _emit_bool(stmt, atom):
    return call("bool", [atom(a) for a in stmt.args]), False


@meaning(Prim.BOOL)
def _bool(run, s, x):
    if isinstance(x, (list, tuple)):
        return bool(x)
    return truths(run, single_value(s, x, "bool()"))


# ------------------------------------------------ rounding and integers
@emitter(Prim.INT)
def _emit_int(stmt, atom):
    return call("int", [atom(a) for a in stmt.args]), False


@meaning(Prim.INT)
def _int(run, s, x):
    return int(at_point(run, s, x, "int()"))


def _rounding(fn, what: str):
    def rounded(run, s, x, *rest):
        value = at_point(run, s, x, what)
        if isinstance(value, np.ndarray):
            return symbolic_array(np.vectorize(fn)(value).astype(float))
        return number(float(fn(value)))

    return rounded


meaning(Prim.FLOOR)(_rounding(math.floor, "floor()"))
meaning(Prim.CEIL)(_rounding(math.ceil, "ceil()"))
meaning(Prim.TRUNC)(_rounding(math.trunc, "trunc()"))
meaning(Prim.RINT)(_rounding(round, "rint()"))  # Python's round(v): halves to even, as rint
@meaning(Prim.ROUND)
def _round(run, s, x, *rest):
    if s.params.get("lib") == "builtins":  # Python's round(v, n): correctly rounded
        digits = s.params.get("ndigits") or 0
        return _rounding(lambda v: round(v, digits), "round()")(run, s, x)
    # numpy's: v * 10**decimals rounded half to even, divided back (np.round(0.45, 1) is 0.4)
    digits = s.params.get("decimals") or 0
    return _rounding(lambda v: float(np.round(v, digits)), "round()")(run, s, x)


def _integer_op(fn):
    def integer_op(run, s, x, y):
        a, b = at_point(run, s, x, fn.__name__), at_point(run, s, y, fn.__name__)
        value = fn(a, b)
        return value if isinstance(value, (int, np.integer)) else number(value)

    return integer_op


meaning(Prim.FLOORDIV)(_integer_op(lambda a, b: a // b))
meaning(Prim.BITAND)(_integer_op(lambda a, b: a & b))
meaning(Prim.BITOR)(_integer_op(lambda a, b: a | b))
meaning(Prim.BITXOR)(_integer_op(lambda a, b: a ^ b))
meaning(Prim.LSHIFT)(_integer_op(lambda a, b: a << b))
meaning(Prim.RSHIFT)(_integer_op(lambda a, b: a >> b))


@meaning(Prim.INVERT)
def _invert(run, s, x):
    value = ~at_point(run, s, x, "~")
    return value if isinstance(value, (int, np.integer, np.ndarray)) else number(value)
@vjp(Prim.MOD)
def _mod(b, g, s):
    x, c = s.args  # x % c is x - c * floor(x / c): the floor is flat
    if isinstance(c, ir.Const):
        return b.unbroadcast(g, x), None
    gc = b.mul(b.neg(g), b.op(Prim.FLOOR, b.div(x, c)))
    return b.unbroadcast(g, x), b.unbroadcast(gc, c)


@meaning(Prim.MOD)
def _mod_meaning(run, s, x, y):
    if not run.symbolic(x) and not run.symbolic(y):
        return _integer_op(lambda a, b: a % b)(run, s, x, y)

    def piece(a, b):
        quotient = math.floor(run.point.evaluate(a) / run.point.evaluate(b))
        return sym(a) - sym(b) * sympy.Integer(quotient)

    run.path.constant(f"floor() of % at line {s.loc.line}")
    return pairwise(piece, x, y)


@meaning(Prim.ISNAN, Prim.ISFINITE)
def _isnan(run, s, x):
    test = np.isnan if s.prim is Prim.ISNAN else np.isfinite
    value = test(np.asarray(run.point.evaluate(x), dtype=float))
    return bool(value) if value.ndim == 0 else value


# A kink's tangent is the VJP rule's own convention (the Jacobian is diagonal: see tangents.py).
jvp(Prim.ABS, Prim.SIGN, Prim.MAXIMUM, Prim.MINIMUM, Prim.WHERE, Prim.CLIP, Prim.MOD,
    Prim.RELU)(diagonal)
jvp(Prim.RELU_GRAD)(linear_in(0))  # for second derivatives: the choice of y > 0 is flat
