"""Second derivatives (ad/second.py, higher.py): Hessian-vector products by forward mode
over the adjoint, against jax in float64, through loops, branches and the tape; Hessians,
grad of grad, positioned refusals, and three problems written as user code."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc.compiling import compile_hvp
from differential.harness import jax_twin

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(0)


def settle(x):
    """A while loop whose trip count depends on x: the tape keeps a value per trip."""
    s = 0.0
    while s < 10.0:
        s = s + np.sum(np.sin(x) * x ** 2) + 1.0
    y = x @ x
    return s + np.mean(np.tanh(x)) * y


def branchy(x, w):
    """An early return, and a value overwritten in a for loop."""
    if np.sum(x) > 5.0:
        return np.sum(x ** 3)
    h = np.zeros(3)
    for i in range(4):
        h = np.tanh(w @ h + x[i])
    return np.sum(h ** 2) + np.sum(w * w * x[0])


def written(x):
    """Item writes into an array inside a loop (each overwritten slice is kept)."""
    y = np.ones(4)
    for i in range(1, 4):
        y[i] = y[i - 1] * x[i] + np.exp(x[i - 1])
    return np.sum(y * y)


def written_jax(x):
    y = jnp.ones(4)
    for i in range(1, 4):
        y = y.at[i].set(y[i - 1] * x[i] + jnp.exp(x[i - 1]))
    return jnp.sum(y * y)


def test_hvp_through_a_while_loop_matches_jax():
    x, v = np.array([1.0, 2.0, 3.0]), np.array([0.3, -1.0, 2.0])
    want = jax.jvp(jax.grad(jax_twin(settle)), (x,), (v,))[1]
    np.testing.assert_allclose(agc.hvp(settle)(x, v), want, rtol=1e-10)
    grad, hv = agc.differentiate(settle).hvp(x, tangents=(v,))
    np.testing.assert_allclose(grad, jax.grad(jax_twin(settle))(x), rtol=1e-10)
    np.testing.assert_allclose(hv, want, rtol=1e-10)


@pytest.mark.parametrize("shift", [0.0, 3.0])  # both sides of the early return
def test_hvp_with_two_wrt_through_branches_and_a_for_loop(shift):
    x = RNG.uniform(-1, 1, 4) + shift
    w = RNG.uniform(-1, 1, (3, 3))
    vx, vw = RNG.normal(size=4), RNG.normal(size=(3, 3))
    got = agc.hvp(branchy, wrt=("x", "w"))(x, w, (vx, vw))
    want = jax.jvp(jax.grad(jax_twin(branchy), argnums=(0, 1)), (x, w), (vx, vw))[1]
    for g, e in zip(got, want, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-12)


def test_hessian_of_item_writes_in_a_loop_matches_jax_and_is_symmetric():
    x = RNG.uniform(-1, 1, 4)
    hessian = agc.hessian(written)(x)
    np.testing.assert_allclose(hessian, jax.hessian(written_jax)(x), rtol=1e-9)
    np.testing.assert_allclose(hessian, hessian.T, rtol=1e-12)


def mlp_loss(w1, x, y):
    h = np.tanh(x @ w1)
    return np.mean((h.sum(axis=1) - y) ** 2)


def test_hessian_of_a_small_mlp_loss_and_jacobian_of_grad():
    w1, x, y = RNG.normal(size=(3, 2)), RNG.normal(size=(5, 3)), RNG.normal(size=5)
    want = jax.hessian(lambda w: jnp.mean((jnp.tanh(x @ w).sum(axis=1) - y) ** 2))(w1)
    got = agc.hessian(mlp_loss)(w1, x, y)
    assert got.shape == (3, 2, 3, 2)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(agc.jacobian(agc.grad(mlp_loss))(w1, x, y), want, rtol=1e-9,
                               atol=1e-12)


def cube(t):
    return t ** 3


def test_grad_of_grad_of_a_number():
    """PyTorch's create_graph=True: the second derivative of x**3 is 6x."""
    assert agc.grad(agc.grad(cube))(2.0) == pytest.approx(12.0)


def scaled_cube(t, a):
    return a * t ** 3


def test_grad_of_grad_with_wrt():
    assert agc.grad(agc.grad(scaled_cube, wrt="t"), wrt="t")(2.0, 1.5) == pytest.approx(18.0)
    with pytest.raises(agc.UsageError, match="mixed second derivatives"):
        agc.grad(agc.grad(scaled_cube), wrt="a")


def test_grad_of_grad_of_an_array_names_hessian():
    with pytest.raises(agc.UsageError, match="agc.hessian"):
        agc.grad(agc.grad(mlp_loss))(np.ones((3, 2)), np.ones((5, 3)), np.ones(5))


def test_hvp_keeps_float32():
    x = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    grad, hv = agc.differentiate(settle).hvp(x, tangents=(np.ones(3, np.float32),))
    assert grad.dtype == np.float32 and hv.dtype == np.float32


def uses_prod(x):
    return np.prod(x) * 2.0


def test_a_gradient_helper_without_a_tangent_is_refused_with_its_position():
    with pytest.raises(agc.UnsupportedError) as err:
        agc.hvp(uses_prod)(np.ones(3), np.ones(3))
    assert "second derivatives do not support" in err.value.message
    assert "rt.prod_grad" in err.value.message
    assert err.value.loc.line == uses_prod.__code__.co_firstlineno + 1


def inner(x):
    return np.sum(x * x)


def outer(x):
    y = inner(np.sin(x))
    z = inner(x)
    return y * z


def test_helper_calls_get_their_jvp_and_the_jvp_of_their_adjoint():
    x, v = np.array([0.3, -0.5, 1.2]), np.array([1.0, 2.0, -1.0])
    want = jax.jvp(jax.grad(lambda x: jnp.sum(jnp.sin(x) ** 2) * jnp.sum(x * x)), (x,), (v,))[1]
    np.testing.assert_allclose(agc.hvp(outer)(x, v), want, rtol=1e-10)
    source = compile_hvp(outer, ("x",), (1,)).source
    assert "def inner_jvp(x, x_dot):" in source
    assert "def inner_vjp_jvp(seed, x, seed_dot, x_dot):" in source


def settle_kept(x):
    """As settle, with a value of two costly steps from the loop's own s: kept on the tape
    (settle's values are redone in the backward sweep: ad/recompute.py)."""
    s = 0.0
    while s < 10.0:
        s = s + np.sum(np.exp(np.sin(x * s))) + 1.0
    return s


def test_the_emitted_hvp_reads_as_source():
    source = compile_hvp(settle_kept, ("x",), (1,)).source
    assert "def settle_kept_hvp(x, x_dot):" in source
    assert "tape.append(t" in source and "_dot = tape.pop()" in source
    x, v = np.array([0.3, -0.5, 1.2]), np.array([1.0, 2.0, -1.0])
    want = jax.jvp(jax.grad(jax_twin(settle_kept)), (x,), (v,))[1]
    np.testing.assert_allclose(agc.hvp(settle_kept)(x, v), want, rtol=1e-10)


def saved_slices(x, c):
    """On one tape: slices of y (held fixed) and values of s (moving with x)."""
    y = c.copy()
    s = 0.0
    for i in range(3):
        y[i] = y[i] * 2.0 + 1.0
        s = s + np.sum(np.sin(y * x) * s) + np.sum(x * x)
    return s


def saved_slices_jax(x, c):
    y = jnp.asarray(c)
    s = 0.0
    for i in range(3):
        y = y.at[i].set(y[i] * 2.0 + 1.0)
        s = s + jnp.sum(jnp.sin(y * x) * s) + jnp.sum(x * x)
    return s


def test_a_tape_holding_values_with_and_without_tangents():
    """A saved slice is pushed from one name and popped into another: each value on the
    tape has its tangent beside it (a zero for y's slices), so the pops stay in step."""
    x, c, v = np.array([0.3, -0.2, 0.5]), np.array([1.0, 2.0, 0.5]), np.array([1.0, -1.0, 0.5])
    want = jax.jvp(lambda x: jax.grad(saved_slices_jax)(x, c), (x,), (v,))[1]
    np.testing.assert_allclose(agc.hvp(saved_slices)(x, c, v), want, rtol=1e-10)


# ------------------------------------------------------------------ the problems
def kmeans_loss(c, x):
    """Each point's squared distance to its nearest centroid, summed."""
    d = np.sum((x[:, None, :] - c[None, :, :]) ** 2, axis=2)
    return np.sum(np.min(d, axis=1))


def test_kmeans_newton_step_is_lloyds_update():
    """The loss is quadratic in each centroid: the Hessian is diagonal, 2 x (points
    assigned), and one Newton step moves every centroid to the mean of its points."""
    x = np.concatenate([RNG.normal(size=(6, 2)) - 3, RNG.normal(size=(5, 2)) + 3])
    c = np.array([[-2.0, -2.5], [2.0, 2.5]])
    g = agc.grad(kmeans_loss)(c, x)
    diagonal = agc.hvp(kmeans_loss)(c, x, np.ones_like(c))
    hessian = agc.hessian(kmeans_loss)(c, x).reshape(4, 4)
    np.testing.assert_allclose(np.diag(hessian), diagonal.ravel())
    np.testing.assert_allclose(hessian, np.diag(np.diag(hessian)))
    np.testing.assert_allclose(diagonal, [[12.0, 12.0], [10.0, 10.0]])
    newton = c - g / diagonal
    np.testing.assert_allclose(newton, [x[:6].mean(axis=0), x[6:].mean(axis=0)])


def particle(p0, k):
    """A particle in the force field of the potential k |p|^2 / 2 + sum(cos(p)) (its
    gradient written out), stepped until it has travelled a distance of 3."""
    p, v, travelled = p0, np.zeros(2), 0.0
    while travelled < 3.0:
        force = -k * p + np.sin(p)
        v = v + 0.1 * force
        p = p + 0.1 * v
        travelled = travelled + 0.1 * np.sqrt(np.sum(v * v) + 1e-3)
    return np.sum(p * p) + np.sum(v * v)


def particle_jax(p0, k):
    p, v, travelled = p0, jnp.zeros(2), 0.0
    while travelled < 3.0:
        v = v + 0.1 * (-k * p + jnp.sin(p))
        p = p + 0.1 * v
        travelled = travelled + 0.1 * jnp.sqrt(jnp.sum(v * v) + 1e-3)
    return jnp.sum(p * p) + jnp.sum(v * v)


def test_particle_in_a_gradient_field_with_a_while_loop():
    p0 = np.array([1.5, -0.7])
    got = agc.hessian(particle)(p0, 2.0)
    # the trip count is piecewise constant in p0: the Hessian is the fixed-trip one
    np.testing.assert_allclose(got, jax.hessian(particle_jax)(p0, 2.0), rtol=1e-9)


def saddle(z):
    """L(x, y) = x^2 - y^2 + 3 x y + sin(x): min over x, max over y."""
    x, y = z[0], z[1]
    return x * x - y * y + 3.0 * x * y + np.sin(x)


def test_saddle_point_by_newton_steps_on_the_hessian():
    """Newton's method on grad L = 0 finds the saddle point of the min-max problem."""
    z = np.array([0.8, -0.4])
    for _ in range(8):
        z = z - np.linalg.solve(agc.hessian(saddle)(z), agc.grad(saddle)(z))
    np.testing.assert_allclose(agc.grad(saddle)(z), [0.0, 0.0], atol=1e-12)
    h = agc.hessian(saddle)(z)
    assert h[0, 0] > 0 > h[1, 1]  # a minimum in x, a maximum in y
