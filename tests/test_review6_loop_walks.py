"""Shape classes decided by a loop's last walk, not its first.

shape_classes.py walks a loop's body from a head not yet settled, then again from the
settled one. `y = y + x` walked first with y's class still x's (y is x on entry) was noted
as having its operands' shape, and a later walk (y now p's shape: `y = y * p` in the
trip) found no operand of that shape but left the note. x of shape (1,) against p of (4,)
then got a cotangent of shape (4,): a wrong gradient, silently. Each walk of a statement
now replaces what the ones before it noted.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)


def add_then_scale(x, p):
    y = x
    for _ in range(3):
        y = y + x
        y = y * p
    return np.sum(y * x)


def add_then_scale_jax(x, p, trips=3):
    y = x
    for _ in range(trips):
        y = (y + x) * p
    return jnp.sum(y * x)


def nested(x, p):
    y = x
    for i in range(2):
        for j in range(2):
            for k in range(2):
                if k == 1:
                    y = y * p
                else:
                    y = y + x
    return np.sum(y * x)


def nested_jax(x, p):
    return add_then_scale_jax(x, p, 4)  # (y + x) * p, four times


@pytest.mark.parametrize(("model", "model_jax"), [(add_then_scale, add_then_scale_jax),
                                                  (nested, nested_jax)])
@pytest.mark.parametrize("shapes", [((1,), (4,)), ((3, 1), (4,)), ((), (4,)), ((4,), (4,))])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_broadcast_in_a_later_trip_is_summed(model, model_jax, shapes, dtype):
    rng = np.random.default_rng(7)
    x = (rng.normal(size=shapes[0]) * 0.5).astype(dtype)
    p = (rng.normal(size=shapes[1]) * 0.5).astype(dtype)
    gx, gp = agc.differentiate(model, wrt=("x", "p")).grad(x, p)
    ex, ep = jax.grad(model_jax, argnums=(0, 1))(np.float64(x), np.float64(p))
    assert gx.shape == np.shape(x) and gp.shape == p.shape and gx.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(gx, ex, rtol=tol, atol=tol)
    np.testing.assert_allclose(gp, ep, rtol=tol, atol=tol)


def test_hvp_of_the_loop():
    x, p, v = np.array([0.4]), np.array([0.5, 1.2, 0.3, 0.8]), np.array([0.7])
    got = agc.hvp(add_then_scale, wrt=("x",))(x, p, v)
    want = jax.jvp(lambda a: jax.grad(add_then_scale_jax)(a, p), (x,), (v,))[1]
    np.testing.assert_allclose(got, want, rtol=1e-12)
