"""`y op= v` on an array is numpy's in-place operation: y keeps its dtype and shape.

agc lowered `y += v` on an array no other name holds as `y = y + v`: a float32 `y` plus a
float64 `v` came back float64, an integer `y += 1.5` gave a float array where numpy raises
(`same_kind` casting), and `y += m` with `m` of a larger shape gave the broadcast result where
numpy raises ValueError (a silently wrong value). It is now `y = rt.in_place(y + v, y)`.
Also: a float32 parameter the model binds again (`x = x * np.ones(4)`, or `x *= w64`) got a
float64 gradient; a gradient has the dtype of the array the caller passed.
"""

from __future__ import annotations

import importlib.util

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gradcheck import check_gradient

jax.config.update("jax_enable_x64", True)

X = np.array([0.31, 0.52, -1.23, 0.87])
V = np.array([0.3, -0.2, 0.5, 0.1])
W = np.array([1.1, 1.2, 1.3, 1.4])


def float32_accumulator(x):
    y = np.zeros(4, dtype=np.float32)
    for i in range(3):
        y += x * (0.5 + i)
    return np.sum(y * y)


def float32_copy_plus_float64(x):
    y = x.astype(np.float32)
    y += x * x
    return np.sum(y * y)


def tanh_recurrence(x, w):
    h = np.zeros(4)
    for i in range(3):
        h += np.tanh(w * h + x)
    return np.sum(h * h)


def float32_accumulator_jax(x):
    return jnp.sum((x * 4.5) ** 2)


def float32_copy_plus_float64_jax(x):
    return jnp.sum((x + x * x) ** 2)


def tanh_recurrence_jax(x, w):
    h = jnp.zeros(4)
    for _ in range(3):
        h = h + jnp.tanh(w * h + x)
    return jnp.sum(h * h)


@pytest.mark.parametrize("model, twin", [(float32_accumulator, float32_accumulator_jax),
                                         (float32_copy_plus_float64, float32_copy_plus_float64_jax)],
                         ids=["accumulator", "astype_copy"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_float32_array_stays_float32(model, twin, dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(model)(x.copy())
    expected = model(x.copy())
    assert value.dtype == expected.dtype == np.float32
    assert value == expected
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, jax.grad(twin)(jnp.asarray(X)), rtol=1e-5)


def test_recurrence_gradient_jvp_and_hvp_match_jax():
    value, (gx, gw) = agc.value_and_grad(tanh_recurrence, wrt=("x", "w"))(X.copy(), W.copy())
    assert value == tanh_recurrence(X.copy(), W.copy())
    jx, jw = jax.grad(tanh_recurrence_jax, argnums=(0, 1))(jnp.asarray(X), jnp.asarray(W))
    np.testing.assert_allclose(gx, jx, rtol=1e-12)
    np.testing.assert_allclose(gw, jw, rtol=1e-12)
    check_gradient(tanh_recurrence, (X.copy(), W.copy()), wrt=("x", "w"), rtol=1e-7, atol=1e-8)
    _, tangent = agc.jvp(tanh_recurrence, (X.copy(), W.copy()), (V, None))
    want = jax.jvp(lambda x: tanh_recurrence_jax(x, jnp.asarray(W)), (jnp.asarray(X),),
                   (jnp.asarray(V),))[1]
    assert tangent == pytest.approx(float(want), rel=1e-12)
    hv = agc.hvp(tanh_recurrence)(X.copy(), W.copy(), V)
    want = jax.jvp(jax.grad(lambda x: tanh_recurrence_jax(x, jnp.asarray(W))),
                   (jnp.asarray(X),), (jnp.asarray(V),))[1]
    np.testing.assert_allclose(hv, want, rtol=1e-10)


@pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba not installed")
def test_numba_target_runs_the_in_place_recurrence():
    value, (gx, gw) = agc.value_and_grad(tanh_recurrence, wrt=("x", "w"),
                                         target="numba")(X.copy(), W.copy())
    want, (wx, ww) = agc.value_and_grad(tanh_recurrence, wrt=("x", "w"))(X.copy(), W.copy())
    assert value == pytest.approx(want, rel=1e-14)
    np.testing.assert_allclose(gx, wx, rtol=1e-13)
    np.testing.assert_allclose(gw, ww, rtol=1e-13)


def integer_plus_float(x):
    y = np.arange(4)
    y += 1.5
    return np.sum(x * y)


def shared_integer_plus_float(x):
    y = np.arange(4)
    z = y
    y += 1.5
    return np.sum(x * z)


def integer_times_parameter(x):
    y = np.arange(4) * 1
    y *= x
    return np.sum(y)


def grows_by_broadcasting(x):
    y = x * 1.0
    y += np.ones((2, 4))
    return np.sum(y)


def shared_grows_by_broadcasting(x):
    y = x * 1.0
    z = y
    y += np.ones((2, 4))
    return np.sum(y) + np.sum(z)


def one_item_plus_vector(x):
    y = x[:1] * 1.0
    y += x
    return np.sum(y)


@pytest.mark.parametrize("model, error", [
    (integer_plus_float, TypeError), (shared_integer_plus_float, TypeError),
    (integer_times_parameter, TypeError), (grows_by_broadcasting, ValueError),
    (shared_grows_by_broadcasting, ValueError), (one_item_plus_vector, ValueError)],
    ids=lambda p: getattr(p, "__name__", ""))
def test_raises_where_numpy_raises(model, error):
    with pytest.raises(error):
        model(X.copy())
    with pytest.raises(error):
        agc.value_and_grad(model)(X.copy())
    with pytest.raises(error):
        agc.jvp(model, (X.copy(),), (V,))


def rebound_parameter(x):
    x = x * np.ones(4)
    return np.sum(x * x)


def parameter_scaled_in_place(x):
    x *= W
    return np.sum(x * x)


def rebound_in_a_loop(x, w):
    for _ in range(2):
        w = w - 0.1 * np.ones(4) * x
    return np.sum(w * w)


def rebound_parameter_jax(x):
    return jnp.sum(x * x)


def parameter_scaled_in_place_jax(x):
    return jnp.sum((x * jnp.asarray(W)) ** 2)


@pytest.mark.parametrize("model, twin", [(rebound_parameter, rebound_parameter_jax),
                                         (parameter_scaled_in_place, parameter_scaled_in_place_jax)],
                         ids=["rebound", "in_place"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_rebound_parameter_gets_a_gradient_of_its_dtype(model, twin, dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(model)(x.copy())
    expected = model(x.copy())
    assert value == expected and value.dtype == expected.dtype
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, jax.grad(twin)(jnp.asarray(X)),
                               rtol=1e-6 if dtype == np.float32 else 1e-13)


def test_both_rebound_parameters_keep_their_dtypes():
    x32, w32 = X.astype(np.float32), W.astype(np.float32)
    gx, gw = agc.grad(rebound_in_a_loop, wrt=("x", "w"))(x32, w32)
    assert gx.dtype == gw.dtype == np.float32
    check_gradient(rebound_in_a_loop, (X.copy(), W.copy()), wrt=("x", "w"), rtol=1e-7, atol=1e-8)
