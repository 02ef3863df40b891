"""Cotangents as values: the seed, zeros of a value's kind, sums, shapes.

`seed` starts a backward sweep; `zeros_like` is the zero cotangent of a value
(sparse for lists and dicts: only the positions that received something);
`add` sums cotangents item by item and key by key; `complete_like` fills in
the zeros of a sparse one; `unbroadcast` sums one back to its input's shape, which
`kept_shape` keeps when a loop's adjoint reads an array for its shape alone.
Emitted code calls them as `rt.seed`, `rt.add`, ...; grads.py uses them too.
"""

from __future__ import annotations

import functools
import math

import numpy

from . import arrays as _arrays
from .batched import Batched, NotBatchable
from .dispatch import array_module


class Shape(tuple):
    """An array's shape, kept on the tape instead of the array when the backward sweep
    reads only its shape: `unbroadcast(g, kept_shape(x))` is `unbroadcast(g, x)`."""

    __slots__ = ()

    @property
    def shape(self):
        """The shape itself: a Shape stands in for its array in `unbroadcast`."""
        return self


def kept_shape(x):
    """What `unbroadcast` needs of `x`: its shape for an array, else `x` itself (a number)."""
    shape = getattr(x, "shape", None)
    return x if shape is None else _shape(shape)


@functools.lru_cache(maxsize=256)
def _shape(shape: tuple) -> Shape:
    # One object per shape: a loop's tape then holds references, not a tuple per trip.
    return Shape(shape)


def kept_like(x):
    """What `getitem_grad` reads of `x`: a stand-in with x's shape, dtype and items that
    holds no array (one zero seen through every index); a tuple or list item by item."""
    if isinstance(x, (tuple, list)):
        return type(x)(kept_like(item) for item in x)
    shape = getattr(x, "shape", None)
    if shape is None or isinstance(x, dict):
        return x  # a number, or a dict (whose getitem_grad reads nothing of it)
    if type(x) is numpy.ndarray:
        return _numpy_stand_in(shape, x.dtype)
    xp = array_module(x)
    return xp.broadcast_to(xp.zeros((), dtype=x.dtype), shape)


@functools.lru_cache(maxsize=256)
def _numpy_stand_in(shape: tuple, dtype) -> numpy.ndarray:
    # One read-only view per shape and dtype: numpy's broadcast_to costs microseconds,
    # and a helper called in a loop takes a stand-in per argument and trip.
    return numpy.broadcast_to(numpy.zeros((), dtype=dtype), shape)


_SEQUENCE_OPERAND = (
    "an operand of this arithmetic is a list or tuple that agc took for an array or a number "
    "(a helper's parameter or result, or a list's item): `+` joins lists and tuples, numpy "
    "converts one next to an array, and agc cannot tell which happened here. Pass an array "
    "(np.asarray(...)) for arithmetic, or join the lists where they are made.")


def unbroadcast(g, x):
    """Sum the cotangent `g` back to the shape of `x` (undo numpy broadcasting)."""
    if type(g) is numpy.ndarray:  # the common cases first, by exact type: no getattr
        kind = type(x)
        if kind is Shape:  # a loop's taped shape (a tuple: compared as it is)
            if g.shape == x:
                return g
        elif kind is numpy.ndarray:
            if g.shape == x.shape:
                return g
        elif kind in _NUMBERS and g.ndim:  # a number's cotangent: the sum of g's items
            return g.sum()
    shape = getattr(x, "shape", None)
    g_shape = getattr(g, "shape", ())
    if not shape:  # x is a number (or 0-d): its cotangent is one number (kept on g's device)
        if shape is None and isinstance(x, (list, tuple)):
            raise TypeError(_SEQUENCE_OPERAND)
        if not g_shape:
            return g
        return g.sum() if type(g) is numpy.ndarray else array_module(g).sum(g)
    if g_shape == shape:
        return g
    xp = array_module(g) if type(x) is Shape else array_module(g, x)
    extra = len(g_shape) - len(shape)
    if extra > 0:
        g = xp.sum(g, axis=tuple(range(extra)))
    elif extra < 0:  # fewer axes than x: numpy aligns them on the right
        g = xp.reshape(g, (1,) * -extra + tuple(g_shape))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes == (g.ndim - 1,) and type(g) is numpy.ndarray and g.shape[-1] < 8 \
            and g.dtype in _COLUMN_SUMMED:
        g = _sum_last_columns(g)
    elif axes:
        g = xp.sum(g, axis=axes, keepdims=True)
    if g.shape != shape:  # g was smaller (a scalar cotangent of a broadcast input)
        g = xp.broadcast_to(g, shape)
    return g


# a number's types, whose cotangent from an array is the array's sum
_NUMBERS = frozenset({float, int, bool, numpy.float64, numpy.float32})

# numpy sums a short last axis row by row, a call of its inner loop per row (40 us for
# 2000 rows of 3); adding the columns takes a pass per column instead.
_COLUMN_SUMMED = (numpy.dtype(numpy.float64), numpy.dtype(numpy.float32))


def _sum_last_columns(g):
    """numpy.sum(g, axis=-1, keepdims=True) for a last axis of 2 to 7 float items, with
    numpy's very bits: below 8 items numpy adds them left to right, starting from 0.0
    (so a row of -0.0 sums to 0.0: the `+= 0.0` at the end)."""
    out = g[..., 0:1] + g[..., 1:2]
    for k in range(2, g.shape[-1]):
        out += g[..., k:k + 1]
    out += 0.0
    return out


def zeros_like(x):
    """A zero of the same kind as `x`: 0.0 for numbers, zeros for arrays, per item for tuples."""
    if type(x) is numpy.ndarray and x.dtype.kind in "fc":  # the common case, kept short
        return numpy.zeros(x.shape, x.dtype)
    if isinstance(x, tuple):
        return tuple(zeros_like(item) for item in x)
    if isinstance(x, (dict, list)):
        return {}  # dict and list adjoints hold only the positions that received something
    if hasattr(x, "shape"):
        xp = array_module(x)
        if not _arrays.is_inexact(x.dtype, xp):  # integers get no gradient: float zeros
            return xp.zeros(x.shape)
        return xp.zeros_like(x)
    return 0.0


def zero_stand_in(x):
    """zeros_like(x) holding no array where x is a numpy array: a read-only view of one
    zero (the cotangent of a tuple's items that got none; `add` skips it)."""
    if isinstance(x, tuple):
        return tuple(zero_stand_in(item) for item in x)
    if type(x) is not numpy.ndarray or not x.ndim:
        return zeros_like(x)
    dtype = x.dtype if _arrays.is_inexact(x.dtype, numpy) else numpy.dtype(numpy.float64)
    return _numpy_stand_in(x.shape, dtype)


def _is_stand_in(a) -> bool:
    """Whether the numpy array `a` is zero_stand_in's: every element the one zero."""
    return not any(a.strides) and not a.flags.writeable and a.size > 0 and a.flat[0] == 0


def seeds_for(out, seeds=None):
    """The output adjoints of a Jacobian's rows: `seeds` as given, or one per element of
    `out` in C order (a one-hot array of out's float dtype each; 1.0 for a number);
    for seeds="batch", all of those at once as one `Batched` (a numpy array `out` only)."""
    if isinstance(out, (list, tuple)):  # a list or tuple output: numpy's array of its items
        out = numpy.asarray(out)
    if isinstance(seeds, str) and seeds == "batch":
        yield _one_hots(out)
        return
    if seeds is not None:
        yield from seeds
        return
    shape = getattr(out, "shape", ())
    if shape == ():
        yield 1.0
        return
    dtype = out.dtype if _arrays.is_inexact(out.dtype, array_module(out)) else numpy.float64
    for index in numpy.ndindex(shape):
        one_hot = array_module(out).zeros(shape, dtype=dtype)
        one_hot[index] = 1.0
        yield one_hot


def _one_hots(out) -> Batched:
    """Every one-hot seed of `out` (a numpy array of two elements or more) as one batch."""
    if type(out) is not numpy.ndarray or out.size < 2:
        raise NotBatchable("a batch of seeds needs a numpy array output of 2 elements or more")
    dtype = out.dtype if _arrays.is_inexact(out.dtype, numpy) else numpy.float64
    return Batched(numpy.eye(out.size, dtype=dtype).reshape((out.size,) + out.shape))


def seed(out, given=None):
    """The starting adjoint of a function's output: `given`, or one for a scalar output."""
    if given is None and type(out) in _ONE_OF_TYPE:  # the common case, kept fast
        return _ONE_OF_TYPE[type(out)]
    if type(out) is list:  # a list's adjoint is sparse: {position: cotangent}
        return _list_seed(out, given)
    if given is not None:
        return check_seed(out, given)
    shape = getattr(out, "shape", ())
    if shape != () and math.prod(shape) != 1:
        raise ValueError(f"grad needs a scalar output, but the output has shape {shape}; "
                         "use vjp(..., seed=v) (PyTorch's backward(gradient=v)) or jacobian")
    if hasattr(out, "dtype"):
        if type(out).__module__.startswith("dask."):  # a lazy loss: a number spreads in x's chunks
            return out.dtype.type(1)
        return array_module(out).ones_like(out)
    return 1.0


def _list_seed(out, given):
    """The adjoint of a list output: `given` (a list of its items' seeds, or an array
    whose rows are), as the list's sparse adjoint; grad of a list raises (not a scalar)."""
    if given is None:
        raise ValueError(f"grad needs a scalar output, but the output is a list of {len(out)} "
                         "items; use vjp(..., seed=[...]) or jacobian")
    if not isinstance(given, (list, tuple)):  # an array's rows (jacrev's one-hot seeds)
        return given
    if len(given) != len(out):
        raise ValueError(f"seed has {len(given)} items, the output list has {len(out)}")
    return dict(enumerate(given))


def check_seed(out, given):
    """`given`, the seed of a VJP of `out`, after checking it has out's shape."""
    if getattr(given, "shape", ()) != getattr(out, "shape", ()) and hasattr(out, "shape"):
        raise ValueError(f"seed has shape {getattr(given, 'shape', ())}, "
                         f"the output has shape {out.shape}")
    return given


# One, in the type of a scalar output: Python floats and numpy's floating scalars.
_ONE_OF_TYPE = {kind: kind(1) for kind in (float, numpy.float64, numpy.float32, numpy.float16)}


IN_PLACE_SIZE = 4096  # elements: below this rt.accumulate makes the new array numpy makes


def accumulate(acc, term):
    """acc + term, added into acc itself where that makes the same array: acc a writeable
    numpy array of the sum's shape and dtype, term a numpy array or number. The compiler
    emits this only for an adjoint no other name holds (backend/in_place.py), so nothing
    sees the array change; a cotangent then costs no new array per term."""
    if type(acc) is not numpy.ndarray or acc.size < IN_PLACE_SIZE or not acc.ndim:
        return acc + term  # (a small array costs no more to make than to add into)
    kind = type(term)
    if kind is numpy.ndarray and term.shape == acc.shape and term.dtype == acc.dtype or \
            kind is float and acc.dtype.kind in "fc" or _adds_into(acc, term):
        try:
            acc += term
        except ValueError:  # a read-only array (a broadcast view, a zero stand-in)
            return acc + term
        return acc
    return acc + term


def _adds_into(acc, term) -> bool:
    """Whether acc + term (a numpy array or number) has acc's shape and dtype."""
    return (type(term) is numpy.ndarray or isinstance(term, (float, int, numpy.generic))) and \
        numpy.result_type(acc, term) == acc.dtype and \
        numpy.broadcast_shapes(acc.shape, numpy.shape(term)) == acc.shape


def add(a, b):
    """a + b for adjoints: tuples and lists item by item, dicts key by key."""
    if type(a) is numpy.ndarray and type(b) is numpy.ndarray:  # the common case first
        if a.shape == b.shape and a.dtype == b.dtype and a.ndim:
            # a zero that was never made: no pass over b (a stand-in's strides are all
            # zero, so an array whose last stride is not is none: one tuple read)
            if not a.strides[-1] and _is_stand_in(a):
                return b
            if not b.strides[-1] and _is_stand_in(b):
                return a
        return a + b
    if isinstance(b, dict) and not isinstance(a, dict):
        a, b = b, a
    if isinstance(a, dict):
        if isinstance(b, (list, tuple)):
            b = dict(enumerate(b))
        merged = dict(a)
        for key, value in b.items():
            merged[key] = add(merged[key], value) if key in merged else value
        return merged
    if isinstance(a, (tuple, list)):
        return type(a)([add(x, y) for x, y in zip(a, b)])
    return a + b


def complete_like(grad, like, zeros=None):
    """A gradient with the structure of `like`: keys no cotangent reached get zeros.

    `zeros(leaf)` makes a missing leaf's zeros (default: `zeros_like`).
    """
    zeros = zeros or zeros_like
    if isinstance(like, dict):
        grad = grad if isinstance(grad, dict) else {}
        return {k: complete_like(grad[k], v, zeros) if k in grad else _dense_zeros(v, zeros)
                for k, v in like.items()}
    if isinstance(like, (tuple, list)) and isinstance(grad, dict):
        return type(like)(complete_like(grad[i], v, zeros) if i in grad
                          else _dense_zeros(v, zeros) for i, v in enumerate(like))
    if isinstance(like, (tuple, list)) and isinstance(grad, (tuple, list)):
        return type(like)(complete_like(g, v, zeros) for g, v in zip(grad, like))
    return grad


def complete_paths(grad, like, paths, zeros=None):
    """The gradient of `like`'s subtrees at `paths` (tuples of keys / indices), each complete
    (see `complete_like`); the rest of the tree is left out: `{"fc": {...}}` for ("fc",)."""
    zeros = zeros or zeros_like
    out: dict = {}
    for path in paths:
        node, part = like, grad
        for key in path:
            node = node[key]
            part = _part(part, key)
        value = _dense_zeros(node, zeros) if part is None else complete_like(part, node, zeros)
        holder = out
        for key in path[:-1]:
            holder = holder.setdefault(key, {})
        holder[path[-1]] = value
    return out


def _part(grad, key):
    """grad[key] of a (sparse) container gradient; None where nothing arrived."""
    if isinstance(grad, dict):
        return grad.get(key)
    if isinstance(grad, (list, tuple)):
        return grad[key]
    return None


def _dense_zeros(like, zeros):
    if isinstance(like, dict):
        return {k: _dense_zeros(v, zeros) for k, v in like.items()}
    if isinstance(like, (list, tuple)):
        return type(like)(_dense_zeros(v, zeros) for v in like)
    return zeros(like)
