"""Review of sorted(seq): the order is Python's own sort of the items (stable), also where an
item is NaN, which Python's comparisons leave in place where numpy's argsort put it last
(agc returned another value). The gradient follows the permutation (against jax, which sorts
with its own stable sort where no item is NaN)."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)


def weighted_sorted(x):
    s = sorted([x[0], x[1], x[2], x[3]])
    return s[0] + 2.0 * s[1] + 3.0 * s[2] + 4.0 * s[3]


def weighted_sorted_jax(x):
    s = jnp.sort(x, stable=True)
    return s[0] + 2.0 * s[1] + 3.0 * s[2] + 4.0 * s[3]


def test_a_nan_item_stays_where_python_leaves_it():
    x = np.array([1.5, np.nan, -2.0, 0.5])
    expected = sorted([1.5, float("nan"), -2.0, 0.5])
    value, grad = agc.differentiate(weighted_sorted).value_and_grad(x.copy())
    assert np.isnan(value) == np.isnan(weighted_sorted(x.copy()))
    weights = {v: k + 1.0 for k, v in enumerate(expected) if not np.isnan(v)}
    np.testing.assert_array_equal(grad[[0, 2, 3]], [weights[1.5], weights[-2.0], weights[0.5]])


def sorted_without_the_nan(x):
    s = sorted([x[0], x[1] * 0.0 + x[1], x[2]])
    return s[0] * 1.0 + s[2] * 3.0


def test_the_value_around_a_nan_is_pythons():
    x = np.array([1.5, np.nan, -2.0])
    with np.errstate(invalid="ignore"):
        value = agc.differentiate(sorted_without_the_nan).value_and_grad(x.copy())[0]
        assert value == sorted_without_the_nan(x.copy())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_values_and_gradients_against_jax(dtype):
    x = np.array([0.3, -1.2, 0.3, 2.5]).astype(dtype)
    value, grad = agc.differentiate(weighted_sorted).value_and_grad(x.copy())
    assert value == weighted_sorted(x.copy())
    expected = np.asarray(jax.grad(weighted_sorted_jax)(jnp.asarray(x, dtype=jnp.float64)))
    np.testing.assert_allclose(grad, expected, rtol=1e-6)
    assert grad.dtype == dtype
