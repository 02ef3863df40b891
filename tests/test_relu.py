"""agc.nn.relu as a primitive: numpy's values, jax's derivatives (0 at 0), a rule that
reads the output (no mask kept), proofs, forward mode, second order and the numba target."""

from __future__ import annotations

import textwrap

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc import nn, runtime
from agc.ir.prims import Prim
from gradcheck import import_source
from meanings import symbolic_meaning

jax.config.update("jax_enable_x64", True)

MODELS = textwrap.dedent("""\
    import numpy as np
    from agc import nn


    def layer(x, w):
        return np.sum(nn.relu(x @ w) ** 2)


    def two_relus(x):
        h = nn.relu(x * 3.0 - 1.0)
        return np.sum(np.sin(h) * nn.relu(-x))
    """)
X = np.array([[0.5, -1.0, 0.0], [2.0, 0.25, -0.5]])
W = np.array([[1.0, -0.5], [0.3, 0.7], [-1.2, 0.4]])


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return import_source(MODELS, tmp_path_factory.mktemp("relu"), "relu_models")


def _jax_layer(x, w):
    return jnp.sum(jax.nn.relu(x @ w) ** 2)


def test_values_are_numpys_where():
    x = np.array([-1.0, -0.0, 0.0, 2.5, np.nan, np.inf, -np.inf], np.float32)
    got = nn.relu(x)
    want = np.where(x > 0, x, 0.0)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.float32
    ints = nn.relu(np.array([-2, 0, 3]))
    assert ints.dtype == np.float64 and ints.tolist() == [0.0, 0.0, 3.0]
    assert nn.relu(-2.0) == 0.0 and nn.relu(1.5) == 1.5


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gradient_equals_jax(models, dtype):
    x, w = X.astype(dtype), W.astype(dtype)
    gx, gw = agc.grad(models.layer, wrt=("x", "w"))(x, w)
    want = jax.grad(_jax_layer, argnums=(0, 1))(X, W)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(gx, want[0], rtol=rtol)
    np.testing.assert_allclose(gw, want[1], rtol=rtol)
    assert gx.dtype == gw.dtype == dtype


def test_derivative_at_zero_is_zero(models):
    x = np.array([-1.0, 0.0, 0.0, 1.0])
    got = agc.grad(models.two_relus)(x)
    want = jax.grad(lambda v: jnp.sum(jnp.sin(jax.nn.relu(v * 3.0 - 1.0)) * jax.nn.relu(-v)))(x)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert got[1] == 0.0


def test_the_rule_reads_the_output_and_keeps_no_mask(models):
    f = agc.differentiate(models.layer, wrt="w")
    f.grad(X, W)
    source = f.gradient_source
    assert "rt.relu(" in source and "rt.relu_grad(" in source, source
    assert "> 0" not in source, source


def test_forward_mode_and_hvp_equal_jax(models):
    v = np.array([[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]])
    f = agc.differentiate(models.layer, wrt="w")
    _, tangent = agc.jvp(f, (X, W), (np.zeros_like(X), v))
    want = jax.jvp(lambda w: _jax_layer(X, w), (W,), (v,))[1]
    np.testing.assert_allclose(tangent, want, rtol=1e-12)
    hv = agc.hvp(f)(X, W, v)
    want_hv = jax.jvp(jax.grad(lambda w: _jax_layer(X, w)), (W,), (v,))[1]
    np.testing.assert_allclose(hv, want_hv, rtol=1e-12)


def test_meanings_equal_the_runtime():
    x = np.array([[0.5, -1.0, 0.0], [2.0, 0.25, -0.5]])
    y = runtime.relu(x)
    g = np.arange(6.0).reshape(2, 3) - 2.5
    np.testing.assert_array_equal(symbolic_meaning(Prim.RELU, (x,)), y)
    np.testing.assert_array_equal(symbolic_meaning(Prim.RELU_GRAD, (g, y)), runtime.relu_grad(g, y))


def test_verify_proves_the_gradient(models):
    result = agc.verify(models.layer, X, W, wrt=("x", "w"))
    assert result.proved, str(result)
    result = agc.verify(models.two_relus, np.array([-1.0, 0.75, 1.0]))
    assert result.proved, str(result)


def test_numba_target_equals_numpy_target(models):
    pytest.importorskip("numba")
    got = agc.grad(models.two_relus, target="numba")(np.array([-1.0, 0.0, 0.75, 1.0]))
    want = agc.grad(models.two_relus)(np.array([-1.0, 0.0, 0.75, 1.0]))
    np.testing.assert_allclose(got, want, rtol=1e-12)
