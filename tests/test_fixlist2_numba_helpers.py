"""The numba target compiles `+x`, np.quantile / np.percentile of a vector, np.cumprod and
`for v in y` of unknown rank: their helpers (rt.check_positive, rt.copy_of,
rt.quantile_grad, rt.cumprod_grad, rt.length, rt.item) had no nopython version, and the numba target refused these models. Values and gradients agree
with the numpy target's (float64 to 1e-12; float32 computed in float64 by the numba
target, to float32 precision) and with jax.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

pytest.importorskip("numba")
jax.config.update("jax_enable_x64", True)

X = np.array([0.5, 1.5, -0.7, 2.0, 0.1])


def unary_plus(x):
    return np.sum(+x * np.sin(x))


def quantiles(x):
    return np.quantile(x, 0.3) * 2.0 + np.percentile(x, 70) + np.quantile(x, 1.0)


def cumulative_product(x):
    return np.sum(np.cumprod(x) * np.cos(x))


def cumulative_product_with_a_zero(x):
    return np.sum(np.cumprod(x - 1.5))  # x[1] - 1.5 is 0


TWINS = {
    unary_plus: lambda x: jnp.sum(x * jnp.sin(x)),
    quantiles: lambda x: (jnp.quantile(x, 0.3) * 2.0 + jnp.percentile(x, 70)
                          + jnp.quantile(x, 1.0)),
    cumulative_product: lambda x: jnp.sum(jnp.cumprod(x) * jnp.cos(x)),
    cumulative_product_with_a_zero: lambda x: jnp.sum(jnp.cumprod(x - 1.5)),
}


@pytest.mark.parametrize("model", list(TWINS), ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numba_target_agrees_with_numpy_target_and_jax(model, dtype):
    x = X.astype(dtype)
    value, grad = agc.differentiate(model, target="numba").value_and_grad(x)
    want_value, want_grad = agc.differentiate(model).value_and_grad(x)
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    assert float(value) == pytest.approx(float(want_value), rel=rtol)
    assert grad.dtype == want_grad.dtype == dtype
    np.testing.assert_allclose(grad, want_grad, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(grad, jax.grad(TWINS[model])(X), rtol=max(rtol, 1e-9),
                               atol=1e-6 if dtype == np.float32 else 1e-12)


def unary_plus_of_booleans(x):
    return np.sum(x * +(x > 0))


def test_unary_plus_of_booleans_raises_as_numpy_on_numba():
    with pytest.raises(TypeError):
        unary_plus_of_booleans(X)
    with pytest.raises(Exception, match="positive"):
        agc.differentiate(unary_plus_of_booleans, target="numba").grad(X)


def rows_total(y, x):
    s = 0.0
    for v in y:  # a helper's parameter: its rank is not known (rt.length, rt.item)
        s = s + np.sum(v * x)
    return s


def over_rows_and_numbers(x, y):
    return rows_total(y, x) + rows_total(y[0], x) * 0.5


def test_loop_over_a_value_of_unknown_rank_on_numba():
    x, y = np.linspace(0.1, 0.9, 4), np.arange(12.0).reshape(3, 4) / 7
    value, grad = agc.differentiate(over_rows_and_numbers, target="numba").value_and_grad(x, y)
    want_value, want_grad = agc.differentiate(over_rows_and_numbers).value_and_grad(x, y)
    assert value == pytest.approx(float(want_value), rel=1e-12)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-12)
    np.testing.assert_allclose(grad, np.sum(y, axis=0) + 0.5 * np.sum(y[0]), rtol=1e-12)
