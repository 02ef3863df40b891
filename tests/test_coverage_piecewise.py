"""np.piecewise(x, condlist, funclist): numpy's masked writes (a later condition wins, each
function sees x[cond]); gradients, tangents and Hessian-vector products against jax (CPU,
float64) and in float32; numpy's error for a wrong count of functions."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from against_jax import check_against_jax, check_float32
from agc.errors import UserCodeError

jax.config.update("jax_enable_x64", True)

X = np.array([-1.5, -0.3, 0.2, 0.7, 1.4, -0.8, 0.9])
V = np.array([0.5, -1.0, 2.0, 0.25, 1.5, -0.5, 1.0])


def cubic(t):
    return t ** 3


def pieces(x):
    y = np.piecewise(x, [x < -0.5, x > 0.5], [lambda t: t ** 2, cubic, lambda t: np.sin(t)])
    z = np.piecewise(x, [x < 0.0, x > -1.0], [np.cos, 0.5])  # overlap: the later one wins
    return np.sum(y * x) + np.sum(z ** 2)


def pieces_jax(x):
    y = jnp.piecewise(x, [x < -0.5, x > 0.5], [lambda t: t ** 2, cubic, lambda t: jnp.sin(t)])
    z = jnp.piecewise(x, [x < 0.0, x > -1.0], [jnp.cos, 0.5])
    return jnp.sum(y * x) + jnp.sum(z ** 2)


def test_values_gradients_tangents_hvps_match_numpy_and_jax():
    check_against_jax(pieces, pieces_jax, X, V)


def test_float32():
    check_float32(pieces, pieces_jax, X)


def centred(x):
    # a function that is not elementwise sees only x[cond], as numpy gives it
    return np.sum(np.piecewise(x, [x > 0.0], [lambda t: t - t.mean(), -1.0]) * x)


def test_a_function_sees_the_selected_entries_only():
    value, grad = agc.differentiate(centred).value_and_grad(X)
    assert value == centred(X)
    pos = X > 0
    want = np.where(pos, 2 * X - X[pos].mean() - X[pos].sum() / pos.sum(), -1.0)
    np.testing.assert_allclose(grad, want, rtol=1e-12)


def nothing_selected(x):
    return np.sum(np.piecewise(x, [x > 10.0], [lambda t: t.max()]) + x)


def test_a_condition_that_selects_nothing_skips_its_function():
    value, grad = agc.differentiate(nothing_selected).value_and_grad(X)  # max of nothing
    assert value == nothing_selected(X)
    np.testing.assert_array_equal(grad, np.ones_like(X))


def miscounted(x):
    return np.sum(np.piecewise(x, [x > 0.0], [np.sin, np.cos, np.tan]))


def test_a_wrong_count_of_functions_is_numpys_error_at_its_position():
    with pytest.raises(ValueError, match="either 1 or 2 functions are expected"):
        miscounted(X)
    with pytest.raises(UserCodeError, match="test_coverage_piecewise.py:.*either 1 or 2"):
        agc.differentiate(miscounted).grad(X)


def test_verify_proves_piecewise():
    assert agc.verify(pieces, X).proved
