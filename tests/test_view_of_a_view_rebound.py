"""`v = v[1:]` where `v` is already a view: the new v is a view of the same base.

agc dropped the old binding's facts with the name, so after `v = y[1:]; v = v[1:]`
a write to `v` never reached `y` in the gradient (the value was right, the gradient
silently wrong). The old view is now named (a temporary), keeping the chain to the base.
"""

from __future__ import annotations

import inspect

import agc
import numpy as np
import pytest
from gradcheck import check_gradient

X = np.array([0.3, 0.7, 0.2])
W = np.arange(9.0).reshape(3, 3)


def slice_of_a_slice(x):
    y = x.copy()
    v = y[1:]
    v = v[1:]
    v[0] = v[0] * 2.0
    return np.sum(y * x)


def rebound_twice(x):
    y = x.copy()
    v = y
    v = v[1:]
    v[0] = v[0] * 2.0
    v = v[1:]
    v[0] = v[0] * 2.0
    return np.sum(y * x)


def transpose_of_a_slice(x):
    m = np.outer(x, x)
    v = m[1:]
    v = v.T
    v[0] = v[0] * 3.0
    return np.sum(m * W)


def base_written_after(x):
    y = x.copy()
    v = y[::-1]
    v = v[1:]
    y[1] = x[0] * 4.0
    return np.sum(v * x[:2])


MODELS = [slice_of_a_slice, rebound_twice, transpose_of_a_slice, base_written_after]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_view_rebound_to_its_own_view_still_writes_its_base(model):
    check_gradient(model, (X.copy(),), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_in_float32_too(model):
    x = X.astype(np.float32)
    value, grad = agc.value_and_grad(model)(x)
    assert grad.dtype == np.float32 and value == pytest.approx(model(x.copy()), rel=1e-6)
    np.testing.assert_allclose(grad, agc.grad(model)(X.copy()), rtol=1e-5)


def test_slice_of_a_slice_exactly():
    # y = [x0, x1, 2 x2]: d/dx sum(y * x) = [2 x0, 2 x1, 4 x2]
    np.testing.assert_allclose(agc.grad(slice_of_a_slice)(X), [0.6, 1.4, 0.8], rtol=1e-15)


def rebound_in_a_loop(x):
    y = x.copy()
    v = y
    for _ in range(2):
        v = v[1:]
        v[0] = v[0] * 2.0  # refused here
    return np.sum(y * x)


def test_a_view_rebound_in_a_loop_is_refused_at_the_write():
    # v is y itself on the first pass and its view after: the write is refused there
    with pytest.raises(agc.UserCodeError, match="on some paths only") as error:
        agc.grad(rebound_in_a_loop)(X.copy())
    line = rebound_in_a_loop.__code__.co_firstlineno + next(
        i for i, text in enumerate(inspect.getsource(rebound_in_a_loop).splitlines())
        if "# refused here" in text)
    assert f"test_view_of_a_view_rebound.py:{line}:" in str(error.value)


def rebound_each_trip_then_written(x):
    y = x * 1.0
    v = y[:]
    for _ in range(2):
        v = v[1:]  # the old v is named once for this statement, not once per pass
    v[0] = 5.0 * x[0]
    return np.sum(y * x)


def test_a_view_rebound_in_a_loop_settles_and_is_refused_at_the_write():
    # walking the loop until its facts settle once minted a new name per pass: it hung
    with pytest.raises(agc.UserCodeError, match="may share memory with `y`") as error:
        agc.grad(rebound_each_trip_then_written)(X.copy())
    assert error.value.loc.line == rebound_each_trip_then_written.__code__.co_firstlineno + 5
