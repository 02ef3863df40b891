"""Shape classes (ad/shape_classes.py) under stress: a value's shape changing between trips
of a loop, across branches and through helpers called with differently shaped arguments,
one compiled gradient called with (n,), (1,), (3, 1) and () arguments in turn. Each
gradient is jax's, float64, and float32 near it; the review found none wrong (its one
defect, an array given to a `float`-annotated parameter, is test_review6_annotated_numbers).
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)


def scale(a, b):
    return a * b + np.sin(a)


def scale_jax(a, b):
    return a * b + jnp.sin(a)


def loop_grows(x, p):
    for _ in range(3):
        x = x + np.sin(x) * p
    return np.sum(x * x)


def loop_grows_jax(x, p):
    for _ in range(3):
        x = x + jnp.sin(x) * p
    return jnp.sum(x * x)


def alternating(x, p):
    y = x
    for i in range(4):
        if i % 2 == 0:
            y = y * p
        else:
            y = y + 1.0
    return np.sum(y * y)


def alternating_jax(x, p):
    y = x
    for i in range(4):
        y = y * p if i % 2 == 0 else y + 1.0
    return jnp.sum(y * y)


def carried(x, p):
    prev = x
    acc = 0.0
    for _ in range(3):
        cur = prev * p
        acc = acc + np.sum(cur * prev)
        prev = cur
    return acc


def carried_jax(x, p):
    # prev = x p^k: acc = sum of x^2 p^(2k + 1), k = 0, 1, 2
    return sum(jnp.sum(x * x * p ** (2 * k + 1)) for k in range(3))


def helpers_swapped(x, p):
    u = scale(x, p)
    v = scale(u, x)
    return np.sum(u * v + x)


def helpers_swapped_jax(x, p):
    u = scale_jax(x, p)
    v = scale_jax(u, x)
    return jnp.sum(u * v + x)


def broken_loop(x, p):
    y = x
    for i in range(5):
        y = y + p * y
        if i == 2:
            break
    return np.sum(y * y)


def broken_loop_jax(x, p):
    y = x
    for _ in range(3):
        y = y + p * y
    return jnp.sum(y * y)


def while_grows(x, p):
    i = 0
    y = x
    while i < 3:
        y = y * p + x
        i += 1
    return np.sum(y)


def while_grows_jax(x, p):
    y = x
    for _ in range(3):
        y = y * p + x
    return jnp.sum(y)


MODELS = [(loop_grows, loop_grows_jax), (alternating, alternating_jax), (carried, carried_jax),
          (helpers_swapped, helpers_swapped_jax), (broken_loop, broken_loop_jax),
          (while_grows, while_grows_jax)]
SHAPES = [((4,), (4,)), ((1,), (4,)), ((4,), (1,)), ((3, 1), (4,)), ((), (3,)), ((3,), ())]


@pytest.mark.parametrize(("model", "model_jax"), MODELS, ids=[m[0].__name__ for m in MODELS])
def test_one_gradient_for_every_shape(model, model_jax):
    f = agc.differentiate(model, wrt=("x", "p"))
    rng = np.random.default_rng(5)
    for sx, sp in SHAPES:  # the same compiled code, shape after shape
        x, p = rng.normal(size=sx) * 0.5, rng.normal(size=sp) * 0.5
        gx, gp = f.grad(x, p)
        ex, ep = jax.grad(model_jax, argnums=(0, 1))(x, p)
        assert gx.shape == np.shape(x) and gp.shape == np.shape(p)
        np.testing.assert_allclose(gx, ex, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(gp, ep, rtol=1e-10, atol=1e-12)
        gx32, gp32 = f.grad(x.astype(np.float32), np.asarray(p, np.float32))
        assert gx32.dtype == np.float32 and gp32.shape == np.shape(p)
        np.testing.assert_allclose(gx32, ex, rtol=2e-4, atol=2e-4)
        np.testing.assert_allclose(gp32, ep, rtol=2e-4, atol=2e-4)
