"""`NumpyStyle`: numpy's function names over a strict Array-API namespace.

Emitted code calls numpy's names on the array module it gets (`xp.arcsin`,
`xp.concatenate`, `xp.linalg.norm`, ...). Over a namespace such as
`array_api_strict` those names come from this adapter: renamed functions, Python
scalars promoted to arrays where the namespace needs them (on the device and in the
dtype of the array beside them), and new arrays created on the arguments' device.
"""

from __future__ import annotations

import functools
import math

import numpy

__all__ = ["ELEMENTWISE", "FIRST_ARRAY", "NUMBER", "RENAMED", "NumpyStyle", "numpy_style"]

NUMBER = (bool, int, float, complex, numpy.generic)

RENAMED = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2",
           "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "power": "pow",
           "absolute": "abs", "true_divide": "divide", "amax": "max", "amin": "min",
           "bitwise_not": "bitwise_invert", "invert": "bitwise_invert"}
# Functions of the namespace that take arrays positionally and no Python scalars
# (before the 2024.12 standard): their scalar arguments are promoted first.
ELEMENTWISE = frozenset({
    "abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh", "bitwise_and",
    "bitwise_invert", "bitwise_or", "ceil", "copysign", "cos", "cosh", "divide", "equal",
    "exp", "expm1", "floor", "floor_divide", "greater", "greater_equal", "hypot",
    "isfinite", "isinf", "isnan", "less", "less_equal", "log", "log10", "log1p", "log2",
    "logaddexp", "logical_and", "logical_not", "logical_or", "maximum", "minimum",
    "multiply", "negative", "not_equal", "pow", "remainder", "sign", "sin", "sinh", "sqrt",
    "square", "subtract", "tan", "tanh", "trunc"
})
# Functions whose first argument alone may be a Python number.
FIRST_ARRAY = frozenset({
    "sum", "prod", "mean", "max", "min", "std", "var", "argmax", "argmin", "broadcast_to"
})
_CREATION = frozenset({
    "zeros", "ones", "empty", "full", "arange", "linspace", "eye"
})


def numpy_style(ns, device=None) -> NumpyStyle:
    """The (cached) numpy-named adapter of namespace `ns` for arrays on `device`."""
    try:
        return _cached_numpy_style(ns, device)
    except TypeError:  # an unhashable device: build one per call
        return NumpyStyle(ns, device)


@functools.lru_cache(maxsize=64)
def _cached_numpy_style(ns, device) -> NumpyStyle:
    return NumpyStyle(ns, device)


# ------------------------------------------------------------------ adapter
class NumpyStyle:
    """numpy's function names over an Array-API namespace (`xp.arcsin`, `xp.concatenate`, ...).

    Names without a numpy spelling of their own are looked up on the namespace (and
    remembered); new arrays are made on `device`.
    """

    def __init__(self, ns, device=None):
        self.ns = ns
        self.device = device
        self.__name__ = f"agc.runtime.arrays.NumpyStyle({ns.__name__})"
        self.linalg = _Linalg(self)

    def __repr__(self) -> str:
        return f"<{self.__name__} on {self.device}>"

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self.ns, RENAMED.get(name, name))
        if name in ELEMENTWISE or RENAMED.get(name) in ELEMENTWISE:
            value = _promoting(self, value)
        elif name in FIRST_ARRAY or RENAMED.get(name) in FIRST_ARRAY:
            value = _promoting_first(self, value)
        elif name in _CREATION:
            value = _on_device(self, value)
        setattr(self, name, value)
        return value

    # ---- helpers
    def _dtype(self, dtype):
        """A namespace dtype for a numpy dtype, a Python type or a name."""
        if dtype is None or not isinstance(dtype, (str, numpy.dtype, type)):
            return dtype
        return getattr(self.ns, numpy.dtype(dtype).name)

    def _array(self, x, like=None):
        """x as an array of the namespace: a Python number next to `like` takes its dtype."""
        if hasattr(x, "__array_namespace__") or not isinstance(x, (*NUMBER, list)):
            return x
        if like is not None and _fits(x, like.dtype, self):
            return self.ns.asarray(x, dtype=like.dtype, device=like.device)
        return self.ns.asarray(x, device=self.device)

    # ---- creation and conversion
    def asarray(self, x, dtype=None, copy=None):
        """numpy.asarray: also a list of arrays (stacked) and numpy dtypes."""
        if isinstance(x, (list, tuple)) and any(_is_array(i) or isinstance(i, (list, tuple))
                                                for i in x):
            return self.stack([self.asarray(i, dtype) for i in x])
        if _is_array(x):
            return self.ns.asarray(x, dtype=self._dtype(dtype), copy=copy)
        return self.ns.asarray(x, dtype=self._dtype(dtype), copy=copy, device=self.device)

    def array(self, x, dtype=None):
        """numpy.array: a copy."""
        return self.asarray(x, dtype, copy=True)

    def copy(self, x):
        """numpy.copy."""
        return self.ns.asarray(x, copy=True)

    def astype(self, x, dtype, copy=True):
        """numpy.astype (numpy dtypes accepted)."""
        return self.ns.astype(self._array(x), self._dtype(dtype), copy=copy)

    def zeros_like(self, x, dtype=None):
        return self.ns.zeros_like(self._array(x), dtype=self._dtype(dtype))

    def ones_like(self, x, dtype=None):
        return self.ns.ones_like(self._array(x), dtype=self._dtype(dtype))

    def full_like(self, x, fill_value, dtype=None):
        return self.ns.full_like(self._array(x), fill_value, dtype=self._dtype(dtype))

    # ---- shapes
    def reshape(self, x, shape):
        return self.ns.reshape(self._array(x), (shape,) if isinstance(shape, int) else shape)

    def transpose(self, x, axes=None):
        """numpy.transpose: reverse the axes, or permute them as `axes` says."""
        x = self._array(x)
        return self.ns.permute_dims(x, tuple(range(x.ndim))[::-1] if axes is None else axes)

    def swapaxes(self, x, a, b):
        axes = list(range(x.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.ns.permute_dims(x, tuple(axes))

    def expand_dims(self, x, axis):
        """numpy.expand_dims: `axis` may be a tuple."""
        x = self._array(x)
        if isinstance(axis, int):
            return self.ns.expand_dims(x, axis=axis)
        ndim = x.ndim + len(axis)
        for a in sorted(a % ndim for a in axis):
            x = self.ns.expand_dims(x, axis=a)
        return x

    def squeeze(self, x, axis=None):
        """numpy.squeeze: without `axis`, every axis of length one."""
        x = self._array(x)
        if axis is None:
            axis = tuple(i for i, n in enumerate(x.shape) if n == 1)
        return self.ns.squeeze(x, axis=axis)

    def concatenate(self, arrays, axis=0):
        """numpy.concatenate (axis=None flattens first)."""
        return self.ns.concat([self._array(a) for a in arrays], axis=axis)

    def stack(self, arrays, axis=0):
        return self.ns.stack([self._array(a) for a in arrays], axis=axis)

    def ndim(self, x):
        return getattr(x, "ndim", 0)

    def shape(self, x):
        return tuple(getattr(x, "shape", ()))

    def size(self, x):
        return math.prod(self.shape(x))

    # ---- elementwise with numpy's signatures
    def where(self, condition, x, y):
        """numpy.where(condition, x, y) with Python numbers for x or y."""
        like = x if _is_array(x) else y if _is_array(y) else None
        return self.ns.where(condition, self._array(x, like), self._array(y, like))

    def clip(self, x, a_min=None, a_max=None):
        x = self._array(x)
        return self.ns.clip(x, _scalar_or(a_min, x, self), _scalar_or(a_max, x, self))

    def round(self, x, decimals=0):
        x = self._array(x)
        if decimals == 0:
            return self.ns.round(x)
        scale = 10.0 ** decimals
        return self.ns.round(x * scale) / scale

    # ---- linear algebra
    def dot(self, a, b):
        """numpy.dot: products of scalars, matmul up to 2-D, last by second-to-last axes."""
        if not (_is_array(a) and _is_array(b)) or a.ndim == 0 or b.ndim == 0:
            return self.multiply(a, b)
        if a.ndim <= 2 and b.ndim <= 2:
            return self.ns.matmul(a, b)
        return self.ns.tensordot(a, b, axes=((a.ndim - 1,), (max(b.ndim - 2, 0),)))

    def inner(self, a, b):
        """numpy.inner: sum over the last axes."""
        if not (_is_array(a) and _is_array(b)) or a.ndim == 0 or b.ndim == 0:
            return self.multiply(a, b)
        return self.ns.tensordot(a, b, axes=((a.ndim - 1,), (b.ndim - 1,)))

    def vdot(self, a, b):
        return self.ns.sum(self.ns.reshape(a, (-1,)) * self.ns.reshape(b, (-1,)))

    def outer(self, a, b):
        """numpy.outer: the flattened a as a column times the flattened b as a row."""
        a, b = self._array(a), self._array(b, a)
        return self.ns.reshape(a, (-1, 1)) * self.ns.reshape(b, (1, -1))


class _Linalg:
    """`xp.linalg` of the adapter: numpy's `norm`, the namespace's functions otherwise."""

    def __init__(self, owner: NumpyStyle):
        self._owner = owner

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._owner.ns.linalg, name)

    def norm(self, x, ord=None, axis=None, keepdims=False):
        """numpy.linalg.norm: the 2-norm (Frobenius for matrices) unless `ord` says otherwise."""
        ns = self._owner.ns
        x = self._owner._array(x)
        matrix = (isinstance(axis, tuple) and len(axis) == 2) or (axis is None and x.ndim == 2)
        if ord is None or ord == "fro" or (ord == 2 and not matrix):
            return ns.linalg.vector_norm(x, axis=axis, keepdims=keepdims)
        if matrix:
            return ns.linalg.matrix_norm(x, ord=ord, keepdims=keepdims) if axis in (None, (-2, -1)) \
                else ns.linalg.matrix_norm(ns.permute_dims(x, _last_two(x.ndim, axis)),
                                           ord=ord, keepdims=keepdims)
        return ns.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)


def _last_two(ndim: int, axis: tuple) -> tuple:
    a, b = (i % ndim for i in axis)
    return tuple(i for i in range(ndim) if i not in (a, b)) + (a, b)


def _is_array(x) -> bool:
    return hasattr(x, "__array_namespace__") and hasattr(x, "shape")


def _fits(number, dtype, xp: NumpyStyle) -> bool:
    """Whether a Python number keeps its value in `dtype` (an int in a float array does)."""
    if isinstance(number, bool):
        return True
    if isinstance(number, int):
        return not xp.ns.isdtype(dtype, "bool")
    if isinstance(number, float):
        return bool(xp.ns.isdtype(dtype, ("real floating", "complex floating")))
    return bool(xp.ns.isdtype(dtype, "complex floating"))


def _scalar_or(bound, x, xp: NumpyStyle):
    return bound if bound is None or isinstance(bound, (int, float)) else xp._array(bound, x)


def _promoting(xp: NumpyStyle, fn):
    """fn with its positional Python numbers made arrays beside the first array argument."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        like = next((a for a in args if _is_array(a)), None)
        return fn(*(xp._array(a, like) for a in args), **kwargs)

    return call


def _promoting_first(xp: NumpyStyle, fn):
    """fn with its first argument made an array when it is a Python number."""

    @functools.wraps(fn)
    def call(x, *args, **kwargs):
        return fn(xp._array(x), *args, **kwargs)

    return call


def _on_device(xp: NumpyStyle, fn):
    """A creation function that makes its arrays on the adapter's device (numpy dtypes accepted)."""

    @functools.wraps(fn)
    def call(*args, dtype=None, device=None, **kwargs):
        return fn(*args, dtype=xp._dtype(dtype), device=device or xp.device, **kwargs)

    return call
