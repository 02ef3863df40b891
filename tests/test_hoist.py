"""Scalar loops' gradients: loop-invariant number arithmetic runs once before its loop
(compiler/ad/hoist.py), and a number's negated cotangent that only feeds sums is
subtracted instead (compiler/ad/negations.py).

An explicit Euler step `v + dt * (-k * x - c * v)` negated k on every trip of the
gradient's forward sweep; `-k` is now computed before the loop. The emitted code
is pinned, and the gradients agree with jax (float64) and central differences,
for loops of 0, 1 and many trips, nested loops, and arrays, which both leave alone;
the folded negations give the very bits of the unfolded code.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc import pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from workloads.euler import damped_oscillator as euler

jax.config.update("jax_enable_x64", True)


def euler_n(k, c, n):
    x = 1.0
    v = 0.0
    for i in range(n):
        x, v = x + 0.05 * v, v + 0.05 * (-k * x - c * v)
    return x ** 2 + v ** 2 + k * c


def nested(k, c):
    s = 0.0
    for i in range(3):
        for j in range(4):
            s = s + (k * c + 1.0) * s + (-c) * i + j * 0.1
    return s


def arrays(w, k):
    y = w * 0.5
    for i in range(5):
        y = y * (-k) + np.sin(-w) * (2.0 * k)
    return np.sum(y)


def arrays_jax(w, k):
    y = w * 0.5
    for _ in range(5):
        y = y * (-k) + jnp.sin(-w) * (2.0 * k)
    return jnp.sum(y)


def test_negated_parameter_is_computed_before_the_loop():
    f = agc.differentiate(euler, wrt=("k", "c"))
    f.grad(2.0, 0.3)
    source = f.gradient_source
    forward = source.split("def damped_oscillator_value_and_grad", 1)[1].split("for i in reversed", 1)[0]
    before, loop = forward.split("\n    for i in range(200):", 1)
    assert "= -k" in before
    assert "= -k" not in loop


def test_hoisted_gradient_matches_jax_and_differences():
    got = agc.grad(euler, wrt=("k", "c"))(2.0, 0.3)
    want = jax.grad(euler, argnums=(0, 1))(2.0, 0.3)  # Python numbers: jax traces it
    np.testing.assert_allclose(got, want, rtol=1e-12)
    eps = 1e-6
    fd_k = (euler(2.0 + eps, 0.3) - euler(2.0 - eps, 0.3)) / (2 * eps)
    assert got[0] == pytest.approx(fd_k, rel=1e-6)


@pytest.mark.parametrize("n", [0, 1, 7])
def test_loops_of_zero_one_and_many_trips(n):
    got = agc.grad(euler_n, wrt=("k", "c"))(2.0, 0.3, n)
    want = jax.grad(lambda k, c: euler_n(k, c, n), argnums=(0, 1))(2.0, 0.3)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_nested_loops_hoist_out_of_both():
    f = agc.differentiate(nested, wrt=("k", "c"))
    got = f.grad(0.3, 0.2)
    want = jax.grad(nested, argnums=(0, 1))(0.3, 0.2)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    forward = f.gradient_source.split("def nested_value_and_grad", 1)[1]
    head = forward.split("\n    for i in range(3):", 1)[0]
    assert "k * c" in head and "-c" in head  # both invariants, before the outer loop


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_array_values_stay_in_the_loop_and_match_jax(dtype):
    w = np.linspace(0.1, 0.9, 6).astype(dtype)
    f = agc.differentiate(arrays, wrt=("w", "k"))
    got = f.grad(w, 0.7)
    want = jax.grad(arrays_jax, argnums=(0, 1))(jnp.asarray(w), 0.7)
    rtol = 1e-12 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(got[0], want[0], rtol=rtol)
    np.testing.assert_allclose(got[1], want[1], rtol=rtol)
    assert got[0].dtype == dtype
    loop = f.gradient_source.split("def arrays_value_and_grad", 1)[1].split("\n    for i in range(5):")[1]
    assert "= -w" in loop.split("reversed(")[0]  # an array's negation: not moved (numbers only)


def spring(k, c, x, v):
    for i in range(50):
        x, v = x + 0.1 * v, v - 0.1 * (k * x + c * v)
    return x * x - v


def spring_jax(k, c, x, v):
    for _ in range(50):
        x, v = x + 0.1 * v, v - 0.1 * (k * x + c * v)
    return x * x - v


def damped_sum(w, c):
    v = w * 0.5
    for i in range(4):
        v = v - c * v * 0.1 - np.sin(v)
    return np.sum(v)


def damped_sum_jax(w, c):
    v = w * 0.5
    for _ in range(4):
        v = v - c * v * 0.1 - jnp.sin(v)
    return jnp.sum(v)


def _backward_loop(source: str, name: str) -> str:
    return source.split(f"def {name}_value_and_grad", 1)[1].split("reversed(", 1)[1].split("return")[0]


def test_negated_cotangents_are_subtracted_to_the_same_bits(monkeypatch):
    f = agc.differentiate(euler, wrt=("k", "c"))
    folded = f.grad(2.0, 0.3)
    backward = _backward_loop(f.gradient_source, "damped_oscillator")
    assert "= -t" not in backward  # no negation left in the reverse loop
    assert "c_bar = c_bar - " in backward and "v_bar = v_bar - " in backward
    monkeypatch.setattr(pipeline, "fold_negations", lambda adj: adj)
    g = agc.differentiate(euler, wrt=("k", "c"))
    plain = g.grad(2.0, 0.3)
    assert "= -t" in _backward_loop(g.gradient_source, "damped_oscillator")  # the form it replaces
    assert folded == plain  # to the bit


def test_negations_in_a_subtracted_step_match_jax():
    args = (1.5, 0.4, 0.8, -0.2)
    got = agc.grad(spring, wrt=("k", "c", "x", "v"))(*args)
    want = jax.grad(spring_jax, argnums=(0, 1, 2, 3))(*args)
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_array_negations_are_left_alone_and_match_jax(dtype):
    w = np.linspace(-0.5, 0.7, 5).astype(dtype)
    got = agc.grad(damped_sum, wrt=("w", "c"))(w, 0.3)
    want = jax.grad(damped_sum_jax, argnums=(0, 1))(jnp.asarray(w), 0.3)
    rtol = 1e-12 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(got[0], want[0], rtol=rtol)
    np.testing.assert_allclose(got[1], want[1], rtol=rtol)


def scaled_steps(c, m, n):
    x = 1.0
    for i in range(n):
        x = x + (m * 0.5) * c + (-m) * 0.0
    return x * c


def test_a_loop_of_unknown_trips_keeps_what_could_raise():
    # m * 0.5 raises OverflowError for an int too large for a float: with no trip it must not
    grad = agc.grad(scaled_steps, wrt="c")
    assert grad(0.3, 10 ** 400, 0) == 1.0
    assert grad(0.3, 4, 3) == pytest.approx(1.0 + 2 * 0.3 * 2.0 * 3)
    f = agc.differentiate(scaled_steps, wrt="c")
    f.grad(0.3, 4, 3)
    before, loop = f.gradient_source.split("def scaled_steps_value_and_grad", 1)[1].split(
        "\n    for i in range(n):", 1)
    assert "= -m" in before  # a negation raises nothing: moved
    assert "m * 0.5" in loop.split("reversed(")[0]  # a product stays in the loop


def test_folding_stays_linear_in_the_length_of_a_model(monkeypatch, tmp_path):
    # one scan per negation made 1000 statements cost 14 s of compile; now one walk a block
    lines = ["def chain(x, c):", "    y = x"]
    lines += [f"    y = y - c * y * 0.001 - x * {i % 7 + 1}.0 * 0.0001" for i in range(1000)]
    (tmp_path / "long_chain.py").write_text("\n".join(lines + ["    return y", ""]))
    monkeypatch.syspath_prepend(str(tmp_path))
    from long_chain import chain  # noqa: PLC0415 - written by this test

    spent = []
    fold = pipeline.fold_negations

    def timed(adj):
        start = time.process_time()
        out = fold(adj)
        spent.append(time.process_time() - start)
        return out

    monkeypatch.setattr(pipeline, "fold_negations", timed)
    got = agc.grad(chain, wrt=("x", "c"))(0.5, 0.3)
    assert sum(spent) < 2.0
    eps = 1e-6
    assert got[1] == pytest.approx((chain(0.5, 0.3 + eps) - chain(0.5, 0.3 - eps)) / (2 * eps),
                                   rel=1e-6)
