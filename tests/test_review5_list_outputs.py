"""Review 5: a function returning a list (sorted(xs), x.tolist(), a list built by appends).

The backward sweep pops the appends off the list it returned, so the value came back as []
(the list emptied under the caller); grad of a list gave 0 where it is not defined, and a
vjp's seed given as a list was ignored (a zero gradient). Now the value is the list, grad
raises (not a scalar output), and vjp / jacrev agree with jax's."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.3, -1.2, 2.5])


def sorted_scaled(x, s):
    return sorted(x * s)


def appended(x, s):
    out = []
    for v in x:
        out.append(v * s)
    return out


def listed(x, s):
    return (x * s).tolist()


def literal(x, s):
    out = [x[0] * s, x[1] * s * s]
    return out


JAX = {sorted_scaled: lambda x, s: jnp.sort(x * s), appended: lambda x, s: x * s,
       listed: lambda x, s: x * s, literal: lambda x, s: jnp.stack([x[0] * s, x[1] * s * s])}
CASES = list(JAX)


@pytest.mark.parametrize("fn", CASES, ids=lambda f: f.__name__)
def test_the_value_is_the_list_returned(fn):
    seed = [1.0, 2.0, 3.0][:len(fn(X, 2.0))]
    value, _ = agc.differentiate(fn, wrt="s").vjp(X.copy(), 2.0, seed=seed)
    assert type(value) is list
    assert value == fn(X, 2.0)


@pytest.mark.parametrize("fn", CASES, ids=lambda f: f.__name__)
def test_vjp_with_a_list_seed_matches_jax(fn):
    seed = [1.0, 2.0, 3.0][:len(fn(X, 2.0))]
    _, (gx, gs) = agc.differentiate(fn, wrt=("x", "s")).vjp(X.copy(), 2.0, seed=seed)
    _, pullback = jax.vjp(JAX[fn], jnp.asarray(X), 2.0)
    ex, es = pullback(jnp.asarray(seed))
    np.testing.assert_allclose(gx, ex, rtol=1e-12)
    np.testing.assert_allclose(gs, es, rtol=1e-12)


@pytest.mark.parametrize("fn", CASES, ids=lambda f: f.__name__)
def test_grad_of_a_list_raises(fn):
    with pytest.raises(ValueError, match="grad needs a scalar output, but the output is a list"):
        agc.differentiate(fn, wrt="s").value_and_grad(X.copy(), 2.0)


def test_a_seed_of_another_length_raises():
    with pytest.raises(ValueError, match="seed has 2 items, the output list has 3"):
        agc.differentiate(appended, wrt="s").vjp(X.copy(), 2.0, seed=[1.0, 2.0])


@pytest.mark.parametrize("fn", CASES, ids=lambda f: f.__name__)
def test_jacobians_match_jax(fn):
    for wrt in ("x", "s"):
        expected = jax.jacrev(JAX[fn], argnums=0 if wrt == "x" else 1)(jnp.asarray(X), 2.0)
        np.testing.assert_allclose(agc.jacrev(fn, wrt=wrt)(X.copy(), 2.0), expected, rtol=1e-12)
        np.testing.assert_allclose(agc.jacobian(fn, wrt=wrt)(X.copy(), 2.0), expected,
                                   rtol=1e-12)


def test_float32_items_keep_their_dtype():
    x = X.astype(np.float32)
    value, gs = agc.differentiate(sorted_scaled, wrt="s").vjp(x, np.float32(2.0),
                                                           seed=[1.0, 1.0, 1.0])
    assert [type(v) for v in value] == [np.float32] * 3
    assert value == sorted_scaled(x, np.float32(2.0))
    np.testing.assert_allclose(gs, np.sum(x), rtol=1e-6)
