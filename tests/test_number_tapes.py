"""Numbers a counted loop tapes go on lists of their own, by trip index
(compiler/backend/number_tapes.py): `tape_x = [None] * len(range(n))` before the loop,
`tape_x[i] = x` in it, `x = tape_x[i]` in the backward loop, where `tape.append(x)` and
`x = tape.pop()` were method calls per number and trip. The
emitted form is pinned; gradients agree with jax (float64) and with the form that
pops (the same bits), for 0, 1 and many trips; what does not qualify (a `break`, a
push in a branch, an inner loop, a range with a start, arrays) stays on the one tape.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc.backend import function_bodies

jax.config.update("jax_enable_x64", True)


def euler_n(k, c, n):
    """Semi-implicit Euler steps of a damped oscillator: v first, then x from the new v."""
    x = 1.0
    v = 0.5
    for i in range(n):
        v = v - 0.05 * (k * x + c * v)
        x = x + 0.05 * v
    return x * x + v * v


def euler_jax(k, c, n):
    x, v = 1.0, 0.5
    for _ in range(n):
        v = v - 0.05 * (k * x + c * v)
        x = x + 0.05 * v
    return x * x + v * v


def with_break(k, n):
    s = 1.0
    for i in range(n):
        s = s * k + 0.5 * s
        if s > 1e6:
            break
    return s


def in_branch(k, n):
    s = 1.0
    for i in range(n):
        if i % 2 == 0:
            s = s * k
        s = s + 0.25 * s * s
    return s


def with_start(k, n):
    s = 1.0
    for i in range(1, n):
        s = s * k + 0.1 * s * s
    return s


def nested(k, n):
    s = 0.5
    for i in range(n):
        for j in range(3):
            s = s * (0.5 * k) + 0.1 * s * s
    return s


def rebinds_index(k, n):
    s = 1.0
    for i in range(n):
        s = s * k + 0.1 * s * s
        i = i + 1
    return s


def arrays(w, k, n):
    y = w * 0.5
    for i in range(n):
        y = y * k + np.sin(y)
    return np.sum(y)


def _source(fn, *args, wrt):
    f = agc.differentiate(fn, wrt=wrt)
    grads = f.grad(*args)
    [compiled] = f._compiled.values()
    return compiled.source, grads


def _popping(fn, *args, wrt, monkeypatch):
    """The gradient emitted without number_tapes (every value on the one tape)."""
    with monkeypatch.context() as patched:
        patched.setattr(function_bodies, "number_tapes", lambda body, numbers: body)
        return _source(fn, *args, wrt=wrt)


@pytest.mark.parametrize("n", [0, 1, 7, 200])
def test_euler_numbers_go_on_lists_read_by_trip(n, monkeypatch):
    source, grads = _source(euler_n, 2.0, 0.3, n, wrt=("k", "c"))
    assert "tape_x = [None] * len(range(n))" in source and "tape_x[i] = x" in source
    assert "x = tape_x[i]" in source
    assert "v = tape_v[i]" in source and "tape = []" not in source and "tape.pop()" not in source
    want = jax.grad(euler_jax, argnums=(0, 1))(2.0, 0.3, n)
    np.testing.assert_allclose(grads, want, rtol=1e-12, atol=1e-300)
    popped_source, popped = _popping(euler_n, 2.0, 0.3, n, wrt=("k", "c"),
                                     monkeypatch=monkeypatch)
    assert "x = tape.pop()" in popped_source
    assert grads == popped  # the same values, to the bit


@pytest.mark.parametrize("fn", [with_break, in_branch, with_start, nested, rebinds_index])
def test_loops_that_do_not_qualify_keep_the_one_tape(fn, monkeypatch):
    source, grads = _source(fn, 1.1, 9, wrt="k")
    assert "tape.pop()" in source
    h = 1e-6
    numeric = (fn(1.1 + h, 9) - fn(1.1 - h, 9)) / (2 * h)
    np.testing.assert_allclose(grads, numeric, rtol=1e-6)
    assert grads == _popping(fn, 1.1, 9, wrt="k", monkeypatch=monkeypatch)[1]


def test_arrays_stay_on_the_tape():
    w = np.linspace(-1.0, 1.0, 5)
    source, grads = _source(arrays, w, 0.9, 6, wrt=("w", "k"))
    assert "tape_y" not in source and "y = tape.pop()" in source

    def arrays_jax(w, k):
        y = w * 0.5
        for _ in range(6):
            y = y * k + jnp.sin(y)
        return jnp.sum(y)
    want = jax.grad(arrays_jax, argnums=(0, 1))(w, 0.9)
    np.testing.assert_allclose(grads[0], want[0], rtol=1e-12)
    np.testing.assert_allclose(grads[1], want[1], rtol=1e-12)


def test_the_numba_target_keeps_its_own_split_of_the_tape():
    pytest.importorskip("numba")
    f = agc.differentiate(euler_n, wrt=("k", "c"), target="numba")
    grads = f.grad(2.0, 0.3, 20)
    [compiled] = f._compiled.values()
    assert "tape_x.append" not in compiled.source and "nb.push" in compiled.source
    want = jax.grad(euler_jax, argnums=(0, 1))(2.0, 0.3, 20)
    np.testing.assert_allclose(grads, want, rtol=1e-12)


def test_a_float_trip_count_raises_as_range_does():
    f = agc.differentiate(euler_n, wrt=("k", "c"))
    f.grad(2.0, 0.3, 3)
    with pytest.raises(TypeError) as model:
        euler_n(2.0, 0.3, 3.0)
    with pytest.raises(TypeError) as grad:
        f.grad(2.0, 0.3, 3.0)
    assert str(grad.value) == str(model.value)
