"""`//=`, `%=`, `|=`, `&=`, `^=`, `<<=`, `>>=` on arrays and numbers, and `<<`, `>>`.

They were refused ("this augmented assignment is not supported"). On an array they are
numpy's in-place operations (`y = rt.in_place(y op v, y)`: y's dtype and shape kept,
numpy's errors), on a number a new value. `//`, `&`, `|`, `^`, `<<`, `>>` carry no
derivative (jax's floor_divide has a zero gradient too); `%` passes 1 to its left operand.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([[0.3, -0.7, 1.1], [0.2, -0.4, 0.9]])


def floordiv_of_int_with_negatives(x):
    k = np.arange(6) - 3
    k //= 2
    return np.sum(x.ravel() * k), k


def mod_of_floats(x):
    y = x * 3.0
    y %= 1.0
    return np.sum(y * x)


def floordiv_of_floats(x):
    y = x * 3.0
    y //= 0.5
    return np.sum(y * x)


def masks_combined(x):
    m = x > 0
    m |= x < -0.5
    n = x > 0
    n &= x < 0.5
    p = x > 0
    p ^= x < 0.5
    return np.sum(np.where(m, x, 0.0) + np.where(n, x * x, 0.0) + np.where(p, 2 * x, 0.0))


def shifts_of_ints(x):
    k = np.arange(6)
    k <<= 2
    k >>= 1
    return np.sum(x.ravel() * k) + np.sum(x.ravel() * (k << 1) + (k >> 2))


def numbers(x):
    n = -7
    n //= 2
    m = n
    n %= 3
    n |= 4
    n ^= 1
    n &= 6
    n <<= 3
    n >>= 1
    return np.sum(x) * n + m


def float32_mod(x):
    y = x.astype(np.float32) * 3
    y %= 1.0
    return np.sum(y * y)


def int_array_mod_by_float(x):
    k = np.arange(6)
    k %= 1.5  # numpy: a float result cannot go back into an int array
    return np.sum(x) * k[0]


def alias_of_an_int_array(x):
    k = np.arange(6) - 2
    j = k
    j //= 3  # in place: k changes too
    return np.sum(x.ravel() * k)


def jax_mod(x):
    y = (x * 3.0) % 1.0
    return jnp.sum(y * x)


def jax_floordiv(x):
    y = (x * 3.0) // 0.5
    return jnp.sum(y * x)


def jax_masks(x):
    m = (x > 0) | (x < -0.5)
    n = (x > 0) & (x < 0.5)
    p = (x > 0) ^ (x < 0.5)
    return jnp.sum(jnp.where(m, x, 0.0) + jnp.where(n, x * x, 0.0) + jnp.where(p, 2 * x, 0.0))


def jax_float32_mod(x):
    y = (x * 3) % 1.0
    return jnp.sum(y * y)


@pytest.mark.parametrize("fn, ref", [(mod_of_floats, jax_mod), (floordiv_of_floats, jax_floordiv),
                                     (masks_combined, jax_masks)])
def test_value_and_gradient_against_jax(fn, ref):
    f = agc.differentiate(fn)
    value, grad = f.value_and_grad(X.copy())
    assert value == pytest.approx(fn(X.copy()), rel=1e-12)
    np.testing.assert_allclose(grad, jax.grad(ref)(jnp.asarray(X)), rtol=1e-12, atol=1e-12)
    tangent = np.ones_like(X)
    _, jvp = f.jvp(X.copy(), tangents=(tangent,))
    assert jvp == pytest.approx(float(np.sum(np.asarray(jax.grad(ref)(jnp.asarray(X))))),
                                rel=1e-12)


def test_float32_stays_float32():
    f = agc.differentiate(float32_mod)
    x32 = X.astype(np.float32)
    value, grad = f.value_and_grad(x32.copy())
    assert value == pytest.approx(float32_mod(x32.copy()), rel=1e-6)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, jax.grad(jax_float32_mod)(jnp.asarray(x32)), rtol=1e-5)


def test_integer_arrays_keep_numpy_values_and_dtype():
    value, k = agc.differentiate(floordiv_of_int_with_negatives)(X.copy())
    want, k_numpy = floordiv_of_int_with_negatives(X.copy())
    np.testing.assert_array_equal(k, k_numpy)  # floor of negatives: [-2, -1, -1, 0, 0, 1]
    assert k.dtype == k_numpy.dtype and value == want


@pytest.mark.parametrize("fn, grad", [
    (shifts_of_ints, lambda x: np.array([0, 2, 4, 6, 8, 10]) * 3.0),
    (alias_of_an_int_array, lambda x: np.array([-1, -1, 0, 0, 0, 1]) * 1.0),
    (numbers, lambda x: np.full(6, 24.0)),
])
def test_integer_results_with_their_gradients(fn, grad):
    f = agc.differentiate(fn)
    value, g = f.value_and_grad(X.copy())
    assert value == pytest.approx(fn(X.copy()), rel=1e-12)
    np.testing.assert_array_equal(g, grad(X).reshape(X.shape))


def test_numbers_are_python_numbers():
    assert numbers(np.ones((2, 3))) == 6 * 24 - 4  # n: 24, m: -7 // 2


def test_a_float_into_an_int_array_raises_as_numpy():
    with pytest.raises(TypeError):
        int_array_mod_by_float(X.copy())
    with pytest.raises(TypeError):
        agc.differentiate(int_array_mod_by_float).value_and_grad(X.copy())
