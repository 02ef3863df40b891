"""`dtype=` keywords and numpy's scalar types called as functions: values and dtypes are
numpy's; a float cast's cotangent comes back in the operand's dtype (jax's
convert_element_type), and a cast to integers passes no derivative."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from against_jax import check_against_jax
from agc.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(62)
X = RNG.normal(size=5) * 2.0
V = RNG.normal(size=5)


def reductions(x):
    total = np.sum(x * x, dtype=np.float64) + np.mean(np.sin(x), dtype=np.float64)
    running = np.cumsum(x, dtype=np.float64)
    return total + np.sum(running * x) + x.astype(dtype=np.float64)[1] ** 3


def reductions_jax(x):
    return (jnp.sum(x * x) + jnp.mean(jnp.sin(x)) + jnp.sum(jnp.cumsum(x) * x) + x[1] ** 3)


def made(x):
    n = len(x)
    z = np.zeros(n, dtype=x.dtype)  # x's dtype, float32 stays float32
    z[1] = x[0] * 3.0
    a = np.array([x[2], x[3] * x[4]], dtype=np.float64)
    b = np.asarray(x, dtype=np.float64)
    return np.sum(z * x) + np.sum(a * a) + np.sum(b ** 3) * np.float64(2) * np.int64(3)


def made_jax(x):
    return x[0] * 3.0 * x[1] + x[2] ** 2 + (x[3] * x[4]) ** 2 + jnp.sum(x ** 3) * 6.0


@pytest.mark.parametrize("fn, twin", [(reductions, reductions_jax), (made, made_jax)],
                         ids=["reductions", "made"])
def test_dtype_keywords_match_numpy_and_jax(fn, twin):
    check_against_jax(fn, twin, X, V)


@pytest.mark.parametrize("fn", [reductions, made], ids=["reductions", "made"])
def test_float32_operands_keep_numpys_dtypes(fn):
    x = X.astype(np.float32)
    value, grad = agc.value_and_grad(fn)(x.copy())
    want = fn(x.copy())
    assert value == want and np.asarray(value).dtype == np.asarray(want).dtype
    assert grad.dtype == np.float32


def narrowed(x):
    y = np.array(x, dtype=np.float32)  # a float32 copy of float64 x
    s = np.sum(x, dtype=np.float32)
    m = np.mean(x * x, dtype=np.float32)
    c = np.cumsum(x, dtype=np.float32)
    return np.sum(y * y) + s * m + np.sum(c) + np.asarray(x, dtype=np.float32)[0]


def narrowed_jax(x):
    f = jnp.float32
    x32 = x.astype(f)
    return (jnp.sum(x32 * x32) + jnp.sum(x32) * jnp.mean((x * x).astype(f))
            + jnp.sum(jnp.cumsum(x32)) + x32[0])


def test_float32_casts_of_float64_give_float64_gradients_as_jax():
    value, grad = agc.value_and_grad(narrowed)(X.copy())
    want = narrowed(X.copy())
    assert value == want and np.asarray(value).dtype == np.float32
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, jax.grad(narrowed_jax)(X), rtol=1e-6)
    _, tangent = agc.jvp(narrowed, (X.copy(),), (V,))
    np.testing.assert_allclose(tangent, jax.jvp(narrowed_jax, (X,), (V,))[1], rtol=1e-5)


def integers(x):
    counts = np.array([1.7, -2.5, 3.2], dtype=np.int64)  # cast toward zero, as numpy
    whole = np.sum(x, dtype=np.int64)  # each item cast first, then summed
    steps = np.cumsum(x * 2.0, dtype=np.int32)
    mean = np.mean(x, dtype=np.int64)
    prod = np.prod(x[:2] + 3.0, dtype=np.int64)
    k = np.int64(x[0] * 10.0) + np.int32(x[1])
    scale = np.sum(counts) + whole + np.sum(steps) + mean + prod + k
    return scale * np.sum(x * x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_integer_casts_match_numpy_and_pass_no_derivative(dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(integers)(x.copy())
    want = integers(x.copy())
    assert value == want and np.asarray(value).dtype == np.asarray(want).dtype
    scale = want / np.sum(x * x)
    np.testing.assert_allclose(grad, 2.0 * scale * x, rtol=1e-6)
    assert grad.dtype == dtype


def scalar_types(x):
    return np.int64(x[0] * 10.0), np.int32(x[1] * 10.0), np.float32(x[2]), np.float64(x[3])


def test_scalar_type_calls_give_numpys_values_and_dtypes():
    got = agc.differentiate(scalar_types).value_and_grad(X.copy(), seed=(0, 0, 1.0, 1.0))
    values, grad = got
    for value, want in zip(values, scalar_types(X.copy())):
        # a numpy scalar, as numpy gives (agc gave a 0-d array)
        assert value == want and type(value) is type(want)
    np.testing.assert_array_equal(grad, [0, 0, 1, 1, 0])


def cast_arrays(x):
    y = np.float32(x)  # an array of more than one value: an array
    z = np.int64(x * 3.0)
    return np.sum(y * y) + np.sum(z * x) + np.float64(np.sum(x)) * np.int32(2)


def test_scalar_type_calls_on_arrays_and_on_the_numba_target():
    want = cast_arrays(X.copy())
    grad_want = 2.0 * X.astype(np.float32).astype(np.float64) + np.trunc(X * 3.0) + 2.0
    for target in ("numpy", "numba"):
        if target == "numba":
            pytest.importorskip("numba")
        value, grad = agc.differentiate(cast_arrays, target=target).value_and_grad(X.copy())
        assert value == pytest.approx(want, rel=1e-12)
        np.testing.assert_allclose(grad, grad_want, rtol=1e-7)


def asarray_of_computed_dtype(x):
    t = x.dtype
    return np.sum(np.asarray(x, dtype=t))


def array_with_copy_false(x):
    return np.sum(np.array(x, dtype=np.float64, copy=False))


@pytest.mark.parametrize("fn, text", [(asarray_of_computed_dtype, "dtype computed"),
                                      (array_with_copy_false, "copy=")])
def test_dtype_forms_agc_cannot_follow_are_refused_at_their_line(fn, text):
    with pytest.raises(UnsupportedError, match=text) as info:
        agc.grad(fn)(X.copy())
    assert "test_cov6b_dtypes.py" in str(info.value)


def asarray_shares(x):
    y = np.asarray(x, dtype=np.float64)  # x itself where x is float64
    y[0] = 5.0
    return np.sum(x * x)


def test_a_write_through_asarray_with_a_dtype_is_not_silently_dropped():
    with pytest.raises(agc.errors.UserCodeError, match="may share memory"):
        agc.grad(asarray_shares)(X.copy())


def small_types(x):
    small = np.int8(x[0] * 10.0) + np.int16(x[1] * 10.0) + np.uint8(3.7)
    return small * x[4] + np.float16(x[2]) * x[3]


def test_small_scalar_types_give_numpys_values_and_dtypes():
    value, grad = agc.value_and_grad(small_types)(X.copy())
    want = small_types(X.copy())
    assert value == want and np.asarray(value).dtype == np.asarray(want).dtype
    small = int(np.int8(X[0] * 10.0)) + int(np.int16(X[1] * 10.0)) + 3
    np.testing.assert_allclose(grad, [0, 0, X[3], float(np.float16(X[2])), small])


def made_in_a_named_dtype(x):
    kind = x.dtype
    return np.sum(np.ones(len(x), dtype=kind) * x) + np.sum(np.full(2, 0.5, dtype=kind) * x[:2])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_dtype_bound_to_a_name_is_read_when_the_code_runs(dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(made_in_a_named_dtype)(x.copy())
    want = made_in_a_named_dtype(x.copy())
    assert value == want and np.asarray(value).dtype == np.asarray(want).dtype == dtype
    np.testing.assert_array_equal(grad, [1.5, 1.5, 1, 1, 1])
    assert grad.dtype == dtype


def small_dtypes(x):
    return np.sum(x.astype(np.int8)) * x[0] + np.sum(np.zeros(2, dtype=np.uint8) + x[:2])


def test_small_integer_dtypes_are_numpys():
    x = X * 10.0
    value, grad = agc.value_and_grad(small_dtypes)(x.copy())
    assert value == small_dtypes(x.copy())
    np.testing.assert_allclose(grad, [np.sum(x.astype(np.int8)) + 1.0, 1.0, 0, 0, 0])
