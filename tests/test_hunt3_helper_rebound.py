"""A helper redefined after the model was compiled: the next call runs the new helper.

Python looks a helper up when the model runs, so redefining it (a notebook cell run
again, a monkeypatch) changes what the model computes. agc compiled the old helper's
code into the gradient and kept calling it: `f(x)` and `f.grad(x)` disagreed, silently.
The compile now records the function object each helper name was bound to and compiles
again when a binding changed, as it does for a rebound constant.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.23, 0.71, 0.47, 0.91])
V = np.array([0.3, -0.2, 0.5, 0.1])


def scaled(v):
    return v * 2.0


def writes(v):
    v *= 2.0


def outer(v):
    return scaled(v) + 1.0


act = np.tanh


def library_alias(x):
    return np.sum(act(x))


def model(x):
    return np.sum(scaled(x) ** 2)


def model_inlined(x):
    y = x.copy()
    writes(y)
    return np.sum(y * x)


def model_nested(x):
    return np.sum(np.sin(outer(x)))


def _redefined():
    """The helpers defined again under their names, as a notebook cell run again would."""
    def scaled(v):
        return v ** 3

    def writes(v):
        v *= 3.0

    return scaled, writes


cubed, twice = _redefined()


def _rebind(name, func):
    """Redefine a module-level helper, as a notebook cell run again would."""
    old = globals()[name]
    globals()[name] = func
    return old


def _jax_twin(fn_name, helper):
    """The model's jax twin with `helper` as its helper (each written with jnp)."""
    if fn_name == "model":
        return lambda x: jnp.sum(helper(x) ** 2)
    if fn_name == "model_inlined":
        return lambda x: jnp.sum(helper(x) * x)
    return lambda x: jnp.sum(jnp.sin(helper(x) + 1.0))


CASES = [  # model, helper name, new helper, the helper's effect on an array before and after
    (model, "scaled", cubed, lambda v: v * 2.0, lambda v: v ** 3),
    (model_inlined, "writes", twice, lambda v: v * 2.0, lambda v: v * 3.0),
    (model_nested, "scaled", cubed, lambda v: v * 2.0, lambda v: v ** 3),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0].__name__)
def test_a_redefined_helper_is_what_the_next_gradient_runs(case, dtype):
    fn, name, new, before, after = case
    f = agc.differentiate(fn)
    x = X.astype(dtype)
    for _ in range(2):  # the second call takes the short path that kept the entry
        value, grad = f.value_and_grad(x.copy())
    np.testing.assert_allclose(grad, jax.grad(_jax_twin(fn.__name__, before))(jnp.asarray(X)),
                               rtol=1e-5 if dtype == np.float32 else 1e-12)
    old = _rebind(name, new)
    try:
        value, grad = f.value_and_grad(x.copy())
        assert grad.dtype == dtype
        assert value == pytest.approx(fn(x.copy()), rel=1e-6)
        np.testing.assert_allclose(grad, jax.grad(_jax_twin(fn.__name__, after))(jnp.asarray(X)),
                                   rtol=1e-5 if dtype == np.float32 else 1e-12)
        np.testing.assert_allclose(f.grad(x.copy()), grad)
    finally:
        _rebind(name, old)
    np.testing.assert_allclose(f.grad(x.copy()),
                               jax.grad(_jax_twin(fn.__name__, before))(jnp.asarray(X)),
                               rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_jvp_and_hvp_see_the_redefined_helper():
    f = agc.differentiate(model)
    for _ in range(2):
        f.jvp(X.copy(), tangents=(V,))
        f.hvp(X.copy(), tangents=(V,))
    old = _rebind("scaled", cubed)
    try:
        twin = _jax_twin("model", lambda v: v ** 3)
        _, tangent = f.jvp(X.copy(), tangents=(V,))
        assert tangent == pytest.approx(float(jax.jvp(twin, (jnp.asarray(X),),
                                                      (jnp.asarray(V),))[1]), rel=1e-12)
        _, hv = f.hvp(X.copy(), tangents=(V,))
        np.testing.assert_allclose(hv, jax.jvp(jax.grad(twin), (jnp.asarray(X),),
                                               (jnp.asarray(V),))[1], rtol=1e-12)
    finally:
        _rebind("scaled", old)


def test_the_numba_targets_direct_dispatch_sees_the_redefined_helper():
    # after two calls numba's dispatcher is called directly, past agc's Python checks
    f = agc.differentiate(model, target="numba")
    for _ in range(3):
        grad = f.grad(X.copy())
        value, _ = f.value_and_grad(X.copy())
    assert f._direct[1] is not None
    old = _rebind("scaled", cubed)
    try:
        twin = _jax_twin("model", lambda v: v ** 3)
        for _ in range(2):
            np.testing.assert_allclose(f.grad(X.copy()), jax.grad(twin)(jnp.asarray(X)), rtol=1e-12)
            value, grad = f.value_and_grad(X.copy())
            assert value == pytest.approx(model(X.copy()), rel=1e-12)
            np.testing.assert_allclose(grad, jax.grad(twin)(jnp.asarray(X)), rtol=1e-12)
    finally:
        _rebind("scaled", old)
    np.testing.assert_allclose(f.grad(X.copy()), jax.grad(_jax_twin("model", lambda v: v * 2.0))(
        jnp.asarray(X)), rtol=1e-12)


def test_a_library_function_under_a_module_name_rebound():
    # act = np.tanh, then act = np.sin: the next gradient differentiates sin
    f = agc.differentiate(library_alias)
    np.testing.assert_allclose(f.grad(X.copy()), 1.0 - np.tanh(X) ** 2, rtol=1e-13)
    old = _rebind("act", np.sin)
    try:
        for _ in range(2):
            value, grad = f.value_and_grad(X.copy())
            assert value == pytest.approx(np.sum(np.sin(X)), rel=1e-14)
            np.testing.assert_allclose(grad, np.cos(X), rtol=1e-13)
    finally:
        _rebind("act", old)
