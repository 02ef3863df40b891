"""Review of the list methods: `l.pop()` of an empty list, or `l.pop(i)` past its end, raises
IndexError as Python does, also where the popped item is never read (agc dropped that read as
dead code and ran on); a pop that succeeds keeps its values and gradients (against jax)."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.3, -0.7, 1.2])


def pop_of_an_empty_list(x):
    l = []
    l.pop()
    return x[0] * 2.0


def pop_past_the_end(x):
    l = [x[0], x[1]]
    l.pop(2)
    return x[0] * 2.0


def second_pop_of_a_one_item_list(x):
    l = [x[0]]
    l.pop(0)
    v = l.pop()  # noqa: F841 (never read: the pop still raises)
    return x[1] * 3.0


@pytest.mark.parametrize(("fn", "message"), [
    (pop_of_an_empty_list, "pop from empty list"),
    (pop_past_the_end, "pop index out of range"),
    (second_pop_of_a_one_item_list, "pop from empty list"),
])
def test_a_pop_with_no_item_raises_as_python(fn, message):
    with pytest.raises(IndexError, match=message):
        fn(X.copy())
    with pytest.raises(IndexError, match=message):
        agc.differentiate(fn).value_and_grad(X.copy())


def pops_in_a_loop(x):
    l = [x[0], x[1] * x[2], x[2]]
    s = 0.0
    while len(l) > 1:
        l.pop(-2)
        s = s * 1.5 + l[-1] * x[0]
    return s + l.pop()


def pops_in_a_loop_jax(x):
    return x[2] * x[0] + (x[2] * x[0]) * 1.5 + x[2]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pops_that_succeed_keep_their_values_and_gradients(dtype):
    x = X.astype(dtype)
    value, grad = agc.differentiate(pops_in_a_loop).value_and_grad(x.copy())
    assert value == pops_in_a_loop(x.copy())
    expected = jax.grad(pops_in_a_loop_jax)(jnp.asarray(X))
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(grad, np.asarray(expected), rtol=tol)
    assert grad.dtype == dtype
