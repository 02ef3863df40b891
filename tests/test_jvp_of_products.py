"""Forward mode of a model that calls a JVP of an f of an array (`f.jvp(x, tangents=(t,))`,
`agc.jvp(f, ...)`): the tangent of J(x) t along the model's tangents of x and t is
J t_dot + D^2 f(x)[t, x_dot], from forward mode over f's JVP (ad/twice.py). Against jax
(`jax.jvp` of a jax model calling `jax.jvp`), float64 and float32, in the decorator and
in `agc compile --mode forward`'s module.
"""

from __future__ import annotations

import importlib.util

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc.cli.main import main
from agc.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)


def squash(z):
    return np.tanh(z) * 2.0 + z ** 3


def _squash(z):
    return jnp.tanh(z) * 2.0 + z ** 3


@agc.differentiate(wrt=("x", "w"))
def layer(x, w):
    return squash(w @ x) * np.sum(x)  # a helper: its JVP's tangent is squash_jvp_jvp


def _layer(x, w):
    return _squash(w @ x) * jnp.sum(x)


def jvp_in_a_loop(x, w, t):
    total = 0.0
    for k in range(3):
        y, ty = layer.jvp(x, w, tangents=(t * (k + 1), None))
        if k != 1:
            total = total + np.sum(y * ty)
        x = np.sin(x)
    _, both = agc.jvp(layer, (x, w), (t, w * 0.5))
    return total + np.sum(both ** 2)


def _jvp_in_a_loop(x, w, t):
    total = 0.0
    for k in range(3):
        y, ty = jax.jvp(lambda a: _layer(a, w), (x,), (t * (k + 1),))
        if k != 1:
            total = total + jnp.sum(y * ty)
        x = jnp.sin(x)
    _, both = jax.jvp(_layer, (x, w), (t, w * 0.5))
    return total + jnp.sum(both ** 2)


X, W = np.array([0.3, -0.5, 1.2]), np.array([[0.5, -1.0, 0.2], [0.3, 0.8, -0.4]])
T = np.array([0.2, 0.4, -0.7])
DX, DW, DT = np.array([-0.4, 0.1, 0.9]), np.array([[0.2, 0.3, -0.5], [1.0, -0.6, 0.1]]), \
    np.array([0.5, -0.3, 0.25])


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 2e-4)])
@pytest.mark.parametrize("moving", ["all", "x", "t"])
def test_forward_mode_through_a_jvp_against_jax(dtype, rtol, moving):
    """The model's tangents of x (its point), w (held fixed in the first JVPs) and t (their
    direction), together and apart."""
    args = tuple(a.astype(dtype) for a in (X, W, T))
    tangents = {"all": (DX, DW, DT), "x": (DX, None, None), "t": (None, None, DT)}[moving]
    tangents = tuple(None if d is None else d.astype(dtype) for d in tangents)
    value, tangent = agc.jvp(jvp_in_a_loop, args, tangents)
    wide = tuple(a.astype(np.float64) for a in args)
    dirs = tuple(np.zeros_like(a) if d is None else d.astype(np.float64)
                 for a, d in zip(wide, tangents))
    want_value, want = jax.jvp(_jvp_in_a_loop, wide, dirs)
    np.testing.assert_allclose(value, want_value, rtol=rtol)
    np.testing.assert_allclose(tangent, want, rtol=rtol, atol=rtol)
    assert np.asarray(tangent).dtype == dtype


def test_the_decorated_model_and_jacfwd_agree_with_jax():
    model = agc.differentiate(jvp_in_a_loop, wrt=("x", "t"))
    _, tangent = model.jvp(X, W, T, tangents=(DX, None, DT))
    want = jax.jvp(_jvp_in_a_loop, (X, W, T), (DX, np.zeros_like(W), DT))[1]
    np.testing.assert_allclose(tangent, want, rtol=1e-10)

    def vector(x, w, t):
        _, ty = layer.jvp(x, w, tangents=(t, None))
        return ty * np.cos(x[:2])

    def _vector(x, w, t):
        return jax.jvp(lambda a: _layer(a, w), (x,), (t,))[1] * jnp.cos(x[:2])

    got = agc.jacfwd(vector, wrt=("x", "t"))(X, W, T)
    for g, want in zip(got, jax.jacfwd(_vector, argnums=(0, 2))(X, W, T)):
        np.testing.assert_allclose(g, want, rtol=1e-10)


def _jvp_of_layer(x, w):
    _, ty = layer.jvp(x, w, tangents=(x, None))
    return np.sum(ty ** 2)


def _reference_jvp_of_layer(x, w):
    _, ty = jax.jvp(lambda a: _layer(a, w), (x,), (x,))
    return jnp.sum(ty ** 2)


def test_second_derivatives_of_a_model_calling_a_jvp_against_jax():
    """Reverse over the call is an HVP of f_seeded; forward over that HVP is f's third
    derivatives, and forward over the JVP (the call in the forward sweep) its second."""
    got = agc.hvp(_jvp_of_layer, wrt=("x", "w"))(X, W, (T, DW))
    want = jax.jvp(jax.grad(_reference_jvp_of_layer, argnums=(0, 1)), (X, W), (T, DW))[1]
    for g, expected in zip(got, want):
        np.testing.assert_allclose(g, expected, rtol=1e-10)
    np.testing.assert_allclose(agc.hessian(_jvp_of_layer)(X, W),
                               jax.hessian(_reference_jvp_of_layer)(X, W), rtol=1e-10)


@agc.differentiate(wrt=("x", "w"))
def outer(x, w):
    _, ty = layer.jvp(x, w, tangents=(x, None))
    return ty * 2.0


def test_forward_mode_over_a_jvp_inside_the_jvp_of_f_is_refused_at_the_call():
    """f's own JVP call, differentiated twice over: f's third derivatives."""
    def model(x, w):
        _, t2 = outer.jvp(x, w, tangents=(x, None))
        return np.sum(t2)

    with pytest.raises(UnsupportedError, match="the tangent of a JVP of layer.. again") as caught:
        agc.jvp(model, (X, W), (T, None))
    assert caught.value.loc.line == outer.fn.__code__.co_firstlineno + 2


MODEL = '''
import agc
import numpy as np


def squash(z):
    return np.tanh(z) * 2.0 + z ** 3


@agc.differentiate(wrt=("x", "w"))
def layer(x, w):
    return squash(w @ x) * np.sum(x)


@agc.differentiate(wrt=("x", "w", "t"))
def run(x, w, t):
    _, ty = layer.jvp(x, w, tangents=(t, None))
    return np.sum(ty ** 2)
'''


def test_agc_compile_forward_writes_the_tangent_of_the_jvp(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    out = tmp_path / "forward_emitted.py"
    assert main(["compile", str(tmp_path / "model.py"), "--mode", "forward", "-o", str(out)]) == 0
    source = out.read_text()
    assert "def layer_jvp_jvp_x_w_x_dot(x, w, x_dot, " in source
    assert "def squash_jvp_jvp(" in source
    spec = importlib.util.spec_from_file_location("forward_emitted", out)
    emitted = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(emitted)
    _, got = emitted.run_jvp(X, W, T, DX, DW, DT)

    def reference(x, w, t):
        return jnp.sum(jax.jvp(lambda a: _layer(a, w), (x,), (t,))[1] ** 2)

    np.testing.assert_allclose(got, jax.jvp(reference, (X, W, T), (DX, DW, DT))[1], rtol=1e-10)
