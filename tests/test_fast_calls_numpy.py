"""The numpy target's short call path (fast_calls.numpy_methods): `f.grad` and
`f.value_and_grad` are functions of their own that run the kept entry of the
arguments' types, and every other call (keywords, a seed, other dtypes or ranks)
still gets what the full path gives. Values against jax (float64 and float32)."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc import fast_calls
from agc.functional import gradient_of

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(3)


def mse(w, b, x, y):
    """A mean squared error of a line."""
    r = w * x + b - y
    return np.mean(r * r)


def _jax_mse(w, b, x, y):
    r = w * x + b - y
    return jnp.mean(r * r)


def _want(*args):
    return jax.grad(_jax_mse, argnums=(0, 1))(*args)


def _inputs(dtype=np.float64, n=9):
    x, y = RNG.normal(size=n).astype(dtype), RNG.normal(size=n).astype(dtype)
    return 0.7, -0.2, x, y


def _check(got, args, rtol=1e-12):
    for g, w in zip(got, _want(*args)):
        np.testing.assert_allclose(g, np.asarray(w), rtol=rtol)


def test_grad_is_a_function_of_its_own_known_as_f_grad():
    f = agc.differentiate(mse, wrt=("w", "b"))
    assert f.grad.differentiated is f and f.value_and_grad.differentiated is f
    assert f.grad.__name__ == "grad" and "gradient" in f.grad.__doc__
    assert gradient_of(agc.grad(f)) is f


def test_calls_after_the_first_run_the_kept_entry_and_agree_with_jax():
    f = agc.differentiate(mse, wrt=("w", "b"))
    args = _inputs()
    first = f.grad(*args)
    table = f._fast.tables[1]
    assert len(table) == 1  # the full path kept the entry for these types
    for _ in range(3):
        again = f.grad(*args)
        assert all(np.array_equal(a, b) for a, b in zip(first, again))
    _check(first, args)
    value, grads = f.value_and_grad(*args)
    np.testing.assert_allclose(value, float(_jax_mse(*args)), rtol=1e-13)
    _check(grads, args)
    _check(f.value_and_grad(*args)[1], args)  # the kept value_and_grad entry


def test_another_dtype_or_rank_takes_the_full_path():
    f = agc.differentiate(mse, wrt=("w", "b"))
    f.grad(*_inputs())
    args32 = _inputs(np.float32)
    got = f.grad(*args32)  # same types (ndarray), another dtype: the entry says MISS
    _check(got, args32, rtol=1e-5)
    w, b, x, y = _inputs(n=6)
    args2d = (w, b, x.reshape(2, 3), y.reshape(2, 3))
    _check(f.grad(*args2d), args2d)
    args = _inputs()
    _check(f.grad(*args), args)


def test_an_equal_dtype_that_is_another_object_runs_the_kept_entry():
    f = agc.differentiate(mse, wrt=("w", "b"))
    w, b, x, y = _inputs()
    f.grad(w, b, x, y)
    other = np.dtype(np.float64, metadata={"unit": "m"})  # == float64, not the same object
    assert other is not x.dtype and other == x.dtype
    x2, y2 = x.astype(other), y.astype(other)
    [entry] = f._fast.tables[1].values()
    assert entry((w, b, x2, y2)) is not fast_calls.MISS
    _check(f.grad(w, b, x2, y2), (w, b, x, y))


def test_keywords_a_seed_and_intermediates_still_work():
    f = agc.differentiate(mse, wrt=("w", "b"))
    args = _inputs()
    f.grad(*args)
    w, b, x, y = args
    _check(f.grad(w, b, x=x, y=y), args)
    _, grads = f.value_and_grad(*args, seed=2.0)
    for g, want in zip(grads, _want(*args)):
        np.testing.assert_allclose(g, 2.0 * np.asarray(want), rtol=1e-12)
    grads, kept = f.grad(*args, intermediates=("r",))
    _check(grads, args)
    r = w * x + b - y
    np.testing.assert_allclose(kept["r"], 2 * r / r.size, rtol=1e-12)


def shapes_mismatch(x, y):
    """x * y of arrays numpy cannot broadcast together."""
    return np.sum(x * y)


def test_an_error_on_the_short_path_names_the_model_line():
    f = agc.differentiate(shapes_mismatch, wrt="x")
    f.grad(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="operands could not be broadcast") as info:
        f.grad(np.ones(3), np.ones(4))  # the kept entry: same types, dtypes and ranks
    assert any("return np.sum(x * y)" in note for note in getattr(info.value, "__notes__", []))
