"""np.nanmax / np.nanmin of int and bool arrays, np.positive and `+x` as numpy has them.

nanmax replaced NaNs with -inf through np.where, which made an int array float: numpy keeps
the int (and `x[:np.nanmax(k)]` then failed at its line). np.positive of a bool array
returned a value where numpy raises TypeError; `+x` of an array was x itself, so a write
into `y = +x` changed x (numpy's `+x` is a new array), silently.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.23, 0.71, 0.47, 0.91])
V = np.array([0.3, -0.2, 0.5, 0.1])
K = np.array([[3, 1, 2], [2, 4, 2]])


def nan_extremes_of_ints(x, k):
    top = np.nanmax(k)
    return np.sum(x[:top] * np.nanmin(k, axis=1)[1]) + np.nanmax(k, axis=0)[0] * np.sum(x)


def nan_extremes_aux(x, k):
    return np.sum(x), (np.nanmax(k), np.nanmin(k, axis=1), np.nanmax(k, axis=0))


def bool_nanmax(x, b):
    return np.sum(x) * np.nanmax(b, axis=0)[1]


def nanmax_float_twin(x):
    return np.nanmax(x) * 2.0 + np.nanmin(x[1:]) * np.sum(x)


def nan_extremes_of_floats(x):
    return np.nanmax(x) * 2.0 + np.nanmin(x[1:]) * np.sum(x)


def positive_of(x, b):
    return np.sum(x * np.positive(b))


def plus_of(x, b):
    return np.sum(x * +b)


def plus_writes(x):
    y = +x
    y[0] = 0.0
    return np.sum(x * 2.0) + np.sum(y * x)


def _rtol(dtype):
    return 1e-5 if dtype == np.float32 else 1e-12


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_nanmax_of_an_int_array_keeps_its_dtype(dtype):
    k = K.astype(dtype)
    if dtype == np.int64:
        k = k + 2 ** 60  # past float64's 2 ** 53: exact only in the int dtype
    f = agc.differentiate(nan_extremes_aux, has_aux=True)
    (_, got), _ = f.value_and_grad(X, k)
    for value, want in zip(got, nan_extremes_aux(X, k)[1]):
        assert np.asarray(value).dtype == want.dtype
        np.testing.assert_array_equal(value, want)


def test_nanmax_of_a_bool_array_is_a_bool():
    f = agc.differentiate(bool_nanmax)
    b = np.array([[True, False], [False, False]])
    value, grad = f.value_and_grad(X, b)
    assert value == np.sum(X) * np.False_ and grad.tolist() == [0.0] * 4


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nanmax_of_ints_as_a_slice_bound(dtype):
    f, x = agc.differentiate(nan_extremes_of_ints), X.astype(dtype)
    want = jax.grad(lambda x: jnp.sum(x[:4] * 2) + 3 * jnp.sum(x))(jnp.asarray(X))
    value, grad = f.value_and_grad(x, K)
    assert value == pytest.approx(float(nan_extremes_of_ints(x, K)), rel=_rtol(dtype))
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, want, rtol=_rtol(dtype))
    np.testing.assert_allclose(f.jvp(X, K, tangents=(V,))[1],
                               jax.jvp(lambda x: jnp.sum(x[:4] * 2) + 3 * jnp.sum(x),
                                       (jnp.asarray(X),), (jnp.asarray(V),))[1], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nanmax_of_floats_with_nans_against_jax(dtype):
    x = np.array([0.23, np.nan, 0.47, 0.91], dtype=dtype)
    f = agc.differentiate(nan_extremes_of_floats)

    def twin(x):
        return jnp.nanmax(x) * 2.0 + jnp.nanmin(x[1:]) * jnp.nansum(x)

    value, grad = f.value_and_grad(x)
    assert np.isnan(value) and grad.dtype == dtype
    clean = np.array([0.23, 0.5, 0.47, 0.91])
    f2 = agc.differentiate(nanmax_float_twin)
    np.testing.assert_allclose(f2.grad(clean.astype(dtype)), jax.grad(twin)(jnp.asarray(clean)),
                               rtol=_rtol(dtype))
    at, along = (jnp.asarray(clean),), (jnp.asarray(V),)
    np.testing.assert_allclose(f2.jvp(clean, tangents=(V,))[1], jax.jvp(twin, at, along)[1],
                               rtol=1e-12)
    np.testing.assert_allclose(f2.hvp(clean, tangents=(V,))[1],
                               jax.jvp(jax.grad(twin), at, along)[1], atol=1e-12)


@pytest.mark.parametrize("fn", [positive_of, plus_of])
@pytest.mark.parametrize("b", [np.array([True, False, True, True]), np.True_],
                         ids=["array", "numpy-bool"])
def test_positive_of_bools_raises_as_numpy(fn, b):
    with pytest.raises(TypeError):
        fn(X, b)
    f = agc.differentiate(fn)
    with pytest.raises(TypeError, match="positive"):
        f.grad(X, b)
    with pytest.raises(TypeError, match="positive"):
        f.jvp(X, b, tangents=(V,))


def test_positive_of_a_python_bool_raises_and_plus_gives_one():
    with pytest.raises(TypeError):
        positive_of(X, True)
    with pytest.raises(TypeError, match="positive"):
        agc.differentiate(positive_of).grad(X, True)
    np.testing.assert_allclose(agc.differentiate(plus_of).grad(X, True), np.ones(4))


@pytest.mark.parametrize("fn", [positive_of, plus_of])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_positive_of_numbers_and_floats_against_jax(fn, dtype):
    x, w = X.astype(dtype), np.array([1.5, -2.0, 0.5, 3.0], dtype=dtype)
    f = agc.differentiate(fn)
    np.testing.assert_allclose(f.grad(x, w), w, rtol=_rtol(dtype))
    assert f.grad(x, w).dtype == dtype
    np.testing.assert_allclose(f.grad(x, 2), np.full(4, 2.0))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_write_into_plus_x_leaves_x(dtype):
    x = X.astype(dtype)
    want_value = plus_writes(x.copy())

    def twin(x):
        return jnp.sum(x * 2.0) + jnp.sum(x.at[0].set(0.0) * x)

    f = agc.differentiate(plus_writes)
    given = x.copy()
    value, grad = f.value_and_grad(given)
    np.testing.assert_array_equal(given, x)
    assert value == pytest.approx(float(want_value), rel=_rtol(dtype))
    np.testing.assert_allclose(grad, jax.grad(twin)(jnp.asarray(X)), rtol=_rtol(dtype))
    at, along = (jnp.asarray(X),), (jnp.asarray(V),)
    np.testing.assert_allclose(f.jvp(X.copy(), tangents=(V,))[1], jax.jvp(twin, at, along)[1],
                               rtol=1e-12)
    np.testing.assert_allclose(f.hvp(X.copy(), tangents=(V,))[1],
                               jax.jvp(jax.grad(twin), at, along)[1], rtol=1e-12)
