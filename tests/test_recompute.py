"""Loop values redone in the backward sweep instead of taped (compiler/ad/recompute.py).

The scalar tape loop `x = x + 0.01 * np.sin(x) * p` taped `0.01 * sin(x)` and x on
each trip; the hand-written adjoint keeps x alone and redoes the sine. agc now redoes
a loop value one cheap or elementwise step makes from values the tape restores anyway,
right before its last reader in the backward sweep. Pinned here: the emitted form, what
the tape keeps, and the gradients against jax (float64 and float32) for loops of 0, 1
and many trips, nested loops, a while loop with a break, and values whose inputs are
overwritten later in the trip (redone) or before their last reader (kept).
"""

from __future__ import annotations

import types

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)


def tape_loop(x, p, n):
    for i in range(n):
        x = x + 0.01 * np.sin(x) * p
    return x


def summed(x, p, n):
    for i in range(n):
        x = x + 0.01 * np.sin(x) * p
    return np.sum(x * x)


def later(x, p, n):
    for i in range(n):
        s = np.sin(x)
        y = s * p  # s's last reader: x is overwritten after it, so s is redone
        x = x + 0.1 * y
    return np.sum(x)


def between(x, p, n):
    acc = 0.0 * p
    for i in range(n):
        s = np.sin(x)
        x = x * 0.9 + p  # overwrites s's input before s's last reader: s is kept
        acc = acc + s * x
    return np.sum(acc)


def own_output(x, p, n):
    for i in range(n):
        h = np.tanh(x * p)  # tanh's rule reads h itself
        x = x + 0.1 * h
    return np.sum(x * x)


def two_costly(x, p, n):
    for i in range(n):
        x = x + 0.01 * np.exp(np.sin(x)) * p  # two costly steps: exp(...) is kept
    return np.sum(x)


def nested(x, p, n, m):
    for i in range(n):
        for j in range(m):
            x = x + 0.01 * np.sin(x) * p
        x = x * np.cos(p + i)
    return np.sum(x)


def while_break(x, p):
    i = 0
    while i < 40:
        x = x + 0.05 * np.sin(x) * p
        if np.sum(x) > 3.0:
            break
        i += 1
    return np.sum(x * x)


def read_after(x, p, n):
    s = 0.0 * x
    for i in range(n):
        s = np.sin(x)
        x = x + s * p
    return np.sum(x * s)  # s read after the loop: its last trip's value, kept


def in_place(x, p, n):
    y = x * 1.0
    acc = 0.0 * p
    for i in range(n):
        s = np.sin(y)
        y[0] = y[0] * 0.5 + p[0]  # writes s's input in place before s's last reader
        acc = acc + s * y
    return np.sum(acc)


def _jax_twin(fn):
    """The same function with np bound to jax.numpy."""
    return types.FunctionType(fn.__code__, {**fn.__globals__, "np": jnp}, fn.__name__)


def _check_against_jax(fn, args, wrt, rtol):
    """agc's gradient against jax's, for the parameters named in wrt."""
    names = fn.__code__.co_varnames[:fn.__code__.co_argcount]
    where = tuple(names.index(n) for n in wrt)
    got = agc.differentiate(fn, wrt=wrt).grad(*args)
    got = got if isinstance(got, tuple) else (got,)
    want = jax.grad(_jax_twin(fn), argnums=where)(*args)
    for g, w in zip(got, want, strict=True):
        assert np.asarray(g).dtype == np.asarray(args[where[0]]).dtype
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol)


def _grad_source(fn, args, wrt) -> str:
    source = agc.differentiate(fn, wrt=wrt).gradient_source_for(*args)
    return source.split("def ")[1]


def test_the_scalar_tape_loop_keeps_x_alone_and_redoes_the_sine():
    source = _grad_source(tape_loop, (0.5, 1.3, 10), ("x", "p"))
    # x alone is kept (a number of a counted loop: on a list of its own, backend/number_tapes)
    assert "tape.append(" not in source and source.count("tape_x[i] = x") == 1
    forward, backward = source.split("for i in reversed(range(n)):")
    assert "x = x + 0.01 * xp.sin(x) * p" in forward
    # redone after x is restored, in its last reader (p's cotangent), as a person writes it
    assert backward.index("x = tape_x[i]") < \
        backward.index("p_bar = p_bar + t3_bar * (0.01 * xp.sin(x))")
    report = agc.differentiate(tape_loop, wrt=("x", "p")).tape_report(0.5, 1.3, 10)
    assert report.entries == 10 and set(report.by_variable) == {"x"}


@pytest.mark.parametrize("n", [0, 1, 7])
def test_scalar_loop_gradients_against_jax(n):
    _check_against_jax(tape_loop, (0.5, 1.3, n), ("x", "p"), 1e-12)


@pytest.mark.parametrize("fn", [summed, later, between, own_output, two_costly, read_after])
@pytest.mark.parametrize("n", [0, 1, 6])
def test_array_loops_against_jax_float64(fn, n):
    x, p = np.linspace(-1.0, 1.2, 5), np.linspace(0.3, 1.1, 5)
    _check_against_jax(fn, (x, p, n), ("x", "p"), 1e-12)


@pytest.mark.parametrize("fn", [summed, later, between, own_output])
def test_array_loops_against_jax_float32(fn):
    x, p = np.linspace(-1.0, 1.2, 5, dtype=np.float32), np.linspace(0.3, 1.1, 5, dtype=np.float32)
    _check_against_jax(fn, (x, p, 6), ("x", "p"), 1e-5)


def test_what_the_tape_keeps():
    x, p = np.linspace(-1.0, 1.2, 5), np.linspace(0.3, 1.1, 5)

    def kept(fn):
        report = agc.differentiate(fn, wrt=("x", "p")).tape_report(x, p, 4)
        return {name for name in report.by_variable if not name.endswith("_shape")}
    assert kept(summed) == {"x"}
    assert kept(later) == {"x"}  # s = sin(x) redone from the restored x
    assert {"x", "s"} <= kept(between)  # x is overwritten between s and its reader
    assert kept(own_output) == {"x"}  # tanh(x * p) and x * p redone
    assert "x" in kept(two_costly) and len(kept(two_costly)) == 2  # exp(sin(x)) kept
    assert "s" in kept(read_after)


def test_a_value_whose_input_is_overwritten_in_place_is_kept():
    x, p = np.linspace(-1.0, 1.2, 5), np.linspace(0.3, 1.1, 5)
    f = agc.differentiate(in_place, wrt=("x", "p"))
    assert "s" in f.tape_report(x, p, 4).by_variable
    for i, arg in enumerate((x, p)):
        numeric = np.zeros_like(arg)
        for k in range(arg.size):
            step = np.zeros_like(arg)
            step[k] = 1e-6
            up = [x, p]
            down = [x, p]
            up[i], down[i] = arg + step, arg - step
            numeric[k] = (in_place(*up, 4) - in_place(*down, 4)) / 2e-6
        np.testing.assert_allclose(f.grad(x, p, 4)[i], numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("n, m", [(0, 3), (1, 0), (3, 4)])
def test_nested_loops_against_jax(n, m):
    x, p = np.linspace(-1.0, 1.2, 5), np.linspace(0.3, 1.1, 5)
    _check_against_jax(nested, (x, p, n, m), ("x", "p"), 1e-12)
    report = agc.differentiate(nested, wrt=("x", "p")).tape_report(x, p, 2, 3)
    assert {n for n in report.by_variable if not n.endswith("_shape")} <= {"x", "trips"} | \
        {n for n in report.by_variable if n.startswith("trips")}


@pytest.mark.parametrize("p0", [0.1, 2.0])
def test_a_while_loop_with_a_break_against_jax(p0):
    x, p = np.linspace(-0.5, 0.8, 4), np.full(4, p0)
    _check_against_jax(while_break, (x, p), ("x", "p"), 1e-12)


def walrus_while(x):
    s = 0.0
    while (m := np.sum(x * s)) < 5.0:
        s = s + 1.0 + 0.1 * m * np.sin(m)
    return s * np.sum(x)


def test_a_while_loop_whose_test_binds_a_value_against_jax():
    x = np.array([0.3, 0.5, 0.7])
    _check_against_jax(walrus_while, (x,), ("x",), 1e-12)
    report = agc.differentiate(walrus_while).tape_report(x)
    assert set(report.by_variable) == {"m", "s"}  # x * s and sin(m) are redone


def while_window_max(x):
    total = 0.0
    k = 0
    while k < 3:
        total = total + np.max(np.cumsum(x[k:k + 3]))  # k + 3 is redone backward
        k += 1
    return total


def test_hvp_of_a_while_loop_whose_backward_sweep_redoes_an_index():
    # forward mode over the adjoint: the redone `t2 = k + 3` has the tangent the tape gave k
    # in the backward sweep's loop, where it is bound before any read, so it needs none at
    # that loop's head (it was refused, "bound on some paths only", then bound to None
    # before the forward sweep's loop only so that it was bound on every path)
    x = np.array([0.27, -0.46, -0.92, -0.97, 0.63, 0.83])
    source = _grad_source(while_window_max, (x,), ("x",))
    assert "t2 = None" not in source and "t3 = None" not in source  # (t4, t5: taped)
    v = np.array([0.5, -1.0, 0.25, 2.0, -0.75, 1.5])
    grad, hv = agc.differentiate(while_window_max).hvp(x, tangents=(v,))

    def twin(x):
        return sum(jnp.max(jnp.cumsum(x[k:k + 3])) for k in range(3))

    np.testing.assert_allclose(grad, jax.grad(twin)(x), rtol=1e-12)
    np.testing.assert_allclose(hv, jax.jvp(jax.grad(twin), (x,), (v,))[1], atol=1e-12)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_a_value_redone_in_a_while_loop_is_inlined_in_both_sweeps(dtype, rtol):
    # inlining plans per binding: the forward's `x[k:t2]` and the backward sweep's redone
    # one each go into their one reader (bound twice and to None before the loop, both
    # stayed lines)
    source = _grad_source(while_window_max, (np.zeros(6),), ("x",))
    assert "t4 = xp.cumsum(x[k:t2])" in source
    assert "t3_bar = rt.cumsum_grad(t4_bar, x[k:t2])" in source and "t3 = " not in source
    source = _grad_source(walrus_while, (np.zeros(3),), ("x",))
    assert "while (m := xp.sum(x * s)) < 5.0:" in source or "m = xp.sum(x * s)" in source
    assert "t4_bar = t6_bar * xp.sin(m)" in source and "t5 = " not in source
    x = np.array([0.27, -0.46, -0.92, -0.97, 0.63, 0.83], dtype)
    _check_against_jax(while_window_max, (x,), ("x",), rtol)
    _check_against_jax(walrus_while, (np.array([0.3, 0.5, 0.7], dtype),), ("x",), rtol)
