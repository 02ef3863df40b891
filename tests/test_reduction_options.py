"""math.fsum, and where= / initial= of numpy's reductions: Python's and numpy's values bit for
bit; gradients against jax (CPU, float64) or by hand; float32; forward mode; proofs."""

from __future__ import annotations

import math

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(5)


def fsums(x, w):
    return math.fsum(x) * w + math.fsum([w, w * w, 1e16]) + math.fsum(v * v for v in x) \
        + math.fsum([v * w for v in x])


def test_fsum_is_correctly_rounded_and_its_gradient_is_sums():
    x, w = np.array([1e16, 1.0, -1e16, 0.5]), 0.25
    value, (gx, gw) = agc.differentiate(fsums, wrt=("x", "w")).value_and_grad(x, w)
    assert value == fsums(x, w) and isinstance(value, float)
    assert math.fsum(x) == 1.5 and np.sum(x) != 1.5  # what fsum is for
    np.testing.assert_array_equal(gx, w + 2 * x + w)
    y = np.array([3.0, 1.0, -2.0, 0.5])  # numbers whose sums round the same in any order
    _, (gx, gw) = agc.differentiate(fsums, wrt=("x", "w")).value_and_grad(y, w)
    assert gw == math.fsum(y) + 1 + 2 * w + math.fsum(y)


def test_fsum_forward_mode_and_proof():
    x, w, dx = np.array([3.0, 1.0, -2.0, 0.5]), 0.25, RNG.normal(size=4)
    value, tangent = agc.jvp(fsums, (x, w), (dx, 1.0))
    want = jax.jvp(lambda x, w: jnp.sum(x) * w + w + w * w + jnp.sum(x * x) + jnp.sum(x * w),
                   (x, w), (dx, 1.0))[1]
    assert value == fsums(x, w) and tangent == pytest.approx(float(want), rel=1e-13)
    result = agc.verify(fsums, x, w, wrt=("x", "w"))
    assert result.proved, str(result)


# ------------------------------------------------------- where= and initial=
def options(x, c):
    m = x > 0.0
    return np.sum(x, where=m) + np.sum(np.sum(x * x, axis=0, initial=c, where=m)) \
        + np.mean(x, where=m) + np.max(x, initial=c) \
        + np.sum(np.min(x, axis=1, where=m, initial=c)) + x.sum(initial=c) \
        + np.sum(x.mean(axis=0, where=m, keepdims=True)) + np.amax(x * c, where=m, initial=-1.0)


def options_jax(x, c):
    m = x > 0.0
    return jnp.sum(x, where=m) + jnp.sum(jnp.sum(x * x, axis=0, initial=c, where=m)) \
        + jnp.mean(x, where=m) + jnp.maximum(c, jnp.max(x)) \
        + jnp.sum(jnp.min(x, axis=1, where=m, initial=c)) + x.sum() + c \
        + jnp.sum(x.mean(axis=0, where=m, keepdims=True)) + jnp.max(x * c, where=m, initial=-1.0)


X = RNG.normal(size=(6, 5)) * 10.0 ** RNG.uniform(-2, 2, size=(6, 5))
X[0] = np.abs(X[0])  # every column keeps an entry (a mean of none is NaN)


def test_values_are_numpys_to_the_bit_and_gradients_jaxs():
    value, (gx, gc) = agc.differentiate(options, wrt=("x", "c")).value_and_grad(X, 0.3)
    assert value == options(X, 0.3)
    want = jax.grad(options_jax, argnums=(0, 1))(X, 0.3)
    np.testing.assert_allclose(gx, want[0], rtol=1e-12, atol=1e-12)
    assert gc == pytest.approx(float(want[1]), rel=1e-12)


def masked_sum(x):
    return np.sum(x, where=x > 0.0) + np.sum(x, initial=0.1, axis=0)


def test_a_masked_sum_is_numpys_not_a_sum_of_np_where():
    rng = np.random.default_rng(3)
    big = rng.normal(size=4000) * 10.0 ** rng.uniform(-3, 3, size=4000)
    value = agc.differentiate(masked_sum).value_and_grad(big)[0]
    assert value == masked_sum(big)
    assert np.sum(big, where=big > 0.0) != np.sum(np.where(big > 0.0, big, 0.0))  # why


def test_float32_and_forward_mode():
    x32 = X.astype(np.float32)
    value, (gx, _) = agc.differentiate(options, wrt=("x", "c")).value_and_grad(x32, 0.3)
    want = options(x32, 0.3)
    assert value == want and np.asarray(value).dtype == np.asarray(want).dtype
    assert gx.dtype == np.float32
    dx = RNG.normal(size=X.shape)
    value, tangent = agc.jvp(options, (X, 0.3), (dx, 0.5))
    assert value == options(X, 0.3)
    want = jax.jvp(options_jax, (X, 0.3), (dx, 0.5))[1]
    assert tangent == pytest.approx(float(want), rel=1e-12)


def products(x, c):
    return np.sum(np.prod(x, axis=0, where=x > -0.5, initial=c) ** 2) + np.prod(x * c, initial=2.0) \
        + x.prod(where=x < 0.8)


def products_jax(x, c):
    return jnp.sum((c * jnp.prod(jnp.where(x > -0.5, x, 1.0), axis=0)) ** 2) \
        + 2.0 * jnp.prod(x * c) + jnp.prod(jnp.where(x < 0.8, x, 1.0))


def test_masked_products_match_numpy_and_jax():
    x, c = RNG.uniform(-1.0, 1.0, size=(4, 3)), 0.7
    x[1, 2] = 0.0  # a zero factor: prod's exact gradient there
    value, (gx, gc) = agc.differentiate(products, wrt=("x", "c")).value_and_grad(x, c)
    assert value == products(x, c)
    want = jax.grad(products_jax, argnums=(0, 1))(x, c)
    np.testing.assert_allclose(gx, want[0], rtol=1e-12, atol=1e-12)
    assert gc == pytest.approx(float(want[1]), rel=1e-12)
    t = (RNG.normal(size=x.shape), 0.5)
    tangent = agc.jvp(products, (x, c), t)[1]
    assert tangent == pytest.approx(float(jax.jvp(products_jax, (x, c), t)[1]), rel=1e-12)
    x32 = x.astype(np.float32)
    value, (g32, _) = agc.differentiate(products, wrt=("x", "c")).value_and_grad(x32, c)
    assert value == products(x32, c) and g32.dtype == np.float32
    assert agc.verify(products, x, c, wrt=("x", "c")).proved


def squares(x, c):
    return np.sum(np.sum(x * x, axis=1, where=x > 0.0, initial=c) ** 2) + np.mean(x ** 3, where=x < 0.5)


def test_hessian_vector_product_matches_jax():
    v = RNG.normal(size=X.shape)
    got = agc.hvp(squares, wrt="x")(X, 0.3, v)

    def ref(x):
        return jnp.sum(jnp.sum(x * x, axis=1, where=x > 0.0, initial=0.3) ** 2) \
            + jnp.mean(x ** 3, where=x < 0.5)

    want = jax.jvp(jax.grad(ref), (X,), (v,))[1]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_verify_proves_the_options():
    x = np.array([[0.3, -0.7, 1.1], [0.5, 1.5, -1.0]])
    result = agc.verify(squares, x, 0.25, wrt=("x", "c"))
    assert result.proved, str(result)


def max_without_initial(x):
    return np.max(x, where=x > 0.0)


def var_where(x):
    return np.var(x, where=x > 0.0)


@pytest.mark.parametrize(("fn", "what"), [(max_without_initial, "where= without initial="),
                                          (var_where, "`where=`")])
def test_refused_options_are_named_at_their_position(fn, what):
    with pytest.raises(agc.UserCodeError) as caught:
        agc.differentiate(fn).grad(X)
    assert what in str(caught.value) and caught.value.loc.line > 0 and caught.value.hint
