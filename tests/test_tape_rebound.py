"""Shapes kept instead of arrays read only for their shapes (issue 15, GradBench's ode):
a helper's record keeps concatenate_grad's parts as shapes, and a name bound several
times (`y = zeros_like(x)`, then `y = y + step` in a loop) tapes its shape where the
backward sweep reads it only as unbroadcast's shape after its first restore."""

import sys
from pathlib import Path

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from workloads.gb_jax import ode_fori as ode_jax
from workloads.gb_models import ode

jax.config.update("jax_enable_x64", True)


def rolled(x, y):
    """Three parts, two of them read only for their lengths by concatenate_grad."""
    return x * np.concatenate((y[2:], np.ones(1), y[:1] * 2.0))


def roll_steps(x, s):
    """y rebound in a loop and read by value after it (y * y), before any restore."""
    y = x * 0.5
    for i in range(s):
        y = y + 0.1 * rolled(x, y)
    return np.sum(y * y)


def roll_steps_jax(x, s):
    """roll_steps in jax."""
    y = x * 0.5
    for _ in range(s):
        y = y + 0.1 * x * jnp.concatenate((y[2:], jnp.ones(1), y[:1] * 2.0))
    return jnp.sum(y * y)


def products(x, s):
    """y read by value in the loop's backward sweep (y * x): it stays taped whole."""
    y = x + 1.0
    for i in range(s):
        y = y * x + 0.5
    return np.sum(y)


def products_jax(x, s):
    """products in jax."""
    y = x + 1.0
    for _ in range(s):
        y = y * x + 0.5
    return jnp.sum(y)


X = np.linspace(0.1, 1.0, 10)


def test_ode_record_keeps_shapes_for_concatenate_parts_and_a_stand_in_for_y():
    source = agc.differentiate(ode, wrt="x").gradient_source_for(X, 5)
    assert "    y_like = rt.kept_like(y)\n    return t4, (x, y_like, t1_shape, t2_shape, t3)\n" \
        in source
    assert "rt.concatenate_grad(t3_bar, t1_shape, t2_shape, axis=0, part=1)" in source
    assert "rt.getitem_grad(t2_bar, y_like, rt.index[:-1])" in source


def test_ode_tapes_the_shape_of_y_not_y():
    f = agc.differentiate(ode, wrt="x")
    source = f.gradient_source_for(X, 5)
    assert "tape.append(y)" not in source and "y = tape.pop()" not in source
    assert "    y = xp.zeros_like(x)\n    y_shape = rt.kept_shape(y)\n" in source
    assert "        tape.append(y_shape)\n        y = y + t15\n" in source
    assert "y_bar = rt.getitem_grad(out_bar, y, rt.index[-1])" in source  # the last y
    assert "y" not in f.tape_report(X, 5).by_variable


@pytest.mark.parametrize("s", [1, 3, 20])
def test_ode_gradient_is_jax(s):
    value, grad = agc.differentiate(ode, wrt="x").value_and_grad(X, s)
    assert value == ode(X, s)
    np.testing.assert_allclose(grad, jax.grad(ode_jax)(X, s), rtol=1e-12, atol=1e-15)


def test_ode_float32():
    x32 = X.astype(np.float32)
    value, grad = agc.differentiate(ode, wrt="x").value_and_grad(x32, 10)
    assert value == ode(x32, 10) and grad.dtype == np.float32
    np.testing.assert_allclose(grad, jax.grad(ode_jax)(X, 10), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_three_parts_and_a_read_of_the_last_value(dtype, rtol):
    f = agc.differentiate(roll_steps, wrt="x")
    source = f.gradient_source_for(X, 4)
    assert "tape.append(y_shape)" in source and "tape.append(y)" not in source
    x = X.astype(dtype)
    value, grad = f.value_and_grad(x, 4)
    assert value == roll_steps(x, 4) and grad.dtype == dtype
    np.testing.assert_allclose(grad, jax.grad(roll_steps_jax)(X, 4), rtol=rtol)


def test_a_value_read_after_its_restore_stays_taped():
    f = agc.differentiate(products, wrt="x")
    assert "tape.append(y)" in f.gradient_source_for(X, 3)
    np.testing.assert_allclose(f.grad(X, 3), jax.grad(products_jax)(X, 3), rtol=1e-12)


def grow(x, n):
    """y's shape may grow on the first trip ((1,) to x's): read as unbroadcast's shape."""
    y = np.ones(1)
    for i in range(n):
        y = y + x * 0.5
    return np.sum(y * y)


def test_a_shape_that_grows_on_the_first_trip():
    f = agc.differentiate(grow)
    x = np.array([0.3, 0.7, -0.2, 0.5])
    source = f.gradient_source_for(x, 3)
    assert "        tape.append(y_shape)\n" in source and "tape.append(y)" not in source
    np.testing.assert_allclose(f.grad(x, 3), 3 * (1.0 + 1.5 * x), rtol=1e-15)


def test_numba_target_keeps_a_rebound_shape_on_a_list():
    pytest.importorskip("numba")
    x = np.array([0.3, 0.7, -0.2, 0.5])
    want = agc.differentiate(grow).grad(x, 3)
    assert np.array_equal(agc.differentiate(grow, target="numba").grad(x, 3), want)


@pytest.mark.parametrize("model, model_jax, s", [(ode, ode_jax, 7), (roll_steps, roll_steps_jax, 4)])
def test_hessian_vector_product_over_a_taped_shape(model, model_jax, s):
    v = np.linspace(-1.0, 1.0, 10)
    _, hv = agc.differentiate(model, wrt="x").hvp(X, s, tangents=(v,))
    want = jax.jvp(lambda z: jax.grad(model_jax)(z, s), (X,), (v,))[1]
    np.testing.assert_allclose(hv, want, rtol=1e-12, atol=1e-15)
