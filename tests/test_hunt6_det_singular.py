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
