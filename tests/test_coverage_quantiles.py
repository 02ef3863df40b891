"""np.quantile / np.percentile (linear method), np.around / np.trunc / np.rint, np.nan_to_num
and np.hstack of a list variable: numpy's values, dtypes and errors; gradients, tangents and
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

RNG = np.random.default_rng(5)
X = RNG.normal(size=(4, 5))
V = RNG.normal(size=(4, 5))


def stats(x):
    a = np.quantile(x, 0.3) * np.percentile(x, 85.0)
    b = np.sum(np.quantile(x, 0.25, axis=0) ** 2)
    c = np.sum(np.percentile(x, [10, 50.0, 100], axis=1, keepdims=True) * x[:, :1])
    return a + b + c + np.sum(np.quantile(x ** 2, 1.0, axis=(0, 1)))


def stats_jax(x):
    a = jnp.quantile(x, 0.3) * jnp.percentile(x, 85.0)
    b = jnp.sum(jnp.quantile(x, 0.25, axis=0) ** 2)
    c = jnp.sum(jnp.percentile(x, jnp.array([10, 50.0, 100]), axis=1, keepdims=True)
                * x[:, :1])
    return a + b + c + jnp.sum(jnp.quantile(x ** 2, 1.0, axis=(0, 1)))


def test_quantiles_values_gradients_tangents_and_hvps_match_numpy_and_jax():
    check_against_jax(stats, stats_jax, X, V, rtol=1e-10)


def test_quantiles_in_float32_keep_numpys_values_and_dtypes():
    x = X.astype(np.float32)
    value, grad = agc.differentiate(stats).value_and_grad(x)
    # a list of q gives float64 quantiles of a float32 array, one q float32 ones
    assert value == stats(x) and np.asarray(value).dtype == np.float64
    assert grad.dtype == np.float32
    one = agc.differentiate(tied).value_and_grad(x[0])[0]
    assert one == tied(x[0]) and np.asarray(one).dtype == np.float32
    np.testing.assert_allclose(grad, jax.grad(stats_jax)(X), rtol=2e-5, atol=2e-5)


def tied(x):
    return np.quantile(x, 0.3) * 2.0 + np.median(x)


def test_ties_go_to_the_earlier_entry_as_jax():
    x = np.array([0.3, 0.3, 0.1, 0.6, 0.3])
    grad = agc.differentiate(tied).grad(x)
    want = jax.grad(lambda x: jnp.quantile(x, 0.3) * 2.0 + jnp.median(x))(x)
    np.testing.assert_allclose(grad, want, rtol=1e-15)


def with_nan(x):
    return np.sum(np.quantile(x, 0.4, axis=1))


def test_a_slice_with_a_nan_is_nan_and_gets_no_gradient_as_jax():
    x = np.array([[0.3, np.nan, 0.1, 0.6], [0.2, 0.5, 0.9, 0.4]])
    value, grad = agc.differentiate(with_nan).value_and_grad(x)
    assert np.isnan(value) and np.isnan(with_nan(x))
    want = jax.grad(lambda x: jnp.sum(jnp.quantile(x, 0.4, axis=1)))(x)
    np.testing.assert_array_equal(grad, want)


def out_of_range(x):
    return np.percentile(x, 130.0)


def test_a_q_out_of_range_raises_numpys_error():
    with pytest.raises(ValueError, match="Percentiles must be in the range"):
        agc.differentiate(out_of_range).grad(X)


def other_method(x, q):
    return np.quantile(x, 0.5, method="nearest") * q


def variable_q(x, q):
    return np.quantile(x, q)


@pytest.mark.parametrize(("fn", "what"), [(other_method, "method="), (variable_q, "`q`")])
def test_other_methods_and_a_variable_q_are_refused_at_their_position(fn, what):
    with pytest.raises(UserCodeError, match="test_coverage_quantiles.py:") as info:
        agc.differentiate(fn, wrt="x").grad(X, 0.5)
    assert what in str(info.value)


def rounded(x):
    return np.sum(np.around(x, 1) * x + np.trunc(x * 3) * x + np.rint(x * 2) * x ** 2)


def rounded_jax(x):
    return jnp.sum(jnp.round(x, 1) * x + jnp.trunc(x * 3) * x + jnp.rint(x * 2) * x ** 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_around_trunc_rint_are_numpys_with_a_zero_derivative(dtype):
    x = (X * 2).astype(dtype)
    value, grad = agc.differentiate(rounded).value_and_grad(x)
    assert value == rounded(x) and grad.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(grad, jax.grad(rounded_jax)(x.astype(np.float64)), rtol=tol)
    np.testing.assert_allclose(agc.jvp(rounded, (x,), (V.astype(dtype),))[1],
                               jax.jvp(rounded_jax, (x.astype(np.float64),), (V,))[1], rtol=tol)


def test_rint_and_trunc_of_halves_and_negatives():
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.7, 1.7])
    assert agc.differentiate(rounded).value_and_grad(x)[0] == rounded(x)


def cleaned(x):
    y = np.log(x)
    return np.sum(np.nan_to_num(y) * x) + np.sum(np.nan_to_num(y, nan=-1.0, posinf=5.0,
                                                                neginf=-5.0) ** 2)


def cleaned_jax(x):
    y = jnp.log(x)
    return jnp.sum(jnp.nan_to_num(y) * x) + jnp.sum(jnp.nan_to_num(y, nan=-1.0, posinf=5.0,
                                                                     neginf=-5.0) ** 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nan_to_num_passes_the_finite_entries_gradient_only(dtype):
    x = np.array([0.5, -1.0, 0.0, 2.0, 3.0]).astype(dtype)
    with np.errstate(all="ignore"):
        want_value = cleaned(x)
        value, grad = agc.differentiate(cleaned).value_and_grad(x)
    assert value == want_value and grad.dtype == dtype
    want = jax.grad(cleaned_jax)(x.astype(np.float64))
    np.testing.assert_allclose(grad, want, rtol=1e-6 if dtype == np.float32 else 1e-15)


def test_nan_to_num_tangent_and_hvp_match_jax():
    x, v = np.abs(X[0]) + 0.1, V[0]
    np.testing.assert_allclose(agc.jvp(cleaned, (x,), (v,))[1],
                               jax.jvp(cleaned_jax, (x,), (v,))[1], rtol=1e-12)
    np.testing.assert_allclose(agc.hvp(cleaned)(x, v),
                               jax.jvp(jax.grad(cleaned_jax), (x,), (v,))[1], rtol=1e-12)


def cleaned_in_place(x):
    y = np.log(x)
    np.nan_to_num(y, copy=False)
    return np.sum(y)


def test_nan_to_num_copy_false_is_refused():
    with pytest.raises(UserCodeError, match="copy=False"):
        agc.differentiate(cleaned_in_place).grad(X[0])


def joined(x):
    parts = []
    for i in range(3):
        parts.append(x * (i + 1.0))
    rows = []
    for i in range(2):
        rows.append(x[:, i:i + 2] ** 2)
    return np.sum(np.hstack(parts) ** 2) + np.sum(np.hstack(rows) * 3.0)


def joined_jax(x):
    parts = [x * (i + 1.0) for i in range(3)]
    rows = [x[:, i:i + 2] ** 2 for i in range(2)]
    return jnp.sum(jnp.hstack(parts) ** 2) + jnp.sum(jnp.hstack(rows) * 3.0)


def test_hstack_of_a_list_built_by_a_loop():
    for x in (X[0], X):  # vectors join along axis 0, matrices along axis 1
        if x.ndim == 1:
            x = x.reshape(1, -1)[:, :5]
        value, grad = agc.differentiate(joined).value_and_grad(x)
        assert value == joined(x)
        np.testing.assert_allclose(grad, jax.grad(joined_jax)(x), rtol=1e-12)
    _, tangent = agc.jvp(joined, (X,), (V,))
    np.testing.assert_allclose(tangent, jax.jvp(joined_jax, (X,), (V,))[1], rtol=1e-12)
    np.testing.assert_allclose(agc.hvp(joined)(X, V),
                               jax.jvp(jax.grad(joined_jax), (X,), (V,))[1], rtol=1e-12)


def vectors(x):
    parts = []
    for i in range(3):
        parts.append(x[i] * x)
    return np.sum(np.hstack(parts) * np.arange(15.0))


def nothing_joined(x):
    parts = []
    return np.sum(np.hstack(parts)) + np.sum(x)


def test_hstack_of_vectors_and_of_an_empty_list():
    x = X[0]
    grad = agc.differentiate(vectors).grad(x)
    want = jax.grad(lambda x: jnp.sum(jnp.hstack([x[i] * x for i in range(3)])
                                      * jnp.arange(15.0)))(x)
    np.testing.assert_allclose(grad, want, rtol=1e-12)
    with pytest.raises(ValueError, match="need at least one array to concatenate"):
        agc.differentiate(nothing_joined).grad(x)


def test_verify_proves_quantiles_rounding_and_nan_to_num():
    x = np.array([0.3, 0.9, 0.7, 0.6, 0.2, 0.45])
    assert agc.verify(tied, x).proved
    assert agc.verify(rounded, x).proved
    assert agc.verify(cleaned, x).proved


def median_with_nan(x):
    return np.sum(np.median(x, axis=1)) + np.median(x[1])


def test_a_median_with_a_nan_gets_no_gradient_as_jax():
    x = np.array([[0.3, np.nan, 0.1, 0.6], [0.2, 0.5, 0.9, 0.4]])
    grad = agc.differentiate(median_with_nan).grad(x)
    want = jax.grad(lambda x: jnp.sum(jnp.median(x, axis=1)) + jnp.median(x[1]))(x)
    np.testing.assert_array_equal(grad, want)
