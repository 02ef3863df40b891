"""numpy_names_more's functions: fmod, copysign, float_power, positive, floor_divide, divmod,
nanmax / nanmin, trapezoid, math.log(x, base), x.item(i), order=.

Values are numpy's to the bit; gradients agree with jax (CPU, float64) and with central
differences; float32 keeps numpy's dtypes; forward mode, Hessian-vector products and proofs
cover each family.
"""

from __future__ import annotations

import math

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gradcheck import numeric_grad

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(7)
X = np.array([[1.5, -2.5, 3.25], [0.5, -0.75, -4.0]])
Y = np.array([[0.7, 0.4, -0.9], [1.1, -2.0, 0.3]])


def fmod_model(x, y):
    return np.sum(np.fmod(x, y) * x)


def fmod_jax(x, y):
    return jnp.sum(jnp.fmod(x, y) * x)


def copysign_model(x, y):
    return np.sum(np.copysign(x, y) * x + np.copysign(x * x, -1.0))


def copysign_jax(x, y):
    return jnp.sum(jnp.copysign(x, y) * x + jnp.copysign(x * x, -1.0))


def power_model(x, y):
    return np.sum(np.float_power(np.abs(x) + 0.5, y) + np.positive(x) * y)


def power_jax(x, y):
    return jnp.sum(jnp.float_power(jnp.abs(x) + 0.5, y) + jnp.positive(x) * y)


def divide_model(x, y):
    q, r = divmod(x, y)
    q2, r2 = np.divmod(x, y)
    return np.sum(np.floor_divide(x, y) * x + q * y + r * r + r2 * x + q2)


def divide_jax(x, y):
    q, r = jnp.divmod(x, y)
    return jnp.sum(jnp.floor_divide(x, y) * x + q * y + r * r + r * x + q)


def nan_model(x, y):
    return np.sum(np.nanmax(x, axis=0) * y[0]) + np.nanmin(x) + np.sum(np.nanmax(x, axis=1,
                                                                                  keepdims=True))


def nan_jax(x, y):
    return jnp.sum(jnp.nanmax(x, axis=0) * y[0]) + jnp.nanmin(x) + jnp.sum(
        jnp.nanmax(x, axis=1, keepdims=True))


def trapezoid_model(x, y):
    return np.trapezoid(x[0] * y[1], dx=0.5) + np.sum(np.trapezoid(x * x, np.cumsum(y[1] ** 2)))


def trapezoid_jax(x, y):
    return jnp.trapezoid(x[0] * y[1], dx=0.5) + jnp.sum(jnp.trapezoid(x * x, jnp.cumsum(y[1] ** 2)))


def item_model(x, y):
    return x.item(4) * y.item(1, 2) + x.item(0, 0) * np.sum(x.reshape(3, 2, order="C") * y.T)


def item_jax(x, y):
    return x.ravel()[4] * y[1, 2] + x[0, 0] * jnp.sum(x.reshape(3, 2) * y.T)


def order_model(x, y):
    flat = np.ravel(x, order="C") + x.flatten(order="C") + x.ravel(order="C")
    kept = np.asarray(x, order="C") * np.copy(y, order="F") + x.copy(order="K")
    return np.sum(flat * np.reshape(y, (6,), order="C")) + np.sum(kept * kept)


def order_jax(x, y):
    flat = 3 * x.ravel()
    kept = x * y + x
    return jnp.sum(flat * y.ravel()) + jnp.sum(kept * kept)


CASES = [(fmod_model, fmod_jax), (copysign_model, copysign_jax), (power_model, power_jax),
         (divide_model, divide_jax), (nan_model, nan_jax), (trapezoid_model, trapezoid_jax),
         (item_model, item_jax), (order_model, order_jax)]
IDS = [m.__name__ for m, _ in CASES]


def _args(model):
    x = X.copy()
    if model is nan_model:
        x[1, 1] = np.nan  # NaNs lose: their gradient is zero
        x[0, 2] = np.nan
    return x, Y.copy()


@pytest.mark.parametrize(("model", "reference"), CASES, ids=IDS)
def test_values_and_gradients_match_numpy_and_jax(model, reference):
    x, y = _args(model)
    value, grads = agc.differentiate(model, wrt=("x", "y")).value_and_grad(x, y)
    assert value == model(x, y)  # numpy's value, bit for bit
    expected = jax.grad(reference, argnums=(0, 1))(jnp.asarray(x), jnp.asarray(y))
    for got, want in zip(grads, expected):
        np.testing.assert_allclose(got, np.asarray(want), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("model", "reference"), CASES, ids=IDS)
def test_gradients_match_central_differences(model, reference):
    x, y = _args(model)
    if model is nan_model:
        x = np.nan_to_num(x)
    grads = agc.differentiate(model, wrt=("x", "y")).grad(x, y)
    for k, got in enumerate(grads):
        np.testing.assert_allclose(got, numeric_grad(model, (x, y), k), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("model", "reference"), CASES, ids=IDS)
def test_float32_values_keep_numpys_dtype(model, reference):
    x, y = (a.astype(np.float32) for a in _args(model))
    value, grads = agc.differentiate(model, wrt=("x", "y")).value_and_grad(x, y)
    want = model(x, y)
    assert value == want and np.asarray(value).dtype == np.asarray(want).dtype
    assert all(g.dtype == np.float32 for g in grads)


@pytest.mark.parametrize(("model", "reference"), CASES, ids=IDS)
def test_forward_mode_matches_jax(model, reference):
    x, y = _args(model)
    if model is nan_model:
        x = np.nan_to_num(x)
    dx, dy = RNG.normal(size=x.shape), RNG.normal(size=y.shape)
    value, tangent = agc.jvp(model, (x, y), (dx, dy))
    _, want = jax.jvp(reference, (jnp.asarray(x), jnp.asarray(y)), (dx, dy))
    assert value == model(x, y)
    np.testing.assert_allclose(tangent, float(want), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("model", "reference"), CASES, ids=IDS)
def test_hessian_vector_products_match_jax(model, reference):
    x, y = _args(model)
    if model is nan_model:
        x = np.nan_to_num(x)
    v = RNG.normal(size=x.shape)
    got = agc.hvp(model, wrt="x")(x, y, v)
    want = jax.jvp(jax.grad(reference), (jnp.asarray(x), jnp.asarray(y)),
                   (jnp.asarray(v), jnp.zeros_like(y)))[1]
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-10, atol=1e-10)


# ------------------------------------------------------------------ edges
def fmod_edges(x, c):
    return np.sum(np.fmod(x, c) * np.fmod(x, 2.0))


def test_fmod_takes_the_dividends_sign_and_jaxs_gradient():
    x, c = np.array([-5.5, 5.5, -0.5, 7.0]), np.array([2.0, -2.0, 3.0, 2.5])
    value, (gx, gc) = agc.differentiate(fmod_edges, wrt=("x", "c")).value_and_grad(x, c)
    assert value == fmod_edges(x, c)
    assert list(np.fmod(x, c)) == [-1.5, 1.5, -0.5, 2.0]  # numpy: the sign of x
    want = jax.grad(lambda x, c: jnp.sum(jnp.fmod(x, c) * jnp.fmod(x, 2.0)), argnums=(0, 1))(x, c)
    np.testing.assert_allclose(gx, want[0])
    np.testing.assert_allclose(gc, want[1])


def copysign_edges(x, y):
    return np.sum(np.copysign(x, y) * 3.0)


def test_copysign_gradient_is_zero_at_zero_and_flat_in_y():
    x, y = np.array([0.0, -0.0, 2.0, -2.0, 1.5]), np.array([-1.0, 1.0, -0.0, 0.0, np.nan])
    value, (gx, gy) = agc.differentiate(copysign_edges, wrt=("x", "y")).value_and_grad(x, y)
    assert value == copysign_edges(x, y)
    assert list(gx) == [0.0, 0.0, -3.0, -3.0, 3.0] and not gy.any()
    want = jax.grad(lambda x: jnp.sum(jnp.copysign(x, jnp.asarray(y)) * 3.0))(x)
    # at x == 0 agc follows PyTorch (0), JAX gives |x|'s 1 (docs/correctness.md)
    np.testing.assert_array_equal(gx[2:], want[2:])


def floor_divide_edges(x, y):
    return np.sum(np.floor_divide(x, y) + divmod(x, y)[0])


def test_floor_division_is_flat_even_at_whole_quotients():
    x, y = np.array([4.0, 4.5, -3.0, 1.0]), np.array([2.0, 2.0, 1.5, 0.1])
    value, (gx, gy) = agc.differentiate(floor_divide_edges, wrt=("x", "y")).value_and_grad(x, y)
    assert value == floor_divide_edges(x, y)  # 1.0 // 0.1 is 9.0, as numpy's
    assert not gx.any() and not gy.any()
    want = jax.grad(lambda x: jnp.sum(jnp.floor_divide(x, y)))(x)
    np.testing.assert_array_equal(gx, want)


def python_divmod(a, b):
    q, r = divmod(a, b)
    return q * a + r * r


def test_divmod_of_numbers_is_pythons():
    value, (ga, gb) = agc.differentiate(python_divmod, wrt=("a", "b")).value_and_grad(7.5, -2.0)
    assert value == python_divmod(7.5, -2.0) and isinstance(value, float)
    assert (ga, gb) == (-4.0 + 2 * -0.5, 2 * -0.5 * 4.0)  # q = -4, r = -0.5: r = a - b q


def nan_edges(x):
    return np.sum(np.nanmax(x, axis=1)) + np.nanmin(x[1])


def test_nan_extremes_skip_nans_and_give_an_all_nan_slice_nan():
    x = np.array([[np.nan, np.nan], [-0.0, np.nan], [3.0, 1.0]])
    compiled = agc.differentiate(nan_edges)
    with pytest.warns(RuntimeWarning):
        assert np.isnan(nan_edges(x))
    with np.errstate(invalid="ignore"):
        value, grad = compiled.value_and_grad(x)
    assert np.isnan(value) and list(grad.ravel()) == [0.0, 0.0, 2.0, 0.0, 1.0, 0.0]
    value, grad = compiled.value_and_grad(x[1:])
    assert value == nan_edges(x[1:]) and list(grad.ravel()) == [1.0, 0.0, 1.0, 1.0]


def test_nanmax_keeps_minus_zero():
    def top(x):
        return np.nanmax(x) * 1.0

    x = np.array([-0.0, np.nan, -1.0])
    value, grad = agc.differentiate(top).value_and_grad(x)
    assert math.copysign(1.0, value) == -1.0 and list(grad) == [1.0, 0.0, 0.0]


def positive_of_a_list(x):
    doubled = np.positive([x, 2.0 * x]) * 2.0  # an array, so * 2.0 doubles each value
    return np.sum(doubled) + np.positive(x)


def test_positive_of_a_list_is_a_new_array():
    value, grad = agc.differentiate(positive_of_a_list).value_and_grad(1.5)
    assert value == positive_of_a_list(1.5) == 10.5 and grad == 7.0


def numpy_on_numbers_and_lists(a, b):
    q, r = np.divmod(a, 0.0)  # numpy: inf and nan with a warning, not ZeroDivisionError
    area = np.trapezoid([a, b, a * b])  # a list's slices are arrays, not lists
    return area + np.floor_divide([a, b], 0.5)[1] + np.sum(np.isfinite(q)) + np.sum(np.isnan(r))


def test_numpy_functions_of_numbers_and_lists_are_numpys():
    with np.errstate(divide="ignore", invalid="ignore"):
        value, (ga, gb) = agc.differentiate(numpy_on_numbers_and_lists,
                                            wrt=("a", "b")).value_and_grad(1.5, 2.0)
        assert value == numpy_on_numbers_and_lists(1.5, 2.0)
    assert (ga, gb) == (0.5 + 0.5 * 2.0, 1.0 + 0.5 * 1.5)


def log_base(x, base):
    return math.log(x, base) + math.log(x * base)


def test_math_log_with_a_base_is_cpythons():
    value, (gx, gb) = agc.differentiate(log_base, wrt=("x", "base")).value_and_grad(8.0, 3.0)
    assert value == log_base(8.0, 3.0)
    assert gx == pytest.approx(1 / (8.0 * math.log(3.0)) + 1 / 8.0, rel=1e-14)
    assert gb == pytest.approx(-math.log(8.0) / (3.0 * math.log(3.0) ** 2) + 1 / 3.0, rel=1e-14)


def items(x):
    return x.item() * 2.0


def test_item_without_an_index_reads_the_one_value():
    value, grad = agc.differentiate(items).value_and_grad(np.array([[1.25]]))
    assert value == 2.5 and isinstance(value, float) and grad.tolist() == [[2.0]]


def trapezoid_edges(y, x):
    return np.sum(np.trapezoid(y, x, axis=-1)) + np.trapezoid(y[0])


def test_trapezoid_with_sample_points_matches_jax():
    y, x = RNG.normal(size=(3, 5)), np.cumsum(RNG.random(size=5))
    value, (gy, gx) = agc.differentiate(trapezoid_edges, wrt=("y", "x")).value_and_grad(y, x)
    assert value == trapezoid_edges(y, x)
    want = jax.grad(lambda y, x: jnp.sum(jnp.trapezoid(y, x, axis=-1)) + jnp.trapezoid(y[0]),
                    argnums=(0, 1))(y, x)
    np.testing.assert_allclose(gy, want[0], rtol=1e-13)
    np.testing.assert_allclose(gx, want[1], rtol=1e-13)


# --------------------------------------------------------------- refusals
def reshape_f(x, y):
    return np.sum(x.reshape(3, 2, order="F"))


def trapezoid_axis(y, x):
    return np.sum(np.trapezoid(y, x, axis=0))


@pytest.mark.parametrize(("fn", "what"), [(reshape_f, "`order='F'`"),
                                          (trapezoid_axis, "axis other than -1")])
def test_refused_options_are_named_at_their_position(fn, what):
    with pytest.raises(agc.UserCodeError) as caught:
        agc.differentiate(fn).grad(X, X[0])
    assert what in str(caught.value) and caught.value.loc.line > 0 and caught.value.hint


# ------------------------------------------------------------------ proofs
def proved_fmod_copysign(x, y):
    return np.sum(np.fmod(x, y) * x + np.copysign(x * y, y) + np.float_power(x * x + 1.0, y))


def proved_log_trapezoid(x, y):
    return math.log(x[0] * x[0] + 1.0, y[1] * y[1] + 2.0) + np.trapezoid(x * y, dx=0.25)


def proved_nanmax_item(x, y):
    return np.nanmax(x * y) + x.item(1) * y.item(2) + np.sum(np.positive(x))


@pytest.mark.parametrize("fn", [proved_fmod_copysign, proved_log_trapezoid, proved_nanmax_item])
def test_verify_proves_the_new_functions(fn):
    x, y = np.array([0.3, -0.7, 1.1]), np.array([0.5, 1.5, 1.0])
    result = agc.verify(fn, x, y, wrt=("x", "y"))
    assert result.proved, str(result)
