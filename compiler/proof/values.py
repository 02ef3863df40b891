"""The values of the proof interpreter, and the helpers symbolic meanings share.

Values while a symbolic run goes on:
  * a Python number is a sympy expression (a symbol for a parameter being
    differentiated); loop indices and other plain integers stay Python ints;
  * an array is a numpy object array of sympy expressions, shaped like the
    example input it stands for; masks and index arrays stay concrete;
  * tuples, lists and dicts (list adjoints) are themselves.

The meanings of the primitives (agc.primitives, one module per family) build
such values with the helpers here: exact numbers (`number`, `sym`, `arr`),
elementwise application, arithmetic that stays fast on long sums, relations
decided at the example point (`holds`, `sign_at`) and index templates made
into numpy indices (`index_of`).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

import numpy as np
import sympy

from .. import ir
from ..errors import AgcError
from .dag import nesting

# Constants written as floats whose exact meaning sympy should see (1/log(2) in the log2 rule).
# A float within KNOWN_ULPS units in the last place of one is read as it: `1 / math.log(10)`
# is one unit away from the double nearest 1/log(10).
_KNOWN = tuple((c, float(c)) for c in (
    sympy.pi, sympy.E, sympy.log(2), sympy.log(10), 1 / sympy.log(2), 1 / sympy.log(10),
    2 * sympy.pi, sympy.pi / 2, sympy.sqrt(2), 1 / sympy.sqrt(2), sympy.sqrt(sympy.pi)))
_KNOWN += tuple((c, float(c)) for c in (  # issue 13: erf's 2/sqrt(pi), degrees and radians
    2 / sympy.sqrt(sympy.pi), sympy.pi / 180, 180 / sympy.pi,
    1 / sympy.sqrt(2 * sympy.pi), sympy.sqrt(2 * sympy.pi), sympy.sqrt(sympy.pi) / 2))
KNOWN_ULPS = 2


class SymbolicError(AgcError):
    """The symbolic run cannot go on (a value it cannot represent, an endless loop)."""


def number(value: object) -> object:
    """The exact sympy number of a Python constant; ints, bools and non-numbers unchanged."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _exact_float(float(value))
    if isinstance(value, tuple):
        return tuple(number(v) for v in value)
    return value


def _exact_float(value: float) -> sympy.Expr:
    if not math.isfinite(value):
        return sympy.oo if value > 0 else -sympy.oo if value < 0 else sympy.nan
    for known, near in _KNOWN:
        if abs(value - near) <= KNOWN_ULPS * math.ulp(near):
            return known
    return sympy.Rational(repr(value))  # the decimal the user wrote: 0.37 is 37/100


def symbolic_array(values) -> np.ndarray:
    """An object array of exact sympy numbers from a numeric array."""
    values = np.asarray(values)
    out = np.empty(values.shape, dtype=object)
    for index in np.ndindex(values.shape):
        item = values[index]
        out[index] = sympy.Integer(int(item)) if values.dtype.kind in "iub" else number(item)
    return out


def shape_of(value: object) -> tuple:
    """The shape of an array value, () for a number."""
    return value.shape if isinstance(value, np.ndarray) else ()


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


def nested_array(x: object) -> np.ndarray:
    """The array numpy makes of a value: nested lists and tuples are stacked."""
    if isinstance(x, (list, tuple)):
        return np.stack([nested_array(v) for v in x])
    return arr(number(x))


def elementwise(fn: Callable, *args: object) -> object:
    """fn applied element by element (with broadcasting), or once for numbers."""
    args = tuple(sym(a) for a in args)
    if any(isinstance(a, np.ndarray) for a in args):
        return np.frompyfunc(fn, len(args), 1)(*args)
    return fn(*args)


def plain_int(x: object) -> bool:
    """A Python or numpy integer (not a bool)."""
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


# -------------------------------------------------------------- arithmetic
LARGE_SUM = 48  # terms: past this, arithmetic on a sum builds unevaluated nodes
NESTED_FUNCTIONS = 4  # past this many nested functions, arithmetic builds unevaluated nodes


def _lazy(x: object) -> bool:
    """Whether x is a sum that evaluated arithmetic would copy at every step.

    sympy flattens and sorts the terms of a sum at each + or number * sum, so a
    loop that accumulates (x = x + dt * v, 100 times) costs quadratic time and
    more; such sums are combined unevaluated instead (an Add holding an Add is
    the mark of one), which the DAG tools of symbolic_dag.py read the same.
    """
    if isinstance(x, sympy.Add) and (len(x.args) > LARGE_SUM or
                                     any(isinstance(a, sympy.Add) for a in x.args)):
        return True
    return isinstance(x, sympy.Basic) and bool(x.args) and nesting(x) > NESTED_FUNCTIONS


def _times_zero(op: Callable, a: object, b: object) -> bool:
    """Whether `a op b` multiplies a symbolic expression by an exact 0.

    sympy answers 0 there too, but only after asking whether the other factor is
    finite, which walks its whole tree (minutes for a long loop's). The symbols
    are real (finite), so the product is 0; a zero times a number (an infinity
    among them) is left to sympy.
    """
    return op is operator.mul and any(
        x is sympy.S.Zero and isinstance(y, sympy.Expr) and not isinstance(y, sympy.Number)
        for x, y in ((a, b), (b, a)))  # (0 * a tuple is Python's empty tuple)


def _unevaluated(op: Callable) -> Callable:
    def combine(a, b):
        if _times_zero(op, a, b):
            return sympy.S.Zero
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
    return op(x, y) if not any(_lazy(v) or v is sympy.S.Zero for v in (*_flat(x), *_flat(y))) else \
        np.frompyfunc(_unevaluated(op), 2, 1)(x, y)


def _flat(x: object) -> list:
    return list(x.flat) if isinstance(x, np.ndarray) else [x]


# ------------------------------------------- relations decided at the point
# A comparison's operator text: (Python test, sympy relation when true, when false).
RELATIONS = {
    "<": (operator.lt, sympy.Lt, sympy.Ge), "<=": (operator.le, sympy.Le, sympy.Gt),
    ">": (operator.gt, sympy.Gt, sympy.Le), ">=": (operator.ge, sympy.Ge, sympy.Lt),
    "==": (operator.eq, sympy.Eq, sympy.Ne), "!=": (operator.ne, sympy.Ne, sympy.Eq),
}


def holds(run, op: str, a: object, b: object) -> bool:
    """Whether `a op b` is true at the point; notes the relation that holds."""
    test, true_rel, false_rel = RELATIONS[op]
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


def sign_at(run, x: object) -> int:
    """The sign of a value at the point, noting the relation that fixes it."""
    value = run.point.evaluate(x)
    sign = (value > 0) - (value < 0)
    if isinstance(x, sympy.Basic):
        relation = sympy.Gt if sign > 0 else sympy.Lt if sign < 0 else sympy.Eq
        run.note(relation(x, 0, evaluate=False))
    return sign


def truths(run, value: object) -> object:
    """A condition as bools (a bool array for an array condition)."""
    if isinstance(value, np.ndarray):
        if value.dtype == bool:
            return value
        return np.frompyfunc(lambda v: run.truth(v, None), 1, 1)(value).astype(bool)
    return bool(value) if isinstance(value, (bool, np.bool_)) else run.truth(value, None)


def single_value(s, x, what: str):
    """The one value of an array of one item (float(x), bool(x)); x itself if not an array."""
    if not isinstance(x, np.ndarray):
        return x
    if x.size != 1:
        raise SymbolicError(f"line {s.loc.line}: {what} of an array of {x.size} values")
    return x.reshape(-1)[0]


def at_point(run, s, x, what: str):
    """A value evaluated at the point (as a float array or float), noted if it was symbolic."""
    if run.symbolic(x):
        run.path.constant(f"{what} at line {s.loc.line}")
    return run.point.evaluate(x)


# ---------------------------------------------------------------- indexing
def index_of(run, template: ir.Index, hole) -> object:
    """The Python index of an index template; `hole(p)` is the value at position p."""
    parts: list = []
    for item in template.items:
        if isinstance(item, ir.Slice):
            parts.append(slice(*(None if p is None else index_value(run, hole(p))
                                 for p in (item.lower, item.upper, item.step))))
        elif isinstance(item, ir.NewAxis):
            parts.append(None)
        elif isinstance(item, ir.Ellipsis_):
            parts.append(Ellipsis)
        else:
            parts.append(index_value(run, hole(item.pos)))
    return tuple(parts) if template.tuple_form else parts[0]


def index_value(run, value: object) -> object:
    """An index as numpy wants it: ints, int or bool arrays, slices, keys."""
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return np.array([run.integer(v) for v in value.flat], dtype=int).reshape(value.shape)
        return value
    if isinstance(value, tuple):
        return tuple(index_value(run, v) for v in value)
    if isinstance(value, (sympy.Basic, np.integer)) and not isinstance(value, np.bool_):
        return run.integer(value)
    return value


def shape_value(run, shape: object) -> object:
    """A shape argument (a tuple or one number) as Python ints."""
    if isinstance(shape, tuple):
        return tuple(run.integer(n) for n in shape)
    return run.integer(shape)


def filled(shape, value) -> np.ndarray:
    """An object array of `shape` holding the exact `value` everywhere."""
    out = np.empty(shape, dtype=object)
    out.fill(sym(value))
    return out
