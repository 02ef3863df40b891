"""`x ** 0` has derivative 0 everywhere, also at x == 0.

The base's cotangent of `x ** y` was `g * y * x ** (y - 1)`: at `x == 0` with `y == 0`
that is `0 * inf`, a NaN, so a polynomial `sum(c[k] * x ** k for k in range(n))` had a
NaN gradient at 0 (jax and PyTorch: the linear coefficient). A constant exponent 0 now
gives no cotangent, any other exponent `y * x ** (y - 1 + (y == 0))` (a mask exponent too).
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.0, -0.5, 1.5, 0.0])
C = np.array([1.0, 2.0, 3.0, -1.0])


def polynomial(x, c):
    s = np.zeros(4)
    for k in range(4):
        s = s + c[k] * x ** k
    return np.sum(s * s)


def polynomial_jax(x, c):
    s = jnp.zeros(4)
    for k in range(4):
        s = s + c[k] * x ** k
    return jnp.sum(s * s)


def power_zero_int(x):
    return np.sum(x ** 0 * x)


def power_zero_int_jax(x):
    return jnp.sum(x ** 0 * x)


def power_zero_float(x):
    return x[0] ** 0.0 + np.sum(x)


def power_zero_float_jax(x):
    # jax's x ** 0.0 at 0 is NaN (its x ** 0 is 0); agc follows PyTorch: 0
    return 1.0 + jnp.sum(x)


def power_of_exponents(x):
    return np.sum(x ** np.array([0, 1, 2, 3]))


def power_of_exponents_jax(x):
    return jnp.sum(x ** jnp.array([0, 1, 2, 3]))


def power_of_parameter(x, n):
    return np.sum(np.sin(x) ** n + x)


def power_of_parameter_jax(x, n):
    return jnp.sum(jnp.sin(x) ** n + x)


def power_of_mask(x):
    return np.sum(x ** (x > 0) * 2.0)


def power_of_mask_jax(x):
    return jnp.sum(x ** (x > 0).astype(int) * 2.0)


CASES = [(polynomial, polynomial_jax, (X, C)), (power_zero_int, power_zero_int_jax, (X,)),
         (power_zero_float, power_zero_float_jax, (X,)),
         (power_of_exponents, power_of_exponents_jax, (X,)),
         (power_of_parameter, power_of_parameter_jax, (X, 0)),
         (power_of_mask, power_of_mask_jax, (X,))]
IDS = ["polynomial", "int_zero", "float_zero", "exponent_array", "exponent_parameter", "mask"]


@pytest.mark.parametrize("model, twin, args", CASES, ids=IDS)
def test_gradient_at_zero_base_matches_jax(model, twin, args):
    want = np.asarray(jax.grad(twin)(*args))
    assert np.isfinite(want).all()
    value, grad = agc.differentiate(model).value_and_grad(*args)
    assert value == model(*args)
    np.testing.assert_allclose(grad, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("model, twin, args", CASES, ids=IDS)
def test_float32_gradient_at_zero_base(model, twin, args):
    args32 = (args[0].astype(np.float32),) + args[1:]
    grad = agc.differentiate(model).grad(*args32)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, jax.grad(twin)(*args), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("model, twin, args", CASES, ids=IDS)
def test_jvp_and_hvp_at_zero_base_match_jax(model, twin, args):
    v = np.array([0.3, -1.0, 0.7, 2.0])
    rest = tuple(None for _ in args[1:])
    _, tangent = agc.differentiate(model).jvp(*args, tangents=(v,) + rest)
    _, want = jax.jvp(lambda x: twin(x, *args[1:]), (args[0],), (v,))
    np.testing.assert_allclose(tangent, want, rtol=1e-12, atol=1e-12)
    hv = agc.hvp(model)(*args, v)
    want_hv = jax.jvp(jax.grad(lambda x: twin(x, *args[1:])), (args[0],), (v,))[1]
    np.testing.assert_allclose(hv, want_hv, rtol=1e-12, atol=1e-12)


def test_numba_target_polynomial_at_zero():
    pytest.importorskip("numba")
    grad = agc.differentiate(polynomial, target="numba").grad(X, C)
    np.testing.assert_allclose(grad, jax.grad(polynomial_jax)(X, C), rtol=1e-12, atol=1e-12)
