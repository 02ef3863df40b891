"""sorted(seq, key=..., reverse=...) (a lambda, a module helper), and x.tolist(): Python's
own values and order (stable, also reversed); gradients, tangents and Hessian-vector
products against jax (CPU, float64) and in float32."""

from __future__ import annotations

import agc
import jax
import numpy as np
import pytest
from against_jax import check_against_jax, check_float32

jax.config.update("jax_enable_x64", True)

X = np.array([0.3, -1.2, 0.3, 2.5, -0.4])
V = np.array([0.5, -1.0, 2.0, 0.25, 1.5])
WEIGHTS = (1.0, 2.0, 3.0, 4.0, 5.0)


def by_size(t):
    return abs(t)


def ranked(x):
    items = [x[0] * 2.0, x[1], x[2] * 2.0, x[3] ** 2, x[4]]
    a = sorted(items, key=lambda t: -t)
    b = sorted(items, key=by_size, reverse=True)
    c = sorted(items, reverse=True)
    total = 0.0
    for k in range(5):
        total = total + WEIGHTS[k] * (a[k] + b[k] * b[k] + c[k] * 3.0)
    return total


def _orders(x):
    """The three permutations at x (piecewise constant: jax differentiates through them)."""
    values = [float(x[0] * 2.0), float(x[1]), float(x[2] * 2.0), float(x[3] ** 2), float(x[4])]
    return [sorted(range(5), key=lambda i: -values[i]),
            sorted(range(5), key=lambda i: abs(values[i]), reverse=True),
            sorted(range(5), key=values.__getitem__, reverse=True)]


ORDERS = _orders(X)


def ranked_jax(x):
    items = [x[0] * 2.0, x[1], x[2] * 2.0, x[3] ** 2, x[4]]
    a, b, c = ([items[i] for i in o] for o in ORDERS)
    return sum(WEIGHTS[k] * (a[k] + b[k] * b[k] + c[k] * 3.0) for k in range(5))


def test_equal_items_keep_their_order_also_reversed():
    def tie(x):
        items = [x[0], x[1]]
        first = sorted(items, key=lambda t: -t, reverse=True)
        largest = sorted(items, reverse=True)
        return first[0] * 2.0 + largest[0] * 5.0

    x = np.array([0.5, 0.5])  # equal items: the earlier (x[0]) comes first both times
    assert agc.differentiate(tie).grad(x).tolist() == [7.0, 0.0]


def test_values_gradients_tangents_hvps_match_python_and_jax():
    check_against_jax(ranked, ranked_jax, X, V)


def test_float32():
    check_float32(ranked, ranked_jax, X)


def reversed_by_a_variable(x, flag):
    return sorted([x[0], x[1]], reverse=flag)[0]


def test_reverse_must_be_a_constant():
    with pytest.raises(agc.errors.UserCodeError, match="reverse"):
        agc.differentiate(reversed_by_a_variable, wrt="x").grad(X, True)


def listed(x):
    values = x.tolist()
    total = 0.0
    for v in values:
        total += v * v * 0.5
    return total * values[1] + len(values)


def listed_jax(x):
    values = list(x)
    total = 0.0
    for v in values:
        total += v * v * 0.5
    return total * values[1] + len(values)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tolist_gives_python_numbers_and_their_gradient(dtype):
    x = X.astype(dtype)
    value, grad = agc.differentiate(listed).value_and_grad(x)
    assert value == listed(x) and type(value) is float  # Python floats, as numpy's list
    assert grad.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(grad, jax.grad(listed_jax)(X), rtol=tol)


def test_tolist_tangent_and_hvp_match_jax():
    np.testing.assert_allclose(agc.jvp(listed, (X,), (V,))[1],
                               jax.jvp(listed_jax, (X,), (V,))[1], rtol=1e-12)
    np.testing.assert_allclose(agc.hvp(listed)(X, V),
                               jax.jvp(jax.grad(listed_jax), (X,), (V,))[1], rtol=1e-12)


def test_tolist_of_a_matrix_raises_instead_of_flattening():
    with pytest.raises(ValueError, match="tolist"):
        agc.differentiate(listed).grad(X.reshape(5, 1))
