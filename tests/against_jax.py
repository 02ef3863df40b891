"""One check the coverage tests share: a model's value, gradient, tangent and HVP against jax."""

from __future__ import annotations

import agc
import jax
import numpy as np


def check_against_jax(fn, fn_jax, x, v, rtol: float = 1e-12) -> None:
    """fn's value is fn(x) itself; its gradient, tangent along v and Hessian times v are
    jax's (float64). Each call gets its own copy of x (a model may write x in place)."""
    value, grad = agc.differentiate(fn).value_and_grad(_fresh(x))
    assert value == fn(_fresh(x))
    np.testing.assert_allclose(grad, jax.grad(fn_jax)(x), rtol=rtol, atol=1e-12)
    _, tangent = agc.jvp(fn, (_fresh(x),), (v,))
    np.testing.assert_allclose(tangent, jax.jvp(fn_jax, (x,), (v,))[1], rtol=rtol)
    want = jax.jvp(jax.grad(fn_jax), (x,), (v,))[1]
    np.testing.assert_allclose(agc.hvp(fn)(_fresh(x), v), want, rtol=rtol, atol=1e-12)


def _fresh(x):
    return x.copy() if isinstance(x, np.ndarray) else x


def check_float32(fn, fn_jax, x, rtol: float = 1e-5) -> None:
    """On float32 x: fn's own value and a float32 gradient, near jax's in float64."""
    x32 = x.astype(np.float32)
    value, grad = agc.differentiate(fn).value_and_grad(x32)
    assert value == fn(x32) and grad.dtype == np.float32
    np.testing.assert_allclose(grad, jax.grad(fn_jax)(x), rtol=rtol)


def check_x_and_s(fn, fn_jax, x, s: float, rtol: float = 1e-12) -> None:
    """fn(x, s)'s value is fn's own and jax's; its gradients in x and in s are jax's."""
    value, (gx, gs) = agc.differentiate(fn, wrt=("x", "s")).value_and_grad(x.copy(), s)
    assert value == fn(x.copy(), s)
    np.testing.assert_allclose(value, fn_jax(jax.numpy.asarray(x), s), rtol=rtol)
    ex, es = jax.grad(fn_jax, argnums=(0, 1))(jax.numpy.asarray(x), s)
    np.testing.assert_allclose(gx, ex, rtol=rtol)
    np.testing.assert_allclose(gs, es, rtol=rtol)
