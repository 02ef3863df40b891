"""Second derivatives, Jacobians and check_grad of a function returning several values.

agc.hessian / agc.hvp / f.hvp of a function returning a tuple (has_aux or not) emitted
`l_bar = None[0]` and raised TypeError inside agc's code; agc.jacfwd of a has_aux
function silently stacked the loss's and the aux's Jacobians as one (2, n) array;
agc.jacrev and agc.check_grad of one raised numpy's ValueError. They now refuse: at the
return line (a tuple returned), or at the call (has_aux). A function returning the
loss alone still gets jax's Hessian.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([[0.3, -0.7, 1.1], [0.5, 0.2, -0.4], [-1.2, 0.8, 0.6], [0.1, 0.9, -0.3]])
W = np.array([0.4, -0.6, 0.9])
V = np.array([0.2, 0.5, -0.3])


def loss_and_peak(w, x):
    loss = np.sum(np.tanh(x @ w) ** 2)
    return loss, np.max(x @ w)


def loss_alone(w, x):
    return np.sum(np.tanh(x @ w) ** 2)


def jax_loss(w, x):
    return jnp.sum(jnp.tanh(x @ w) ** 2)


@pytest.mark.parametrize("second", [
    lambda f: agc.hessian(f)(W, X),
    lambda f: agc.hvp(f)(W, X, V),
])
def test_second_derivatives_of_has_aux_refused(second):
    with pytest.raises(agc.UsageError, match="has_aux=True"):
        second(agc.differentiate(loss_and_peak, has_aux=True))


def test_hvp_of_a_tuple_refused_at_the_return_line():
    f = agc.differentiate(loss_and_peak)
    with pytest.raises(agc.UnsupportedError, match="returns 2 values") as info:
        f.hvp(W, X, tangents=(V, None))
    assert "test_hunt4_aux.py:28:" in str(info.value)  # `return loss, np.max(x @ w)`
    assert "^" in str(info.value)
    with pytest.raises(agc.UnsupportedError, match="returns 2 values"):
        agc.hessian(loss_and_peak)(W, X)


@pytest.mark.parametrize("what", ["jacfwd", "jacrev", "jacobian", "check_grad"])
def test_jacobians_of_has_aux_refused(what):
    f = agc.differentiate(loss_and_peak, has_aux=True)
    with pytest.raises(agc.UsageError, match="has_aux=True"):
        if what == "check_grad":
            agc.check_grad(f, W, X)
        else:
            getattr(agc, what)(f)(W, X)


def test_has_aux_grad_and_the_loss_alone_hessian_agree_with_jax():
    (grad, peak) = agc.differentiate(loss_and_peak, has_aux=True).grad(W, X)
    np.testing.assert_allclose(grad, jax.grad(jax_loss)(W, X), rtol=1e-12, atol=1e-14)
    assert peak == np.max(X @ W)
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        w, x = W.astype(dtype), X.astype(dtype)
        hessian = agc.hessian(loss_alone)(w, x)
        assert hessian.dtype == dtype
        np.testing.assert_allclose(hessian, jax.hessian(jax_loss)(W, X), rtol=tol, atol=tol)
        np.testing.assert_allclose(agc.hvp(loss_alone)(w, x, V.astype(dtype)),
                                   jax.hessian(jax_loss)(W, X) @ V, rtol=tol, atol=tol)
