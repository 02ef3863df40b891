"""The runtime helpers of the numba target, as functions numba compiles in nopython mode.

Code emitted for `target="numba"` imports this module as `nb` instead of calling
`agc.runtime` (`rt`): each helper here mirrors the numpy one of the same name
(cotangents.py, grads.py) for the types the numba target claims (numbers and
float arrays of fixed rank), picked at compile time by `numba.extending.overload`,
so a call costs what a hand-written loop costs. Only emitted code imports this
module: it needs numba, which agc leaves optional.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types
from numba.extending import overload

from .numba_matmul import (  # noqa: F401  (emitted code calls them as nb.NAME)
    accumulate,
    add_matmul_grad_left,
    matmul,
    matmul_grad_left,
    matmul_grad_right,
    outer,
)
from .numba_matmul import is_array as _is_array
from .numba_more import (  # noqa: F401  (emitted code calls them as nb.NAME)
    check_iterable,
    check_positive,
    check_tolist,
    check_unpack,
    copy_of,
    cumprod_grad,
    item,
    length,
    quantile_grad,
)
from .numba_stack import pop, push, restore_at, stack, stacks  # noqa: F401  (the tape)

# The stubs below are what emitted code names; numba replaces each call by the
# implementation its overload picks for the argument types.


def seed(out, given=None):
    """The starting adjoint of the output: `given`, or one for a scalar output."""


def unbroadcast(g, x):
    """Sum the cotangent `g` back to the shape of `x` (undo numpy broadcasting)."""


def sum_grad(g, x, axis=None, keepdims=False):
    """Cotangent of x for y = sum(x, axis): g spread back over the summed axis."""


def mean_grad(g, x, axis=None, keepdims=False):
    """Cotangent of x for y = mean(x, axis): g shared equally over the averaged entries."""


def kept_shape(x):
    """What the tape keeps of a value read only for its shape (unbroadcast's second
    argument): an array's shape tuple; `()` for a number (its type says all unbroadcast
    needs, so a loop's tape of numbers holds nothing); a 0-d array itself."""


def zeros_like(x):
    """A zero of the same kind as `x`: 0.0 for a number, float zeros for an array."""


def cast_like(g, x):
    """g in the dtype of x (a gradient takes its parameter's dtype)."""


def scalar_cast(x, dtype):
    """np.float32(x), np.int64(x): a number cast, or an array in that dtype."""


def reshape_like(g, x):
    """g reshaped to the shape of x (undoes reshape)."""


def abs_grad(g, x):
    """Cotangent of x for y = abs(x): g * sign(x)."""


def relu(x):
    """max(x, 0), 0 at a NaN (agc.nn.relu)."""


def relu_grad(g, y):
    """Cotangent of x for y = relu(x): g where y > 0, else 0."""


def getitem_grad(g, x, index):
    """Cotangent of x for y = x[index] (integers and slices): g written into zeros."""


def add_at(acc, g, x, index):
    """acc[index] += g (integers and slices), in place; returns acc."""


@numba.njit(cache=True)
def restore(values, current):
    """Undo one write of a variable whose stack holds its values after each write
    (backend/numba_tape.py): drop the newest, return the one before it (`current` when
    the stack is empty: the variable was unbound before its first write, never read)."""
    values.pop()
    return values[-1] if len(values) else current


def _absent(t) -> bool:
    """An optional argument left out or given as None."""
    return t is None or isinstance(t, (types.NoneType, types.Omitted))


def _one_of(t):
    """1 in the floating type of a scalar output (numpy's float32 stays float32)."""
    return np.float32(1) if t == types.float32 else 1.0


@overload(seed)
def _seed(out, given=None):
    if _absent(given):
        if _is_array(out):
            def ones(out, given=None):
                if out.size != 1:
                    raise ValueError("grad needs a scalar output; use vjp(..., seed=v)")
                return np.ones_like(out)
            return ones
        one = _one_of(out)
        return lambda out, given=None: one
    if _is_array(out):
        def checked(out, given=None):
            if given.shape != out.shape:
                raise ValueError("seed has another shape than the output")
            return given
        return checked
    return lambda out, given=None: given


@numba.njit(cache=True)
def _flat_position(coords, shape, nd, offset):
    """The C-order position in an array of `shape` (nd axes) of the coordinates
    `coords[offset:]`, a coordinate clamped to 0 on an axis of length 1."""
    k = 0
    for d in range(nd):
        k = k * shape[d] + (0 if shape[d] == 1 else coords[offset + d])
    return k


def _is_shape(t) -> bool:
    """A kept shape (kept_shape of an array or a number): a tuple of integers, empty
    for a number; the numba target passes no other tuple to unbroadcast."""
    return isinstance(t, types.BaseTuple) and all(isinstance(i, types.Integer) for i in t)


@overload(unbroadcast)
def _unbroadcast(g, x):
    if _is_shape(x) and len(x):
        return _unbroadcast_to_shape(g, len(x))
    if not _is_array(x):  # a number, or the kept shape () of one
        if _is_array(g):
            return lambda g, x: g.sum()
        return lambda g, x: g
    if not _is_array(g):
        return lambda g, x: np.full(x.shape, g)
    extra = g.ndim - x.ndim

    def same_rank(g, x):
        if g.shape == x.shape:
            return np.asarray(g)
        return _summed(g, x, 0)
    if extra == 0:
        return same_rank
    return (lambda g, x: _summed(g, x, extra)) if extra > 0 else None


def _unbroadcast_to_shape(g, ndim: int):
    """unbroadcast's implementation for a kept shape of `ndim` axes."""
    if not _is_array(g):
        return lambda g, x: np.full(x, g)
    extra = g.ndim - ndim
    if extra < 0:
        return None

    def to_shape(g, x):
        if extra == 0 and g.shape == x:
            return np.asarray(g)
        return _summed_to(g, x, ndim, extra)
    return to_shape


@numba.njit(cache=True)
def _summed(g, x, extra):
    """g summed to x's shape: over its `extra` leading axes and x's axes of length 1."""
    return _summed_to(g, x.shape, x.ndim, extra)


@numba.njit(cache=True)
def _summed_to(g, shape, ndim, extra):
    """g summed to `shape` (ndim axes): over its `extra` leading axes and the axes of
    length 1; spread along an axis where g has length 1 and the shape more (a sum's
    cotangent left unspread, times the other factor of a product)."""
    out = np.zeros(shape, g.dtype)
    flat = out.reshape(-1)
    for index in np.ndindex(g.shape):
        flat[_flat_position(index, shape, ndim, extra)] += g[index]
    spread = False
    for d in range(ndim):
        if g.shape[extra + d] == 1 and shape[d] != 1:
            spread = True
    if spread:  # copy from the position with 0 on those axes (written above, never after)
        for index in np.ndindex(shape):
            k = 0
            for d in range(ndim):
                k = k * shape[d] + (0 if g.shape[extra + d] == 1 else index[d])
            flat[_flat_position(index, shape, ndim, 0)] = flat[k]
    return out


def _spread(g, x, axis, scale):
    """x-shaped copy of g * scale, g being x reduced over `axis` (None: over all)."""


@overload(_spread)
def _spread_impl(g, x, axis, scale):
    if not _is_array(g):  # a number spread: in x's float dtype, as numpy's sum_grad fills
        if isinstance(x.dtype, types.Float):
            return lambda g, x, axis, scale: np.full(x.shape, g * scale, x.dtype)
        return lambda g, x, axis, scale: np.full(x.shape, g * scale)

    if g.ndim == 0:  # numba's np.where on numbers gives a 0-d array: one number
        return lambda g, x, axis, scale: np.full(x.shape, g[()] * scale, x.dtype)

    def spread(g, x, axis, scale):
        out = np.empty(x.shape, g.dtype)
        for index in np.ndindex(x.shape):
            k = 0
            for d in range(x.ndim):
                if d != axis:
                    k = k * x.shape[d] + index[d]
            out[index] = g.flat[k] * scale
        return out
    return spread


# keepdims needs nothing: a kept axis has length 1, so it adds nothing to g's position.
@overload(sum_grad)
def _sum_grad(g, x, axis=None, keepdims=False):
    if not _is_array(x):
        return lambda g, x, axis=None, keepdims=False: g
    if _absent(axis):
        return lambda g, x, axis=None, keepdims=False: _spread(g, x, -1, 1.0)
    return lambda g, x, axis=None, keepdims=False: _spread(g, x, axis % x.ndim, 1.0)


@overload(mean_grad)
def _mean_grad(g, x, axis=None, keepdims=False):
    if not _is_array(x):
        return lambda g, x, axis=None, keepdims=False: g
    if _absent(axis):
        return lambda g, x, axis=None, keepdims=False: _spread(g, x, -1, 1.0 / max(1, x.size))
    return lambda g, x, axis=None, keepdims=False: _spread(
        g, x, axis % x.ndim, 1.0 / max(1, x.shape[axis % x.ndim]))


@overload(kept_shape)
def _kept_shape(x):
    if _is_array(x):
        return (lambda x: x.shape) if x.ndim else (lambda x: x)
    return lambda x: ()


@overload(zeros_like)
def _zeros_like(x):
    if _is_array(x):
        if isinstance(x.dtype, types.Float):
            return lambda x: np.zeros_like(x)
        return lambda x: np.zeros(x.shape)
    return lambda x: 0.0


@overload(cast_like)
def _cast_like(g, x):
    if _is_array(x) and _is_array(g) and g.dtype != x.dtype:
        dtype = x.dtype
        return lambda g, x: g.astype(dtype)
    return lambda g, x: g


@overload(scalar_cast)
def _scalar_cast(x, dtype):
    if _is_array(x):
        return lambda x, dtype: np.asarray(x, dtype=dtype)
    return lambda x, dtype: dtype(x)


@overload(reshape_like)
def _reshape_like(g, x):
    if _is_array(x):
        return lambda g, x: np.ascontiguousarray(g).reshape(x.shape)
    if _is_array(g):
        return lambda g, x: g.sum()
    return lambda g, x: g


@overload(relu)
def _relu(x):
    if _is_array(x):
        return lambda x: np.where(x > 0, x, 0.0)
    return lambda x: x if x > 0 else 0.0


@overload(relu_grad)
def _relu_grad(g, y):
    if _is_array(y) or _is_array(g):
        return lambda g, y: np.where(y > 0, g, 0.0)
    return lambda g, y: g if y > 0 else 0.0


@overload(abs_grad)
def _abs_grad(g, x):
    if _is_array(x):
        return lambda g, x: g * np.sign(x)
    return lambda g, x: g if x > 0 else (-g if x < 0 else 0 * g)


def _basic(index) -> bool:
    """An index of integers and slices: each position is written once."""
    items = index.types if isinstance(index, types.BaseTuple) else (index,)
    return all(isinstance(i, (types.Integer, types.SliceType, types.EllipsisType)) for i in items)


@overload(getitem_grad)
def _getitem_grad(g, x, index):
    if _is_array(x) and _basic(index):
        def scatter(g, x, index):
            out = np.zeros(x.shape, x.dtype)
            out[index] = g
            return out
        return scatter
    return None


@overload(add_at)
def _add_at(acc, g, x, index):
    if _is_array(acc) and _basic(index):
        def accumulate(acc, g, x, index):
            acc[index] += g
            return acc
        return accumulate
    return None


def in_place(value, out, ufunc=None):
    """What `out op= v` leaves in the array out: numpy writes `value` into out's memory, so
    out keeps its dtype and shape; numpy raises where the value does not fit."""


@overload(in_place)
def _in_place(value, out, ufunc=None):
    if not _is_array(out):
        return lambda value, out, ufunc=None: value
    if not _is_array(value) or value.ndim != out.ndim:
        def misfit(value, out, ufunc=None):
            raise ValueError("non-broadcastable output operand")
        return misfit
    if not np.can_cast(np.dtype(str(value.dtype)), np.dtype(str(out.dtype)), "same_kind"):
        def uncastable(value, out, ufunc=None):
            raise TypeError("Cannot cast ufunc output with casting rule 'same_kind'")
        return uncastable
    dtype, same = out.dtype, value.dtype == out.dtype

    def kept(value, out, ufunc=None):
        if value.shape != out.shape:
            raise ValueError("non-broadcastable output operand")
        return value if same else value.astype(dtype)
    return kept
