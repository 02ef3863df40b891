"""Symbolic meanings of shape, indexing, linear-algebra, container and constant primitives.

Arrays are numpy object arrays of sympy expressions, so numpy itself does
the reshaping, indexing and matrix products; values that are not
differentiable (argmax, floor, shapes) are evaluated at the example point.
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from .. import ir
from ..ir.prims import Prim
from .interpreter import SymbolicError, number, shape_of, symbolic_array
from .meanings import arr, meaning, sym


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


@meaning(Prim.GETITEM)
def _getitem(run, s, x, *holes):
    args = (x, *holes)
    index = index_of(run, s.params.get("index"), lambda p: args[p])
    item = x[index]
    return item if isinstance(x, np.ndarray) or not isinstance(item, float) else number(item)


@meaning(Prim.SETITEM)
def _setitem(run, s, y, value, *holes):
    args = (y, value, *holes)
    index = index_of(run, s.params.get("index"), lambda p: args[p])
    if isinstance(y, np.ndarray) and y.dtype != object and run.symbolic(value):
        raise SymbolicError(f"line {s.loc.line}: a symbolic value written into a "
                            f"{y.dtype} array")
    y[index] = sym(value) if isinstance(y, np.ndarray) and y.dtype == object else value
    return y


# ------------------------------------------------------------------- shape
@meaning(Prim.TRANSPOSE)
def _transpose(run, s, x):
    return np.transpose(x, s.params.get("axes")) if isinstance(x, np.ndarray) else x


def _shape_value(run, shape: object) -> object:
    if isinstance(shape, tuple):
        return tuple(run.integer(n) for n in shape)
    return run.integer(shape)


@meaning(Prim.RESHAPE)
def _reshape(run, s, x, shape):
    return np.reshape(arr(x) if not isinstance(x, np.ndarray) else x, _shape_value(run, shape))


@meaning(Prim.EXPAND_DIMS)
def _expand_dims(run, s, x):
    return np.expand_dims(arr(x), s.params.get("axis"))


@meaning(Prim.SQUEEZE)
def _squeeze(run, s, x):
    return np.squeeze(arr(x), s.params.get("axis"))


@meaning(Prim.BROADCAST_TO)
def _broadcast_to(run, s, x, shape):
    return np.array(np.broadcast_to(arr(x), _shape_value(run, shape)))


@meaning(Prim.CONCATENATE)
def _concatenate(run, s, *xs):
    parts = [arr(x) for x in xs]
    if s.params.get("hstack"):
        return np.hstack(parts)
    if s.params.get("vstack"):
        return np.vstack(parts)
    return np.concatenate(parts, axis=s.params.get("axis", 0))


@meaning(Prim.STACK)
def _stack(run, s, *xs):
    return np.stack([arr(x) for x in xs], axis=s.params.get("axis", 0))


@meaning(Prim.STACK_LIST)
def _stack_list(run, s, items):
    return np.stack([arr(x) for x in items], axis=s.params.get("axis", 0))


@meaning(Prim.ASARRAY)
def _asarray(run, s, x):
    if isinstance(x, (list, tuple)):
        return np.stack([arr(v) for v in x])
    return x if isinstance(x, np.ndarray) else arr(x)


# ---------------------------------------------------------- linear algebra
@meaning(Prim.MATMUL)
def _matmul(run, s, x, y):
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        raise SymbolicError(f"line {s.loc.line}: matmul of a scalar (numpy rejects it too)")
    return np.matmul(sym(x), sym(y))


@meaning(Prim.DOT)
def _dot(run, s, x, y):
    return np.dot(sym(x), sym(y))


@meaning(Prim.OUTER)
def _outer(run, s, x, y):
    return np.outer(sym(x), sym(y))


# ------------------------------------------------------------- containers
@meaning(Prim.TUPLE)
def _tuple(run, s, *items):
    return tuple(items)


@meaning(Prim.LIST)
def _list(run, s, *items):
    return list(items)


@meaning(Prim.APPEND)
def _append(run, s, lst, value):
    lst.append(value)  # in place, like emitted code: the target is the list itself
    return lst


@meaning(Prim.LIST_POP)
def _list_pop(run, s, lst):
    lst.pop()
    return lst


@meaning(Prim.COPY_OF)
def _copy_of(run, s, x):
    return x.copy() if isinstance(x, (np.ndarray, list, dict)) else x


# ------------------------------------------------ shapes, sizes, constants
@meaning(Prim.SHAPE)
def _shape(run, s, x):
    return shape_of(x)


@meaning(Prim.NDIM)
def _ndim(run, s, x):
    return len(shape_of(x))


@meaning(Prim.SIZE)
def _size(run, s, x):
    return int(np.prod(shape_of(x)))


@meaning(Prim.LEN)
def _len(run, s, x):
    return len(x)


@meaning(Prim.DTYPE)
def _dtype(run, s, x):
    dtype = getattr(x, "dtype", None)
    return np.dtype(float) if dtype is None or dtype == object else dtype


def _at_point(run, s, x, what: str):
    """A value evaluated at the point (as a float array or float), noted if it was symbolic."""
    if run.symbolic(x):
        run.path.constant(f"{what} at line {s.loc.line}")
    return run.point.evaluate(x)


@meaning(Prim.INT)
def _int(run, s, x):
    return int(_at_point(run, s, x, "int()"))


def _rounding(fn, what: str):
    def rounded(run, s, x, *rest):
        value = _at_point(run, s, x, what)
        if isinstance(value, np.ndarray):
            return symbolic_array(np.vectorize(fn)(value).astype(float))
        return number(float(fn(value)))

    return rounded


meaning(Prim.FLOOR)(_rounding(math.floor, "floor()"))
meaning(Prim.CEIL)(_rounding(math.ceil, "ceil()"))
meaning(Prim.ROUND)(_rounding(round, "round()"))


def _integer_op(fn):
    def integer_op(run, s, x, y):
        a, b = _at_point(run, s, x, fn.__name__), _at_point(run, s, y, fn.__name__)
        value = fn(a, b)
        return value if isinstance(value, (int, np.integer)) else number(value)

    return integer_op


meaning(Prim.FLOORDIV)(_integer_op(lambda a, b: a // b))
meaning(Prim.MOD)(_integer_op(lambda a, b: a % b))


@meaning(Prim.ARGMAX, Prim.ARGMIN)
def _argmax(run, s, x):
    pick = np.argmax if s.prim is Prim.ARGMAX else np.argmin
    found = pick(_at_point(run, s, x, s.prim.name.lower()), axis=s.params.get("axis"))
    return int(found) if np.ndim(found) == 0 else found


@meaning(Prim.ISNAN, Prim.ISFINITE)
def _isnan(run, s, x):
    test = np.isnan if s.prim is Prim.ISNAN else np.isfinite
    value = test(np.asarray(run.point.evaluate(x), dtype=float))
    return bool(value) if value.ndim == 0 else value


@meaning(Prim.ASTYPE)
def _astype(run, s, x, dtype):
    kind = np.dtype(dtype).kind
    if kind in "iub":
        return np.asarray(_at_point(run, s, x, "astype")).astype(dtype)
    return x


def _filled(shape, value) -> np.ndarray:
    out = np.empty(shape, dtype=object)
    out.fill(sym(value))
    return out


@meaning(Prim.ZEROS, Prim.ONES)
def _zeros(run, s, shape, *dtype):
    return _filled(_shape_value(run, shape), 0 if s.prim is Prim.ZEROS else 1)


@meaning(Prim.ZEROS_LIKE, Prim.ONES_LIKE)
def _zeros_like(run, s, x):
    return _filled(shape_of(x), 0 if s.prim is Prim.ZEROS_LIKE else 1)


@meaning(Prim.FULL)
def _full(run, s, shape, value, *dtype):
    return _filled(_shape_value(run, shape), value)


@meaning(Prim.EYE)
def _eye(run, s, n, *dtype):
    return symbolic_array(np.eye(run.integer(n), dtype=int))


@meaning(Prim.ARANGE)
def _arange(run, s, *args):
    values = [run.point.evaluate(a) for a in args if a is not None]
    out = np.arange(*values)
    return out if out.dtype.kind in "iu" else symbolic_array(out)


@meaning(Prim.LINSPACE)
def _linspace(run, s, start, stop, num):
    n = run.integer(num)
    step = (sym(stop) - sym(start)) / max(1, n - 1)
    return np.array([sym(start) + i * step for i in range(n)], dtype=object)
