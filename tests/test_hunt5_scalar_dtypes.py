"""A numpy scalar or 0-d array parameter gets a gradient of its own dtype.

agc compiles a np.float32 scalar (or a 0-d array) as an array of rank 0, and skipped the
final cast of its gradient as it does for a Python number: `np.sum(np.ones(3) * a)` of
`a = np.float32(0.7)` had a float64 gradient. A Python float has no dtype: its gradient
is left as the sweep made it.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

A = 0.7


def scaled_ones(a):
    y = np.ones(3) * a
    return np.sum(y * y)


def scaled_and_added_in_place(a):
    y = np.array([1.0, 2.0]) * a
    y += a
    return np.sum(y * np.sin(y))


def scaled_ones_jax(a):
    return jnp.sum((jnp.ones(3) * a) ** 2)


def scaled_and_added_in_place_jax(a):
    y = jnp.array([1.0, 2.0]) * a + a
    return jnp.sum(y * jnp.sin(y))


ARGUMENTS = [np.float32(A), np.array(A, dtype=np.float32), np.float64(A), np.array(A)]


@pytest.mark.parametrize("model, twin", [(scaled_ones, scaled_ones_jax),
                                         (scaled_and_added_in_place,
                                          scaled_and_added_in_place_jax)],
                         ids=["ones", "in_place"])
@pytest.mark.parametrize("a", ARGUMENTS, ids=["f32", "f32_0d", "f64", "f64_0d"])
def test_gradient_has_the_dtype_of_the_numpy_scalar(model, twin, a):
    value, grad = agc.value_and_grad(model)(a)
    assert value == model(a)
    assert np.asarray(grad).dtype == a.dtype
    want = jax.grad(twin)(jnp.float64(A))
    assert float(grad) == pytest.approx(float(want), rel=1e-6 if a.dtype == np.float32 else 1e-13)


def test_python_float_gradient_is_unchanged():
    grad = agc.grad(scaled_ones)(A)
    assert isinstance(grad, float)
    assert grad == pytest.approx(float(jax.grad(scaled_ones_jax)(A)), rel=1e-13)
