"""agc.runtime: everything emitted gradient code needs at run time.

Emitted modules import this package as `rt` and nothing of agc besides.
It holds the array-module dispatch (numpy, cupy or an Array-API namespace,
picked from the arguments; see arrays.py), the helpers that derivative rules call (`unbroadcast`,
`sum_grad`, `getitem_grad`, ...), and the tape recorder used by reports.
No libcst and no sympy here.
"""

from __future__ import annotations

import math

import numpy

from . import arrays as _arrays
from .arrays import check_wrt, item, length
from .device import has_gpu, to_device
from .dispatch import array_module
from .grads import (
    abs_grad,
    add_at,
    append_grad,
    asarray_grad,
    cast_like,
    clip_grad,
    concatenate_grad,
    copy_of,
    getitem_grad,
    list_item_grad,
    matmul_grad_left,
    matmul_grad_right,
    maxmin_grad,
    mean_grad,
    norm_grad,
    pow_exponent_grad,
    prod_grad,
    reshape_like,
    stack_grad,
    sum_grad,
    unstack_grad,
    zero_at,
)

__all__ = [
    "TapeRecorder",
    "abs_grad",
    "add",
    "add_at",
    "append_grad",
    "array_module",
    "asarray_grad",
    "cast_like",
    "check_wrt",
    "clip_grad",
    "complete_like",
    "concatenate_grad",
    "copy_of",
    "getitem_grad",
    "has_gpu",
    "index",
    "item",
    "length",
    "list_item_grad",
    "matmul_grad_left",
    "matmul_grad_right",
    "maxmin_grad",
    "mean_grad",
    "no_grad",
    "norm_grad",
    "pow_exponent_grad",
    "prod_grad",
    "reshape_like",
    "seed",
    "stack_grad",
    "stop_gradient",
    "sum_grad",
    "to_device",
    "unbroadcast",
    "unstack_grad",
    "zero_at",
    "zeros_like",
]


class _IndexMaker:
    """`rt.index[:, 1:3]` is the index object `(slice(None), slice(1, 3))`."""

    def __getitem__(self, key):
        return key


index = _IndexMaker()


def stop_gradient(x):
    """The value itself; agc gives it no derivative (PyTorch's `detach`)."""
    return x


def no_grad():
    """`with agc.no_grad():` in a model: the block runs, but passes no derivative.

    Called directly (outside agc) it is a context manager that does nothing.
    """
    import contextlib

    return contextlib.nullcontext()


def shape_of(x) -> tuple:
    """The shape of an array, () for a Python number."""
    return getattr(x, "shape", ())


def unbroadcast(g, x):
    """Sum the cotangent `g` back to the shape of `x` (undo numpy broadcasting)."""
    shape = getattr(x, "shape", None)
    g_shape = getattr(g, "shape", ())
    if not shape:  # x is a number (or 0-d): its cotangent is one number (kept on g's device)
        if not g_shape:
            return g
        return g.sum() if type(g) is numpy.ndarray else array_module(g).sum(g)
    if g_shape == shape:
        return g
    xp = array_module(g, x)
    extra = len(g_shape) - len(shape)
    if extra > 0:
        g = xp.sum(g, axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = xp.sum(g, axis=axes, keepdims=True)
    if g.shape != shape:  # g was smaller (a scalar cotangent of a broadcast input)
        g = xp.broadcast_to(g, shape)
    return g


def zeros_like(x):
    """A zero of the same kind as `x`: 0.0 for numbers, zeros for arrays, per item for tuples."""
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


def seed(out, given=None):
    """The starting adjoint of a function's output: `given`, or one for a scalar output."""
    if given is None and type(out) in _ONE_OF_TYPE:  # the common case, kept fast
        return _ONE_OF_TYPE[type(out)]
    if given is not None:
        if getattr(given, "shape", ()) != getattr(out, "shape", ()) and hasattr(out, "shape"):
            raise ValueError(f"seed has shape {getattr(given, 'shape', ())}, "
                             f"the output has shape {out.shape}")
        return given
    shape = getattr(out, "shape", ())
    if shape != () and math.prod(shape) != 1:
        raise ValueError(f"grad needs a scalar output, but the output has shape {shape}; "
                         "use vjp(..., seed=v) (PyTorch's backward(gradient=v)) or jacobian")
    if hasattr(out, "dtype"):
        return array_module(out).ones_like(out)
    return 1.0


# One, in the type of a scalar output: Python floats and numpy's floating scalars.
_ONE_OF_TYPE = {kind: kind(1) for kind in (float, numpy.float64, numpy.float32, numpy.float16)}


def add(a, b):
    """a + b for adjoints: tuples and lists item by item, dicts key by key."""
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
        return type(a)(add(x, y) for x, y in zip(a, b))
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


def _dense_zeros(like, zeros):
    if isinstance(like, dict):
        return {k: _dense_zeros(v, zeros) for k, v in like.items()}
    if isinstance(like, (list, tuple)):
        return type(like)(_dense_zeros(v, zeros) for v in like)
    return zeros(like)


class TapeRecorder(list):
    """A tape that also notes what each entry is (used by tape reports)."""

    def __init__(self):
        super().__init__()
        self.labels: list[str] = []

    def record(self, label: str, value) -> None:
        """Push `value`, remembering it was the value of `label`."""
        self.append(value)
        self.labels.append(label)
