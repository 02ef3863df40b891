"""Leaf checks and leaf builders shared by the optimizers of optim.py.

Hyperparameter checks (`require`), the checks that a parameter, gradient or
state leaf is a real float of the right shape, the builders of state leaves
of the same kind (Python float, numpy scalar or array) as a parameter, and the
blocks of rows an in-place step goes through.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .device import array_module_of, is_array


def require(ok: bool, message: str) -> None:
    """ValueError(message) unless ok: the hyperparameter checks torch does."""
    if not ok:
        raise ValueError(message)


def is_python_number(leaf: Any) -> bool:
    """True for Python int / float (not bool, not numpy scalars)."""
    return isinstance(leaf, (int, float)) and not isinstance(leaf, (bool, np.generic))


def check_param(path: str, leaf: Any) -> None:
    """TypeError unless `leaf` is a real floating array / numpy scalar or a Python number."""
    if is_python_number(leaf):
        return
    dtype = getattr(leaf, "dtype", None)
    if dtype is None or not np.issubdtype(dtype, np.floating):
        kind = f"dtype {dtype}" if dtype is not None else f"type {type(leaf).__name__}"
        raise TypeError(f"params{path} has {kind}; optimizers need float arrays or Python floats")


def shape(leaf: Any) -> tuple:
    """Shape of an array leaf; () for scalars."""
    return tuple(getattr(leaf, "shape", ()))


def check_companion(path: str, name: str, param: Any, other: Any) -> None:
    """The grad / state leaf matching params{path} must be a real number of its shape."""
    dtype = getattr(other, "dtype", None)
    if isinstance(other, complex) or (
            dtype is not None and np.issubdtype(dtype, np.complexfloating)
    ):
        raise TypeError(f"{name}{path} is complex; only real parameters are supported")
    if shape(other) != shape(param):
        raise ValueError(f"{name}{path} has shape {shape(other)} but params{path} has "
                         f"shape {shape(param)}")


def cast_like(value: Any, like: Any) -> Any:
    """`value` as the same kind of leaf as `like`: Python float, numpy scalar or array."""
    if isinstance(like, np.generic):
        return like.dtype.type(value)
    if is_python_number(like):
        return float(value)
    # asarray, not astype: numpy ops on 0-d arrays return scalars, and we want arrays back.
    return array_module_of(like).asarray(value, dtype=like.dtype)


def full_like(param: Any, value: float) -> Any:
    """A leaf like `param` (type, shape, dtype, device) filled with `value`."""
    if is_array(param):
        return array_module_of(param).full(param.shape, value, dtype=param.dtype)
    return cast_like(value, param)


BLOCK_ELEMENTS = 1 << 16  # an in-place step's temporaries: 256 KiB of float32


def row_blocks(param: Any, companions: Any) -> list[slice | None]:
    """Slices of param's first axis of about BLOCK_ELEMENTS each; [None] (the whole leaf)
    for a small leaf, a number, or companions that are not arrays of its shape."""
    size = getattr(param, "size", 1)
    if getattr(param, "ndim", 0) == 0 or size <= BLOCK_ELEMENTS or \
            not all(is_array(c) and c.shape == param.shape for c in companions):
        return [None]
    rows = max(1, BLOCK_ELEMENTS // (size // param.shape[0]))
    return [slice(start, start + rows) for start in range(0, param.shape[0], rows)]
