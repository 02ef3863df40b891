"""Derivative rules: one vector-Jacobian product per primitive, in one table.

A rule receives a `Builder`, the cotangent `g` of the statement's output and
the statement itself; it returns one cotangent atom per argument (None where
an argument gets nothing). Rules build IR, never strings, so their output is
simplified, verified, proven and emitted like all other code. Every adjoint
of a broadcasting input goes through `unbroadcast`, which sums the cotangent
back to the input's shape (a no-op when the shapes already match).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .. import ir
from ..errors import InternalError
from ..ir.builder import Builder
from ..ir.prims import Prim

Rule = Callable[[Builder, ir.Atom, ir.Assign], tuple]
RULES: dict[Prim, Rule] = {}


def vjp(*prims: Prim) -> Callable[[Rule], Rule]:
    """Register a rule for one or more primitives."""

    def register(rule: Rule) -> Rule:
        for prim in prims:
            RULES[prim] = rule
        return rule

    return register


def rule_for(prim: Prim) -> Rule:
    """The rule of a primitive; InternalError if a differentiable one has none."""
    rule = RULES.get(prim)
    if rule is None:
        raise InternalError(f"no derivative rule for {prim.name}")
    return rule


def _lib(stmt: ir.Assign) -> dict:
    lib = stmt.params.get("lib")
    return {"lib": lib} if lib == "math" else {}


# --------------------------------------------------------------- arithmetic
@vjp(Prim.ADD)
def _add(b, g, s):
    x, y = s.args
    return b.unbroadcast(g, x), b.unbroadcast(g, y)


@vjp(Prim.SUB)
def _sub(b, g, s):
    x, y = s.args
    # Negate after summing back to y's shape: the reduced array is the smaller one.
    return b.unbroadcast(g, x), b.neg(b.unbroadcast(g, y))


@vjp(Prim.MUL)
def _mul(b, g, s):
    x, y = s.args
    if x == y and isinstance(x, ir.Var):  # x * x: one contribution, 2 x g
        return b.unbroadcast(b.scaled(2, g, x), x), None
    return b.unbroadcast(b.mul(g, y), x), b.unbroadcast(b.mul(g, x), y)


@vjp(Prim.DIV)
def _div(b, g, s):
    x, y = s.args
    gx = b.div(g, y)
    return b.unbroadcast(gx, x), b.unbroadcast(b.neg(b.mul(gx, s.target)), y)


@vjp(Prim.POW)
def _pow(b, g, s):
    x, y = s.args
    if isinstance(y, ir.Const) and type(y.value) in (int, float):
        gx = b.scaled(y.value, g, b.pow(x, ir.Const(y.value - 1)))
    else:
        gx = b.mul(g, b.mul(y, b.pow(x, b.sub(y, ir.Const(1)))))
    gy = b.op(Prim.POW_EXPONENT_GRAD, g, x, s.target)
    return b.unbroadcast(gx, x), b.unbroadcast(gy, y)


@vjp(Prim.NEG)
def _neg(b, g, s):
    return (b.neg(g),)


@vjp(Prim.POS, Prim.COPY, Prim.FLOAT)
def _identity(b, g, s):
    return (g,)


@vjp(Prim.ASTYPE)
def _astype(b, g, s):
    return b.op(Prim.CAST_LIKE, g, s.args[0]), None


@vjp(Prim.SIGN, Prim.STOP_GRADIENT)
def _zero(b, g, s):
    return (None,) * len(s.args)


# -------------------------------------------------------- elementwise maths
def _unary(prim: Prim, derivative: Callable) -> None:
    """Register g * derivative(x, out) for a one-argument primitive."""

    @vjp(prim)
    def _(b, g, s):
        return (b.mul(g, derivative(b, s.args[0], s.target, _lib(s))),)


_unary(Prim.EXP, lambda b, x, out, lib: out)


def _quotient(prim: Prim, denominator: Callable) -> None:
    """Register g / denominator(x, out): reads better than g * (1 / ...)."""

    @vjp(prim)
    def _(b, g, s):
        return (b.div(g, denominator(b, s.args[0], s.target)),)


_quotient(Prim.LOG, lambda b, x, out: x)
_quotient(Prim.LOG1P, lambda b, x, out: b.add(ir.Const(1.0), x))
_quotient(Prim.SQRT, lambda b, x, out: b.mul(ir.Const(2.0), out))
_quotient(Prim.ARCTAN, lambda b, x, out: b.add(ir.Const(1.0), b.mul(x, x)))
_unary(Prim.EXPM1, lambda b, x, out, lib: b.add(out, ir.Const(1.0)))
_unary(Prim.LOG2, lambda b, x, out, lib: b.div(ir.Const(1 / math.log(2)), x))
_unary(Prim.LOG10, lambda b, x, out, lib: b.div(ir.Const(1 / math.log(10)), x))


@vjp(Prim.SQUARE)
def _square(b, g, s):
    return (b.scaled(2, g, s.args[0]),)


_unary(Prim.SIN, lambda b, x, out, lib: b.op(Prim.COS, x, **lib))
_unary(Prim.COS, lambda b, x, out, lib: b.neg(b.op(Prim.SIN, x, **lib)))
_unary(Prim.TAN, lambda b, x, out, lib: b.add(ir.Const(1.0), b.mul(out, out)))
_unary(Prim.TANH, lambda b, x, out, lib: b.sub(ir.Const(1.0), b.mul(out, out)))
_unary(Prim.SINH, lambda b, x, out, lib: b.op(Prim.COSH, x, **lib))
_unary(Prim.COSH, lambda b, x, out, lib: b.op(Prim.SINH, x, **lib))
_unary(Prim.ARCSIN, lambda b, x, out, lib: b.div(
    ir.Const(1.0), b.op(Prim.SQRT, b.sub(ir.Const(1.0), b.mul(x, x)), **lib)))
_unary(Prim.ARCCOS, lambda b, x, out, lib: b.div(
    ir.Const(-1.0), b.op(Prim.SQRT, b.sub(ir.Const(1.0), b.mul(x, x)), **lib)))


@vjp(Prim.ABS)
def _abs(b, g, s):
    x = s.args[0]
    if s.params.get("lib") in ("builtins", "math"):
        return (b.op(Prim.ABS_GRAD, g, x),)
    return (b.mul(g, b.op(Prim.SIGN, x)),)


@vjp(Prim.ARCTAN2)
def _arctan2(b, g, s):
    y, x = s.args
    scale = b.div(g, b.add(b.mul(x, x), b.mul(y, y)))
    return b.unbroadcast(b.mul(scale, x), y), b.unbroadcast(b.neg(b.mul(scale, y)), x)


@vjp(Prim.MAXIMUM, Prim.MINIMUM)
def _maximum(b, g, s):
    x, y = s.args
    # The first argument takes the whole cotangent at ties (numpy picks it too).
    first_wins = b.op(Prim.GE if s.prim is Prim.MAXIMUM else Prim.LE, x, y)
    gx = b.op(Prim.WHERE, first_wins, g, ir.Const(0.0))
    gy = b.op(Prim.WHERE, first_wins, ir.Const(0.0), g)
    return b.unbroadcast(gx, x), b.unbroadcast(gy, y)


@vjp(Prim.WHERE)
def _where(b, g, s):
    cond, x, y = s.args
    gx = b.op(Prim.WHERE, cond, g, ir.Const(0.0))
    gy = b.op(Prim.WHERE, cond, ir.Const(0.0), g)
    return None, b.unbroadcast(gx, x), b.unbroadcast(gy, y)


@vjp(Prim.CLIP)
def _clip(b, g, s):
    x, lo, hi = s.args
    return b.unbroadcast(b.op(Prim.CLIP_GRAD, g, x, lo, hi), x), None, None


# --------------------------------------------------------------- reductions
@vjp(Prim.SUM, Prim.MEAN)
def _sum(b, g, s):
    x = s.args[0]
    share = _share(b, g, s) if isinstance(x, ir.Var) and x.name in b.spread else None
    if share is not None:
        return (share,)
    prim = Prim.REDUCE_GRAD if s.prim is Prim.SUM else Prim.MEAN_GRAD
    return (b.op(prim, g, x, **_axis(s)),)


def _share(b, g, s) -> ir.Atom | None:
    """The cotangent of a spreadable operand (see spread.py), left unspread.

    x's own rule multiplies its cotangent by an array shaped like x, so a full
    reduction's cotangent stays one number, and a sum over one axis's is only
    given that axis back (a view) for broadcasting to do the rest.
    """
    like = b.spread[s.args[0].name]
    axis, keepdims = s.params.get("axis"), s.params.get("keepdims")
    if axis is None and s.prim is Prim.SUM:
        return b.number(g)
    if axis is None and (b.rank(like) or 0) >= 1:  # like.size counts the entries averaged
        return b.number(b.div(g, b.op(Prim.SIZE, like)))
    if s.prim is Prim.SUM and keepdims:
        return g
    if s.prim is Prim.SUM and type(axis) is int:
        return b.op(Prim.EXPAND_DIMS, g, axis=axis)
    return None


@vjp(Prim.MAX, Prim.MIN)
def _max(b, g, s):
    return (b.op(Prim.MAXMIN_GRAD, g, s.args[0], s.target, **_axis(s)),)


@vjp(Prim.PROD)
def _prod(b, g, s):
    return (b.op(Prim.PROD_GRAD, g, s.args[0], s.target, **_axis(s)),)


@vjp(Prim.NORM)
def _norm(b, g, s):
    if s.params.get("ord") not in (None, 2):
        raise InternalError("only the 2-norm has a derivative rule")
    return (b.op(Prim.NORM_GRAD, g, s.args[0], s.target, **_axis(s)),)


def _axis(s: ir.Assign) -> dict:
    return {"axis": s.params.get("axis"), "keepdims": s.params.get("keepdims") or None}


# -------------------------------------------------------------------- shape
@vjp(Prim.TRANSPOSE)
def _transpose(b, g, s):
    axes = s.params.get("axes")
    if axes is None:
        return (b.op(Prim.TRANSPOSE, g),)
    inverse = tuple(sorted(range(len(axes)), key=lambda i: axes[i]))
    return (b.op(Prim.TRANSPOSE, g, axes=inverse),)


@vjp(Prim.RESHAPE, Prim.SQUEEZE, Prim.EXPAND_DIMS)
def _reshape(b, g, s):
    return (b.op(Prim.RESHAPE_LIKE, g, s.args[0]),) + (None,) * (len(s.args) - 1)


@vjp(Prim.BROADCAST_TO)
def _broadcast_to(b, g, s):
    return b.unbroadcast(g, s.args[0]), None


@vjp(Prim.CONCATENATE)
def _concatenate(b, g, s):
    axis = s.params.get("axis", 0)
    return tuple(b.op(Prim.CONCAT_GRAD, g, *s.args, axis=axis, part=i)
                 for i in range(len(s.args)))


@vjp(Prim.STACK)
def _stack(b, g, s):
    axis = s.params.get("axis", 0)
    return tuple(b.op(Prim.STACK_GRAD, g, axis=axis, part=i) for i in range(len(s.args)))


@vjp(Prim.GETITEM)
def _getitem(b, g, s):
    x, *holes = s.args
    grad = b.op(Prim.GETITEM_GRAD, g, x, *holes, index=s.params.get("index"))
    return (grad,) + (None,) * len(holes)


@vjp(Prim.TUPLE)
def _tuple(b, g, s):
    item = ir.Params.of(index=ir.Index.at(1))
    return tuple(b.apply(Prim.GETITEM, (g, ir.Const(i)), item) for i in range(len(s.args)))


# ----------------------------------------------------------- linear algebra
@vjp(Prim.MATMUL, Prim.DOT)
def _matmul(b, g, s):
    x, y = s.args
    ranks = (b.rank(x), b.rank(y))
    if ranks == (1, 1) and x == y:  # x . x: one contribution, 2 x g
        return b.scaled(2, g, x), None
    if ranks == (1, 1):  # x . y: a number
        return b.mul(g, y), b.mul(g, x)
    if ranks == (2, 1):  # matrix times vector
        return b.mul(b.column(g), y), b.op(Prim.MATMUL, g, x)
    if ranks == (1, 2):  # vector times matrix
        return b.op(Prim.MATMUL, y, g), b.mul(b.column(x), g)
    if ranks == (2, 2):
        x_t, y_t = b.op(Prim.TRANSPOSE, x), b.op(Prim.TRANSPOSE, y)
        return b.op(Prim.MATMUL, g, y_t), b.op(Prim.MATMUL, x_t, g)
    # Ranks unknown here (or batched): the runtime decides from the shapes.
    return b.op(Prim.MATMUL_GRAD_LEFT, g, x, y), b.op(Prim.MATMUL_GRAD_RIGHT, g, x, y)


@vjp(Prim.OUTER)
def _outer(b, g, s):
    x, y = s.args
    return b.op(Prim.MATMUL, g, y), b.op(Prim.MATMUL, x, g)


# ------------------------------------------------------------ helper calls
@vjp(Prim.CALL)
def _call(b, g, s):
    # The helper's own emitted adjoint, `<name>_vjp(g, *args)`, returns one cotangent per
    # parameter. The seed comes first so that arguments left to their defaults stay omitted.
    cts = b.apply(Prim.CALL_VJP, (g, *s.args), s.params)
    item = ir.Params.of(index=ir.Index.at(1))
    return tuple(b.apply(Prim.GETITEM, (cts, ir.Const(i)), item) for i in range(len(s.args)))


# --------------------------------------------------- lists, in-place updates
# A list's adjoint is a dict {position: cotangent} holding only what was reached.
@vjp(Prim.LIST)
def _list(b, g, s):
    return tuple(b.op(Prim.LIST_ITEM_GRAD, g, ir.Const(i), x) for i, x in enumerate(s.args))


@vjp(Prim.APPEND)
def _append(b, g, s):
    lst, value = s.args
    # Takes the last position out of the list's adjoint; what stays is the shorter list's.
    return g, b.op(Prim.APPEND_GRAD, g, lst, value)


@vjp(Prim.STACK_LIST)
def _stack_list(b, g, s):
    return (b.op(Prim.UNSTACK_GRAD, g, axis=s.params.get("axis", 0)),)


@vjp(Prim.ASARRAY)
def _asarray(b, g, s):
    return (b.op(Prim.ASARRAY_GRAD, g, s.args[0]),)


@vjp(Prim.SETITEM)
def _setitem(b, g, s):
    _, value, *holes = s.args
    index = s.params.get("index").unshift(1)  # its holes, counted after the array only
    written = b.apply(Prim.GETITEM, (g, *holes), ir.Params.of(index=index))
    rest = b.apply(Prim.ZERO_AT, (g, *holes), ir.Params.of(index=index))
    return (rest, b.unbroadcast(written, value)) + (None,) * len(holes)
