"""sorted() of arrays of one element (Python compares them as numbers) and of longer rows.

Reported: sorted() of one-element arrays raised inside agc (int() of a 1-d array, refused
by numpy 2.4) where Python sorts them, and rows of several numbers raised TypeError where
Python raises ValueError. Python's own sort of the positions (rt.sorted_order) fixed both;
these pin the values, the gradients (against jax) and the errors.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.71, 0.23, 0.91, 0.47])
V = np.array([0.3, -0.2, 0.5, 0.1])
W = np.array([1.0, 2.0, 3.0])


def sorted_slices(x):
    s = sorted([x[2:3], x[0:1], x[1:2]])  # three arrays of one element each
    return np.sum(np.concatenate(s) * np.array([1.0, 2.0, 3.0]))


def sorted_column(x):
    s = sorted(x.reshape(4, 1))  # rows of one element
    return np.sum(s[0] * 2.0 + s[3] * s[1])


def sorted_one_row(x):
    s = sorted(x.reshape(1, 4))  # one row: nothing to compare
    return np.sum(s[0] ** 2)


def sorted_rows(x):
    s = sorted(x.reshape(2, 2))
    return np.sum(s[0])


def _twins():
    def slices(x):
        return jnp.sum(jnp.sort(x[:3]) * jnp.array([1.0, 2.0, 3.0]))

    def column(x):
        s = jnp.sort(x)
        return s[0] * 2.0 + s[3] * s[1]

    return {sorted_slices: slices, sorted_column: column,
            sorted_one_row: lambda x: jnp.sum(x ** 2)}


@pytest.mark.parametrize("model", [sorted_slices, sorted_column, sorted_one_row])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sorted_of_one_element_items_against_jax(model, dtype):
    twin, x = _twins()[model], X.astype(dtype)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    f = agc.differentiate(model)
    value, grad = f.value_and_grad(x.copy())
    assert value == pytest.approx(float(model(x.copy())), rel=rtol)
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, jax.grad(twin)(jnp.asarray(X)), rtol=rtol)
    if dtype == np.float64:
        at, along = (jnp.asarray(X),), (jnp.asarray(V),)
        np.testing.assert_allclose(f.jvp(X, tangents=(V,))[1], jax.jvp(twin, at, along)[1],
                                   rtol=1e-12)
        np.testing.assert_allclose(agc.hvp(model)(X, V), jax.jvp(jax.grad(twin), at, along)[1],
                                   rtol=1e-12, atol=1e-15)


def test_sorted_of_longer_rows_raises_as_python():
    with pytest.raises(ValueError, match="truth value"):
        sorted_rows(X)
    with pytest.raises(ValueError, match="truth value"):
        agc.differentiate(sorted_rows).grad(X)
