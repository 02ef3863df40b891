"""Writes through `x.reshape(...)`, `x.ravel()`, `np.reshape(x, s)` and `np.asarray(x)`.

All were refused ("may share memory ... in a way agc does not follow"). numpy's
`np.asarray(x)` of an array is x itself: the same object, followed as `a = x` is. A reshape
(or ravel) of a contiguous array is a view: a write through it is carried back into the
base (`x = r.reshape(x.shape)`), and a write to the base is seen in the view (`r` taken
again). Of a non-contiguous array numpy's reshape is a copy: agc checks the binding when it
runs (`rt.check_view`) and raises there, rather than carrying a write numpy would not.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from against_jax import check_against_jax

jax.config.update("jax_enable_x64", True)

X = np.array([[0.3, -0.7, 1.1], [0.2, -0.4, 0.9]])


def reshape_of_a_parameter(x):
    r = x.reshape(3, 2)
    r[0] += 1.0
    r[2] *= x[0, 0]
    return np.sum(x * x)


def ravel_of_a_local(x):
    y = x * 2.0
    r = y.ravel()
    r[0] = 5.0 * x[0, 1]
    return np.sum(y * x)


def np_reshape_then_base_written(x):
    y = x * 1.0
    r = np.reshape(y, (3, 2))
    y[0, 0] = 7.0 * x[1, 1]  # r sees it: a view of y
    r += x.reshape(3, 2)  # and y sees this
    return np.sum(r * r) + np.sum(y * x)


def ravel_written_in_a_loop(x):
    y = x * 1.0
    for i in range(3):
        r = y.ravel()
        r[2 * i] *= r[2 * i + 1]
    return np.sum(y)


def asarray_of_a_parameter(x):
    a = np.asarray(x)
    a[0] = 3.0 * x[1]
    return np.sum(x * x)


def asarray_of_a_local(x):
    y = x * 2.0
    a = np.asarray(y)
    a *= x
    y[1, 1] = 0.5
    return np.sum(a * x) + np.sum(y)


def reshape_of_a_transpose(x):
    y = x.T * 1.0  # F-ordered: numpy's reshape copies
    r = y.reshape(-1)
    r[0] = 10.0
    return np.sum(y * y)


def reshape_of_a_parameter_jax(x):
    r = x.reshape(3, 2)
    r = r.at[0].add(1.0)
    r = r.at[2].multiply(r[0, 0])  # x[0, 0] after the write: r[0, 0]
    return jnp.sum(r * r)


def ravel_of_a_local_jax(x):
    y = (x * 2.0).reshape(-1).at[0].set(5.0 * x[0, 1]).reshape(2, 3)
    return jnp.sum(y * x)


def np_reshape_then_base_written_jax(x):
    y = (x * 1.0).at[0, 0].set(7.0 * x[1, 1])
    r = y.reshape(3, 2) + x.reshape(3, 2)
    return jnp.sum(r * r) + jnp.sum(r.reshape(2, 3) * x)


def ravel_written_in_a_loop_jax(x):
    r = x.reshape(-1)
    for i in range(3):
        r = r.at[2 * i].multiply(r[2 * i + 1])
    return jnp.sum(r)


def asarray_of_a_parameter_jax(x):
    y = x.at[0].set(3.0 * x[1])
    return jnp.sum(y * y)


def asarray_of_a_local_jax(x):
    y = (x * 2.0 * x).at[1, 1].set(0.5)
    return jnp.sum(y * x) + jnp.sum(y)


CASES = [(reshape_of_a_parameter, reshape_of_a_parameter_jax),
         (ravel_of_a_local, ravel_of_a_local_jax),
         (np_reshape_then_base_written, np_reshape_then_base_written_jax),
         (ravel_written_in_a_loop, ravel_written_in_a_loop_jax),
         (asarray_of_a_parameter, asarray_of_a_parameter_jax),
         (asarray_of_a_local, asarray_of_a_local_jax)]


@pytest.mark.parametrize("fn, ref", CASES, ids=[c[0].__name__ for c in CASES])
def test_value_and_gradient_against_jax(fn, ref):
    check_against_jax(fn, ref, X, np.linspace(-1.0, 1.0, 6).reshape(2, 3))


@pytest.mark.parametrize("fn, ref", CASES[:2], ids=["reshape", "ravel"])
def test_float32(fn, ref):
    x32 = X.astype(np.float32)
    value, grad = agc.differentiate(fn).value_and_grad(x32.copy())
    assert grad.dtype == np.float32
    assert value == pytest.approx(fn(x32.copy()), rel=1e-6)
    np.testing.assert_allclose(grad, jax.grad(ref)(jnp.asarray(X)), rtol=1e-5, atol=1e-5)


def test_the_plain_call_writes_the_callers_array():
    x = X.copy()
    agc.differentiate(reshape_of_a_parameter)(x)  # numpy itself: x is written
    want = X.copy()
    reshape_of_a_parameter(want)
    np.testing.assert_array_equal(x, want)
    assert not np.array_equal(x, X)


def test_a_reshape_that_copies_raises_at_its_line():
    assert reshape_of_a_transpose(X.copy()) == pytest.approx(np.sum(X * X))  # numpy: a copy
    with pytest.raises(ValueError, match="reshape made a copy") as info:
        agc.differentiate(reshape_of_a_transpose).value_and_grad(X.copy())
    assert "r = y.reshape(-1)" in "".join(info.value.__notes__)  # the model line


def test_a_non_contiguous_argument_raises():
    wide = np.arange(14.0).reshape(2, 7) / 7.0
    x = wide[:, :3]  # (3, 2) of its items is no view: numpy's reshape copies
    assert not np.may_share_memory(x.reshape(3, 2), x)
    with pytest.raises(ValueError, match="reshape made a copy"):
        agc.differentiate(reshape_of_a_parameter).value_and_grad(x)
    stepped = np.arange(12.0).reshape(2, 6)[:, ::2]  # evenly spaced: a view after all
    want = reshape_of_a_parameter(stepped.copy())
    value, grad = agc.differentiate(reshape_of_a_parameter).value_and_grad(stepped)
    assert value == pytest.approx(want, rel=1e-12)
    np.testing.assert_allclose(grad, jax.grad(reshape_of_a_parameter_jax)(
        jnp.asarray(np.arange(12.0).reshape(2, 6)[:, ::2])), rtol=1e-12)


def view_of_a_view_rebound(x):
    y = x * 1.0
    v = y.reshape(6)
    v = v.reshape(3, 2)  # still a view of y
    v[0] = 10.0 * x[0, 0]
    return np.sum(y * y)


def reshape_and_transpose_of_one_array(x):
    y = x * 1.0
    r = y.reshape(3, 2)
    t = y.T
    r[1, 1] = 4.0 * x[1, 2]  # y[0, 2] changes, and t with it
    return np.sum(t * t) + np.sum(y)


def shape_rebound_after_the_view(x):
    y = x * 1.0
    s = (3, 2)
    r = y.reshape(s)
    y[0, 0] = 2.0  # r taken again, with its shape s
    s = (2, 3)
    return np.sum(r * r) + len(s)


def shape_rebound_before_the_write(x):
    y = x * 1.0
    s = (3, 2)
    r = y.reshape(s)
    s = (2, 3)
    y[0, 0] = 2.0  # refused: s is not r's shape any more
    return np.sum(r * r)


def flatten_copies_ravel_does_not(x):
    f = x.flatten()
    f[0] = 9.0  # a copy: x stays
    r = np.ravel(x)
    r[1] = 2.0 * r[0]  # a view: x[0, 1] changes
    return np.sum(x * x) + np.sum(f)


def view_on_one_path(x):
    y = x * 1.0
    if x[0, 0] > 0:
        r = y.reshape(-1)
    else:
        r = y.ravel()[::-1]
    r[0] = 9.0
    return np.sum(y * x)


@pytest.mark.parametrize("fn", [view_of_a_view_rebound, reshape_and_transpose_of_one_array,
                                shape_rebound_after_the_view, flatten_copies_ravel_does_not])
def test_views_of_views_against_central_differences(fn):
    value, _ = agc.differentiate(fn).value_and_grad(X.copy())
    assert value == fn(X.copy())
    assert agc.check_grad(fn, X.copy()) < 1e-6


@pytest.mark.parametrize("fn, why", [(view_on_one_path, "a view on some paths only"),
                                     (shape_rebound_before_the_write, "reassigned since")])
def test_views_agc_cannot_follow_are_refused(fn, why):
    with pytest.raises(agc.UserCodeError, match=why):
        agc.differentiate(fn).value_and_grad(X.copy())
