"""Review 5: sorted(seq, key=...) whose key returns a tuple or a list orders the items as
Python compares those: item by item. agc made the keys one array and compared its rows
(numpy's ValueError: the truth value of an array is ambiguous). The gradient follows the
permutation: checked against jax on the same order (float64)."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.3, -1.2, 2.5, 0.9, -0.4])
WEIGHTS = np.array([1.0, 2.0, 3.0, 4.0, 5.0])


def by_sign_then_descending(x, s):
    ys = sorted(x * s, key=lambda v: (v > 0, -v))
    return ys[0] + 2.0 * ys[1] + 3.0 * ys[2] + 4.0 * ys[3] + 5.0 * ys[4]


def by_sign_then_descending_jax(x, s):
    y = x * s
    order = sorted(range(len(X)), key=lambda i: (X[i] * 2.0 > 0, -X[i] * 2.0))
    return jnp.sum(y[jnp.array(order)] * WEIGHTS)


def test_a_tuple_key_sorts_as_python_and_its_gradient_matches_jax():
    value, (gx, gs) = agc.differentiate(by_sign_then_descending,
                                        wrt=("x", "s")).value_and_grad(X.copy(), 2.0)
    assert value == by_sign_then_descending(X.copy(), 2.0)
    ex, es = jax.grad(by_sign_then_descending_jax, argnums=(0, 1))(jnp.asarray(X), 2.0)
    np.testing.assert_allclose(gx, ex, rtol=1e-13)
    np.testing.assert_allclose(gs, es, rtol=1e-13)


def test_a_key_of_a_longer_array_raises_as_python():
    def by_pairs(x):
        ys = sorted(x, key=lambda v: np.array([v, 1.0]))
        return ys[0]

    with pytest.raises(ValueError, match="truth value of an array"):
        by_pairs(X.copy())
    with pytest.raises(ValueError, match="truth value of an array"):
        agc.differentiate(by_pairs).value_and_grad(X.copy())
