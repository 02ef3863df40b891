"""np.select and np.polyval: numpy's values, dtypes and errors; gradients, tangents and
Hessian-vector products against jax (CPU, float64) and in float32."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from against_jax import check_against_jax
from agc.errors import UserCodeError

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(8)
X = RNG.normal(size=(3, 4))
V = RNG.normal(size=(3, 4))


def piecewise_loss(x):
    y = np.select([x > 0.5, x < -0.5], [x ** 2, np.sin(x) * 3.0], default=x * 0.1)
    z = np.select([x > 0.0], [x * x])  # the default 0
    return np.sum(y * x) + np.sum(z ** 2)


def piecewise_loss_jax(x):
    y = jnp.select([x > 0.5, x < -0.5], [x ** 2, jnp.sin(x) * 3.0], default=x * 0.1)
    z = jnp.select([x > 0.0], [x * x])
    return jnp.sum(y * x) + jnp.sum(z ** 2)


def test_select_values_gradients_tangents_hvps_match_numpy_and_jax():
    check_against_jax(piecewise_loss, piecewise_loss_jax, X, V)


def overlapping(x):
    # where both conditions hold the first choice wins; a Python number stays weak
    return np.select([x > 0.0, x > -0.2], [x * 2.0, 5.0], 1.5)


def test_select_first_condition_wins_and_keeps_numpys_dtype():
    for dtype in (np.float64, np.float32):
        x = X.astype(dtype)
        value = agc.differentiate(lambda_free_sum).value_and_grad(x)[0]
        assert value == lambda_free_sum(x) and np.asarray(value).dtype == dtype
        got = agc.jvp(overlapping, (x,), (V.astype(dtype),))
        np.testing.assert_array_equal(got[0], overlapping(x))
        assert got[0].dtype == overlapping(x).dtype == dtype


def lambda_free_sum(x):
    return np.sum(overlapping(x) * x)


def integer_condition(x):
    return np.sum(np.select([(x > 0).astype(int)], [x]))


def test_a_condition_that_is_not_boolean_raises_numpys_type_error():
    with pytest.raises(TypeError, match="invalid entry 0 in condlist"):
        integer_condition(X)
    with pytest.raises(TypeError, match="invalid entry 0 in condlist"):
        agc.differentiate(integer_condition).grad(X)


def mismatched(x):
    return np.sum(np.select([x > 0, x < 0], [x]))


def from_a_variable(x):
    conds = [x > 0]
    return np.sum(np.select(conds, [x]))


def test_mismatched_lists_and_list_variables_are_refused_at_their_position():
    with pytest.raises(UserCodeError, match="same length"):
        agc.differentiate(mismatched).grad(X)
    with pytest.raises(UserCodeError, match="test_coverage_select.py:.*condlist"):
        agc.differentiate(from_a_variable).grad(X)


def cubic(p, x):
    return np.sum(np.polyval(p, x) ** 2) + np.polyval(p, 0.5)


def cubic_jax(p, x):
    return jnp.sum(jnp.polyval(p, x) ** 2) + jnp.polyval(p, 0.5)


P = np.array([0.5, -1.0, 2.0, 0.3])


def test_polyval_values_gradients_tangents_hvps_match_numpy_and_jax():
    value, grads = agc.differentiate(cubic, wrt=("p", "x")).value_and_grad(P, X)
    assert value == cubic(P, X)
    for got, want in zip(grads, jax.grad(cubic_jax, argnums=(0, 1))(P, X)):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    vp = RNG.normal(size=4)
    _, tangent = agc.jvp(cubic, (P, X), (vp, V))
    np.testing.assert_allclose(tangent, jax.jvp(cubic_jax, (P, X), (vp, V))[1], rtol=1e-12)
    want = jax.jvp(jax.grad(lambda x: cubic_jax(P, x)), (X,), (V,))[1]
    np.testing.assert_allclose(agc.hvp(cubic, wrt="x")(P, X, V), want, rtol=1e-12)


def of_a_list(x):
    return np.sum(np.polyval([1.5, -2.0, 0.25], x) * x)


def test_polyval_of_a_list_keeps_numpys_float64_for_a_float32_x():
    x = X.astype(np.float32)
    value, grad = agc.differentiate(of_a_list).value_and_grad(x)
    assert value == of_a_list(x) and np.asarray(value).dtype == np.float64
    assert grad.dtype == np.float32
    want = jax.grad(lambda x: jnp.sum(jnp.polyval(jnp.array([1.5, -2.0, 0.25]), x) * x))(X)
    np.testing.assert_allclose(grad, want, rtol=1e-5)


def test_polyval_of_no_coefficients_is_zero():
    value, grad = agc.differentiate(cubic, wrt="x").value_and_grad(np.zeros(0), X)
    assert value == cubic(np.zeros(0), X) == 0.0
    np.testing.assert_array_equal(grad, np.zeros_like(X))


def test_verify_proves_select_and_polyval():
    x = np.array([0.3, 0.9, -0.7, 0.6, -0.2, 0.45])
    assert agc.verify(piecewise_loss, x).proved
    assert agc.verify(cubic, P, x, wrt=("p", "x")).proved
