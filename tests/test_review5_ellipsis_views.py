"""Review 5: `v = y[i, j, ...]` is a view of y (0-d where the integers take every axis), so
`v op= w` writes y, as numpy does. agc took the 0-d view for a number (`y[i, j]` is one) and
left y alone: a wrong value and gradient, silently. Compared with jax (float64), whose
`.at[...]` updates say the same thing functionally, also for jvp and hvp."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from against_jax import check_x_and_s

jax.config.update("jax_enable_x64", True)

V = np.array([0.3, -1.2, 2.5])
M = np.array([[0.3, -1.2, 2.5], [0.7, 1.1, -0.4]])


def item_view_of_a_vector(x, s):
    y = x * s
    v = y[0, ...]
    v += 1.0
    return v + np.sum(y * y)


def item_view_of_a_vector_jax(x, s):
    y = (x * s).at[0].add(1.0)
    return y[0] + jnp.sum(y * y)


def item_view_of_a_matrix(x, s):
    y = x * s
    v = y[0, 1, ...]
    v *= y[1, 2]
    return np.sum(y ** 3)


def item_view_of_a_matrix_jax(x, s):
    y = x * s
    y = y.at[0, 1].multiply(y[1, 2])
    return jnp.sum(y ** 3)


def column_view(x, s):
    y = x * s
    v = y[..., 1]
    v -= 2.0 * s
    return np.sum(y ** 3)


def column_view_jax(x, s):
    y = (x * s).at[:, 1].add(-2.0 * s)
    return jnp.sum(y ** 3)


CASES = [(item_view_of_a_vector, item_view_of_a_vector_jax, V),
         (item_view_of_a_matrix, item_view_of_a_matrix_jax, M),
         (column_view, column_view_jax, M)]
IDS = [c[0].__name__ for c in CASES]


@pytest.mark.parametrize(("fn", "ref", "x"), CASES, ids=IDS)
def test_value_and_gradient_match_jax(fn, ref, x):
    check_x_and_s(fn, ref, x, 2.0)


@pytest.mark.parametrize(("fn", "ref", "x"), CASES, ids=IDS)
def test_jvp_and_hvp_match_jax(fn, ref, x):
    t = np.linspace(-0.5, 0.7, x.size).reshape(x.shape)
    value, tangent = agc.jvp(fn, (x.copy(), 2.0), (t, 0.3))
    e_value, e_tangent = jax.jvp(ref, (jnp.asarray(x), 2.0), (jnp.asarray(t), 0.3))
    np.testing.assert_allclose(value, e_value, rtol=1e-13)
    np.testing.assert_allclose(tangent, e_tangent, rtol=1e-12)
    hv = agc.hvp(fn, wrt="x")(x.copy(), 2.0, t)
    e_hv = jax.jvp(lambda z: jax.grad(ref)(z, 2.0), (jnp.asarray(x),), (jnp.asarray(t),))[1]
    np.testing.assert_allclose(hv, e_hv, rtol=1e-12)


@pytest.mark.parametrize(("fn", "ref", "x"), CASES, ids=IDS)
def test_float32(fn, ref, x):
    x32 = x.astype(np.float32)
    value, gx = agc.differentiate(fn, wrt="x").value_and_grad(x32.copy(), np.float32(2.0))
    assert value.dtype == np.float32 and gx.dtype == np.float32
    np.testing.assert_allclose(value, fn(x32.copy(), np.float32(2.0)), rtol=1e-6)
    np.testing.assert_allclose(gx, jax.grad(ref)(jnp.asarray(x), 2.0), rtol=1e-5)
