"""np.interp and np.convolve (primitives/signal.py, runtime/signal.py): numpy's values bit for
bit; gradients, tangents and Hessian-vector products against jax (CPU, float64); float32;
proofs; interp's left= and right=; and period=, refused at its position."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(11)
KNOTS = np.sort(RNG.normal(size=6))
FP = RNG.normal(size=6)
# inside, outside on both sides, and on the knots (the first, a middle one, the last)
X = np.concatenate([RNG.normal(size=7) * 2, KNOTS[[0, 3, 5]]])
A, V = RNG.normal(size=7), RNG.normal(size=4)


def curve(x, knots, fp, a, v):
    y = np.interp(x, knots, fp)
    smooth = np.convolve(a, v) ** 2
    return np.sum(y * y * x) + np.sum(smooth) + np.sum(np.convolve(a, v, "same") * a) \
        + np.sum(np.convolve(v, a, mode="valid") ** 3) + np.interp(0.25, knots, fp)


def curve_jax(x, knots, fp, a, v):
    y = jnp.interp(x, knots, fp)
    smooth = jnp.convolve(a, v) ** 2
    return jnp.sum(y * y * x) + jnp.sum(smooth) + jnp.sum(jnp.convolve(a, v, "same") * a) \
        + jnp.sum(jnp.convolve(v, a, mode="valid") ** 3) + jnp.interp(0.25, knots, fp)


ARGS = (X, KNOTS, FP, A, V)
NAMES = ("x", "knots", "fp", "a", "v")


def test_values_and_gradients_match_numpy_and_jax():
    value, grads = agc.differentiate(curve, wrt=NAMES).value_and_grad(*ARGS)
    assert value == curve(*ARGS)
    want = jax.grad(curve_jax, argnums=range(5))(*ARGS)
    for got, expected in zip(grads, want):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_interp_at_the_knots_takes_jaxs_segment():
    def at_knots(x, fp):
        return np.sum(np.interp(x, np.array([0.0, 1.0, 3.0]), fp) * np.array([1.0, 2.0, 3.0]))

    x, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
    gx, gfp = agc.differentiate(at_knots, wrt=("x", "fp")).grad(x, fp)
    # the first knot and a middle one: the segment to the right; the last: to the left
    assert gx.tolist() == [2.0, 1.0, 1.5] and gfp.tolist() == [1.0, 2.0, 3.0]
    want = jax.grad(lambda x: jnp.sum(jnp.interp(x, jnp.array([0.0, 1.0, 3.0]), fp)
                                      * jnp.array([1.0, 2.0, 3.0])))(x)
    np.testing.assert_array_equal(gx, want)


def conv_full(a, v):
    return np.sum(np.convolve(a, v) ** 2)


def conv_same(a, v):
    return np.sum(np.convolve(a, v, mode="same") ** 2)


def conv_valid(a, v):
    return np.sum(np.convolve(a, v, "valid") ** 2)


@pytest.mark.parametrize(("n", "m"), [(7, 4), (4, 7), (6, 6), (1, 3), (5, 2)])
@pytest.mark.parametrize(("conv", "mode"), [(conv_full, "full"), (conv_same, "same"),
                                            (conv_valid, "valid")])
def test_convolve_in_each_mode_matches_jax(n, m, conv, mode):
    a, v = RNG.normal(size=n), RNG.normal(size=m)
    value, (ga, gv) = agc.differentiate(conv, wrt=("a", "v")).value_and_grad(a, v)
    assert value == conv(a, v)
    want = jax.grad(lambda a, v: jnp.sum(jnp.convolve(a, v, mode=mode) ** 2), argnums=(0, 1))(a, v)
    np.testing.assert_allclose(ga, want[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gv, want[1], rtol=1e-12, atol=1e-12)


def test_float32_keeps_numpys_dtypes():
    args = tuple(np.asarray(a, dtype=np.float32) for a in ARGS)
    value, grads = agc.differentiate(curve, wrt=NAMES).value_and_grad(*args)
    want = curve(*args)
    assert value == want and np.asarray(value).dtype == np.asarray(want).dtype
    assert all(g.dtype == np.float32 for g in grads)


def test_forward_mode_matches_jax():
    tangents = tuple(RNG.normal(size=np.shape(a)) for a in ARGS)
    value, tangent = agc.jvp(curve, ARGS, tangents)
    assert value == curve(*ARGS)
    np.testing.assert_allclose(tangent, jax.jvp(curve_jax, ARGS, tangents)[1], rtol=1e-12)


@pytest.mark.parametrize("wrt", ["fp", "a"])
def test_hessian_vector_products_match_jax(wrt):
    k = NAMES.index(wrt)
    v = RNG.normal(size=np.shape(ARGS[k]))
    got = agc.hvp(curve, wrt=wrt)(*ARGS, v)

    def along(z):
        return curve_jax(*ARGS[:k], z, *ARGS[k + 1:])

    want = jax.jvp(jax.grad(along), (ARGS[k],), (v,))[1]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def proved_signal(x, fp, a):
    knots = np.array([-1.0, 0.0, 0.5, 2.0])
    return np.sum(np.interp(x, knots, fp) * x) + np.sum(np.convolve(a, fp, "same") * fp)


def test_verify_proves_interp_and_convolve():
    x, fp, a = np.array([-1.5, 0.25, 0.5, 1.0, 3.0]), np.array([0.3, -0.7, 1.1, 0.4]), \
        np.array([0.5, 1.5, -1.0])
    result = agc.verify(proved_signal, x, fp, a, wrt=("x", "fp", "a"))
    assert result.proved, str(result)


def edges(x, fp):
    knots = np.array([0.0, 1.0, 2.0])
    return np.sum(np.interp(x, knots, fp, left=-1.0, right=5.0) * x) \
        + np.sum(np.interp(x, knots, fp, right=0.5) ** 2)


def edges_jax(x, fp):
    knots = jnp.array([0.0, 1.0, 2.0])
    return jnp.sum(jnp.interp(x, knots, fp, left=-1.0, right=5.0) * x) \
        + jnp.sum(jnp.interp(x, knots, fp, right=0.5) ** 2)


def test_interp_left_and_right_are_constants_outside_xp():
    x, fp = np.array([-0.5, 0.25, 1.5, 2.5, 3.0]), np.array([0.3, 2.0, 3.0])
    value, grads = agc.differentiate(edges, wrt=("x", "fp")).value_and_grad(x, fp)
    assert value == edges(x, fp)
    for got, want in zip(grads, jax.grad(edges_jax, argnums=(0, 1))(x, fp)):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
    t = (RNG.normal(size=5), RNG.normal(size=3))
    assert agc.jvp(edges, (x, fp), t)[1] == pytest.approx(float(jax.jvp(edges_jax, (x, fp), t)[1]))
    v = RNG.normal(size=3)
    want = jax.jvp(jax.grad(lambda f: edges_jax(x, f)), (fp,), (v,))[1]
    np.testing.assert_allclose(agc.hvp(edges, wrt="fp")(x, fp, v), want, rtol=1e-12)
    assert agc.verify(edges, x, fp, wrt=("x", "fp")).proved


def interp_period(x, fp):
    return np.sum(np.interp(x, np.array([0.0, 1.0]), fp, period=2.0))


def test_interp_period_is_refused_with_a_hint():
    with pytest.raises(agc.UserCodeError) as caught:
        agc.differentiate(interp_period).grad(np.array([0.5]), np.array([1.0, 2.0]))
    assert "period=" in str(caught.value) and caught.value.loc.line > 0
    assert "np.mod" in caught.value.hint
