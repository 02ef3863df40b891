"""Array libraries besides numpy: which one the arguments use, and numpy's names on top of them.

`module_of(values)` is the slow path of `agc.runtime.array_module`: it walks
pytrees, tells numpy, cupy, dask and Array-API arrays apart (`x.__array_namespace__()`)
and names the argument positions when they mix (numpy arrays may join dask ones:
`DaskStyle`, dask_style.py). Emitted code calls numpy's names
on the module it gets (`xp.arcsin`, `xp.concatenate`, `xp.linalg.norm`, ...);
`NumpyStyle` (numpy_style.py) offers those names over a strict Array-API namespace
such as `array_api_strict`, and `CupyStyle` (cupy_style.py) gives cupy numpy's
behaviour where cupy's functions differ (Python numbers and lists as arrays, ...).
"""

from __future__ import annotations

import functools
import math
import sys

import numpy

from .cupy_style import cupy_style
from .dask_style import dask_style, is_dask
from .model_lines import add_model_line
from .numpy_style import NUMBER, NumpyStyle, numpy_style

__all__ = ["SCALAR_TYPES", "NumpyStyle", "astype", "check_wrt", "checking_arguments",
           "is_inexact", "item", "length", "module_of", "scatter_add"]

_MAX_LISTED = 4  # argument positions quoted per library in a mixing error


# ------------------------------------------------------------------ dispatch
def module_of(values: tuple):
    """numpy, cupy or a `NumpyStyle` namespace: the one library the arrays in `values` use.

    Values are arrays, numbers or pytrees (dict, list, tuple) of them; numbers fit any
    library. Arrays of two libraries raise TypeError naming the argument positions.
    """
    found: dict[str, object] = {}
    _collect(values, found)
    if _DASK in found:  # numpy arrays join dask ones (small parameters, chunked data)
        found.pop("numpy (cpu)", None)
    if len(found) > 1:
        raise TypeError(_mixing_message(values))
    return next(iter(found.values()), numpy)


_DASK = "dask.array"

SCALAR_TYPES = frozenset({float, int, bool, complex, type(None), str, *numpy.sctypeDict.values()})


def _collect(items, found: dict) -> None:
    """Put (label -> module) of every array leaf among the pytrees `items` into `found`."""
    for value in items:
        kind = type(value)
        if kind is numpy.ndarray:
            found["numpy (cpu)"] = numpy
        elif kind in SCALAR_TYPES:
            continue
        elif isinstance(value, dict):
            _collect(value.values(), found)
        elif isinstance(value, (list, tuple)):
            _collect(value, found)
        else:
            library = _library(value)
            if library is not None:
                found[library[0]] = library[1]


def leaf_paths(value, path: str):
    """(path, leaf) of a pytree, depth first (dict, list and tuple are containers)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from leaf_paths(item, f"{path}[{i}]")
    else:
        yield path, value


def _library(leaf):
    """(label, module) of an array leaf; None for numbers and non-arrays."""
    if isinstance(leaf, numpy.ndarray):
        return "numpy (cpu)", numpy
    if isinstance(leaf, NUMBER) or not hasattr(leaf, "shape"):
        return None
    if type(leaf).__module__.split(".")[0] == "cupy":
        return "cupy (cuda)", cupy_style(sys.modules["cupy"])
    if is_dask(leaf):
        return _DASK, dask_style(sys.modules["dask.array"])
    namespace = getattr(leaf, "__array_namespace__", None)
    if namespace is None:
        return None
    ns = namespace()
    device = getattr(leaf, "device", None)
    return f"{ns.__name__} (device {device})", numpy_style(ns, device)


def _mixing_message(values: tuple) -> str:
    where: dict[str, list] = {}
    for i, value in enumerate(values):
        for path, leaf in leaf_paths(value, f"args[{i}]"):
            kind = _library(leaf)
            if kind is not None:
                where.setdefault(kind[0], []).append(path)
    parts = []
    for label, paths in where.items():
        more = len(paths) - _MAX_LISTED
        listed = ", ".join(paths[:_MAX_LISTED]) + (f" and {more} more" if more > 0 else "")
        parts.append(f"{label} at {listed}")
    return ("arguments mix arrays of different libraries or devices: " + "; ".join(parts)
            + ". Move them to one device first: agc.runtime.to_device(tree, 'cuda') "
              "or agc.runtime.to_device(tree, 'cpu').")


# ------------------------------------------------------------------ dtypes
def is_inexact(dtype, xp=None) -> bool:
    """Whether `dtype` is a floating or complex dtype (of numpy, cupy or `xp`)."""
    kind = getattr(dtype, "kind", None)
    if isinstance(kind, str):
        return kind in "fc"
    return bool(xp.isdtype(dtype, ("real floating", "complex floating")))


def astype(x, dtype, copy: bool = True):
    """x cast to `dtype`: numpy's method where there is one, else the namespace's astype."""
    method = getattr(x, "astype", None)
    if method is not None:
        return method(dtype, copy=copy)
    return x.__array_namespace__().astype(x, dtype, copy=copy)


def scalar_cast(x, dtype):
    """np.float32(x), np.int64(x), ...: numpy's own call on numpy values and numbers (a numpy
    scalar of a number or a 0-d array, an array of more: x itself where it has the dtype);
    asarray on another library's arrays and lists (cupy has no scalars of its own, dask's
    arrays stay lazy)."""
    if isinstance(x, (numpy.ndarray, numpy.generic, int, float)):
        return dtype(x)
    return module_of((x,)).asarray(x, dtype=dtype)


def check_wrt(names: tuple, *values) -> None:
    """TypeError when a value to differentiate is an integer or boolean (array or number).

    Gradients exist for floating inputs only, as in JAX and PyTorch. Floats and float
    numpy arrays pass without a look inside (the common case, checked on every call).
    """
    for name, value in zip(names, values):
        kind = type(value)
        if kind is float or (kind is numpy.ndarray and value.dtype.kind in "fc"):
            continue
        for path, leaf in leaf_paths(value, name):
            _check_leaf(path, leaf)


def checking_arguments(fn, names: tuple, positions: tuple):
    """fn, checking its arguments first: one array library, float values to differentiate.

    `names` are the differentiated parameters and `positions` their places among the
    arguments. Arrays of two libraries raise TypeError naming the caller's argument
    positions before any work (emitted code that needs no `xp` would fail deep inside);
    integer values to differentiate raise TypeError (`check_wrt`). numpy arrays and
    floats pass on a fast path: this runs on every gradient call.
    """
    numpy_kinds = SCALAR_TYPES | {numpy.ndarray}
    pairs = tuple(zip(names, positions))

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        for value in args:
            if type(value) not in numpy_kinds:
                module_of(args)
                break
        for name, i in pairs:
            if i < len(args):
                value = args[i]
                kind = type(value)
                if kind is not float and not (kind is numpy.ndarray and value.dtype.kind in "fc"):
                    check_wrt((name,), value)
        try:
            return fn(*args, **kwargs)
        except Exception as error:  # numpy's, raised in emitted code: name the model line
            add_model_line(error)
            raise

    return checked


def _check_leaf(path: str, leaf) -> None:
    dtype = getattr(leaf, "dtype", None)
    if dtype is None:
        if not isinstance(leaf, (bool, int)):
            return
    elif isinstance(getattr(dtype, "kind", None), str):
        if dtype.kind in "fc":
            return
    elif is_inexact(dtype, leaf.__array_namespace__()):
        return
    kind = f"dtype {dtype}" if dtype is not None else type(leaf).__name__
    raise TypeError(
        f"cannot differentiate with respect to {path}: it is an integer or boolean value "
        f"({kind}); agc differentiates float inputs only. Pass a float ({path} = "
        f"float({path}) or x.astype(np.float64)), or leave it out of wrt")


# ------------------------------------------------------------------ sequences
def length(x) -> int:
    """len(x) of a list, tuple or dict; x.shape[0] of an array (the Array API has no len)."""
    shape = getattr(x, "shape", None)
    return len(x) if shape is None else shape[0]


def item(x, k):
    """What `for v in x` binds: x[k] of a list, tuple, dict or numpy array (a vector's
    number, as Python's iteration gives it: not a 0-d array), else the row x[k, ...]
    (the Array API's spelling)."""
    if type(x) is numpy.ndarray or getattr(x, "shape", None) is None:
        return x[k]
    return x[k, ...]


# ------------------------------------------------------------------ scatter
def scatter_add(xp, out, index, g):
    """out with g added at the advanced integer `index` (repeated positions accumulate).

    The portable form of numpy.add.at for an index of integer arrays over the leading
    axes, followed by full slices: a one-hot matrix product.
    """
    items = index if isinstance(index, tuple) else (index,)
    arrays = [i for i in items if not isinstance(i, slice) and i is not Ellipsis]
    trailing = items[len(arrays):]
    if not arrays or any(i != slice(None) and i is not Ellipsis for i in trailing):
        raise TypeError(f"the gradient of x[index] with index {index!r} is not supported on "
                        f"{xp.__name__} arrays: index with integer arrays on the leading axes")
    lead = out.shape[:len(arrays)]
    rest = math.prod(out.shape[len(arrays):])
    flat = 0
    for position, size in zip(arrays, lead):
        flat = flat * size + xp.remainder(xp.asarray(position), size)
    flat = xp.reshape(flat, (1, -1))
    onehot = astype(xp.arange(math.prod(lead))[:, None] == flat, out.dtype)
    rows = xp.reshape(astype(g, out.dtype, copy=False), (flat.shape[1], rest))
    return out + xp.reshape(xp.matmul(onehot, rows), out.shape)
