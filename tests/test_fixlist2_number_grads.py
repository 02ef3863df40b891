"""A Python float parameter's gradient is float64, whatever dtype the model computes in.

`np.sum(a * x32)` of a Python float `a` gave an np.float32 gradient: a gradient has its
parameter's type (docs/correctness.md, "dtypes"), and a Python float is float64, as
jax's (x64) is. f.grad, value_and_grad, agc.grad, agc.jacrev and agc.hessian agree; a
model of Python numbers alone keeps the gradient the sweep makes (a Python float).
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X32 = np.array([0.5, -1.0, 2.0], dtype=np.float32)


def scaled(a, x):
    return np.sum(np.sin(a * x))


def scaled_jax(a, x):
    return jnp.sum(jnp.sin(a * x))


def scaled_vector(a, x):
    return np.sin(a * x)


def want(a=0.7):
    return float(jax.grad(scaled_jax)(a, X32.astype(np.float64)))


def test_grad_of_a_python_float_is_float64():
    grad = agc.grad(scaled)(0.7, X32)
    assert np.asarray(grad).dtype == np.float64
    assert float(grad) == pytest.approx(want(), rel=1e-6)


def test_every_entry_point_agrees():
    f = agc.differentiate(scaled, wrt=("a", "x"))
    ga, gx = f.grad(0.7, X32)
    assert np.asarray(ga).dtype == np.float64 and gx.dtype == np.float32
    value, (va, vx) = f.value_and_grad(0.7, X32)
    assert np.asarray(va).dtype == np.float64 and vx.dtype == np.float32
    assert float(ga) == float(va) == pytest.approx(want(), rel=1e-6)
    assert value == scaled(0.7, X32)


def test_jacrev_and_hessian_of_a_python_float():
    jac = agc.jacrev(scaled_vector)(0.7, X32)
    assert jac.dtype == np.float64
    np.testing.assert_allclose(jac, jax.jacrev(lambda a: jnp.sin(a * X32))(0.7), rtol=1e-6)
    hess = agc.hessian(scaled)(0.7, X32)
    assert np.asarray(hess).dtype == np.float64
    assert float(hess) == pytest.approx(float(jax.hessian(scaled_jax)(0.7, X32)), rel=1e-5)


def numbers_only(a: float, b: float):
    return a * a * b + b


def test_a_model_of_numbers_alone_keeps_python_floats():
    grads = agc.differentiate(numbers_only, wrt=("a", "b")).grad(0.5, 3.0)
    assert [type(g) for g in grads] == [float, float]
    assert grads == (3.0, 1.25)


def test_a_numpy_float32_scalar_keeps_its_dtype():
    grad = agc.grad(scaled)(np.float32(0.7), X32)
    assert np.asarray(grad).dtype == np.float32
