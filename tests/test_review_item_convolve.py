"""Review of x.item and np.convolve: `x.item((i, j))` (one tuple, as numpy takes it) reads
x[i, j], and np.convolve of a number and an array (numpy's 1-d array of one) has the
number's gradient. Both raised inside the emitted code (IndexError, AttributeError)."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([1.53, -2.27, 3.71])


def item_of_a_tuple(x):
    y = np.outer(x, x)
    return y.item((2, 1)) + y.item((-1, 0)) * 2.0 + y.item(5) + x.item((1,))


def item_of_a_tuple_jax(x):
    y = jnp.outer(x, x)
    return y[2, 1] + y[-1, 0] * 2.0 + y.reshape(-1)[5] + x[1]


def convolved_with_numbers(x):
    return np.sum(np.convolve(x[0], x) ** 2) + np.sum(np.convolve(x, 2.0) * x[1:2])


def convolved_with_numbers_jax(x):
    return (jnp.sum(jnp.convolve(jnp.atleast_1d(x[0]), x) ** 2)
            + jnp.sum(jnp.convolve(x, jnp.atleast_1d(2.0)) * x[1:2]))


@pytest.mark.parametrize(("fn", "reference"), [
    (item_of_a_tuple, item_of_a_tuple_jax),
    (convolved_with_numbers, convolved_with_numbers_jax),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_values_and_gradients_against_jax(fn, reference, dtype):
    x = X.astype(dtype)
    value, grad = agc.differentiate(fn).value_and_grad(x.copy())
    assert value == fn(x.copy())
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(grad, np.asarray(jax.grad(reference)(jnp.asarray(X))), rtol=tol)
    assert grad.dtype == dtype
