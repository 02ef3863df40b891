"""Review of np.floor_divide and np.divmod: a Python number next to a float32 (or int32)
array stays weak as numpy 2 has it, so the result is float32 (int32) and its values are
numpy's to the bit. agc made the number a float64 array first and computed in float64
(np.divmod(x32, 0.7)[1] differed in the last bits, as a float64)."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([1.53, -2.27, 3.71, 0.35])


def divided(x):
    q, r = np.divmod(x, 0.7)
    r = r + q * 0.0
    return np.sum(r * x) + np.sum(np.floor_divide(x, -0.3) * x) + np.sum(np.divmod(2.5, x)[1])


def divided_jax(x):
    q, r = jnp.divmod(x, 0.7)
    r = r + q * 0.0
    return jnp.sum(r * x) + jnp.sum(jnp.floor_divide(x, -0.3) * x) + jnp.sum(jnp.divmod(2.5, x)[1])


def remainder_of(x):
    return np.divmod(x, 0.7)[1]


def quotient_of(x):
    return np.floor_divide(x, 0.7)


@pytest.mark.parametrize("fn", [remainder_of, quotient_of])
def test_a_python_number_stays_weak_next_to_float32(fn):
    x = X.astype(np.float32)
    expected = fn(x.copy())
    value = agc.differentiate(fn).vjp(x.copy(), seed=np.ones(4, np.float32))[0]
    assert value.dtype == expected.dtype == np.float32
    np.testing.assert_array_equal(value, expected)


def integer_quotient(x):
    k = np.array([7, -7, 3, 5]).astype(np.int32)
    q = np.floor_divide(k, 2)
    return np.sum(q * x) + np.sum(np.divmod(k, -3)[1] * x) + float(q.dtype == np.int32)


def test_an_int32_array_stays_int32():
    value, grad = agc.differentiate(integer_quotient).value_and_grad(X.copy())
    assert value == integer_quotient(X.copy())
    np.testing.assert_array_equal(grad, [3, -4, 1, 2] + np.array([7, -7, 3, 5]) % -3)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_values_and_gradients_against_jax(dtype):
    x = X.astype(dtype)
    value, grad = agc.differentiate(divided).value_and_grad(x.copy())
    assert value == divided(x.copy())
    expected = np.asarray(jax.grad(divided_jax)(jnp.asarray(X)))
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(grad, expected, rtol=tol)
    assert grad.dtype == dtype


def remainders_of_numbers_and_lists(a, b):
    return np.mod(a, b) * a + np.remainder(a, 0.0 * b) + np.sum(np.mod([a, b * 2.0], 0.7))


def test_np_mod_of_numbers_and_lists_is_numpys():
    with np.errstate(invalid="ignore"):
        value, ga = agc.differentiate(remainders_of_numbers_and_lists).value_and_grad(1.3, 0.45)
        assert np.isnan(value) and np.isnan(remainders_of_numbers_and_lists(1.3, 0.45))
    value, (ga, gb) = agc.differentiate(
        remainders, wrt=("a", "b")).value_and_grad(1.3, 0.45)
    assert value == remainders(1.3, 0.45)
    ea, eb = jax.grad(lambda a, b: jnp.mod(a, b) * a + jnp.sum(jnp.mod(jnp.stack([a, b * 2.0]), 0.7)),
                      argnums=(0, 1))(1.3, 0.45)
    np.testing.assert_allclose([ga, gb], [float(ea), float(eb)], rtol=1e-12)


def remainders(a, b):
    return np.mod(a, b) * a + np.sum(np.mod([a, b * 2.0], 0.7))
