"""np.fmod, np.copysign, math.fsum and nan_fill: numpy's and Python's values.

fmod(x, c) is x - c * trunc(x / c): its sign follows the dividend x, its
derivative is 1 in x and -trunc(x / c) in c (jax's rule). copysign(x, y) is
|x| with y's sign bit: its derivative in x is sign(x) * sign(out) (0 at x == 0,
as |x|'s, and PyTorch's), and it is flat in y. math.fsum is the correctly rounded sum of
a 1-d array (frontend/more_calls.py stacks a list or a generator's items first): its
derivative is sum's. nan_to_num(x) is x where x is finite, a constant elsewhere: its
derivative is 1 where x is finite and 0 elsewhere (jax's, which selects). nan_fill(x, v)
(np.nanmax's NaNs made to lose) is x with its NaNs replaced by v in x's dtype: its
derivative is 1 where x is not NaN.
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from .. import ir
from ..backend.expressions import call
from ..ir.prims import Prim
from ..proof.values import at_point, holds, number, pairwise, sym
from .registry import emitter, jvp, meaning, vjp
from .tangents import diagonal, linear


@vjp(Prim.FMOD)
def _fmod(b, g, s):
    x, c = s.args
    if isinstance(c, ir.Const):
        return b.unbroadcast(g, x), None
    quotient = b.div(x, c)  # trunc(q) as sign(q) * floor(|q|): the quotient fmod took away
    whole = b.mul(b.op(Prim.SIGN, quotient), b.op(Prim.FLOOR, b.op(Prim.ABS, quotient)))
    return b.unbroadcast(g, x), b.unbroadcast(b.mul(b.neg(g), whole), c)


@meaning(Prim.FMOD)
def _fmod_meaning(run, s, x, y):
    def piece(a, c):
        quotient = run.point.evaluate(a) / run.point.evaluate(c)
        return sym(a) - sym(c) * sympy.Integer(math.trunc(quotient))

    run.path.constant(f"trunc() of fmod at line {s.loc.line}")
    return pairwise(piece, x, y)


@vjp(Prim.COPYSIGN)
def _copysign(b, g, s):
    x = s.args[0]
    slope = b.mul(b.op(Prim.SIGN, x), b.op(Prim.SIGN, s.target))
    return b.unbroadcast(b.mul(g, slope), x), None


@meaning(Prim.COPYSIGN)
def _copysign_meaning(run, s, x, y):
    signs = at_point(run, s, y, "the sign of copysign's y")

    def piece(a, sign):
        size = sym(a) if holds(run, ">", a, 0) else -sym(a) if holds(run, "<", a, 0) else 0
        return size * sympy.Integer(int(math.copysign(1, float(sign))))

    return pairwise(piece, x, signs)


@vjp(Prim.NAN_FILL)
def _nan_fill(b, g, s):
    x = s.args[0]  # a NaN replaced by the fill takes no cotangent
    return b.op(Prim.WHERE, b.op(Prim.ISNAN, x), ir.Const(0.0), g), None


@meaning(Prim.NAN_FILL)
def _nan_fill_meaning(run, s, x, value):
    def piece(a, fill):
        return sym(fill) if math.isnan(float(run.point.evaluate(a))) else sym(a)

    return pairwise(piece, x, value)


@vjp(Prim.FSUM)
def _fsum(b, g, s):
    return (b.op(Prim.REDUCE_GRAD, g, s.args[0]),)


@emitter(Prim.FSUM)
def _emit_fsum(stmt, atom):
    return call("math.fsum", [atom(stmt.args[0])]), False


@meaning(Prim.FSUM)
def _fsum_meaning(run, s, x):
    return np.sum(sym(x)) if isinstance(x, np.ndarray) else sym(x)


@vjp(Prim.NAN_TO_NUM)
def _nan_to_num(b, g, s):
    x = s.args[0]
    return (b.op(Prim.WHERE, b.op(Prim.ISFINITE, x), g, ir.Const(0.0)),)


@meaning(Prim.NAN_TO_NUM)
def _nan_to_num_meaning(run, s, x):
    options = {k: s.params.get(k) for k in ("nan", "posinf", "neginf")
               if s.params.get(k) is not None}

    def piece(a):
        value = float(run.point.evaluate(a))
        return sym(a) if math.isfinite(value) else number(float(np.nan_to_num(value, **options)))

    return np.vectorize(piece, otypes=[object])(x) if isinstance(x, np.ndarray) else piece(x)


jvp(Prim.FMOD, Prim.COPYSIGN, Prim.NAN_TO_NUM, Prim.NAN_FILL)(diagonal)
jvp(Prim.FSUM)(linear)
