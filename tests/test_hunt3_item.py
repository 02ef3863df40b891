"""`x.item()` is numpy's: the one item of a size-1 array of any rank, an int of an
integer array.

agc emitted `x.item()` as `float(...)` of the value read: an integer's item became a
float (`x[np.argmax(x).item()]` raised IndexError), and before `.item()` read its array
reshaped, `float()` of an array with dimensions (`x[1:2].item()`) raised TypeError.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gradcheck import check_gradient

jax.config.update("jax_enable_x64", True)

X = np.array([0.23, 0.71, 0.47, 0.91])
V = np.array([0.3, -0.2, 0.5, 0.1])


def item_of_a_slice(x):
    return x[0].item() * 2.0 + x[1:2].item() * x[1]


def item_of_a_block(x):
    m = np.outer(x, x)
    return m[1:2, 2:3].item() * 3.0 + np.sum(x).item()


def item_as_an_index(x):
    i = np.argmax(x).item()
    k = np.arange(4)[2:3].item()
    return x[i] * 2.0 + x[k] * k


def item_of_a_reshape(x):
    v = np.reshape(x[3:], (1, 1))
    return v.item() ** 2 * x[0]


def item_of_a_slice_jax(x):
    return x[0] * 2.0 + x[1] * x[1]


def item_of_a_block_jax(x):
    return x[1] * x[2] * 3.0 + jnp.sum(x)


def item_as_an_index_jax(x):
    return x[3] * 2.0 + x[2] * 2


def item_of_a_reshape_jax(x):
    return x[3] ** 2 * x[0]


MODELS = [(item_of_a_slice, item_of_a_slice_jax), (item_of_a_block, item_of_a_block_jax),
          (item_as_an_index, item_as_an_index_jax), (item_of_a_reshape, item_of_a_reshape_jax)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("pair", MODELS, ids=lambda p: p[0].__name__)
def test_value_and_gradient_match_numpy_and_jax(pair, dtype):
    model, twin = pair
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(model)(x.copy())
    assert value == model(x.copy())
    assert type(value) is type(model(x.copy()))
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, jax.grad(twin)(jnp.asarray(X)),
                               rtol=1e-5 if dtype == np.float32 else 1e-13)
    if dtype == np.float64:
        check_gradient(model, (X.copy(),), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("pair", MODELS, ids=lambda p: p[0].__name__)
def test_jvp_and_hvp_match_jax(pair):
    model, twin = pair
    _, tangent = agc.jvp(model, (X.copy(),), (V,))
    assert tangent == pytest.approx(float(jax.jvp(twin, (jnp.asarray(X),), (jnp.asarray(V),))[1]),
                                    rel=1e-12)
    np.testing.assert_allclose(agc.hvp(model)(X.copy(), V),
                               jax.jvp(jax.grad(twin), (jnp.asarray(X),), (jnp.asarray(V),))[1],
                               rtol=1e-12, atol=1e-14)

