"""What kind of index a cotangent is scattered through: plain (ints and slices), basic
(numbers, slices, None, ...), one boolean mask, or only new axes. getitem_grad,
add_at (scatter.py) and zero_at, written_grad (grads.py) choose their ways by these."""

from __future__ import annotations

from .arrays import is_inexact
from .dispatch import array_module


def plain(index) -> bool:
    """An int, a slice, or a tuple of ints and slices: a basic index that adds no axis."""
    kind = type(index)
    if kind is int or kind is slice:
        return True
    if kind is not tuple:
        return False
    for item in index:
        if type(item) is not int and type(item) is not slice:
            return False
    return True


def is_basic(index) -> bool:
    """Numbers, slices, None and `...` only (0-d integer arrays count as numbers)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, slice, type(None), type(Ellipsis))) or
               (hasattr(i, "shape") and i.shape == () and _is_integer(i)) for i in items)


def _is_integer(i) -> bool:
    """Whether an array holds integers (numpy's dtype kinds, else the Array API's)."""
    kind = getattr(i.dtype, "kind", None)
    if isinstance(kind, str):
        return kind in "iu"
    return bool(i.__array_namespace__().isdtype(i.dtype, "integral"))


def whole(index) -> tuple:
    """A basic index with a trailing `...`: the Array API indexes every axis explicitly."""
    items = index if isinstance(index, tuple) else (index,)
    return items if any(i is Ellipsis for i in items) else (*items, Ellipsis)


def is_mask(index) -> bool:
    """One boolean array: positions never repeat, so plain assignment scatters."""
    return hasattr(index, "shape") and not _is_integer(index) and not is_inexact(
        index.dtype, array_module(index))


def adds_axes_only(index) -> bool:
    """Whether `index` selects everything and only inserts new axes: `[:, None]`, `[None]`."""
    items = index if isinstance(index, tuple) else (index,)
    full = slice(None)
    return any(i is None for i in items) and \
        all(i is None or i is Ellipsis or (isinstance(i, slice) and i == full) for i in items)
