"""Compile time grows linearly with a loop body's length: issue 15, item 4.

A `for` loop whose body is N elementwise statements (benchmarks/compile_time.py's
`loop_body`) once took time quadratic in N: per statement, the passes re-walked the
whole loop (the names it assigns, each statement's top-level position). Bounds here
are generous ratios of CPU time, since the machine running the tests may be loaded:
quadrupling N must cost well under the 16x a quadratic pass gives.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import agc
import pytest
from gradcheck import import_file

shapes = import_file(Path(__file__).resolve().parent.parent / "benchmarks" / "compile_time.py")


def loop_body_derivative(x: float, n: int) -> float:
    """d/dx of shapes.loop_body(n) at x, by forward mode written out by hand."""
    t0, dt0 = x, 1.0
    for _ in range(3):
        t, dt = [t0, math.sin(t0)], [dt0, math.cos(t0) * dt0]
        for i in range(2, n):
            j = (i * 7) % (i - 1)
            t.append(t[i - 1] * 0.5 + math.sin(t[j]))
            dt.append(dt[i - 1] * 0.5 + math.cos(t[j]) * dt[j])
        t0, dt0 = t[n - 1], dt[n - 1]
    return dt0


def compile_seconds(load_model, n: int) -> float:
    """CPU seconds of the first gradient of a fresh loop_body(n) model (compile included)."""
    f = agc.differentiate(load_model(shapes.loop_body(n)).f)
    start = time.process_time()
    got = f.grad(0.3)
    took = time.process_time() - start
    assert got == pytest.approx(loop_body_derivative(0.3, n), rel=1e-10, abs=1e-14)
    return took


def test_a_long_loop_body_gives_the_right_gradient(load_model):
    f = agc.differentiate(load_model(shapes.loop_body(60)).f)
    assert f.grad(0.3) == pytest.approx(loop_body_derivative(0.3, 60), rel=1e-10)
    assert f.grad(-1.1) == pytest.approx(loop_body_derivative(-1.1, 60), rel=1e-10)


def test_compile_time_of_a_loop_body_grows_linearly(load_model):
    """N = 100 -> 400: linear is ~4x (the old quadratic passes gave ~15x); bound 8x."""
    small, large = [], []
    for _ in range(2):  # interleaved rounds, the least of each: load comes and goes
        small.append(compile_seconds(load_model, 100))
        large.append(compile_seconds(load_model, 400))
    assert min(large) < 8 * min(small), (small, large)
