"""What each primitive means on sympy values (see symbolic.py for the values).

Smooth primitives map onto sympy functions, elementwise over object arrays.
Non-smooth ones (abs, maximum, clip, max) pick their piece at the example
point and note the relation that picks it; non-differentiable ones
(comparisons, argmax, floor) are evaluated there. The gradient helpers that
derivative rules emit are in symbolic_grads.py, written from what
runtime/grads.py computes numerically.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import numpy as np
import sympy

from ..ir.prims import Prim
from .interpreter import SymbolicError, number, shape_of, symbolic_array

MEANINGS: dict[Prim, Callable] = {}


def meaning(*prims: Prim) -> Callable:
    """Register the symbolic meaning of one or more primitives."""

    def register(fn: Callable) -> Callable:
        for prim in prims:
            MEANINGS[prim] = fn
        return fn

    return register


def apply(run, stmt, args: list) -> object:
    """The value of `stmt` (an Assign) applied to argument values."""
    from . import meanings_grads as symbolic_grads  # noqa: F401 - they register meanings too

    fn = MEANINGS.get(stmt.prim)
    if fn is None:
        raise SymbolicError(f"line {stmt.loc.line}: {stmt.prim.name} has no symbolic meaning")
    return fn(run, stmt, *args)


# ------------------------------------------------------------------ values
def sym(x: object) -> object:
    """A value fit for exact arithmetic: ints and numeric arrays become sympy numbers."""
    if isinstance(x, np.ndarray):
        return x if x.dtype == object else symbolic_array(x)
    if isinstance(x, (bool, np.bool_, int, np.integer)):
        return sympy.Integer(int(x))
    return number(x)


def arr(x: object) -> np.ndarray:
    """An array of a value (a number becomes a 0-d object array)."""
    x = sym(x)
    if isinstance(x, np.ndarray):
        return x
    out = np.empty((), dtype=object)
    out[()] = x
    return out


def elementwise(fn: Callable, *args: object) -> object:
    """fn applied element by element (with broadcasting), or once for numbers."""
    args = tuple(sym(a) for a in args)
    if any(isinstance(a, np.ndarray) for a in args):
        return np.frompyfunc(fn, len(args), 1)(*args)
    return fn(*args)


def _plain_int(x: object) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


# -------------------------------------------------------------- arithmetic
LARGE_SUM = 48  # terms: past this, arithmetic on a sum builds unevaluated nodes


def _lazy(x: object) -> bool:
    """Whether x is a sum that evaluated arithmetic would copy at every step.

    sympy flattens and sorts the terms of a sum at each + or number * sum, so a
    loop that accumulates (x = x + dt * v, 100 times) costs quadratic time and
    more; such sums are combined unevaluated instead (an Add holding an Add is
    the mark of one), which the DAG tools of symbolic_dag.py read the same.
    """
    return isinstance(x, sympy.Add) and (len(x.args) > LARGE_SUM or
                                         any(isinstance(a, sympy.Add) for a in x.args))


def _unevaluated(op: Callable) -> Callable:
    def combine(a, b):
        return UNEVALUATED[op](a, b) if _lazy(a) or _lazy(b) else op(a, b)

    return combine


UNEVALUATED = {
    operator.add: lambda a, b: sympy.Add(a, b, evaluate=False),
    operator.sub: lambda a, b: sympy.Add(a, sympy.Mul(-1, b, evaluate=False), evaluate=False),
    operator.mul: lambda a, b: sympy.Mul(a, b, evaluate=False),
    operator.truediv: lambda a, b: sympy.Mul(a, sympy.Pow(b, -1, evaluate=False),
                                             evaluate=False),
    operator.pow: lambda a, b: sympy.Pow(a, b, evaluate=False),
}


def arithmetic(op: Callable, x: object, y: object) -> object:
    """x op y on sympy values (elementwise for arrays), unevaluated for large sums."""
    x, y = sym(x), sym(y)
    if not isinstance(x, np.ndarray) and not isinstance(y, np.ndarray):
        return _unevaluated(op)(x, y)
    return op(x, y) if not any(_lazy(v) for v in (*_flat(x), *_flat(y))) else \
        np.frompyfunc(_unevaluated(op), 2, 1)(x, y)


def _flat(x: object) -> list:
    return list(x.flat) if isinstance(x, np.ndarray) else [x]


def _arith(op: Callable, keep_ints: bool = True) -> Callable:
    def run_op(run, s, x, y):
        if keep_ints and _plain_int(x) and _plain_int(y):
            return op(int(x), int(y))  # index arithmetic stays in Python ints
        return arithmetic(op, x, y)

    return run_op


meaning(Prim.ADD)(_arith(operator.add))
meaning(Prim.SUB)(_arith(operator.sub))
meaning(Prim.MUL)(_arith(operator.mul))
meaning(Prim.DIV)(_arith(operator.truediv, keep_ints=False))
meaning(Prim.POW)(_arith(operator.pow, keep_ints=False))


@meaning(Prim.NEG)
def _neg(run, s, x):
    return -x if _plain_int(x) else arithmetic(operator.mul, -1, x)


@meaning(Prim.POS, Prim.COPY, Prim.CAST_LIKE)
def _same(run, s, x, *rest):
    return x  # a copy in IR is an alias in emitted code (`b = a`), so it stays one here


@meaning(Prim.FLOAT)
def _float(run, s, x):
    if isinstance(x, np.ndarray):
        if x.size != 1:
            raise SymbolicError(f"line {s.loc.line}: float() of an array of {x.size} values")
        return sym(x.reshape(-1)[0])
    return sym(x)


@meaning(Prim.STOP_GRADIENT)
def _stop_gradient(run, s, x):
    return run.as_constant(x, f"stop_gradient at line {s.loc.line}")


_FUNCTIONS = {
    Prim.EXP: sympy.exp, Prim.LOG: sympy.log, Prim.SQRT: sympy.sqrt,
    Prim.LOG1P: lambda x: sympy.log(1 + x), Prim.EXPM1: lambda x: sympy.exp(x) - 1,
    Prim.LOG2: lambda x: sympy.log(x) / sympy.log(2),
    Prim.LOG10: lambda x: sympy.log(x) / sympy.log(10), Prim.SQUARE: lambda x: x ** 2,
    Prim.SIN: sympy.sin, Prim.COS: sympy.cos, Prim.TAN: sympy.tan, Prim.TANH: sympy.tanh,
    Prim.SINH: sympy.sinh, Prim.COSH: sympy.cosh, Prim.ARCSIN: sympy.asin,
    Prim.ARCCOS: sympy.acos, Prim.ARCTAN: sympy.atan, Prim.ARCTAN2: sympy.atan2,
}


LARGE_ARGUMENT = 200  # tree nodes: a function of a larger argument is left unevaluated


def _function(fn: Callable) -> Callable:
    def apply_fn(run, s, *args):
        def one(*values):
            # sympy's automatic simplification of tanh(u), sin(u), ... asks questions about u
            # (is it zero? a multiple of pi*I?) that can take minutes on a large u.
            if any(run.point.dag.size(v) > LARGE_ARGUMENT for v in values
                   if isinstance(v, sympy.Basic)):
                with sympy.evaluate(False):
                    return fn(*values)
            return fn(*values)

        return elementwise(one, *args)

    return apply_fn


for _prim, _fn in _FUNCTIONS.items():
    meaning(_prim)(_function(_fn))


# ------------------------------------------- pieces picked at the point
_RELATIONS = {
    Prim.LT: (operator.lt, sympy.Lt, sympy.Ge), Prim.LE: (operator.le, sympy.Le, sympy.Gt),
    Prim.GT: (operator.gt, sympy.Gt, sympy.Le), Prim.GE: (operator.ge, sympy.Ge, sympy.Lt),
    Prim.EQ: (operator.eq, sympy.Eq, sympy.Ne), Prim.NE: (operator.ne, sympy.Ne, sympy.Eq),
}


def holds(run, prim: Prim, a: object, b: object) -> bool:
    """Whether `a prim b` is true at the point; notes the relation that holds."""
    test, true_rel, false_rel = _RELATIONS[prim]
    truth = bool(test(run.point.evaluate(a), run.point.evaluate(b)))
    if isinstance(a, sympy.Basic) or isinstance(b, sympy.Basic):
        try:
            run.note((true_rel if truth else false_rel)(sym(a), sym(b), evaluate=False))
        except TypeError:  # a relation sympy cannot form (a non-real value): nothing to note
            pass
    return truth


def pairwise(fn: Callable, x: object, y: object) -> object:
    """fn(a, b) over the broadcast elements of x and y; a bool array or one value."""
    if not isinstance(x, np.ndarray) and not isinstance(y, np.ndarray):
        return fn(x, y)
    xs, ys = np.broadcast_arrays(arr(x), arr(y))
    out = np.empty(xs.shape, dtype=object)
    for index in np.ndindex(xs.shape):
        out[index] = fn(xs[index], ys[index])
    return out


def _comparison(prim: Prim) -> Callable:
    def compare(run, s, x, y):
        if not _numeric(x) or not _numeric(y):
            return _RELATIONS[prim][0](x, y)  # dtypes, strings, None: plain Python
        result = pairwise(lambda a, b: holds(run, prim, a, b), x, y)
        return result.astype(bool) if isinstance(result, np.ndarray) else result

    return compare


def _numeric(x: object) -> bool:
    return isinstance(x, (np.ndarray, sympy.Basic, int, float, np.number, bool, np.bool_))


for _prim in _RELATIONS:
    meaning(_prim)(_comparison(_prim))


def sign_at(run, x: object) -> int:
    """The sign of a value at the point, noting the relation that fixes it."""
    value = run.point.evaluate(x)
    sign = (value > 0) - (value < 0)
    if isinstance(x, sympy.Basic):
        relation = sympy.Gt if sign > 0 else sympy.Lt if sign < 0 else sympy.Eq
        run.note(relation(x, 0, evaluate=False))
    return sign


@meaning(Prim.ABS)
def _abs(run, s, x):
    return elementwise(lambda a: sign_at(run, a) * a, x)


@meaning(Prim.SIGN)
def _sign(run, s, x):
    return elementwise(lambda a: sympy.Integer(sign_at(run, a)), x)


@meaning(Prim.MAXIMUM, Prim.MINIMUM)
def _maximum(run, s, x, y):
    first = Prim.GE if s.prim is Prim.MAXIMUM else Prim.LE  # ties go to x, as in the rule
    return pairwise(lambda a, b: sym(a) if holds(run, first, a, b) else sym(b), x, y)


@meaning(Prim.CLIP)
def _clip(run, s, x, lo, hi):
    def piece(a):
        if lo is not None and holds(run, Prim.LT, a, lo):
            return sym(lo)
        if hi is not None and holds(run, Prim.GT, a, hi):
            return sym(hi)
        return sym(a)

    return elementwise(piece, x)


@meaning(Prim.WHERE)
def _where(run, s, cond, x, y):
    mask = truths(run, cond)
    if not any(isinstance(v, np.ndarray) for v in (mask, x, y)):
        return sym(x) if mask else sym(y)
    return np.where(mask, arr(x), arr(y))


def truths(run, value: object) -> object:
    """A condition as bools (a bool array for an array condition)."""
    if isinstance(value, np.ndarray):
        if value.dtype == bool:
            return value
        return np.frompyfunc(lambda v: run.truth(v, None), 1, 1)(value).astype(bool)
    return bool(value) if isinstance(value, (bool, np.bool_)) else run.truth(value, None)


@meaning(Prim.NOT)
def _not(run, s, x):
    mask = truths(run, x)
    return np.logical_not(mask) if isinstance(mask, np.ndarray) else not mask


# -------------------------------------------------------------- reductions
def _axis(s) -> dict:
    return {"axis": s.params.get("axis"), "keepdims": bool(s.params.get("keepdims"))}


@meaning(Prim.SUM)
def _sum(run, s, x):
    return np.sum(sym(x), **_axis(s)) if isinstance(x, np.ndarray) else sym(x)


@meaning(Prim.MEAN)
def _mean(run, s, x):
    if not isinstance(x, np.ndarray):
        return sym(x)
    total = np.sum(sym(x), **_axis(s))
    return total / sympy.Integer(x.size // max(1, int(np.prod(shape_of(total)))))


@meaning(Prim.PROD)
def _prod(run, s, x):
    return np.prod(sym(x), **_axis(s)) if isinstance(x, np.ndarray) else sym(x)


@meaning(Prim.NORM)
def _norm(run, s, x):
    if s.params.get("ord") not in (None, 2) or (s.params.get("ord") == 2 and np.ndim(x) > 1
                                                and s.params.get("axis") is None):
        raise SymbolicError(f"line {s.loc.line}: only the vector 2-norm has a symbolic meaning")
    x = sym(x)
    squares = np.sum(x * x, **_axis(s)) if isinstance(x, np.ndarray) else x * x
    return elementwise(sympy.sqrt, squares)


@meaning(Prim.MAX, Prim.MIN)
def _extreme(run, s, x):
    if not isinstance(x, np.ndarray):
        return sym(x)
    axis, keepdims = s.params.get("axis"), bool(s.params.get("keepdims"))
    if axis is not None and not isinstance(axis, int):
        raise SymbolicError(f"line {s.loc.line}: max/min over several axes has no symbolic meaning")
    moved = (x.reshape(-1) if axis is None else np.moveaxis(x, axis, -1))
    rows = moved.reshape(-1, moved.shape[-1])
    pick = np.argmax if s.prim is Prim.MAX else np.argmin
    relation = Prim.GE if s.prim is Prim.MAX else Prim.LE
    chosen = np.empty(len(rows), dtype=object)
    for r, row in enumerate(rows):
        k = int(pick(run.point.evaluate(row)))
        for j, other in enumerate(row):
            if j != k:
                holds(run, relation, row[k], other)
        chosen[r] = sym(row[k])
    return _reduced_shape(chosen, x, axis, keepdims, moved.shape[:-1])


def _reduced_shape(chosen, x, axis, keepdims, rest):
    if axis is None:
        return chosen[0] if not keepdims else chosen.reshape((1,) * x.ndim)
    out = chosen.reshape(rest)
    if keepdims:
        return np.expand_dims(out, axis)
    return out[()] if out.ndim == 0 else out
