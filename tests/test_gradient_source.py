"""`f.gradient_source` shows the module `f.grad(x)` runs (compiled for the kinds of the
call's arguments), `f.gradient_source_for(*args)` the one a given call runs; before any
call, the module for arrays of any ndim, as `agc compile` writes it."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)


def _scaled(x, k):
    return np.sum(np.sin(x) * k)


def _grads_of(source: str, name: str, *args):
    """Run the `name_grad` of the module text `source` (the text shown, not agc's copy)."""
    namespace: dict = {}
    exec(compile(source, f"<{name}>", "exec"), namespace)  # noqa: S102 - agc's own output
    return namespace[f"{name}_grad"](*args)


def test_gradient_source_is_the_module_a_call_runs():
    f = agc.differentiate(_scaled, wrt=("x", "k"))
    unknown = f.gradient_source  # no call yet: k may be an array of any ndim
    x = np.array([0.3, -0.5, 1.2])
    got = f.grad(x, 2.0)
    shown = f.gradient_source
    assert shown != unknown  # k is a number: no unbroadcast onto x, no cast of k's gradient
    assert shown == f.gradient_source_for(x, 2.0) == f._current((x, 2.0)).source
    assert f.gradient_source_for(x, np.ones(3)) == unknown
    want = jax.grad(lambda a, k: jnp.sum(jnp.sin(a) * k), argnums=(0, 1))(x, 2.0)
    for module in (shown, f.gradient_source_for(x, k=2.0)):
        for g, ran, expected in zip(_grads_of(module, "_scaled", x, 2.0), got, want):
            np.testing.assert_allclose(g, expected, rtol=1e-12)
            np.testing.assert_allclose(ran, expected, rtol=1e-12)


def test_gradient_source_follows_the_last_kind_of_arguments_compiled():
    f = agc.differentiate(_scaled, wrt="x")
    x = np.array([0.3, -0.5])
    f.grad(x, 2.0)
    number = f.gradient_source
    f.grad(x, np.array([1.0, 3.0]))
    assert f.gradient_source != number
    assert f.gradient_source == f.gradient_source_for(x, np.ones(2))
    f.grad(x, 4.0)  # compiled already: the shown module stays the last compiled
    assert f.gradient_source_for(x, 4.0) == number
    np.testing.assert_allclose(_grads_of(number, "_scaled", x, 4.0), 4.0 * np.cos(x))
