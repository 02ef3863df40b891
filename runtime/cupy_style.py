"""`CupyStyle`: cupy, with numpy's behaviour where cupy's own functions differ.

Emitted code calls numpy's functions on the array module of its arguments
(`xp.stack`, `xp.dot`, `xp.linalg.solve`, ...). cupy follows numpy closely,
but many of its functions take only cupy arrays where numpy also takes Python
numbers, lists and numpy arrays (`np.stack([1.0, 2.0])`, `np.dot(a, 3.0)`), a
few miss keywords (`keepdims` of count_nonzero, `stable` of sort) or broadcast
less (batched `linalg.solve`, `pad` widths). On cupy arguments
`rt.array_module` returns this adapter: each of those functions first turns
what cupy would refuse into a cupy array, exactly as numpy would turn it into a
numpy array (`numpy.asarray`, then one copy to the device). Every other name is
cupy's own, unchanged. Nothing here imports cupy: the adapter wraps the module
it is given.
"""

from __future__ import annotations

import functools

import numpy

__all__ = ["CupyStyle", "cupy_style"]

_NUMBER = (bool, int, float, complex, numpy.generic)
# Functions whose leading positional arguments are arrays (numpy converts each one):
# how many, where it is more than the first.
_ARRAY_ARGS = {
    "dot": 2, "matmul": 2, "inner": 2, "outer": 2, "vdot": 2, "kron": 2, "cross": 2,
    "tensordot": 2, "searchsorted": 2, "take": 2, "take_along_axis": 2, "put_along_axis": 3,
    "isclose": 2, "allclose": 2, "array_equal": 2, "digitize": 2, "append": 2,
    "convolve": 2, "correlate": 2, "interp": 3, "polyval": 2, "ix_": 8,
}
# Functions whose first argument is not an array (a shape, a number, a string).
_NOT_ARRAY_FIRST = frozenset({
    "zeros", "ones", "empty", "full", "arange", "linspace", "logspace", "eye", "identity",
    "tri", "indices", "asarray", "array", "asanyarray", "ascontiguousarray", "einsum",
    "broadcast_shapes", "result_type", "promote_types", "can_cast", "dtype", "finfo", "iinfo",
    "get_array_module", "asnumpy", "concatenate", "concat", "stack", "hstack", "vstack", "dstack",
    "column_stack", "block", "where", "pad", "count_nonzero", "sort", "argsort",
})


@functools.lru_cache(maxsize=4)
def cupy_style(cupy) -> CupyStyle:
    """The (one) adapter of the cupy module given."""
    return CupyStyle(cupy)


class CupyStyle:
    """cupy's names, converting what only numpy accepts (see the module docstring)."""

    def __init__(self, cupy):
        self.cp = cupy
        self.__name__ = "cupy"  # what runtime helpers test to pick cupyx
        self.linalg = _Linalg(self)

    def __repr__(self) -> str:
        return "<agc.runtime.cupy_style.CupyStyle over cupy>"

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self.cp, name)
        if callable(value) and not isinstance(value, type) and name not in _NOT_ARRAY_FIRST:
            if isinstance(value, self.cp.ufunc):
                value = _converting(self, value, count=None, numbers=False)
            else:
                value = _converting(self, value, count=_ARRAY_ARGS.get(name, 1), numbers=True)
        setattr(self, name, value)  # looked up once per name
        return value

    # ---- conversion
    def to_array(self, x, numbers: bool = True, ints: bool = True):
        """x as a cupy array, as numpy.asarray would make it (numbers only if `numbers`,
        Python ints only if `ints`)."""
        if isinstance(x, self.cp.ndarray):
            return x
        if not ints and isinstance(x, int) and not isinstance(x, bool):
            return x
        if isinstance(x, _NUMBER):
            return self.cp.asarray(x) if numbers else x
        if isinstance(x, numpy.ndarray):
            return self.cp.asarray(x)
        if isinstance(x, (list, tuple)):
            if _holds_cupy(x, self.cp):  # numpy would stack the items: do it on the device
                return self.cp.stack([self.to_array(item) for item in x]) if x \
                    else self.cp.asarray(x)
            return self.cp.asarray(numpy.asarray(x))  # one copy of the whole literal
        return x

    # ---- creation and joining
    def asarray(self, x, dtype=None, **kwargs):
        """numpy.asarray: lists that hold cupy arrays too."""
        array = self.to_array(x)
        return self.cp.asarray(array, dtype=dtype, **kwargs)

    def array(self, x, dtype=None, copy=True, **kwargs):
        """numpy.array: a copy unless copy=False."""
        array = self.asarray(x, dtype)
        return array.copy() if copy and array is x else array

    def stack(self, arrays, axis=0, **kwargs):
        return self.cp.stack([self.to_array(a) for a in arrays], axis=axis, **kwargs)

    def concatenate(self, arrays, axis=0, **kwargs):
        return self.cp.concatenate([self.to_array(a) for a in arrays], axis=axis, **kwargs)

    concat = concatenate  # numpy 2's name

    def hstack(self, arrays, **kwargs):
        return self.cp.hstack([self.to_array(a) for a in arrays], **kwargs)

    def vstack(self, arrays, **kwargs):
        return self.cp.vstack([self.to_array(a) for a in arrays], **kwargs)

    def dstack(self, arrays):
        return self.cp.dstack([self.to_array(a) for a in arrays])

    def column_stack(self, arrays):
        return self.cp.column_stack([self.to_array(a) for a in arrays])

    def einsum(self, subscripts, *operands, **kwargs):
        return self.cp.einsum(subscripts, *(self.to_array(o) for o in operands), **kwargs)

    # ---- numpy's keywords and broadcasting
    def where(self, condition, *values):
        """numpy.where: a Python bool condition; Python numbers stay weakly typed."""
        return self.cp.where(self.to_array(condition),
                             *(self.to_array(v, numbers=False) for v in values))

    def count_nonzero(self, a, axis=None, *, keepdims=False):
        """numpy.count_nonzero with keepdims (cupy has no keepdims)."""
        a = self.to_array(a)
        counts = self.cp.count_nonzero(a, axis=axis)
        if not keepdims:
            return counts
        if axis is None:
            return self.cp.reshape(counts, (1,) * a.ndim)
        return self.cp.expand_dims(counts, axis)

    def sort(self, a, axis=-1, kind=None, order=None, *, stable=None):
        """numpy.sort: cupy's sort is stable, so every `kind` gives numpy's values."""
        return self.cp.sort(self.to_array(a), axis=axis)

    def argsort(self, a, axis=-1, kind=None, order=None, *, stable=None):
        """numpy.argsort: cupy's is stable (numpy's stable=True / kind='stable')."""
        return self.cp.argsort(self.to_array(a), axis=axis)

    def pad(self, array, pad_width, mode="constant", **kwargs):
        """numpy.pad: widths in any of numpy's forms ((2,), (1,)) meaning ((2, 2), (1, 1))."""
        array = self.to_array(array)
        if not isinstance(pad_width, int):
            pad_width = numpy.broadcast_to(numpy.asarray(pad_width), (array.ndim, 2)).tolist()
        return self.cp.pad(array, pad_width, mode=mode, **kwargs)


class _Linalg:
    """`xp.linalg` of the adapter: numpy's broadcasting solve; cupy's functions otherwise."""

    def __init__(self, owner: CupyStyle):
        self._owner = owner

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self._owner.cp.linalg, name)
        if callable(value):
            value = _converting(self._owner, value, count=1, numbers=True)
        setattr(self, name, value)
        return value

    def solve(self, a, b):
        """numpy.linalg.solve: b is one vector when 1-D, else a stack of (M, K) matrices;
        batch axes broadcast."""
        cp = self._owner.cp
        a, b = self._owner.to_array(a), self._owner.to_array(b)
        vector = b.ndim == 1
        matrix = b[:, None] if vector else b
        batch = numpy.broadcast_shapes(a.shape[:-2], matrix.shape[:-2])
        x = cp.linalg.solve(cp.broadcast_to(a, batch + a.shape[-2:]),
                            cp.broadcast_to(matrix, batch + matrix.shape[-2:]))
        return x[..., 0] if vector else x


def _holds_cupy(items, cp) -> bool:
    """Whether a (nested) list or tuple holds a cupy array."""
    return any(isinstance(i, cp.ndarray) or (isinstance(i, (list, tuple)) and _holds_cupy(i, cp))
               for i in items)


def _converting(owner: CupyStyle, fn, count: int | None, numbers: bool):
    """fn with its first `count` positional arguments (all if None) made cupy arrays."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        n = len(args) if count is None else count
        # Python ints stay: in leading positions they are counts, sizes or axes
        # (triu_indices(4), ...), which cupy takes as they are.
        converted = [owner.to_array(a, numbers, ints=False) for a in args[:n]]
        return fn(*converted, *args[n:], **kwargs)

    return call
