"""A counted loop's target read outside the loop keeps the value Python gives it there.

`for i in range(n)` rebinds `i`; the backward sweep's loop counts `i` down again for
the trips' adjoints and left it at the first count. An `i` bound before the loop (and
read before it), the last index read after the loop inside an outer loop, or after an
empty loop (`for i in range(4): pass`, dropped whole: a NameError) then saw the wrong
index: a silently wrong gradient. The loop now runs over a counter of its own and binds
`i` in its body, restored by the tape like any other name.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gradcheck import check_gradient

jax.config.update("jax_enable_x64", True)

X = np.array([0.23, 0.71, 0.47, 0.91])


def bound_before_the_loop(x):
    i = 3
    a = x[i] ** 2
    for i in range(2):
        a = a + x[i]
    return a * x[i]


def last_index_in_an_outer_loop(x):
    s = 0.0
    for k in range(3):
        for i in range(k + 1):
            s += 0.1 * x[k]
        s += x[i] * x[k]
    return s


def last_index_in_a_while(x):
    n = 0
    s = 0.0
    while n < 3:
        for i in range(n + 1):
            s += x[i] * 0.1
        s = s * x[i]
        n += 1
    return s


def after_an_empty_loop(x):
    for i in range(4):
        pass
    return x[i] * x[0]


def index_of_a_sibling_loop(x):
    s = 0.0
    for j in range(2):
        s += x[j] ** 2
    for k in range(3):
        s += x[j] * x[k]
    return s


def no_trips_keeps_the_old_index(x):
    i = 1
    for i in range(0):
        pass
    return x[i] * x[2]


def last_index_of_reversed(x):
    s = 0.0
    for i in reversed(range(4)):
        s = s * 0.5 + x[i]
    return s * x[i]


def last_index_after_break(x):
    s = 0.0
    for i in range(4):
        s += x[i]
        if s > 0.9:
            break
    return s + x[i] ** 2


def same_index_in_an_inner_loop(x):
    s = 0.0
    for i in range(2):
        s += x[i]
        for i in range(2, 4):
            s += x[i] * 0.5
        s += x[i] ** 2
    return s


MODELS = [same_index_in_an_inner_loop, bound_before_the_loop, last_index_in_an_outer_loop, last_index_in_a_while,
          after_an_empty_loop, index_of_a_sibling_loop, no_trips_keeps_the_old_index,
          last_index_of_reversed, last_index_after_break]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_value_and_gradient_match_numpy_and_jax(model, dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(model)(x.copy())
    single = dtype == np.float32
    assert grad.dtype == dtype
    assert value == pytest.approx(model(x.copy()), rel=1e-6 if single else 1e-15)
    np.testing.assert_allclose(grad, jax.grad(model)(jnp.asarray(X)), rtol=1e-5 if single else 1e-12)
    if not single:
        check_gradient(model, (X.copy(),), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("model", [bound_before_the_loop, last_index_in_an_outer_loop])
def test_forward_mode_and_hvp_agree_with_jax(model):
    v = np.array([0.3, -0.2, 0.5, 0.1])
    _, tangent = agc.jvp(model, (X.copy(),), (v,))
    _, expected = jax.jvp(model, (jnp.asarray(X),), (jnp.asarray(v),))
    assert tangent == pytest.approx(float(expected), rel=1e-12)
    hv = agc.hvp(model)(X.copy(), v)
    np.testing.assert_allclose(hv, jax.jvp(jax.grad(model), (jnp.asarray(X),), (jnp.asarray(v),))[1],
                               rtol=1e-12, atol=1e-14)


def test_a_loop_whose_target_nothing_reads_outside_keeps_its_own_name():
    # the common loop is emitted as written: no counter of its own
    def plain(x):
        s = 0.0
        for i in range(4):
            s += x[i] * x[i]
        return s

    assert "for i in range(4):" in agc.differentiate(plain).gradient_source


@pytest.mark.parametrize("model", [same_index_in_an_inner_loop, last_index_in_an_outer_loop],
                         ids=lambda m: m.__name__)
def test_the_numba_target_too(model):
    grad = agc.differentiate(model, target="numba").grad(X.copy())
    np.testing.assert_allclose(grad, jax.grad(model)(jnp.asarray(X)), rtol=1e-12)
