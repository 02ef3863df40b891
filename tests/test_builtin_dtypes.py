"""The builtin types as dtypes: `x.astype(int)`, `np.zeros(n, dtype=float)`, `astype(bool)`.

They were refused ("name 'int' is not defined here"); numpy reads them as int64,
float64 and bool. Values against numpy, gradients against jax (an integer cast
carries no derivative), float64 and float32.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.2, 0.7, 0.45, 0.9])


def builtin_dtypes(x):
    k = (x * 10.3).astype(int)
    y = np.zeros(4, dtype=float)
    y[1] = x[0] * 2.0
    ones = np.ones(4, dtype=int)
    return np.sum(k * x) + np.sum(y * x) + np.sum(ones * x) + np.sum(x.astype(float) ** 2) \
        + np.sum(x.astype(bool) * x)


def builtin_dtypes_jax(x):
    k = jax.lax.stop_gradient(jnp.floor(x * 10.3))
    y = jnp.zeros(4).at[1].set(x[0] * 2.0)
    return jnp.sum(k * x) + jnp.sum(y * x) + jnp.sum(x) + jnp.sum(x ** 2) + jnp.sum(x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_builtin_types_as_dtypes_match_numpy_and_jax(dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(builtin_dtypes)(x)
    assert value == pytest.approx(builtin_dtypes(x.copy()), rel=1e-6)
    assert grad.dtype == dtype
    expected = jax.grad(builtin_dtypes_jax)(jnp.asarray(X))
    np.testing.assert_allclose(grad, expected, rtol=1e-6)


def test_the_emitted_code_names_the_builtin_types():
    source = agc.differentiate(builtin_dtypes).gradient_source
    assert ".astype(int)" in source and "dtype=float" in source and ".astype(bool)" in source
    assert "np.float)" not in source and "np.int)" not in source
