"""Where pytree arrays live: numpy on the CPU or cupy on a CUDA GPU.

cupy is optional. Nothing here imports it unless the caller asks for the GPU, and a cupy
array can only exist once cupy has been imported, so `sys.modules` tells us whether any
leaf could be a cupy array without paying for the import.
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from .tree import tree_leaves_with_path, tree_map

__all__ = ["array_module_of", "has_gpu", "is_array", "to_device"]

_DEVICES = ("cpu", "cuda")
_MAX_LISTED = 5  # leaf paths quoted per device in a mixing error


def has_gpu() -> bool:
    """True only when cupy imports and a CUDA device can allocate memory; never raises."""
    try:
        import cupy  # noqa: PLC0415 - optional (agc-autodiff[cuda]); has_gpu() is False without it

        if cupy.cuda.runtime.getDeviceCount() < 1:
            return False
        # A driver / runtime mismatch only surfaces on first real use, so touch the device.
        cupy.zeros(1)
        return True
    except Exception:  # noqa: BLE001 - any failure (no libs, no driver...) means no GPU
        return False


def _is_cupy_array(leaf: Any) -> bool:
    """True for cupy ndarrays (without importing cupy)."""
    cupy = sys.modules.get("cupy")
    return cupy is not None and isinstance(leaf, cupy.ndarray)


def is_array(leaf: Any) -> bool:
    """True for numpy and cupy ndarrays (not for numpy or Python scalars)."""
    return isinstance(leaf, np.ndarray) or _is_cupy_array(leaf)


def _is_scalar(leaf: Any) -> bool:
    """True for Python and numpy scalars, which work with either array module."""
    return isinstance(leaf, (numbers.Number, np.bool_))


def _check_movable(tree: Any) -> None:
    """Raise TypeError naming the first leaf that is neither an array nor a scalar."""
    for path, leaf in tree_leaves_with_path(tree):
        if not (is_array(leaf) or _is_scalar(leaf)):
            raise TypeError(
                f"to_device: leaf tree{path} is a {type(leaf).__name__}; "
                "only numpy / cupy arrays and numbers can be moved"
            )


def _require_cupy() -> ModuleType:
    """The cupy module, or a RuntimeError explaining why the GPU cannot be used."""
    try:
        import cupy  # noqa: PLC0415 - optional (agc-autodiff[cuda]); the error below says how to get it
    except Exception as error:
        raise RuntimeError(
            "to_device(..., 'cuda') needs cupy, which could not be imported "
            f"({error}); install it with `pip install 'agc-autodiff[cuda]'` (or a cupy-cudaXXx wheel)"
        ) from error
    if not has_gpu():
        raise RuntimeError("to_device(..., 'cuda'): cupy is installed but no usable CUDA GPU")
    return cupy


def _to_cpu(leaf: Any) -> Any:
    """numpy copy of a cupy array; anything else unchanged."""
    return leaf.get() if _is_cupy_array(leaf) else leaf


def to_device(tree: Any, device: str) -> Any:
    """Tree with every array leaf on `device` ("cpu": numpy, "cuda" or "cuda:N": cupy, on
    the current GPU or on GPU N).

    Arrays already there are returned as they are (no copy); Python and numpy scalars
    stay scalars. "cuda" without cupy or without a usable GPU raises RuntimeError.
    """
    kind, index = _parsed_device(device)
    _check_movable(tree)
    if kind == "cpu":
        return tree_map(_to_cpu, tree)
    cupy = _require_cupy()
    with cupy.cuda.Device(index if index is not None else cupy.cuda.Device().id):
        return tree_map(lambda leaf: cupy.asarray(leaf) if isinstance(leaf, np.ndarray)
                        else leaf, tree)


def _parsed_device(device: Any) -> tuple[str, int | None]:
    """("cpu" or "cuda", the GPU's number or None) of "cpu", "cuda" or "cuda:N" (PyTorch's)."""
    if isinstance(device, str):
        kind, colon, number = device.partition(":")
        if kind in _DEVICES and not colon:
            return kind, None
        if kind == "cuda" and number.isdigit():
            return kind, int(number)
    raise ValueError(f"unknown device {device!r}; expected 'cpu', 'cuda' or 'cuda:N'")


def _listed(paths: list[str]) -> str:
    """A few paths, comma separated, with a count of the rest."""
    shown = ", ".join(paths[:_MAX_LISTED])
    more = len(paths) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def array_module_of(*trees: Any, names: Sequence[str] | None = None) -> ModuleType:
    """numpy or cupy, whichever the array leaves of `trees` use (numpy when there are none).

    Scalars fit either. Mixing numpy and cupy arrays raises TypeError listing which
    leaves are where; `names` labels each tree in that message (default args[0], ...).
    """
    labels = list(names) if names is not None else [f"args[{i}]" for i in range(len(trees))]
    if len(labels) != len(trees):
        raise ValueError(f"got {len(labels)} names for {len(trees)} trees")
    on_cpu: list[str] = []
    on_gpu: list[str] = []
    for label, tree in zip(labels, trees):
        for path, leaf in tree_leaves_with_path(tree):
            if _is_cupy_array(leaf):
                on_gpu.append(label + path)
            elif isinstance(leaf, np.ndarray):
                on_cpu.append(label + path)
    if on_cpu and on_gpu:
        raise TypeError(
            "cannot mix numpy (cpu) and cupy (cuda) arrays: numpy at "
            f"{_listed(on_cpu)}; cupy at {_listed(on_gpu)}. "
            "Move them together with to_device(tree, 'cuda') or to_device(tree, 'cpu')."
        )
    return sys.modules["cupy"] if on_gpu else np
