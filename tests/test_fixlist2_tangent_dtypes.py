"""A tangent has its value's dtype in forward mode (f.jvp, agc.jacfwd, agc.hvp).

`x32 + np.zeros(4)` is float64 in numpy, and jax's tangent of it is float64: agc's was
float32 (the tangent x_dot passed on as it is). The same for a float64 operand that the
tangent does not read as arithmetic (np.maximum(x, c) reads c in `x > c`), a numpy
float64 scalar (strong in numpy 2, unlike a Python float), an integer array, np.interp
(float64 always), np.select's default, scipy's multigammaln and a reduction's dtype=.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.3, 0.55, 0.7, 0.9])
K = np.array([0, 1, 2, 3])


def plus_zeros(x, k):
    return x + np.zeros(4)


def numpy_scalar(x, k):
    return x - np.float64(1.5)


def plus_integers(x, k):
    return x + k


def where_zeros(x, k):
    return np.where(x > 0.5, x, np.zeros(4))


def maximum_zeros(x, k):
    return np.maximum(x, np.zeros(4))


def clip_float64(x, k):
    return np.clip(x, np.zeros(4), 0.8)


def interp(x, k):
    return np.interp(x, np.array([0.0, 1.0]), np.array([0.0, 2.0]))


def select_default(x, k):
    return np.select([x > 0.5], [x], np.zeros(4))


def sum_plus_scalar(x, k):
    return np.sum(x) + np.float64(1.0)


def prod_in_float64(x, k):
    return np.prod(x, dtype=np.float64)


def times_float64(x, k):
    return x * np.float64(2.0)


def reshaped_plus_zeros(x, k):
    return np.reshape(x, (2, 2)) + np.zeros((2, 2))


TWINS = {
    plus_zeros: lambda x: x + jnp.zeros(4),
    numpy_scalar: lambda x: x - 1.5,
    plus_integers: lambda x: x + jnp.asarray(K),
    where_zeros: lambda x: jnp.where(x > 0.5, x, jnp.zeros(4)),
    maximum_zeros: lambda x: jnp.maximum(x, jnp.zeros(4)),
    clip_float64: lambda x: jnp.clip(x, jnp.zeros(4), 0.8),
    interp: lambda x: jnp.interp(x, jnp.array([0.0, 1.0]), jnp.array([0.0, 2.0])),
    select_default: lambda x: jnp.select([x > 0.5], [x], jnp.zeros(4)),
    sum_plus_scalar: lambda x: jnp.sum(x) + 1.0,
    prod_in_float64: lambda x: jnp.prod(x),
    times_float64: lambda x: x * 2.0,
    reshaped_plus_zeros: lambda x: jnp.reshape(x, (2, 2)) + jnp.zeros((2, 2)),
}


@pytest.mark.parametrize("model", list(TWINS), ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tangent_has_the_value_dtype(model, dtype):
    x, v = X.astype(dtype), np.array([1.0, -2.0, 0.5, 3.0], dtype=dtype)
    value, tangent = agc.differentiate(model, wrt="x").jvp(x, K, tangents=(v, None))
    want = model(x, K)
    assert np.asarray(value).dtype == np.asarray(want).dtype
    assert np.asarray(tangent).dtype == np.asarray(want).dtype
    expected = jax.jvp(TWINS[model], (X,), (v.astype(np.float64),))[1]
    np.testing.assert_allclose(tangent, expected, rtol=1e-6)


@pytest.mark.parametrize("model", [plus_zeros, where_zeros, interp, sum_plus_scalar],
                         ids=lambda f: f.__name__)
def test_jacfwd_has_the_value_dtype(model):
    jac = agc.jacfwd(model)(X.astype(np.float32), K)
    assert jac.dtype == np.asarray(model(X.astype(np.float32), K)).dtype
    np.testing.assert_allclose(jac, jax.jacfwd(TWINS[model])(X), rtol=1e-6)


def multigammaln(x, k):
    return np.sum(sp_special.multigammaln(x + 2.0, 2))


sp_special = pytest.importorskip("scipy.special")


def test_multigammaln_tangent_is_float64_as_its_value():
    x = X.astype(np.float32)
    value, tangent = agc.differentiate(multigammaln, wrt="x").jvp(
        x, K, tangents=(np.ones(4, np.float32), None))
    assert np.asarray(value).dtype == np.asarray(tangent).dtype == np.float64
    want = jax.jvp(lambda a: jnp.sum(jax.scipy.special.multigammaln(a + 2.0, 2)), (X,),
                   (np.ones(4),))[1]
    assert float(tangent) == pytest.approx(float(want), rel=1e-5)


def hvp_model(x, k):
    y = x + np.zeros(4)
    return np.sum(y * y * y)


def test_hvp_keeps_the_parameter_dtype():
    x = X.astype(np.float32)
    grad, hv = agc.differentiate(hvp_model, wrt="x").hvp(x, K, tangents=(np.ones(4, np.float32),
                                                                         None))
    assert grad.dtype == hv.dtype == np.float32
    np.testing.assert_allclose(hv, 6 * X, rtol=1e-6)


def elementwise(x):
    return x * 2.0 + np.zeros(x.shape)


def sum_of_squares(x):
    return np.sum(x * x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_jacobians_of_an_empty_array(dtype):
    """An x with no element: jacfwd's Jacobian had shape (0,), not (0, 0) (it never ran f,
    so knew no output shape), and the Hessian was float64 for float32."""
    x = np.zeros(0, dtype)
    jac = agc.jacfwd(elementwise)(x)
    assert jac.shape == (0, 0) == jax.jacfwd(lambda a: a * 2.0)(jnp.zeros(0)).shape
    assert jac.dtype == np.float64  # the value's: x * 2.0 + float64 zeros
    assert agc.jacrev(elementwise)(x).shape == (0, 0)
    hess = agc.hessian(sum_of_squares)(x)
    assert hess.shape == (0, 0) and hess.dtype == dtype


def minus_numpy_scalar(x):
    return x - np.float64(1.5)


def test_hvp_gradient_of_a_0d_float32_has_its_dtype():
    """The HVP's gradient of a 0-d float32 x was the Python float 1.0 (rt.cast_like left a
    number as it was): f.grad's is np.float32(1.0)."""
    x = np.array(0.3, dtype=np.float32)
    f = agc.differentiate(minus_numpy_scalar)
    grad, hv = f.hvp(x, tangents=(np.ones_like(x),))
    assert np.asarray(grad).dtype == np.asarray(f.grad(x)).dtype == np.float32
    assert np.asarray(hv).dtype == np.float32 and float(grad) == 1.0 and float(hv) == 0.0
    assert np.asarray(agc.hessian(minus_numpy_scalar)(x)).dtype == np.float32
