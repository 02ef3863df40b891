"""Derivatives that evaluate a function many times, of a function that writes its own
argument in place (`y = x; y += 1`): each evaluation starts from the caller's values.

Once a silent wrong result: the per-seed Jacobians (one JVP per column, one vjp per row)
ran every evaluation on the same array, which the first one had written, so the later
columns belonged to another point. The corpus entry is `alias_then_iadd`. Each form is
checked on its batched path and on the per-seed path (the batch refused), against jax.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc import functional, jacobians

jax.config.update("jax_enable_x64", True)
X = np.array([0.5, -1.0, 2.0])


def writes_its_argument(x):
    y = x
    y += 1
    return x * np.sin(y)


def scalar_writes_its_argument(x):
    y = x
    y += 1
    return np.sum(x * np.sin(y))


def appends_to_its_list(xs):
    xs.append(xs[0] * 2.0)
    return xs[0] * xs[-1] + xs[1]


def reference(x):
    return (x + 1) * jnp.sin(x + 1)


@pytest.fixture(params=["batched", "per seed"])
def path(request, monkeypatch):
    """Run the test on both paths: the per-seed one by refusing every batch."""
    if request.param == "per seed":
        monkeypatch.setattr(jacobians, "_jacobian_in_one_jvp", lambda *a: None)
        monkeypatch.setattr(jacobians, "_jacobian_in_one_sweep", lambda *a: None)
        monkeypatch.setattr(functional, "_hessian_in_one_hvp", lambda *a: None)
    return request.param


@pytest.mark.parametrize("form", [agc.jacfwd, agc.jacrev, agc.jacobian])
def test_jacobians_of_a_function_writing_its_argument(form, path):
    x = X.copy()
    got = form(writes_its_argument)(x)
    np.testing.assert_allclose(got, jax.jacfwd(reference)(X), rtol=1e-12)
    np.testing.assert_array_equal(x, X)  # the caller's array is never written


def test_hessian_of_a_function_writing_its_argument(path):
    x = X.copy()
    got = agc.hessian(scalar_writes_its_argument)(x)
    want = jax.hessian(lambda x: jnp.sum(reference(x)))(X)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_array_equal(x, X)


def test_pullback_and_check_grad_start_from_the_callers_values():
    x = X.copy()
    value, pullback = agc.vjp(writes_its_argument, x)
    want = jax.vjp(reference, X)[1](np.ones(3))[0]
    np.testing.assert_allclose(value, np.asarray(reference(X)), rtol=1e-12)
    for _ in range(2):  # each pullback at the point of the call, not at a written one
        np.testing.assert_allclose(pullback(np.ones(3)), want, rtol=1e-12)
    assert agc.check_grad(scalar_writes_its_argument, x) < 1e-6
    np.testing.assert_array_equal(x, X)


def appends_to_a_copy(xs):
    xs = list(xs)
    xs.append(xs[0] * 2.0)
    return xs[0] * xs[-1] + xs[1]


def test_pullback_of_a_function_appending_to_its_list_argument():
    # Python's call appends to the caller's list, which agc does not reproduce: refused
    # (tests/test_fixlist_list_params.py); on a copy, each seed starts from the same list
    with pytest.raises(agc.UserCodeError, match="the list .or dict. the caller passed"):
        agc.vjp(appends_to_its_list, [1.5, 2.0])[1](1.0)
    xs = [1.5, 2.0]
    value, pullback = agc.vjp(appends_to_a_copy, xs)
    assert value == 1.5 * 3.0 + 2.0
    for _ in range(2):
        np.testing.assert_allclose(pullback(1.0), [6.0, 1.0])
    assert xs == [1.5, 2.0]


@pytest.mark.parametrize("form", ["jacfwd", "hessian", "check_grad"])
def test_a_list_argument_is_refused_with_what_to_pass(form):
    """Was an AttributeError from inside agc (a one-hot direction is an array, not a list)."""
    xs = [1.5, -0.5]
    run = {"jacfwd": lambda: agc.jacfwd(appends_to_its_list)(xs),
           "hessian": lambda: agc.hessian(appends_to_its_list)(xs),
           "check_grad": lambda: agc.check_grad(appends_to_its_list, xs)}[form]
    with pytest.raises(agc.UsageError, match=rf"agc.{form} differentiates arrays and numbers, "
                                             r"and xs is a list: pass np.asarray\(xs\)"):
        run()
    assert xs == [1.5, -0.5]  # refused before any evaluation
