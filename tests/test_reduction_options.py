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
