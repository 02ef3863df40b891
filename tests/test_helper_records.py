"""What a split helper's record keeps: a costly value (sigmoid's `exp(-z)`) rather than
the argument it is made from, where the record is no longer for it and every caller
passes that argument as a temporary (else the caller keeps z anyway, and `exp(-z)`
would be one more array).

The backward half then reads `exp(-z)` instead of redoing the exponential on each call
(a model calling sigmoid three times per LSTM cell and step redid three per call).
"""

from __future__ import annotations

import os

import agc
import numpy as np

os.environ.setdefault("JAX_PLATFORMS", "cpu")
import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", True)

MODEL = '''
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def spread(x, w):
    return np.exp(x * w) + 1.0


def gate(z):
    return 1.0 / (1.0 + np.exp(-z))


def swish(x, w):
    for i in range(3):
        x = x * gate(x) * w
    return np.sum(x)


def loss(x, w):
    total = 0.0
    for i in range(3):
        x = sigmoid(x * w) * 0.9
        total = total + np.sum(spread(x[:, None], w))
    return total
'''


def _jax_loss(x, w):
    total = 0.0
    for _ in range(3):
        x = 1.0 / (1.0 + jnp.exp(-(x * w))) * 0.9
        total = total + jnp.sum(jnp.exp(x[:, None] * w) + 1.0)
    return total


def _compiled(load_model, rng):
    module = load_model(MODEL)
    f = agc.differentiate(module.loss, wrt=("x", "w"))
    x, w = rng.standard_normal(4), rng.standard_normal(4)
    grads = f.grad(x, w)
    return f, next(iter(f._compiled.values())).namespace, (x, w), grads


def test_sigmoid_keeps_its_exponential_not_its_argument(load_model, rng):
    """sigmoid_fwd's record is (exp(-z),): one array of z's shape, as (z, xp) was; and
    sigmoid_bwd computes no exponential. The gradient is jax's."""
    f, namespace, (x, w), grads = _compiled(load_model, rng)
    expected = jax.grad(_jax_loss, argnums=(0, 1))(x, w)
    for got, want in zip(grads, expected):
        np.testing.assert_allclose(got, np.asarray(want), rtol=1e-12, atol=1e-12)
    z = x * w
    _, record = namespace["sigmoid_fwd"](z)
    assert len(record) == 1 and np.array_equal(record[0], np.exp(-z))
    bwd = f.gradient_source.split("def sigmoid_bwd(")[1].split("\ndef ")[0]
    code = [line for line in bwd.splitlines() if not line.strip().startswith("#")]
    assert not [line for line in code if "exp(" in line], code


def test_a_broadcast_product_is_redone_not_kept(load_model, rng):
    """spread's `exp(x * w)` with x (4, 1) and w (4,) is a (4, 4) array: its record keeps
    x and w (the chain to the exponential reads two arrays), not the larger product."""
    _, namespace, (x, w), _ = _compiled(load_model, rng)
    _, record = namespace["spread_fwd"](x[:, None], w)
    shapes = sorted(item.shape for item in record if isinstance(item, np.ndarray))
    assert (4, 4) not in shapes, shapes


def test_an_argument_the_caller_keeps_is_kept_not_its_exponential(load_model, rng):
    """`x * gate(x)`: the caller keeps x for the product, so gate's record holds x itself
    (no new array) and gate_bwd redoes exp(-x). The gradient is jax's."""
    module = load_model(MODEL)
    f = agc.differentiate(module.swish, wrt=("x", "w"))
    x, w = rng.standard_normal(4), rng.standard_normal(4)

    def reference(x, w):
        for _ in range(3):
            x = x * (1.0 / (1.0 + jnp.exp(-x))) * w
        return jnp.sum(x)

    for got, want in zip(f.grad(x, w), jax.grad(reference, argnums=(0, 1))(x, w)):
        np.testing.assert_allclose(got, np.asarray(want), rtol=1e-12, atol=1e-12)
    namespace = next(iter(f._compiled.values())).namespace
    _, record = namespace["gate_fwd"](x)
    assert record[0] is x
