"""Second derivatives of np.cumprod (rt.cumprod_grad_jvp): Hessian-vector products against
jax (CPU, float64), along an axis and flattened, exact where x has zeros; float32."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(3)


def products(x):
    return np.sum(np.cumprod(x, axis=1) ** 2) + np.sum(np.cumprod(x, axis=0) * x) + \
        np.sum(np.sin(np.cumprod(x)))


def products_jax(x):
    return jnp.sum(jnp.cumprod(x, axis=1) ** 2) + jnp.sum(jnp.cumprod(x, axis=0) * x) + \
        jnp.sum(jnp.sin(jnp.cumprod(x)))


@pytest.mark.parametrize("zeros", [False, True])
def test_hvp_of_cumprod_matches_jax(zeros):
    x, v = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    if zeros:  # exact where x has zeros: no division by x
        x[1, 1] = x[0, 2] = x[2, 2] = 0.0
    want = jax.jvp(jax.grad(products_jax), (x,), (v,))[1]
    np.testing.assert_allclose(agc.hvp(products)(x, v), want, rtol=1e-10, atol=1e-12)


def test_hvp_of_cumprod_in_float32():
    x, v = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    got = agc.hvp(products)(x.astype(np.float32), v.astype(np.float32))
    assert got.dtype == np.float32
    want = jax.jvp(jax.grad(products_jax), (x,), (v,))[1]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_verify_proves_the_second_derivative_of_cumprod():
    x = np.array([[0.5, -1.2, 0.7], [1.1, 0.0, -0.4]])
    assert agc.verify(products, x, order=2).proved
