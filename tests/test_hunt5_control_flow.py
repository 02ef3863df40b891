"""`and` / `or` results in forward mode, and a walrus in the right operand of `and`.

* `s += (v > 0.0 and v) or -v`: the `or` lowers to `t = left; if not t: t = -v`, and the
  emitted JVP wrote the temporary's first tangent into its one use, past the branch that
  binds it again: the tangent of `-v` was lost (0 where jax gives -1), silently.
* `if v > 0 and (w := 2 * v) > 0.8: s += w` raised agc's InternalError (w "may be
  undefined"): it is now nested ifs, so `w` is bound wherever the body reads it. A walrus
  in the right operand of `and` / `or` anywhere else is refused at its position.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gradcheck import check_gradient

jax.config.update("jax_enable_x64", True)

X = np.array([0.31, 0.52, -1.23, 0.87])
V = np.array([0.3, -0.2, 0.5, 0.1])


def or_of_an_and(x):
    s = 0.0
    for v in x:
        s += (v > 0.0 and v) or -v
    return s


def walrus_in_an_and(x):
    s = 0.0
    for v in x:
        if v > 0 and (w := v * 2.0) > 0.8:
            s += w * w
    return s


def walrus_in_a_chain(x):
    s = x[0]
    if s > 0 and (a := s * 3.0) > 0.5 and (b := a * x[1]) > 0.1:
        s = s + a * b
    return s


def or_of_an_and_jax(x):
    return jnp.sum(jnp.abs(x))


def walrus_in_an_and_jax(x):
    w = 2.0 * x
    return jnp.sum(jnp.where((x > 0) & (w > 0.8), w * w, 0.0))


def walrus_in_a_chain_jax(x):
    a = x[0] * 3.0
    return x[0] + a * a * x[1]


MODELS = [(or_of_an_and, or_of_an_and_jax), (walrus_in_an_and, walrus_in_an_and_jax),
          (walrus_in_a_chain, walrus_in_a_chain_jax)]


@pytest.mark.parametrize("model, twin", MODELS, ids=lambda m: getattr(m, "__name__", ""))
def test_jvp_and_hvp_match_jax(model, twin):
    value, tangent = agc.jvp(model, (X.copy(),), (V,))
    assert value == model(X.copy())
    want = jax.jvp(twin, (jnp.asarray(X),), (jnp.asarray(V),))[1]
    assert tangent == pytest.approx(float(want), rel=1e-12)
    np.testing.assert_allclose(agc.hvp(model)(X.copy(), V),
                               jax.jvp(jax.grad(twin), (jnp.asarray(X),), (jnp.asarray(V),))[1],
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("model, twin", MODELS, ids=lambda m: getattr(m, "__name__", ""))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_value_and_gradient_match_numpy_and_jax(model, twin, dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(model)(x.copy())
    assert value == model(x.copy())
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, jax.grad(twin)(jnp.asarray(X)),
                               rtol=1e-6 if dtype == np.float32 else 1e-13)
    if dtype == np.float64:
        check_gradient(model, (X.copy(),), rtol=1e-7, atol=1e-8)


def walrus_in_an_and_kept(x):
    s = 0.0
    for v in x:
        big = v > 0 and (w := v * 2.0) > 0.8  # noqa: F841  (the form refused)
        s += v * big
    return s


def walrus_in_an_and_with_else(x):
    if x[0] > 0 and (w := x[1] * 2.0) > 0.8:
        s = w
    else:
        s = x[2]
    return s


@pytest.mark.parametrize("model", [walrus_in_an_and_kept, walrus_in_an_and_with_else])
def test_walrus_in_a_right_operand_elsewhere_is_refused_at_it(model):
    with pytest.raises(agc.UnsupportedError) as caught:
        agc.grad(model)(X.copy())
    assert "walrus" in str(caught.value) and caught.value.loc.line > 0
    assert "nest the conditions" in caught.value.hint
