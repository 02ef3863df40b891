"""agc.verify, agc.testing and `agc check`: sympy proves the emitted adjoint is the derivative.

Every function of both corpora is proved: straight-line ones at their first
example input, control-flow ones along the path of each of their inputs; a
deliberately wrong derivative rule is caught with a counterexample.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import agc
import numpy as np
import pytest
from agc import ir
from agc.ir.prims import Prim
from agc.primitives import registry
from agc.testing import assert_gradient_proved
from corpus_control import CASES as CONTROL
from corpus_straight import CASES as STRAIGHT

# Control-flow cases are proved on the path of every argument set (the sets pick different
# branches and trip counts), except where all sets take the same path and the proof is slow.
SAME_PATH = {"euler_spring": "100 trips of a branch-free loop whatever the input; 4 s each"}


def _corpus_params():
    for case in STRAIGHT + CONTROL:
        sets = case.args_list[:1] if case in STRAIGHT or case.name in SAME_PATH \
            else case.args_list
        for i, args in enumerate(sets):
            yield pytest.param(case, args, id=f"{case.name}-{i}")


@pytest.mark.parametrize("case, args", list(_corpus_params()))
def test_corpus_is_proved(case, args):
    """Each corpus function's gradient, on the path its example takes, is the derivative."""
    result = agc.verify(case.fn, *args, wrt=case.wrt or None)
    assert result.proved, str(result)
    assert all(ok for _, ok in result.checks), str(result)


def test_same_path_names_real_cases():
    assert set(SAME_PATH) <= {c.name for c in CONTROL}


def _sin_squared(x):
    return np.sum(np.sin(x) * x)


def test_a_wrong_rule_is_reported_failed_with_a_counterexample(monkeypatch):
    """A sine rule that forgets a factor 2 is caught: the check can fail."""
    monkeypatch.setitem(registry.RULES, Prim.SIN, lambda b, g, s: (
        b.mul(b.mul(g, ir_const(2.0)), b.op(Prim.COS, s.args[0])),))
    result = agc.verify(agc.differentiate(_sin_squared), np.array([0.3, -0.4]))
    assert result.status.name == "FAILED"
    text = str(result)
    assert "counterexample: at x[0]=0.3" in text and "difference: -x[0]*cos(x[0])" in text
    with pytest.raises(AssertionError, match="not proved"):
        assert_gradient_proved(agc.differentiate(_sin_squared), np.array([0.3, -0.4]))


def ir_const(value):
    return ir.Const(value)


def _branchy(a):
    b = a * a
    if b > 1.0:
        b = np.sin(b)
    return b * a + 3.0


def test_the_result_names_the_path_and_its_conditions():
    low, high = agc.verify(_branchy, 0.5), agc.verify(_branchy, 1.5)
    assert low.proved and high.proved
    assert "a**2 <= 1" in str(low) and "a**2 > 1" in str(high)


def test_assert_gradient_proved_returns_the_result():
    result = assert_gradient_proved(_branchy, 0.37)
    assert result.proved and result.function == "_branchy"


MODEL = '''\
import math

import numpy as np
from agc import differentiate


@differentiate
def poly(a: float):
    b = a * a
    if b > 1.0:
        b = math.sin(b)
    return b * a + 3.0


def two(x: float, y: float):
    return x * y + math.exp(x)
'''


def agc_check(*args, cwd):
    return subprocess.run([sys.executable, "-m", "agc.cli", "check", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def model(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    return tmp_path


def test_agc_check_prints_both_derivatives_and_proved(model):
    result = agc_check("model.py", "--at", "a=0.37", cwd=model)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "poly(a=0.37) with respect to a: PROVED" in out
    assert "sympy:" in out and "agc  :" in out and "3*a" in out
    assert "1 function: 1 PROVED" in out


def test_agc_check_a_named_function_with_default_values(model):
    result = agc_check("model.py", "--function", "two", "--wrt", "y", cwd=model)
    assert result.returncode == 0, result.stderr
    assert "with respect to y: PROVED" in result.stdout


ARRAY_MODEL = '''
import numpy as np
from agc import differentiate


@differentiate(wrt=("w", "b"))
def loss(x, y, w, b):
    pred = np.tanh(x @ w + b)
    return np.mean((pred - y) ** 2)
'''


def test_agc_check_names_the_arrays_to_pass_and_exits_3_when_inconclusive(tmp_path):
    (tmp_path / "arrays.py").write_text(ARRAY_MODEL)
    result = agc_check("arrays.py", cwd=tmp_path)
    assert result.returncode == 3 and "INCONCLUSIVE" in result.stdout
    assert "hint: x, w are used as arrays here but got numbers" in result.stdout
    assert "--at x=2x2 --at w=2x2" in result.stdout
    allowed = agc_check("arrays.py", "--allow-inconclusive", cwd=tmp_path)
    assert allowed.returncode == 0


def test_agc_check_at_takes_shapes(tmp_path):
    (tmp_path / "arrays.py").write_text(ARRAY_MODEL)
    result = agc_check("arrays.py", "--at", "x=3x2", "--at", "w=2x2", "--at", "y=3x2",
                       "--at", "b=2", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "with respect to w, b: PROVED" in result.stdout and "x=[[" in result.stdout


HELPER_MODEL = '''
from agc import differentiate


def clipped(a):
    if a > a ** 2:
        return a
    return a ** 2


@differentiate
def f(a: float):
    return clipped(a) * 3.0
'''


def test_agc_check_says_where_a_condition_comes_from(tmp_path):
    """A relation on the path names the model line it was met at (here inside a helper)."""
    (tmp_path / "helper.py").write_text(HELPER_MODEL)
    result = agc_check("helper.py", "--at", "a=2.0", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "holds where: a <= a**2  (from helper.py:6)" in result.stdout


def test_agc_check_errors(model):
    missing = agc_check("nothing.py", cwd=model)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    unknown = agc_check("model.py", "--function", "nope", cwd=model)
    assert unknown.returncode == 2 and "no top-level function 'nope'" in unknown.stderr
    (model / "bad.py").write_text(textwrap.dedent('''
        from agc import differentiate

        @differentiate
        def f(x):
            print(x, file=None)
            return x
    '''))
    bad = agc_check("bad.py", cwd=model)
    assert bad.returncode == 1 and "bad.py:6:" in bad.stderr and "^" in bad.stderr
    assert "Traceback" not in bad.stderr
