"""VJPs and JVPs of an f of an array called inside a differentiated model: `f.vjp(x,
seed=s)`, `f.jvp(x, tangents=(t,))`, `agc.jvp(f, ...)` and `y, pull = agc.vjp(f, x)`
then `pull(s)`, against jax (a jax model calling jax.vjp / jax.jvp, differentiated by
jax.grad), in float64 and float32, in the decorator and in `agc compile`'s module.
"""

from __future__ import annotations

import importlib.util
import re
import sys

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc.cli.main import main
from agc.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)


@agc.differentiate(wrt=("x", "w"))
def layer(x, w):
    return np.tanh(w @ x) * 2.0


def _layer(x, w):
    return jnp.tanh(w @ x) * 2.0


def vjp_in_a_loop(x, w, s):
    total = 0.0
    for k in range(3):
        y, (gx, gw) = layer.vjp(x, w, seed=s * (k + 1))
        if k != 1:
            total = total + np.sum(y) * np.sum(gx) + np.sum(gw ** 2)
        x = np.cos(x)
    return total


def _vjp_in_a_loop(x, w, s):
    total = 0.0
    for k in range(3):
        y, pull = jax.vjp(_layer, x, w)
        gx, gw = pull(s * (k + 1))
        if k != 1:
            total = total + jnp.sum(y) * jnp.sum(gx) + jnp.sum(gw ** 2)
        x = jnp.cos(x)
    return total


def jvp_in_a_branch(x, w, t):
    y, ty = layer.jvp(x, w, tangents=(t, None))
    if np.sum(y) > 0:
        _y2, ty2 = agc.jvp(layer, (x, w), (t, w * 0.5))
    else:
        _y2, ty2 = y, ty
    return np.sum(np.sin(ty) * y) + np.sum(ty2 ** 2)


def _jvp_in_a_branch(x, w, t):
    y, ty = jax.jvp(lambda a: _layer(a, w), (x,), (t,))
    _y2, ty2 = jax.jvp(_layer, (x, w), (t, w * 0.5))
    ty2 = ty2 if jnp.sum(y) > 0 else ty
    return jnp.sum(jnp.sin(ty) * y) + jnp.sum(ty2 ** 2)


def pullback_in_a_loop(x, w, s):
    y, pull = agc.vjp(layer, x, w, wrt="x")
    x = x * 3.0  # pull keeps the x agc.vjp was given
    total = np.sum(y) * np.sum(x)
    for k in range(2):
        total = total + np.sum(pull(s + k) * x)
    return total


def _pullback_in_a_loop(x, w, s):
    y, pull = jax.vjp(lambda a: _layer(a, w), x)
    x = x * 3.0
    total = jnp.sum(y) * jnp.sum(x)
    for k in range(2):
        total = total + jnp.sum(pull(s + k)[0] * x)
    return total


CASES = [(vjp_in_a_loop, _vjp_in_a_loop), (jvp_in_a_branch, _jvp_in_a_branch),
         (pullback_in_a_loop, _pullback_in_a_loop)]
X, W, V = np.array([0.3, -0.5, 1.2]), np.array([[0.5, -1.0, 0.2], [0.3, 0.8, -0.4]]), \
    np.array([0.7, -0.2])
T = np.array([0.2, 0.4, -0.7])


def _arguments(model, dtype):
    third = T if model is jvp_in_a_branch else V
    return tuple(a.astype(dtype) for a in (X, W, third))


@pytest.mark.parametrize("model, reference", CASES, ids=[m.__name__ for m, _ in CASES])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 2e-4)])
def test_value_and_gradient_against_jax(model, reference, dtype, rtol):
    args = _arguments(model, dtype)
    value, grads = agc.differentiate(model, wrt=("x", "w", "s" if model is not
                                                  jvp_in_a_branch else "t")).value_and_grad(*args)
    wide = tuple(a.astype(np.float64) for a in args)
    np.testing.assert_allclose(value, reference(*wide), rtol=rtol)
    for got, want in zip(grads, jax.grad(reference, argnums=(0, 1, 2))(*wide)):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)


def test_a_wrong_seed_raises_as_outside_a_model():
    def model(x, w):
        _, (gx, _gw) = layer.vjp(x, w, seed=np.ones(3))
        return np.sum(gx)

    with pytest.raises(ValueError, match=r"seed has shape \(3,\), the output has shape \(2,\)"):
        layer.vjp(X, W, seed=np.ones(3))
    with pytest.raises(ValueError, match=r"seed has shape \(3,\), the output has shape \(2,\)"):
        agc.grad(model)(X, W)


def _escaping(x, w):
    _y, pull = agc.vjp(layer, x, w)
    return pull


def _bound_twice(x, w):
    y, pull = agc.vjp(layer, x, w)
    y, pull = agc.vjp(layer, x * 2.0, w)
    return np.sum(pull(y)[0])


def _outside_its_block(x, w):
    if np.sum(x) > 0:
        _y, pull = agc.vjp(layer, x, w)
    return np.sum(pull(np.ones(2))[0])


def _one_name(x, w):
    both = agc.vjp(layer, x, w)
    return np.sum(both[0])


@pytest.mark.parametrize("model, words, line", [
    (_escaping, "the pullback `pull` of agc.vjp used as a value", 2),
    (_bound_twice, "binding the pullback `pull` more than once", 1),
    (_outside_its_block, "calling the pullback `pull` outside the block of its agc.vjp", 3),
    (_one_name, "other than `y, pull = agc.vjp(f, x)`", 1),
])
def test_what_a_pullback_may_not_do_is_refused_where_written(model, words, line):
    with pytest.raises(UnsupportedError, match="not supported") as caught:
        agc.grad(model)(X, W)
    assert words in str(caught.value)
    assert caught.value.loc.line == model.__code__.co_firstlineno + line


def _vjp_of_layer(x, w):
    _, (gx, _gw) = layer.vjp(x, w, seed=np.ones(2))
    return np.sum(gx ** 2)


def test_an_unused_item_of_a_vjp_sweeps_nothing_back():
    """`_, (gx, _gw) = f.vjp(...)`: no cotangent for the value (no layer_fwd / layer_bwd)
    nor for the unused gradient (one HVP, along gx's cotangent alone)."""
    model = agc.differentiate(_vjp_of_layer, wrt=("x", "w"))
    source = model.gradient_source
    body = source[source.index("def _vjp_of_layer_value_and_grad("):]
    body = body[:body.index("\ndef ")]
    assert "layer_bwd(" not in body and "layer_fwd(" not in body
    assert body.count("layer_seeded_hvp") == 1 and "rt.getitem_grad" not in body

    def reference(x, w):
        gx, _ = jax.vjp(_layer, x, w)[1](jnp.ones(2))
        return jnp.sum(gx ** 2)

    value, grads = model.value_and_grad(X, W)
    np.testing.assert_allclose(value, reference(X, W), rtol=1e-12)
    for got, want in zip(grads, jax.grad(reference, argnums=(0, 1))(X, W)):
        np.testing.assert_allclose(got, want, rtol=1e-10)


def test_the_lines_of_f_seeded_are_the_models_call_in_the_decorator():
    source = agc.differentiate(_vjp_of_layer, wrt="x").gradient_source
    seeded = source[source.index("def layer_seeded_grad("):]
    line = _vjp_of_layer.__code__.co_firstlineno + 1
    assert f"# test_products_in_model.py:{line}:5: _, (gx, _gw) = layer.vjp(" in seeded
    assert "<layer.vjp>" not in source


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 2e-4)])
def test_a_model_calling_a_vjp_has_forward_mode_and_second_derivatives(dtype, rtol):
    """Its HVP differentiates f_seeded's HVP by forward mode (f's third derivatives)."""
    def reference(x, w):
        gx, _ = jax.vjp(_layer, x, w)[1](jnp.ones(2))
        return jnp.sum(gx ** 2)

    _, tangent = agc.jvp(_vjp_of_layer, (X, W), (T, W))
    np.testing.assert_allclose(tangent, jax.jvp(reference, (X, W), (T, W))[1], rtol=1e-10)
    x, w, t, u = (a.astype(dtype) for a in (X, W, T, W * 0.5))
    got = agc.hvp(_vjp_of_layer, wrt=("x", "w"))(x, w, (t, u))
    want = jax.jvp(jax.grad(reference, argnums=(0, 1)), (X, W), (T, W * 0.5))[1]
    for g, expected in zip(got, want):
        assert g.dtype == dtype
        np.testing.assert_allclose(g, expected, rtol=rtol, atol=rtol)


MODEL = '''
import agc
import numpy as np


@agc.differentiate(wrt=("x", "w"))
def layer(x, w):
    return np.tanh(w @ x) * 2.0


@agc.differentiate(wrt=("x", "w", "s"))
def run(x, w, s):
    y, (gx, gw) = layer.vjp(x, w, seed=s)
    value, pull = agc.vjp(layer, x, w, wrt="w")
    _, ty = layer.jvp(x, w, tangents=(gx, None))
    return np.sum(y) * np.sum(gx) + np.sum(pull(s) * gw) + np.sum(ty ** 2)
'''


def test_agc_compile_writes_the_products_as_functions_of_the_module(tmp_path, monkeypatch):
    (tmp_path / "model.py").write_text(MODEL)
    assert main(["compile", str(tmp_path / "model.py"), "-o", str(tmp_path / "emitted.py")]) == 0
    source = (tmp_path / "emitted.py").read_text()
    assert "def layer_seeded_grad(x, w, seed):" in source
    assert "def layer_seeded_hvp_x_seed(x, w, seed, x_dot, seed_dot):" in source
    assert "rt.check_seed(" in source
    # f_seeded's lines are the model's call, not lines past the end of model.py
    lines = MODEL.splitlines()
    named = [int(n) for n in re.findall(r"# model\.py:(\d+):", source)]
    assert named and max(named) <= len(lines)
    seeded = source[source.index("def layer_seeded_grad("):]
    call = next(i for i, line in enumerate(lines, 1) if "layer.vjp(" in line)
    assert re.search(r"# model\.py:(\d+):", seeded).group(1) == str(call)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "emitted", raising=False)
    spec = importlib.util.spec_from_file_location("emitted", tmp_path / "emitted.py")
    emitted = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(emitted)
    got = emitted.run_grad(X, W, V)

    def reference(x, w, s):
        y, pull = jax.vjp(_layer, x, w)
        gx, gw = pull(s)
        _, ty = jax.jvp(lambda a: _layer(a, w), (x,), (gx,))
        return jnp.sum(y) * jnp.sum(gx) + jnp.sum(pull(s)[1] * gw) + jnp.sum(ty ** 2)

    for g, want in zip(got, jax.grad(reference, argnums=(0, 1, 2))(X, W, V)):
        np.testing.assert_allclose(g, want, rtol=1e-10)


@agc.differentiate(wrt="x")
def bowl(x, k):
    return np.sum(k * x ** 4) - np.sum(np.cos(x))


def _bowl(x, k):
    return jnp.sum(k * x ** 4) - jnp.sum(jnp.cos(x))


def scalar_products(x, t):
    value, g = bowl.vjp(x, 2.0, seed=1.5)
    _, tangent = bowl.jvp(x, 2.0, tangents=(t, None))
    return value * tangent + np.sum(g * t)


def _scalar_products(x, t):
    value, pull = jax.vjp(lambda a: _bowl(a, 2.0), x)
    _, tangent = jax.jvp(lambda a: _bowl(a, 2.0), (x,), (t,))
    return value * tangent + jnp.sum(pull(1.5)[0] * t)


def test_an_f_of_a_number_keeps_its_gradient_and_forward_mode_through_it():
    """Where the ranks tell f returns a number, the products are written with f_grad
    (as fast as before f_seeded), which forward mode differentiates too."""
    model = agc.differentiate(scalar_products, wrt=("x", "t"))
    value, grads = model.value_and_grad(X, T)
    assert "bowl_grad(" in model.gradient_source and "seeded" not in model.gradient_source
    np.testing.assert_allclose(value, _scalar_products(X, T), rtol=1e-12)
    for got, want in zip(grads, jax.grad(_scalar_products, argnums=(0, 1))(X, T)):
        np.testing.assert_allclose(got, want, rtol=1e-10)
    _, tangent = agc.jvp(scalar_products, (X, T), (T, X))
    np.testing.assert_allclose(tangent, jax.jvp(_scalar_products, (X, T), (T, X))[1],
                               rtol=1e-10)
