"""Forward mode at joins (ad/forward.py with ad/liveness.py): a tangent defined on some
paths only is needed after an `if`, at a loop's head or at a break only where the name
is read after it before being bound again; nothing is filled or refused for the others.

A value a loop binds before reading it, where an earlier loop may have bound it without a
tangent, and an index the backward sweep pops or redoes at the top of each trip (`trips`,
`t2 = k + 3`, with the tangent the tape gave them) were refused ("bound on some paths
only"), or needed a None bound before the loop. Refused still, with its position: a
differentiable value bound on some paths only and read after the join.
"""

from __future__ import annotations

import types

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from corpus_control import break_in_nested_loop, while_in_for

jax.config.update("jax_enable_x64", True)


def bound_first_in_the_loop(x):
    for i in range(2):
        y = 1.0 * i  # bound with no tangent, and only where the loop runs
    total = 0.0
    for i in range(3):
        y = x * (2.0 + i)  # bound before any read: no tangent needed at the loop's head
        total = total + np.sum(np.sin(y * x))
    return total * np.sum(x * x)


def read_before_bound_in_the_loop(x):
    for i in range(2):
        y = 1.0 * i  # bound with no tangent, and only where the loop runs
    total = 0.0
    for i in range(3):
        total = total + np.sum(np.sin(y * x))  # the tangent at the loop's head is read
        y = x * 2.0
    return total


def _twin(fn):
    """The same function with np bound to jax.numpy."""
    return types.FunctionType(fn.__code__, {**fn.__globals__, "np": jnp}, fn.__name__)


CASES = [(1e-12, np.float64), (1e-5, np.float32)]


@pytest.mark.parametrize("rtol, dtype", CASES)
def test_a_value_bound_before_its_reads_in_a_loop_has_a_tangent(rtol, dtype):
    x = np.array([0.3, -0.7, 1.1], dtype)
    v = np.array([1.0, 0.5, -2.0], dtype)
    value, tangent = agc.differentiate(bound_first_in_the_loop).jvp(x, tangents=(v,))
    want = jax.jvp(_twin(bound_first_in_the_loop), (x.astype(np.float64),), (v.astype(np.float64),))
    assert np.asarray(tangent).dtype == dtype
    np.testing.assert_allclose(value, want[0], rtol=rtol)
    np.testing.assert_allclose(tangent, want[1], rtol=rtol)


def test_a_value_bound_on_some_paths_and_read_after_the_join_is_refused():
    x = np.array([0.3, -0.7, 1.1])
    with pytest.raises(agc.UnsupportedError, match="bound on some paths only") as error:
        agc.differentiate(read_before_bound_in_the_loop).jvp(x, tangents=(np.ones(3),))
    text = str(error.value)
    assert "test_forward_joins.py:40:5: error: forward mode cannot follow the tangent of " \
        "`y`" in text
    assert "for i in range(3):\n        ^" in text  # the source line and a caret


@pytest.mark.parametrize("fn", [while_in_for, break_in_nested_loop])
@pytest.mark.parametrize("rtol, dtype", CASES)
def test_hvp_through_an_index_the_backward_sweep_pops_in_a_loop(fn, rtol, dtype):
    # `trips` is popped at the top of each backward trip with the tape's zero tangent:
    # dead at the loop's head, it needs none there (it was refused)
    x = np.array([0.3, 0.6, 0.2, 0.8], dtype)
    v = np.array([0.5, -1.0, 0.25, 2.0], dtype)
    grad, hv = agc.differentiate(fn).hvp(x, tangents=(v,))
    x64, v64 = x.astype(np.float64), v.astype(np.float64)
    assert np.asarray(hv).dtype == dtype
    np.testing.assert_allclose(grad, jax.grad(_twin(fn))(x64), rtol=rtol)
    np.testing.assert_allclose(hv, jax.jvp(jax.grad(_twin(fn)), (x64,), (v64,))[1],
                               rtol=rtol, atol=rtol)

