"""Review of np.max / np.min with initial= (and where=): numpy casts initial into the
operand's dtype, so np.max(k, initial=3.5) of an integer k starts from 3 and stays an
integer; agc compared with 3.5 itself and gave a float (a wrong value where initial won).
The float cases keep their values and their gradients in x and in initial (against jax)."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([1.53, -2.27, 3.71])


def integer_extremes(x):
    k = np.array([1, 2, 3])
    a = np.max(k, initial=3.5)
    b = np.min(k, where=k > 1, initial=-0.5)
    return x[0] * a + x[1] * b + float(a.dtype == k.dtype) + float(b.dtype == k.dtype)


def test_initial_is_cast_into_an_integer_operand():
    value, grad = agc.differentiate(integer_extremes).value_and_grad(X.copy())
    assert value == integer_extremes(X.copy()) == X[0] * 3 + 2.0
    np.testing.assert_array_equal(grad, [3.0, 0.0, 0.0])


def masked_extremes(x, c):
    y = np.outer(x, x)
    return np.sum(np.max(y, axis=0, where=y > 1.0, initial=c * c)) + np.min(x, initial=c)


def masked_extremes_jax(x, c):
    y = jnp.outer(x, x)
    return jnp.sum(jnp.max(y, axis=0, where=y > 1.0, initial=c * c)) + jnp.min(x, initial=c)


@pytest.mark.parametrize("c", [1.2, 3.0, -3.0])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_float_extremes_against_jax(c, dtype):
    x = X.astype(dtype)
    value, (gx, gc) = agc.differentiate(masked_extremes, wrt=("x", "c")).value_and_grad(x, c)
    assert value == masked_extremes(x, c)
    ex, ec = jax.grad(masked_extremes_jax, argnums=(0, 1))(jnp.asarray(X), c)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(gx, np.asarray(ex), rtol=tol)
    np.testing.assert_allclose(gc, float(ec), rtol=tol)
    assert gx.dtype == dtype


def extremes_of_empty_arrays(x):
    e = x[3:]
    rows = np.outer(x, x)[:, 3:]
    return (np.max(e, initial=-1.0) * x[0] + np.min(e, where=e > 0, initial=4.0) * x[2]
            + np.sum(np.max(rows, axis=1, initial=0.5) * x))


def test_an_empty_array_gives_initial():
    value, grad = agc.differentiate(extremes_of_empty_arrays).value_and_grad(X.copy())
    assert value == extremes_of_empty_arrays(X.copy())
    np.testing.assert_array_equal(grad, [-1.0 + 0.5, 0.5, 4.0 + 0.5])


def initial_wins(x):
    return np.max(x, initial=10.0) * x[0] + np.sum(np.min(np.outer(x, x), axis=0, initial=-20.0))


def test_a_literal_initial_that_wins_gives_x_no_gradient():
    value, grad = agc.differentiate(initial_wins).value_and_grad(X.copy())
    assert value == initial_wins(X.copy())
    np.testing.assert_array_equal(grad, [10.0, 0.0, 0.0])
