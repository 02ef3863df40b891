"""Second derivatives through the gradient helpers that are not linear in what they read
(primitives/nonlinear_tangents.py): norm, std, hypot, logsumexp, softmax, log_softmax, inv, det
against jax in float64, the conventions at a zero norm, float32 kept, and refusals."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special as ss
from differential.harness import jax_twin

jax.config.update("jax_enable_x64", True)
X = np.random.default_rng(0).normal(size=(3, 4))
V = np.random.default_rng(1).normal(size=(3, 4))

def norm_sq(x):
    return np.linalg.norm(x) ** 2 + np.linalg.norm(x)


def row_norms(x):
    return np.sum(np.linalg.norm(x, axis=1) ** 3)


def column_norms(x):
    return np.sum(np.linalg.norm(x, ord=2, axis=0, keepdims=True) * x[0])


def frobenius(x):
    return np.linalg.norm(x, "fro") * np.sum(x)


def one_norms(x):
    return np.linalg.norm(x, ord=1, axis=1) @ np.sum(x, axis=1)


def max_norm(x):
    return np.linalg.norm(x[0], ord=np.inf) * np.sum(x ** 2)


def std_all(x):
    return np.std(x) * np.sum(x)


def std_columns(x):
    return np.sum(np.std(x, axis=0, ddof=1) ** 3)


def hypot_sq(x):
    return np.sum(np.hypot(x, 2 * x + 1) ** 2 * x)


def lse(x):
    return ss.logsumexp(x) * np.sum(x)


def lse_weighted(x):
    return np.sum(ss.logsumexp(x, axis=1, b=x[0]) ** 2)


def soft(x):
    return np.sum(ss.softmax(x, axis=1) * np.sin(x))


def log_soft(x):
    return np.sum(ss.log_softmax(x, axis=1) * np.sin(x))


jsp = jax.scipy.special
JAX = {  # jax_twin maps numpy; scipy.special's twins are written here
    lse: lambda x: jsp.logsumexp(x) * jnp.sum(x),
    lse_weighted: lambda x: jnp.sum(jsp.logsumexp(x, axis=1, b=x[0]) ** 2),
    soft: lambda x: jnp.sum(jax.nn.softmax(x, axis=1) * jnp.sin(x)),
    log_soft: lambda x: jnp.sum(jax.nn.log_softmax(x, axis=1) * jnp.sin(x)),
}
CASES = [norm_sq, row_norms, column_norms, frobenius, one_norms, max_norm, std_all,
         std_columns, hypot_sq, lse, lse_weighted, soft, log_soft]


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_hvp_through_a_nonlinear_helper_matches_jax(f):
    x = np.abs(X) + 0.5 if f is lse_weighted else X  # logsumexp's weights b: positive
    want = jax.jvp(jax.grad(JAX.get(f) or jax_twin(f)), (x,), (V,))[1]
    np.testing.assert_allclose(agc.hvp(f)(x, V), want, rtol=1e-10, atol=1e-12)


def norm_plus(x):
    return np.linalg.norm(x) + np.sum(x ** 2)


def test_hvp_at_a_zero_norm_divides_by_nothing():
    """At x = 0 the gradient of norm is 0 (docs/correctness.md): its formula g x / n has
    n held at 1 there, and the tangent is that formula's derivative, g v: finite."""
    x, v = np.zeros(3), np.array([1.0, -2.0, 0.5])
    grad, hv = agc.differentiate(norm_plus).hvp(x, tangents=(v,))
    np.testing.assert_array_equal(grad, np.zeros(3))
    np.testing.assert_allclose(hv, v + 2 * v)


def hypot_at_origin(x):
    return np.sum(np.hypot(x, x * 0.0) * x)


def test_hvp_at_a_zero_hypot_is_finite():
    x, v = np.array([0.0, 2.0]), np.array([1.0, 1.0])
    _, hv = agc.differentiate(hypot_at_origin).hvp(x, tangents=(v,))
    assert np.all(np.isfinite(hv))
    np.testing.assert_allclose(hv[1], 2.0)  # d^2/dx^2 (|x| x) = 2 sign(x)


def test_hvp_through_norm_keeps_float32():
    x, v = X.astype(np.float32), V.astype(np.float32)
    grad, hv = agc.differentiate(row_norms).hvp(x, tangents=(v,))
    assert grad.dtype == np.float32 and hv.dtype == np.float32
    want = jax.jvp(jax.grad(jax_twin(row_norms)), (X,), (V,))[1]
    np.testing.assert_allclose(hv, want, rtol=1e-4, atol=1e-4)


def p_norm(x):
    return np.linalg.norm(x, ord=3)


def test_a_p_norm_is_refused_with_its_position():
    with pytest.raises(agc.UnsupportedError) as err:
        agc.hvp(p_norm)(np.ones(3), np.ones(3))
    assert "np.linalg.norm with ord=3" in err.value.message
    assert err.value.loc.line == p_norm.__code__.co_firstlineno + 1


def inverse_sq(a):
    return np.sum(np.linalg.inv(a) ** 2)


def det_mixed(a):
    return np.linalg.det(a) ** 2 + np.sum(a * np.linalg.det(a))


def det_stacked(a):
    return np.sum(np.linalg.det(np.stack([a, 2 * a @ a])) ** 2)


@pytest.mark.parametrize("f", [inverse_sq, det_mixed, det_stacked], ids=lambda f: f.__name__)
def test_hvp_through_inv_and_det_matches_jax(f):
    a = np.random.default_rng(2).normal(size=(3, 3)) + 3 * np.eye(3)
    v = np.random.default_rng(3).normal(size=(3, 3))
    want = jax.jvp(jax.grad(jax_twin(f)), (a,), (v,))[1]
    np.testing.assert_allclose(agc.hvp(f)(a, v), want, rtol=1e-10, atol=1e-12)
    _, hv = agc.differentiate(f).hvp(a.astype(np.float32), tangents=(v.astype(np.float32),))
    assert hv.dtype == np.float32
