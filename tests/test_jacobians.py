"""Jacobians without waste: agc.jacrev from one forward sweep (its tape kept, one backward
sweep per output element: the emitted f_vjp_rows), and the functional forms (agc.vjp,
agc.grad, agc.jvp, agc.jacfwd, agc.jacrev, agc.hessian, agc.hvp) compiled once per
function, not once per call. Values against jax (float64); the corpus-wide check of the
kept tape is in tests/differential/harness.py (`_check_kept_tape`).
"""

from __future__ import annotations

from collections import Counter

import agc
import jax
import numpy as np
import pytest
from agc import along, api
from agc.api import _scalar_key
from differential.harness import jax_twin
from test_forward import running, running_jax

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(11)


def branchy(x, n):
    """A loop, a branch taken by the data, a slice and a sum in the output."""
    y = x * 2.0
    for _ in range(n):
        if np.sum(y) > 0:
            y = np.sin(y) * x
        else:
            y = y ** 2
    return y[:3] + np.sum(y)


def step(h, w):
    return np.tanh(w @ h)


def rnn(w, h0):
    """A helper called in a loop."""
    h = h0
    for _ in range(3):
        h = step(h, w)
    return h


def orbit(x, rate):
    """A while loop whose trip count depends on the data; the counter is read after it."""
    k = 0
    while np.sum(x * x) < 3.0:
        x = x * rate + 0.05
        k = k + 1
    return x * k


def layer(x, w, b):
    return np.tanh(w @ x + b) * np.exp(-x[0])


CASES = [  # running writes into an array in place: its Jacobian is built row by row
    (branchy, (np.array([0.3, -0.2, 0.5, 0.9]), 3)),
    (branchy, (np.array([-0.3, -0.2, 0.1, -0.9]), 2)),
    (rnn, (RNG.normal(size=(3, 3)) * 0.5, RNG.normal(size=3))),
    (orbit, (np.array([0.5, 0.4]), 1.3)),
    (running, (np.array([0.5, -0.4, 0.8, 0.3]),)),
]


@pytest.mark.parametrize("fn, args", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_jacrev_and_jacobian_equal_jax(fn, args):
    ref = running_jax if fn is running else jax_twin(fn)  # jax writes no array in place
    expected = jax.jacrev(lambda x: ref(x, *args[1:]))(args[0])
    np.testing.assert_allclose(agc.jacrev(fn)(*args), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(agc.jacobian(fn)(*args), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(agc.jacfwd(fn)(*args), expected, rtol=1e-10, atol=1e-12)


def test_jacrev_of_several_inputs_and_of_a_scalar():
    x, w, b = np.array([0.4, -0.7]), RNG.normal(size=(5, 2)), RNG.normal(size=5)
    jx, jw = agc.jacrev(layer, wrt=("x", "w"))(x, w, b)
    ex, ew = jax.jacrev(jax_twin(layer), argnums=(0, 1))(x, w, b)
    np.testing.assert_allclose(jx, ex, rtol=1e-10)
    np.testing.assert_allclose(jw, ew, rtol=1e-10)
    total = agc.jacrev(rnn_total)(w[:2], x)  # a scalar output: the Jacobian is the gradient
    np.testing.assert_allclose(total, jax.grad(jax_twin(rnn_total))(w[:2], x), rtol=1e-10)


def rnn_total(w, h0):
    return np.sum(rnn(w, h0))


def test_jacrev_runs_the_forward_sweep_once():
    f = agc.differentiate(rnn)
    w, h0 = RNG.normal(size=(3, 3)) * 0.5, RNG.normal(size=3)
    expected = agc.jacrev(f)(w, h0)
    compiled = f.compiled_for(_scalar_key((w, h0)))
    calls = []
    original = compiled.namespace["step_fwd"]  # the forward sweep calls it, once a trip

    def counted(*args):
        calls.append(1)
        return original(*args)

    compiled.namespace["step_fwd"] = counted
    try:
        jac = agc.jacrev(f)(w, h0)
    finally:
        compiled.namespace["step_fwd"] = original
    assert len(calls) == 3  # three trips of one forward sweep, not three per output row
    np.testing.assert_array_equal(jac, expected)


def test_vjp_rows_reads_like_the_gradient():
    f = agc.differentiate(branchy)
    x = np.array([0.3, -0.2, 0.5, 0.9])
    agc.jacrev(f)(x, 3)
    namespace = f.compiled_for(_scalar_key((x, 3))).namespace
    value, rows = namespace["branchy_vjp_rows"](x, 3, [np.array([1.0, 0.0, 2.0])] * 2)
    np.testing.assert_array_equal(value, branchy(x, 3))
    once = f.vjp(x, 3, seed=np.array([1.0, 0.0, 2.0]))[1]
    np.testing.assert_allclose(rows[0], once, rtol=1e-14)
    np.testing.assert_allclose(rows[1], once, rtol=1e-14)


def counted_square(x):
    return np.sum(np.sin(x) * x)


def counted_vector(x):
    return np.sin(x) * x[0]


def test_functional_forms_compile_once(monkeypatch):
    counts = Counter()
    # where Differentiated calls them: api (gradients) and along (f.jvp, f.hvp)
    for module, name in ((api, "compile_function"), (along, "compile_forward"),
                         (along, "compile_hvp")):
        original = getattr(module, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)
    x, v = np.array([0.2, -0.5, 0.7]), np.array([1.0, 0.5, -1.0])

    def use():
        _, pullback = agc.vjp(counted_vector, x)
        return (pullback(v), agc.grad(counted_square)(x), agc.jacrev(counted_vector)(x),
                agc.jvp(counted_vector, (x,), (v,))[1], agc.jacfwd(counted_vector)(x),
                agc.hvp(counted_square)(x, v), agc.hessian(counted_square)(x))

    first = use()
    assert counts == {"compile_function": 2, "compile_forward": 1, "compile_hvp": 1}
    again = use()
    assert counts == {"compile_function": 2, "compile_forward": 1, "compile_hvp": 1}
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(first[6], jax.hessian(jax_twin(counted_square))(x), rtol=1e-10)
