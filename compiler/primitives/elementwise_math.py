"""Elementwise arithmetic and smooth functions: +, -, *, /, **, exp, log, sin, ..., float().

Every adjoint of a broadcasting input goes through `unbroadcast`, which sums
the cotangent back to the input's shape (a no-op when the shapes already
match). The smooth functions map onto sympy functions, elementwise over
object arrays. All of them are written from their Spec's form (an operator,
`xp.exp`, `math.exp`) except float() and astype().
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

import numpy as np
import sympy

from .. import ir
from ..backend.expressions import call, method
from ..ir.prims import Prim
from ..proof.dag import nesting, unevaluated
from ..proof.values import arithmetic, at_point, elementwise, plain_int, single_value, sym
from .registry import emitter, jvp, meaning, vjp
from .tangents import diagonal, integer_dtype, linear


def _arith(op: Callable, keep_ints: bool = True) -> Callable:
    def run_op(run, s, x, y):
        if keep_ints and plain_int(x) and plain_int(y):
            return op(int(x), int(y))  # index arithmetic stays in Python ints
        return arithmetic(op, x, y)

    return run_op


# --------------------------------------------------------------- arithmetic
@vjp(Prim.ADD)
def _add(b, g, s):
    x, y = s.args
    return b.unbroadcast(g, x), b.unbroadcast(g, y)


meaning(Prim.ADD)(_arith(operator.add))


@vjp(Prim.SUB)
def _sub(b, g, s):
    x, y = s.args
    # Negate after summing back to y's shape: the reduced array is the smaller one.
    return b.unbroadcast(g, x), b.neg(b.unbroadcast(g, y))


meaning(Prim.SUB)(_arith(operator.sub))


@vjp(Prim.MUL)
def _mul(b, g, s):
    x, y = s.args
    if x == y and isinstance(x, ir.Var):  # x * x: one contribution, 2 x g
        return b.unbroadcast(b.scaled(2, g, x), x), None
    return b.unbroadcast(b.mul(g, y), x), b.unbroadcast(b.mul(g, x), y)


meaning(Prim.MUL)(_arith(operator.mul))


@vjp(Prim.DIV)
def _div(b, g, s):
    x, y = s.args
    gx = b.div(g, y)
    return b.unbroadcast(gx, x), b.unbroadcast(b.neg(b.mul(gx, s.target)), y)


meaning(Prim.DIV)(_arith(operator.truediv, keep_ints=False))


@vjp(Prim.POW)
def _pow(b, g, s):
    x, y = s.args
    if isinstance(y, ir.Const) and type(y.value) in (int, float):
        # x ** 0 is 1 everywhere: no cotangent (0 * x ** -1 was NaN at x == 0)
        gx = None if y.value == 0 else b.scaled(y.value, g, b.pow(x, ir.Const(y.value - 1)))
    else:
        # y * x ** (y - 1 + (y == 0)): where y == 0 this is 0 * x ** 0 = 0, as jax and
        # PyTorch give; y * x ** (y - 1) was 0 * inf = NaN at x == 0 (a polynomial's first
        # term). `+ (y == 0)` rather than `- (y != 0)`: numpy subtracts no bools (a mask y)
        lowered = b.add(b.sub(y, ir.Const(1)), b.op(Prim.EQ, y, ir.Const(0)))
        gx = b.mul(g, b.mul(y, b.pow(x, lowered)))
    gy = b.op(Prim.POW_EXPONENT_GRAD, g, x, s.target)
    return None if gx is None else b.unbroadcast(gx, x), b.unbroadcast(gy, y)


meaning(Prim.POW)(_arith(operator.pow, keep_ints=False))


@vjp(Prim.NEG)
def _neg(b, g, s):
    return (b.neg(g),)


@meaning(Prim.NEG)
def _neg_meaning(run, s, x):
    return -x if plain_int(x) else arithmetic(operator.mul, -1, x)


# ---------------------------------------------------------- smooth functions
LARGE_ARGUMENT = 200  # tree nodes: a function of a larger argument is left unevaluated
NESTED_ARGUMENT = 4  # nested functions: a function of a deeper argument is left unevaluated


def _function(fn: Callable) -> Callable:
    """The meaning of a smooth function: fn elementwise, unevaluated on huge arguments."""

    def apply_fn(run, s, *args):
        def one(*values):
            # sympy's automatic simplification of tanh(u), sin(u), ... asks questions about u
            # (is it zero? a multiple of pi*I?) that can take minutes on a large u, or on a
            # small one made of nested functions (its assumptions ask each level several
            # questions: exponential in the nesting).
            if any(run.point.dag.size(v) > LARGE_ARGUMENT or
                   nesting(v) > NESTED_ARGUMENT for v in values
                   if isinstance(v, sympy.Basic)):
                return unevaluated(fn, values)
            return fn(*values)

        return elementwise(one, *args)

    return apply_fn


def _lib(stmt: ir.Assign) -> dict:
    lib = stmt.params.get("lib")
    return {"lib": lib} if lib == "math" else {}


def _unary(prim: Prim, derivative: Callable, fn: Callable) -> None:
    """Register g * derivative(x, out) as the rule, and fn (a sympy function) as the meaning."""

    @vjp(prim)
    def _(b, g, s):
        return (b.mul(g, derivative(b, s.args[0], s.target, _lib(s))),)

    meaning(prim)(_function(fn))


def _quotient(prim: Prim, denominator: Callable, fn: Callable) -> None:
    """Register g / denominator(x, out) as the rule (reads better than g * (1 / ...))."""

    @vjp(prim)
    def _(b, g, s):
        return (b.div(g, denominator(b, s.args[0], s.target)),)

    meaning(prim)(_function(fn))


_unary(Prim.EXP, lambda b, x, out, lib: out, sympy.exp)
_quotient(Prim.LOG, lambda b, x, out: x, sympy.log)
_quotient(Prim.LOG1P, lambda b, x, out: b.add(ir.Const(1.0), x), lambda x: sympy.log(1 + x))
_unary(Prim.EXPM1, lambda b, x, out, lib: b.add(out, ir.Const(1.0)), lambda x: sympy.exp(x) - 1)
_unary(Prim.LOG2, lambda b, x, out, lib: b.div(ir.Const(1 / math.log(2)), x),
       lambda x: sympy.log(x) / sympy.log(2))
_unary(Prim.LOG10, lambda b, x, out, lib: b.div(ir.Const(1 / math.log(10)), x),
       lambda x: sympy.log(x) / sympy.log(10))
_quotient(Prim.SQRT, lambda b, x, out: b.mul(ir.Const(2.0), out), sympy.sqrt)


@vjp(Prim.SQUARE)
def _square(b, g, s):
    return (b.scaled(2, g, s.args[0]),)


meaning(Prim.SQUARE)(_function(lambda x: x ** 2))

_unary(Prim.SIN, lambda b, x, out, lib: b.op(Prim.COS, x, **lib), sympy.sin)
_unary(Prim.COS, lambda b, x, out, lib: b.neg(b.op(Prim.SIN, x, **lib)), sympy.cos)
_unary(Prim.TAN, lambda b, x, out, lib: b.add(ir.Const(1.0), b.mul(out, out)), sympy.tan)
_unary(Prim.TANH, lambda b, x, out, lib: b.sub(ir.Const(1.0), b.mul(out, out)), sympy.tanh)
_unary(Prim.SINH, lambda b, x, out, lib: b.op(Prim.COSH, x, **lib), sympy.sinh)
_unary(Prim.COSH, lambda b, x, out, lib: b.op(Prim.SINH, x, **lib), sympy.cosh)
_unary(Prim.ARCSIN, lambda b, x, out, lib: b.div(
    ir.Const(1.0), b.op(Prim.SQRT, b.sub(ir.Const(1.0), b.mul(x, x)), **lib)), sympy.asin)
_unary(Prim.ARCCOS, lambda b, x, out, lib: b.div(
    ir.Const(-1.0), b.op(Prim.SQRT, b.sub(ir.Const(1.0), b.mul(x, x)), **lib)), sympy.acos)
_quotient(Prim.ARCTAN, lambda b, x, out: b.add(ir.Const(1.0), b.mul(x, x)), sympy.atan)


@vjp(Prim.ARCTAN2)
def _arctan2(b, g, s):
    y, x = s.args
    scale = b.div(g, b.add(b.mul(x, x), b.mul(y, y)))
    return b.unbroadcast(b.mul(scale, x), y), b.unbroadcast(b.neg(b.mul(scale, y)), x)


meaning(Prim.ARCTAN2)(_function(sympy.atan2))


# -------------------------------------------------------------- conversions
@vjp(Prim.FLOAT)
def _float(b, g, s):
    return (g,)


@emitter(Prim.FLOAT)
def _emit_float(stmt, atom):
    if stmt.params.get("item"):
        return method(atom(stmt.args[0]), "item", []), False
    return call("float", [atom(a) for a in stmt.args]), False


@meaning(Prim.FLOAT)
def _float_meaning(run, s, x):
    return sym(single_value(s, x, "float()"))


@vjp(Prim.ASTYPE)
def _astype(b, g, s):
    dtype = s.args[1]
    if isinstance(dtype, ir.Const) and integer_dtype(dtype.value):
        return None, None  # x.astype(np.int64): integers carry no derivative (issue 13)
    if not isinstance(dtype, ir.Const):  # x.astype(y.dtype): known when it runs
        g = b.op(Prim.INEXACT_ONLY, g, s.target)
    return b.op(Prim.CAST_LIKE, g, s.args[0]), None


@emitter(Prim.ASTYPE)
def _emit_astype(stmt, atom):
    return method(atom(stmt.args[0]), "astype", [atom(stmt.args[1])]), False


@meaning(Prim.ASTYPE)
def _astype_meaning(run, s, x, dtype):
    kind = np.dtype(dtype).kind
    if kind in "iub":
        return np.asarray(at_point(run, s, x, "astype")).astype(dtype)
    return x


# ------------------------------------------------------ tangents (forward mode)
jvp(Prim.ADD, Prim.SUB, Prim.MUL, Prim.DIV, Prim.POW, Prim.NEG, Prim.EXP, Prim.LOG, Prim.LOG1P,
    Prim.EXPM1, Prim.LOG2, Prim.LOG10, Prim.SQRT, Prim.SQUARE, Prim.SIN, Prim.COS, Prim.TAN,
    Prim.TANH, Prim.SINH, Prim.COSH, Prim.ARCSIN, Prim.ARCCOS, Prim.ARCTAN, Prim.ARCTAN2)(diagonal)
jvp(Prim.FLOAT)(linear)


@jvp(Prim.ASTYPE)
def _astype_jvp(b, t, s):
    dtype = s.args[1]
    if t[0] is None or isinstance(dtype, ir.Const) and integer_dtype(dtype.value):
        return None  # integers carry no tangent
    out = b.apply(Prim.ASTYPE, (t[0], dtype))
    if not isinstance(dtype, ir.Const):  # x.astype(y.dtype): zero where it is an integer type
        out = b.op(Prim.INEXACT_ONLY, out, s.target)
    return out
