"""The pieces of agc.verify: symbolic meanings, the provers, paths, and every rule case.

tests/test_proofs.py proves the corpora end to end; here each derivative-rule
case of tests/test_rules.py is proved too (the first argument set of each
model, plus the broadcasting ones), and the parts the proofs rest on are
checked against numbers: the symbolic gradient helpers against agc.runtime,
the chain rule against sympy.diff, the identity test and the rational normal
form against identities that hold and ones that do not.
"""

from __future__ import annotations

import gc
import signal
import time
import zlib

import agc
import numpy as np
import pytest
import sympy
import test_rules
from agc import ir, runtime
from agc.ir.prims import Prim
from agc.primitives import MEANINGS
from agc.proof.dag import Dag, Evaluator, NotANumber, derivative
from agc.proof.identity import IdentityTest
from agc.proof.interpreter import Interpreter, Path, Point
from agc.proof.prover import Prover, Status, Timeout, time_limit
from agc.proof.rational import RationalForms
from meanings import symbolic_meaning as _meaning

x, y = sympy.symbols("x y", real=True)


# ------------------------------------------------------ every rule case, proved
def _rule_cases():
    seen = set()
    for param in test_rules.CASES:
        fn = param.values[0]
        if fn.__name__ not in seen or "3x1,1x4" in param.id:  # first set, and broadcasting
            seen.add(fn.__name__)
            yield param


@pytest.mark.parametrize("fn, specs, wrt", list(_rule_cases()))
def test_rule_case_is_proved(fn, specs, wrt):
    rng = np.random.default_rng(zlib.crc32(fn.__name__.encode()))  # test_rules' own inputs
    args = tuple(test_rules.make(spec, rng) for spec in specs)
    result = agc.verify(fn, *args, wrt=test_rules._wrt(fn, specs, wrt))
    assert result.proved, str(result)


@pytest.mark.parametrize("fn, constants", [
    (test_rules.nd_argmax, ["argmax at line", "argmin at line"]),
    (test_rules.nd_floor, ["floor() at line", "ceil() at line"]),
    (test_rules.nd_compare, []),
    (test_rules.nd_shape_len, []),
], ids=lambda v: getattr(v, "__name__", ""))
def test_non_differentiable_values_are_taken_at_the_point_and_said_so(fn, constants):
    result = agc.verify(fn, np.array([0.3, -1.2, 2.7, 1.6, -0.4]))
    assert result.proved, str(result)
    assert [c.split(" line")[0] + " line" for c in result.path.constants] == constants
    for constant in constants:
        assert f"taken as constant at the point: {constant}" in str(result)


def test_every_primitive_has_a_symbolic_meaning():
    """So the list of cases verify cannot follow is empty (not a skip list to keep short)."""
    assert [p.name for p in Prim if p not in MEANINGS] == []


# ---------------------------------------- symbolic gradient helpers vs the runtime


G34 = np.arange(12.0).reshape(3, 4) / 7 - 0.5
G44 = np.arange(16.0).reshape(4, 4) / 9 - 0.75
X34 = np.array([[1.0, 3.0, 3.0, -2.0], [2.0, 0.5, 1.0, 2.0], [-1.0, 4.0, 0.25, 4.0]])
MAX1 = X34.max(axis=1)
INDEX = ir.Index.at(1)  # x[i] for the hole after x


@pytest.mark.parametrize("prim, values, params, expected", [
    (Prim.UNBROADCAST, (G34, np.ones((1, 4))), {}, runtime.unbroadcast(G34, np.ones((1, 4)))),
    (Prim.UNBROADCAST, (G34, np.ones(4)), {}, runtime.unbroadcast(G34, np.ones(4))),
    (Prim.REDUCE_GRAD, (G34[:, 0], X34), {"axis": 1},
     runtime.sum_grad(G34[:, 0], X34, axis=1)),
    (Prim.MEAN_GRAD, (G34[0], X34), {"axis": 0}, runtime.mean_grad(G34[0], X34, axis=0)),
    (Prim.MAXMIN_GRAD, (G34[:, 0], X34, MAX1), {"axis": 1},  # ties share the cotangent
     runtime.maxmin_grad(G34[:, 0], X34, MAX1, axis=1)),
    (Prim.PROD_GRAD, (G34[:, 1], X34, X34.prod(axis=1)), {"axis": 1},
     runtime.prod_grad(G34[:, 1], X34, X34.prod(axis=1), axis=1)),
    (Prim.NORM_GRAD, (np.array(0.5), X34[0], np.array(np.linalg.norm(X34[0]))), {},
     runtime.norm_grad(0.5, X34[0], np.linalg.norm(X34[0]))),
    (Prim.CLIP_GRAD, (G34, X34, -0.5, 2.0), {}, runtime.clip_grad(G34, X34, -0.5, 2.0)),
    (Prim.MATMUL_GRAD_LEFT, (G34[:, 0], X34, X34[0]), {},
     runtime.matmul_grad_left(G34[:, 0], X34, X34[0])),
    (Prim.MATMUL_GRAD_RIGHT, (G34[:, 0], X34, X34[0]), {},
     runtime.matmul_grad_right(G34[:, 0], X34, X34[0])),
    (Prim.MATMUL_GRAD_LEFT, (G44, X34.T, X34), {}, runtime.matmul_grad_left(G44, X34.T, X34)),
    (Prim.MATMUL_GRAD_RIGHT, (G44, X34.T, X34), {}, runtime.matmul_grad_right(G44, X34.T, X34)),
    (Prim.DOT_GRAD_LEFT, (G44[:2, :3, None], X34[:2, :2], X34.reshape(3, 2, 2)[:, :, :1]), {},
     runtime.dot_grad_left(G44[:2, :3, None], X34[:2, :2], X34.reshape(3, 2, 2)[:, :, :1])),
    (Prim.DOT_GRAD_RIGHT, (G44[:2, :3, None], X34[:2, :2], X34.reshape(3, 2, 2)[:, :, :1]), {},
     runtime.dot_grad_right(G44[:2, :3, None], X34[:2, :2], X34.reshape(3, 2, 2)[:, :, :1])),
    (Prim.DOT_GRAD_LEFT, (G44[:3, :2], X34[:, :2], X34[:2, :2]), {"inner": True},
     runtime.dot_grad_left(G44[:3, :2], X34[:, :2], X34[:2, :2], inner=True)),
    (Prim.DOT_GRAD_RIGHT, (G44[:3, :2], X34[:, :2], X34[:2, :2]), {"inner": True},
     runtime.dot_grad_right(G44[:3, :2], X34[:, :2], X34[:2, :2], inner=True)),
    (Prim.GETITEM_GRAD, (np.array([1.0, 2.0, 3.0]), np.zeros(4), np.array([0, 2, 2])),
     {"index": INDEX}, np.array([1.0, 0.0, 5.0, 0.0])),  # a repeated index adds up
    (Prim.ADD_AT, (np.ones(4), np.array([1.0, 2.0, 3.0]), np.zeros(4), np.array([0, 2, 2])),
     {"index": INDEX}, np.array([2.0, 1.0, 6.0, 1.0])),
], ids=lambda v: v.name if isinstance(v, Prim) else "")
def test_gradient_helper_meanings_match_the_runtime(prim, values, params, expected):
    np.testing.assert_allclose(_meaning(prim, values, **params), expected, rtol=1e-12)


def test_a_float_near_a_known_constant_is_read_as_it():
    """The log10 rule writes 1 / math.log(10), a unit in the last place off 1/log(10)."""
    run = Interpreter(Point({}), Path())
    assert run.const(ir.Const(1 / np.log(10))) == 1 / sympy.log(10)
    assert run.const(ir.Const(0.37)) == sympy.Rational(37, 100)


# --------------------------------------------------------------------- provers
POINT = [{x: sympy.Rational(1, 3), y: sympy.Rational(7, 5)}]


def test_a_wrong_derivative_fails_with_the_values_at_the_point():
    verdict = Prover(POINT).prove(2 * x, x ** 2)
    assert verdict.status is Status.FAILED
    assert verdict.counterexample["derivative"] == pytest.approx(2 / 3)
    assert verdict.counterexample["adjoint"] == pytest.approx(1 / 9)
    assert verdict.difference == 2 * x - x ** 2


def test_an_identity_only_simplify_knows_is_inconclusive_without_its_time():
    identity = (sympy.sin(x) ** 2 + sympy.cos(x) ** 2, sympy.Integer(1))
    assert Prover(POINT, simplify_seconds=0).prove(*identity).status is Status.INCONCLUSIVE
    proved = Prover(POINT, simplify_seconds=20).prove(*identity)
    assert (proved.status, proved.method) == (Status.PROVED, "simplify")


def test_rational_normal_form_uses_the_square_root_relation():
    root = sympy.sqrt(x ** 2 + y)
    squared = sympy.Pow(root, 2, evaluate=False)  # sympy would write x**2 + y itself
    forms = RationalForms([squared - (x ** 2 + y), root - x])
    assert forms.is_zero(squared - (x ** 2 + y)) is True
    assert forms.is_zero(root - x) is False
    assert RationalForms([sympy.sign(x) - x / sympy.Abs(x)]).is_zero(
        sympy.sign(x) - x / sympy.Abs(x)) is True


def test_identity_test_zero_nonzero_and_square_root_branches():
    test = IdentityTest()
    power = (x + y) ** 20
    zero, bound = test.is_zero(power - sympy.expand(power))
    assert zero and bound < 1e-60  # (2 * 20)**2 / 2**216: one random point per prime
    assert test.is_zero(power - sympy.expand(power) + sympy.Rational(1, 10**40)) == (False, 0.0)
    z = sympy.Symbol("z")  # no assumptions: sqrt(z**2) stays a root, equal to z on one branch
    assert test.is_zero(sympy.sqrt((z + 1) ** 2) - (z + 1)) == (False, 0.0)


def test_an_identity_of_one_branch_of_a_root_is_never_taken_for_zero():
    """Each point draws a branch of every square root: with 4 points (2 per prime), a
    difference zero on one branch only passed 1 time in 16; roots now get 20 per prime."""
    z = sympy.Symbol("z")
    for seed in range(40):
        assert IdentityTest(seed).is_zero(sympy.sqrt((z + 1) ** 2) - (z + 1)) == (False, 0.0)
    root = sympy.sqrt(z + 1)
    square = sympy.Mul(root, root, evaluate=False)  # the same branch twice: z + 1 on both
    zero, bound = IdentityTest().is_zero(sympy.Add(square, -z - 1, evaluate=False))
    assert zero and 0.5 ** 40 <= bound < 1e-11


def test_chain_rule_on_the_dag_agrees_with_sympy_diff():
    expr = sympy.sin(x * y) ** 3 / sympy.exp(x) + sympy.atan2(y, x) + x ** y + sympy.sqrt(x + y)
    evaluate = Evaluator({x: 0.4, y: 1.3})
    for symbol in (x, y):
        assert complex(evaluate(derivative(expr, symbol))) == pytest.approx(
            complex(sympy.diff(expr, symbol).evalf(30, subs={x: 0.4, y: 1.3})), rel=1e-20)


def test_dag_sizes_and_values_of_a_loop_made_expression():
    e = x
    for _ in range(200):
        e = sympy.Add(sympy.Mul(e, e, evaluate=False), e, evaluate=False)  # shares e twice
    dag = Dag()
    assert dag.size(e) == 3 * 2 ** 200 - 2 or dag.size(e) > 10 ** 60
    assert "too large to print" in dag.describe(e)
    assert dag.free(e) == {x}
    with pytest.raises(NotANumber):
        Evaluator({x: 1.0})(1 / (x - 1))


# ------------------------------------------------------- results and their paths
def _count_down(a):
    k = 0
    while a > 0.1:
        a = a * 0.5
        k = k + 1
    if k > 2:
        a = a * k
    return a * a


def test_the_path_names_trip_counts_and_branches():
    result = agc.verify(_count_down, 0.9)  # 0.9 -> 0.45 -> 0.225 -> 0.1125 -> 0.05625
    assert result.proved, str(result)
    assert list(result.path.loops.values()) == [[4]]
    assert list(result.path.branches.values()) == [[True]]
    text = str(result)
    assert "loop: 4 trips" in text and "if: then" in text
    assert "holds where: 0.8 < a <= 1.6" in text  # 4 halvings reach 0.1 exactly there


def _endless(a):
    while a > 0.0:
        a = a * 1.0
    return a


def test_a_run_that_cannot_finish_is_inconclusive_with_the_reason():
    result = agc.verify(_endless, 0.5)
    assert result.status is Status.INCONCLUSIVE and not result.proved
    assert "ran more than 10000 trips" in result.error
    assert "could not verify: the while loop" in str(result)


def _vector_out(w):
    return np.sin(w) * w[0]


def test_a_vector_output_is_checked_through_its_vjp_with_a_symbolic_seed():
    result = agc.verify(_vector_out, np.array([0.2, 0.7]))
    assert result.proved, str(result)
    assert "output seed: symbolic seed" in str(result)
    assert "seed[1]" in str(result.gradients[0].derivative[0])


def _thirty_statements(a: float, b: float):
    c = a * b + 1.0
    d = np.sin(c) * a
    e = d / (1.0 + b * b)
    f = np.exp(-e) + c
    g = f * f - d
    h = np.tanh(g) * b
    i = h + a / f
    j = np.sqrt(i * i + 1.0)
    k = j * c - e
    m = np.log(1.0 + k * k)
    n = m * a + h
    o = np.cos(n) + b
    p = o * o * d
    q = p / (1.0 + f * f)
    r = q + np.arctan(k)
    s = r * np.exp(-a * a)
    t = s + m * n
    u = t * t + 1.0
    v = np.sqrt(u) - h
    w = v * a + b * b
    x2 = np.sinh(w * 0.1) + q
    y2 = x2 * np.cosh(e * 0.1)
    z = y2 / (2.0 + np.sin(c) ** 2)
    aa = z + g * 0.01
    bb = aa * aa - r
    cc = np.tanh(bb) + s
    dd = cc * w
    ee = dd + np.log(u)
    ff = ee * ee * 0.5
    return ff + t


def test_a_thirty_statement_scalar_function_is_proved():
    """The function docs/verification.md times."""
    result = agc.verify(_thirty_statements, 0.37, 0.59, wrt=("a", "b"))
    assert result.proved, str(result)


# ------------------------------------------------------------- time limits
def _spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs interval timers")
def test_time_limit_nests_inside_a_callers_timer():
    """A caller's own alarm (pytest-timeout's, say) survives agc's inner limits."""
    outer_fired = []
    saved_handler = signal.signal(signal.SIGALRM, lambda *_: outer_fired.append(True))
    saved_timer = signal.setitimer(signal.ITIMER_REAL, 2.0)
    try:
        with pytest.raises(Timeout), time_limit(0.05):
            _spin(1.0)
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 1.0 < left < 2.0  # re-armed with what was left of the outer 2 s
        with time_limit(5.0):  # longer than the outer: the outer stays in charge
            _spin(left + 0.2)
        assert outer_fired == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, *saved_timer)
        signal.signal(signal.SIGALRM, saved_handler)


def test_a_time_limit_still_stops_when_its_alarm_lands_in_a_gc_callback():
    """Regression: Python drops an exception raised in a gc callback (hypothesis installs
    one), so `agc check --seconds 3` once ran on past its limit under load."""
    def slow_callback(phase, info):
        sum(range(20_000))  # an alarm during a collection is handled in here

    gc.callbacks.append(slow_callback)
    start = time.monotonic()
    try:
        with pytest.raises(Timeout), time_limit(0.1):
            while time.monotonic() - start < 10:
                gc.collect()
                sum(range(20_000))
    finally:
        gc.callbacks.remove(slow_callback)
    assert time.monotonic() - start < 8
