"""Large and deep models compile and verify: issue 15, items 4 and 5.

Compile time must grow linearly with a model's length and never run out of
recursion on a construct Python itself accepts (benchmarks/compile_time.py
times it; no timing here). Verification must answer within its time limit:
PROVED where it can, else INCONCLUSIVE with the reason, never a hang or a
RecursionError/OverflowError.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import agc
import numpy as np
import pytest
from agc.cli.main import main
from agc.proof.dag import count
from agc.proof.prover import Status
from gradcheck import import_file

# the models benchmarks/compile_time.py times, generated the same way here
shapes = import_file(Path(__file__).resolve().parent.parent / "benchmarks" / "compile_time.py")
HEADER = shapes.HEADER
straight_source, elif_source, nested_source = shapes.straight, shapes.elif_chain, shapes.nested_ifs


def straight_derivative(x: float, n: int) -> float:
    """d a_{n-1} / dx of straight_source(n), by forward mode written out by hand."""
    a, da = [x, math.sin(x)], [1.0, math.cos(x)]
    for i in range(2, n):
        p, q, dp, dq = a[i - 1], a[i - 2], da[i - 1], da[i - 2]
        if i % 3 == 0:
            a.append(math.sin(p) * q)
            da.append(math.cos(p) * dp * q + math.sin(p) * dq)
        elif i % 3 == 1:
            a.append(p * 0.5 + math.cos(q))
            da.append(0.5 * dp - math.sin(q) * dq)
        else:
            a.append(math.tanh(p - q))
            da.append((1 - math.tanh(p - q) ** 2) * (dp - dq))
    return da[-1]


def test_a_2000_statement_model_compiles_with_the_right_gradient(load_model):
    f = agc.differentiate(load_model(straight_source(2000)).f)
    value, got = f.value_and_grad(0.3)
    assert got == pytest.approx(straight_derivative(0.3, 2000), rel=1e-12, abs=1e-15)
    assert f.grad(0.3) == got
    assert value == pytest.approx(f(0.3), rel=1e-13)


@pytest.fixture(scope="module")
def elif_300(tmp_path_factory):
    """The 300-branch chain, compiled once for the tests below."""
    path = tmp_path_factory.mktemp("scale") / "elif_300.py"
    path.write_text(elif_source(300), encoding="utf-8")
    f = agc.differentiate(import_file(path).f)
    f.grad(0.3)
    return f


@pytest.mark.parametrize("x, want", [(0.3, math.cos(0.3)), (-0.5, 1.0), (-150.5, 151.0),
                                     (-298.5, 299.0), (-400.0, 1.0)])  # no branch: s = x
def test_a_300_branch_elif_chain_takes_each_branch_right(elif_300, x, want):
    assert elif_300.grad(x) == pytest.approx(want, rel=1e-14)


def test_an_elif_chain_is_emitted_flat(elif_300):
    """`elif (t := cond):` keeps the chain flat: nested else/if would pass Python's 100 indents."""
    source = elif_300.compiled_for(("scalar",)).source
    assert "    elif (t2 := x > -1):\n" in source
    assert max(len(line) - len(line.lstrip()) for line in source.splitlines()) <= 12


def test_a_long_elif_chain_compiles_when_libcst_runs_out_of_recursion(load_model):
    """libcst recurses per nested If; compile.deep retries with room (a low limit shows it)."""
    f = agc.differentiate(load_model(elif_source(300)).f)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(300, sys.getrecursionlimit() // 5))
    try:
        got = f.grad(-42.5)
    finally:
        sys.setrecursionlimit(old)
    assert got == 43.0


def test_ifs_nested_60_deep_give_the_right_gradient(load_model):
    f = agc.differentiate(load_model(nested_source(60)).f)
    x, want, s = 0.7, 1.0, 0.7
    for _ in range(60):
        want, s = want * math.cos(s), math.sin(s)
    assert f.grad(x) == pytest.approx(want, rel=1e-12)
    assert f.grad(-1.5) == 1.0  # the outermost if fails: s = x


def euler_800(x, k):
    dt = 0.01
    for _ in range(800):
        x = x + dt * (-k * np.sin(x))
    return x


def transcendental_source(n: int) -> str:
    """n statements, each a transcendental function of the one before (issue 15's 60)."""
    ops = ["np.sin(a) * 0.9 + 0.1", "np.exp(a) * 0.9 + 0.1", "np.tanh(a) * 0.9 + 0.1",
           "np.cos(a) * 0.9 + 0.1", "np.log1p(a * a)"]
    lines = ["    a = x"] + [f"    a = {ops[i % 5]}" for i in range(n)]
    return HEADER + "\n".join(lines) + "\n    return a\n"


def test_an_euler_loop_of_800_steps_is_proved():
    """Was an OverflowError (tree sizes past a float) and before it a RecursionError."""
    result = agc.verify(euler_800, 0.3, 0.7, wrt=("x", "k"), seconds=60)
    assert result.status is Status.PROVED, str(result)
    assert "e+" in result.derivative_method  # the tree size, written for people
    assert "PROVED" in str(result)


def test_nested_transcendental_statements_prove_in_seconds(load_model):
    """60 nested transcendental statements ran > 300 s in sympy's assumptions: it asked
    each level's operand whether it was zero, finite, positive, ..., recursing through
    every nested function (exponential in the nesting); deep operands are now built
    unevaluated. The result's repr stays one line (the dataclass repr printed the
    expressions for minutes)."""
    f = load_model(transcendental_source(60)).f
    start = time.monotonic()
    result = agc.verify(f, 0.3, seconds=30)
    assert result.status is Status.PROVED, str(result)
    assert time.monotonic() - start < 15
    assert repr(result) == "<VerificationResult f(x=0.3) with respect to x: PROVED>"
    assert repr(result.gradients[0]) == "<GradientCheck d/dx: PROVED>"


def euler_2000(x, k):
    dt = 0.01
    for _ in range(2000):
        x = x + dt * (-k * np.sin(x))
    return x


def test_verification_past_its_time_limit_is_inconclusive_with_the_reason():
    start = time.monotonic()
    result = agc.verify(euler_2000, 0.3, 0.7, wrt=("x", "k"), seconds=1.0)
    assert time.monotonic() - start < 15
    assert result.status is Status.INCONCLUSIVE
    assert "ran past its time limit (1 s) while" in result.error


def test_agc_check_of_the_example_oscillator_is_proved(capsys):
    """Was a RecursionError, then minutes: multiplying a zero cotangent by a long loop's
    expression made sympy ask whether the expression was finite, through its whole tree."""
    start = time.monotonic()
    code = main(["check", "examples/model_for_cli.py", "--function", "oscillator",
                 "--at", "v=0.0", "--seconds", "60"])
    out = capsys.readouterr().out
    assert time.monotonic() - start < 45
    assert code == 0, out
    assert "oscillator(x=0.37, v=0, k=0.81, c=1.03) with respect to k, c: PROVED" in out


@pytest.mark.parametrize("n, text", [(999_999, "999999"), (1_234_567, "1.2e+06"),
                                     (14 * 10**241, "1.4e+242"), (10**400, "1.0e+400")])
def test_counts_past_a_float_are_written_for_people(n, text):
    assert count(n) == text


def test_an_elif_chain_too_deep_for_python_inside_a_loop_is_refused_at_its_line(load_model):
    """In a loop each branch tapes its condition first, so the emitted chain nests."""
    body = ["    s = x", "    for i in range(2):", "        if s > 0:", "            s = np.sin(s)"]
    for k in range(1, 110):
        body += [f"        elif s > {-k}:", f"            s = s * {k}.0"]
    f = agc.differentiate(load_model(HEADER + "\n".join(body) + "\n    return s\n").f)
    with pytest.raises(agc.UnsupportedError) as caught:
        f.grad(0.3)
    assert "py:227:17: error: this nests 112 levels deep in the gradient code of f(), " \
        "past Python's limit of 99" in str(caught.value)  # the deepest branch, the last
