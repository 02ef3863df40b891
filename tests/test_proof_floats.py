"""The float64 filter of the prover's counterexample search (compiler/proof/floats.py)."""

import numpy as np
import sympy
from agc.proof.dag import Evaluator
from agc.proof.floats import FloatValues, agreeing
from agc.proof.prover import Prover, Status

x, y = sympy.symbols("x y", real=True)
POINTS = [{x: sympy.Rational(3, 10), y: sympy.Rational(-7, 5)},
          {x: sympy.Rational(1, 2), y: sympy.Rational(2, 3)}]


def test_float_values_match_exact_evaluation_at_every_point():
    expr = sympy.sin(x) * sympy.exp(y) + sympy.tanh(x * y) ** 2 - x ** sympy.Rational(1, 2)
    got = FloatValues(POINTS)(expr)
    want = [complex(Evaluator(p)(expr)).real for p in POINTS]
    np.testing.assert_allclose(got, want, rtol=1e-14)


def test_a_node_without_a_float_meaning_gives_none():
    assert FloatValues(POINTS)(sympy.gamma(x) + y) is None


def test_undefined_floats_never_count_as_agreeing():
    values = FloatValues(POINTS)(sympy.log(y))  # log of -1.4 at the first point: nan
    assert np.isnan(values[0]) and np.isfinite(values[1])
    assert list(agreeing(values, values, 1e-10)) == [False, True]


def test_a_wrong_adjoint_still_gets_its_counterexample():
    derivative, adjoint = sympy.cos(x) * y, sympy.cos(x) * y * sympy.Rational(101, 100)
    verdict = Prover(POINTS).quick(derivative, adjoint)
    assert verdict.status is Status.FAILED
    assert verdict.counterexample["point"] == POINTS[0]


def test_points_where_floats_agree_skip_exact_arithmetic(monkeypatch):
    prover = Prover(POINTS)
    calls = []
    for evaluate in prover.evaluators:
        monkeypatch.setattr(evaluate, "_node", lambda node, calls=calls: calls.append(node))
    derivative = sympy.sin(x) * y + sympy.exp(x)
    adjoint = sympy.Add(sympy.exp(x), sympy.Mul(y, sympy.sin(x), evaluate=False),
                        evaluate=False)
    assert prover.counterexample(derivative, adjoint) is None
    assert calls == []
