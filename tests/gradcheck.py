"""Central finite differences, and a check of agc's gradients against them.

    check_gradient(fn, args, wrt=("w", "b"))

differentiates `fn` with agc, runs the emitted code at `args` and compares
each gradient with central differences of the same function. A non-scalar
output is checked through a vector-Jacobian product with a seed (random by
default), so the check covers every output element.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import sys

import agc
import numpy as np
from agc.runtime.model_lines import MARKER

EPS = 1e-6
_modules = itertools.count()


def _scalar_of(value) -> float:
    return float(np.asarray(value, dtype=np.float64).sum())


def _weighted(fn, args, seed) -> float:
    """sum(seed * fn(*args)) in float64: the scalar whose gradient is the vjp."""
    out = np.asarray(fn(*args), dtype=np.float64)
    return _scalar_of(out if seed is None else out * seed)


def _with(args: tuple, index: int, value) -> tuple:
    return args[:index] + (value,) + args[index + 1:]


def numeric_grad(fn, args: tuple, index: int, seed=None, eps: float = EPS):
    """Central differences of sum(seed * fn(*args)) with respect to args[index]."""
    x = args[index]
    if isinstance(x, (float, int)) and not isinstance(x, bool):
        h = eps * max(1.0, abs(x))
        up = _weighted(fn, _with(args, index, float(x) + h), seed)
        down = _weighted(fn, _with(args, index, float(x) - h), seed)
        return (up - down) / (2 * h)
    base = np.array(x, dtype=np.float64)
    grad = np.zeros_like(base)
    for i in np.ndindex(base.shape):
        h = eps * max(1.0, abs(base[i]))
        for sign in (1, -1):
            moved = base.copy()
            moved[i] += sign * h
            grad[i] += sign * _weighted(fn, _with(args, index, moved), seed)
        grad[i] /= 2 * h
    return grad


def as_tuple(grads, wrt: tuple) -> tuple:
    """agc returns one gradient for one wrt name, else a tuple: always a tuple here."""
    return (grads,) if len(wrt) == 1 else tuple(grads)


def param_index(fn, name: str) -> int:
    """Position of parameter `name` in fn's signature."""
    return list(inspect.signature(fn).parameters).index(name)


def agc_gradient(fn, args: tuple, wrt: tuple, seed=None):
    """(value, gradients as a tuple) from agc's emitted code."""
    diff = agc.differentiate(fn, wrt=wrt)
    if seed is None:
        value, grads = diff.value_and_grad(*args)
        _assert_same_gradients(as_tuple(diff.grad(*args), wrt), as_tuple(grads, wrt), fn.__name__)
    else:
        value, grads = diff.vjp(*args, seed=seed)
    return value, as_tuple(grads, wrt)


def _assert_same_gradients(lean, full, name: str) -> None:
    """`grad` (its own body when the output's value is not needed) agrees with value_and_grad."""
    for a, b in zip(lean, full, strict=True):
        if isinstance(b, (dict, list, tuple)):
            continue  # pytrees: compared leaf by leaf in their own tests
        assert np.result_type(a) == np.result_type(b), f"{name}: grad changed the dtype"
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=f"{name}: grad")


def pick_seed(fn, args: tuple, rng=None):
    """None for a scalar output, else a random seed shaped like the output."""
    out = fn(*args)
    if np.ndim(out) == 0:
        return None
    rng = rng or np.random.default_rng(0)
    return rng.uniform(0.5, 1.5, size=np.shape(out))


def check_value(fn, args: tuple, wrt=None, seed="auto") -> None:
    """Assert the value agc's value_and_grad returns equals fn(*args)."""
    wrt = _wrt_names(fn, wrt)
    value, _ = agc_gradient(fn, args, wrt, pick_seed(fn, args) if isinstance(seed, str) else seed)
    expected = fn(*args)
    assert value is not None, f"{fn.__name__}: value_and_grad returned None as the value"
    np.testing.assert_allclose(np.asarray(value, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64), rtol=1e-12, atol=1e-12,
                               err_msg=f"{fn.__name__}: the emitted code's value differs")


def _wrt_names(fn, wrt) -> tuple:
    names = list(inspect.signature(fn).parameters)
    return (names[0],) if not wrt else ((wrt,) if isinstance(wrt, str) else tuple(wrt))


def check_gradient(fn, args: tuple, wrt=None, seed="auto", rtol: float = 1e-5,
                   atol: float = 1e-6, eps: float = EPS, value: bool = True) -> tuple:
    """Assert agc's gradient of fn at args matches central differences; returns agc's.

    With `value` (the default) the value returned next to the gradient must
    equal fn(*args) as well.
    """
    names = list(inspect.signature(fn).parameters)
    wrt = _wrt_names(fn, wrt)
    if isinstance(seed, str):
        seed = pick_seed(fn, args)
    got_value, grads = agc_gradient(fn, args, wrt, seed)
    if value:
        assert got_value is not None, f"{fn.__name__}: value_and_grad returned None as the value"
        np.testing.assert_allclose(np.asarray(got_value, dtype=np.float64),
                                   np.asarray(fn(*args), dtype=np.float64), rtol=1e-12,
                                   atol=1e-12,
                                   err_msg=f"{fn.__name__}: the emitted code's value differs")
    for name, got in zip(wrt, grads):
        index = names.index(name)
        expected = numeric_grad(fn, args, index, seed, eps)
        assert np.shape(got) == np.shape(args[index]), (
            f"{fn.__name__}: d/d{name} has shape {np.shape(got)}, "
            f"the argument has {np.shape(args[index])}")
        scale = max(1.0, float(np.max(np.abs(expected))) if np.size(expected) else 1.0)
        np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected, rtol=rtol,
                                   atol=atol * scale,
                                   err_msg=f"{fn.__name__}: d/d{name} at {args!r}")
    return grads


def import_file(path, name: str | None = None):
    """Import the Python file at `path` as a fresh module (registered in sys.modules)."""
    name = name or f"agc_test_module_{next(_modules)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def import_source(text: str, folder, stem: str):
    """Write `text` to folder/<stem>.py and import it as a fresh module."""
    path = folder / f"{stem}.py"
    path.write_text(text)
    return import_file(path)


def emitted_source(fn) -> str:
    """The emitted gradient module of a decorated function's first compiled version, without
    the comments naming model lines (they quote the model, which tests look for in code)."""
    return code_only(next(iter(fn._compiled.values())).source)


def code_only(source: str) -> str:
    """Emitted source without its `# model.py:12: ...` comments."""
    return "".join(line for line in source.splitlines(keepends=True)
                   if not MARKER.match(line))


def tree_leaves(tree) -> list:
    """Leaves of a pytree (dict, list, tuple), dict keys in sorted order."""
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in tree_leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in tree_leaves(item)]
    return [tree]
