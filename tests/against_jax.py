"""One check the coverage tests share: a model's value, gradient, tangent and HVP against jax."""

from __future__ import annotations

import agc
import jax
import numpy as np


def check_against_jax(fn, fn_jax, x, v, rtol: float = 1e-12) -> None:
    """fn's value is fn(x) itself; its gradient, tangent along v and Hessian times v are
    jax's (float64)."""
    value, grad = agc.differentiate(fn).value_and_grad(x)
    assert value == fn(x)
    np.testing.assert_allclose(grad, jax.grad(fn_jax)(x), rtol=rtol, atol=1e-12)
    _, tangent = agc.jvp(fn, (x,), (v,))
    np.testing.assert_allclose(tangent, jax.jvp(fn_jax, (x,), (v,))[1], rtol=rtol)
    want = jax.jvp(jax.grad(fn_jax), (x,), (v,))[1]
    np.testing.assert_allclose(agc.hvp(fn)(x, v), want, rtol=rtol, atol=1e-12)


def check_float32(fn, fn_jax, x, rtol: float = 1e-5) -> None:
    """On float32 x: fn's own value and a float32 gradient, near jax's in float64."""
    x32 = x.astype(np.float32)
    value, grad = agc.differentiate(fn).value_and_grad(x32)
    assert value == fn(x32) and grad.dtype == np.float32
    np.testing.assert_allclose(grad, jax.grad(fn_jax)(x), rtol=rtol)
