"""The gradient of `np.linalg.det` at a singular matrix is the adjugate's transpose.

numpy's det of a singular matrix is 0 (no error), but agc's cotangent was
`g det(A) inv(A)^T` and numpy's inv raised LinAlgError: `f.grad` and `f.jvp` failed where
the plain call did not. Where inv raises, `rt.det_grad` now takes the adjugate from the
SVD, as jax and PyTorch give it.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc.ir.prims import Prim
from meanings import symbolic_meaning

jax.config.update("jax_enable_x64", True)

SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 1.0, 2.0]])
RANK_ONE = np.outer([1.0, 2.0, 3.0], [0.5, -1.0, 2.0])
WEIGHTS = np.array([1.0, 3.0])


def scaled_det(m):
    return np.linalg.det(m) * 2.0


def scaled_det_jax(m):
    return jnp.linalg.det(m) * 2.0


def weighted_dets(b):
    return np.sum(np.linalg.det(b) * WEIGHTS)


def weighted_dets_jax(b):
    return jnp.sum(jnp.linalg.det(b) * WEIGHTS)


STACK = np.stack([SINGULAR, 2.0 * np.eye(3) + 0.1])
CASES = [(scaled_det, scaled_det_jax, SINGULAR), (scaled_det, scaled_det_jax, RANK_ONE),
         (weighted_dets, weighted_dets_jax, STACK)]
IDS = ["rank_two", "rank_one", "stack"]


@pytest.mark.parametrize("model, twin, a", CASES, ids=IDS)
def test_det_gradient_at_a_singular_matrix_matches_jax(model, twin, a):
    value, grad = agc.differentiate(model).value_and_grad(a)
    assert value == model(a)
    np.testing.assert_allclose(grad, jax.grad(twin)(a), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("model, twin, a", CASES, ids=IDS)
def test_det_gradient_at_a_singular_matrix_float32(model, twin, a):
    grad = agc.differentiate(model).grad(a.astype(np.float32))
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, jax.grad(twin)(a), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("model, twin, a", CASES, ids=IDS)
def test_det_tangent_at_a_singular_matrix_matches_jax(model, twin, a):
    v = np.arange(a.size, dtype=float).reshape(a.shape) / a.size
    _, tangent = agc.differentiate(model).jvp(a, tangents=(v,))
    np.testing.assert_allclose(tangent, jax.jvp(twin, (a,), (v,))[1], rtol=1e-12, atol=1e-12)


# det_grad's tangent was d(det) inv(A)^T - det inv(A)^T dA^T inv(A)^T: at a singular A
# numpy's inv raised, and near one (a row the sum of two others, singular up to
# rounding) the two huge terms cancelled into values of order 1 where the exact
# Hessian-vector product differs (-8, 1.5, ... against -0.68, 1.81, ...).
NEAR = np.random.default_rng(0).normal(size=(3, 3))
NEAR[2] = NEAR[0] + NEAR[1]
REGULAR = np.random.default_rng(1).normal(size=(4, 4))
HVP_CASES = CASES + [(scaled_det, scaled_det_jax, NEAR), (scaled_det, scaled_det_jax, REGULAR),
                     (weighted_dets, weighted_dets_jax, np.stack([NEAR, REGULAR[:3, :3]]))]
HVP_IDS = IDS + ["near_singular", "regular", "near_stack"]


def _hvp_jax(twin, a, v):
    return jax.jvp(jax.grad(twin), (jnp.asarray(a),), (jnp.asarray(v),))[1]


@pytest.mark.parametrize("model, twin, a", HVP_CASES, ids=HVP_IDS)
def test_det_hvp_at_and_near_a_singular_matrix_matches_jax(model, twin, a):
    v = np.random.default_rng(2).normal(size=a.shape)
    got = agc.hvp(model)(a, v)
    np.testing.assert_allclose(got, _hvp_jax(twin, a, v), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("model, twin, a", HVP_CASES, ids=HVP_IDS)
def test_det_hvp_float32(model, twin, a):
    v = np.random.default_rng(3).normal(size=a.shape)
    got = agc.hvp(model)(a.astype(np.float32), v.astype(np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, _hvp_jax(twin, a, v), rtol=2e-4, atol=2e-4)


def test_det_hessian_of_a_regular_matrix_matches_jax():
    a = REGULAR[:3, :3]
    hessian = agc.hessian(scaled_det)(a)
    expected = jax.hessian(scaled_det_jax)(jnp.asarray(a))
    np.testing.assert_allclose(hessian, expected, rtol=1e-10, atol=1e-10)


def test_det_grad_jvp_helper_matches_its_symbolic_meaning():
    rng = np.random.default_rng(4)
    a, da = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    exact = symbolic_meaning(Prim.DET_GRAD_JVP, (1.5, da, a))
    np.testing.assert_allclose(agc.runtime.det_grad_jvp(1.5, da, a), exact, rtol=1e-12)
