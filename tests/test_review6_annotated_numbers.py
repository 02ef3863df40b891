"""A parameter annotated `float` or `int` that the call gives an array.

agc takes the annotation's word: the parameter is a number (shape ()), so `x * p` needs no
`rt.unbroadcast` of x's cotangent. An array passed there broadcast x from (1,) to (4,)
and x's gradient came back with shape (4,) and wrong values (before and after the shape
classes). The call is now refused where its ranks are known: at the function's line for
its own parameters, at the call for a helper's.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)


def scaled(x, p: float):
    y = x * p
    return np.sum(y * y)


def helper(a, s: float):
    return a * s + np.sin(a)


def calls_helper(x, p):
    u = helper(x, p)
    return np.sum(u * u)


def calls_helper_jax(x, p):
    u = x * p + jnp.sin(x)
    return jnp.sum(u * u)


def test_array_for_an_annotated_parameter_is_refused():
    with pytest.raises(agc.UserCodeError, match="`p` is annotated as a number") as err:
        agc.differentiate(scaled, wrt=("x", "p")).grad(np.ones(1), np.ones(4))
    assert err.value.loc.line == scaled.__code__.co_firstlineno


def test_array_for_a_helpers_annotated_parameter_is_refused():
    with pytest.raises(agc.UserCodeError, match="`s` is annotated as a number") as err:
        agc.differentiate(calls_helper).grad(np.ones(1), np.ones(4))
    assert err.value.loc.line == calls_helper.__code__.co_firstlineno + 1


@pytest.mark.parametrize("p", [2.5, np.float64(2.5), np.array(2.5)])
def test_numbers_there_keep_working(p):
    x = np.array([0.3, -1.2, 2.0])
    gx, gp = agc.differentiate(calls_helper, wrt=("x", "p")).grad(x, p)
    ex, ep = jax.grad(calls_helper_jax, argnums=(0, 1))(x, 2.5)
    np.testing.assert_allclose(gx, ex, rtol=1e-12)
    np.testing.assert_allclose(gp, ep, rtol=1e-12)
    gx, gp = agc.differentiate(scaled, wrt=("x", "p")).grad(x, p)
    np.testing.assert_allclose(gx, 2 * 2.5 ** 2 * x, rtol=1e-12)
    np.testing.assert_allclose(gp, 2 * 2.5 * np.sum(x * x), rtol=1e-12)
