"""agc.verify(order=2) proves Hessian entries (agc.hvp along a symbolic direction) and
agc.verify(mode="forward") proves JVPs, with sympy, on the taken path; a deliberately
wrong tangent rule is caught."""

from __future__ import annotations

import agc
import numpy as np
import pytest
from agc import ir
from agc.errors import UsageError
from agc.ir.prims import Prim
from agc.primitives import registry


def poly_branch_loop(x):
    """A polynomial and transcendental functions, a branch and a loop."""
    y = x[0] ** 3 * x[1] + np.sin(x[1]) * x[0]
    if y > 0:
        y = y * np.exp(x[0])
    for i in range(2):
        y = y + np.tanh(x[i]) ** 2
    return y


def two_args(a, b):
    return a * a * b + np.log(b) * np.cos(a)


def vector_loop(x, w):
    h = np.tanh(w * x)
    for _ in range(2):
        h = np.sin(h) * x
    return h


def test_hessian_entries_are_proved_on_the_taken_path():
    for x in (np.array([0.4, 0.7]), np.array([0.4, -0.7])):  # both sides of the branch
        result = agc.verify(poly_branch_loop, x, order=2)
        assert result.proved, str(result)
        text = str(result)
        assert "direction: symbolic (x_dot)" in text and "Hessian times x_dot" in text
        assert "ok: the emitted poly_branch_loop_hvp gives agc's tangent at the point" in text
    assert "x[0]**3*x[1] + x[0]*sin(x[1]) <= 0" in str(agc.verify(
        poly_branch_loop, np.array([0.4, -0.7]), order=2))


def test_mixed_second_derivatives_of_two_numbers_are_proved():
    result = agc.verify(two_args, 0.3, 1.7, wrt=("a", "b"), order=2)
    assert result.proved, str(result)
    assert len(result.gradients) == 2


def test_forward_mode_tangents_are_proved():
    result = agc.verify(vector_loop, np.array([0.4, 0.7, -0.2]), 1.3, mode="forward")
    assert result.proved, str(result)
    assert len(result.gradients[0].verdicts) == 3  # one per output element
    assert "Jacobian times x_dot" in str(result)


def _wrong_cos(b, t, s):
    """The tangent of cos forgets its minus sign."""
    return None if t[0] is None else b.mul(t[0], b.op(Prim.SIN, s.args[0]))


def _wrong_sin(b, t, s):
    """The tangent of sin doubled."""
    return None if t[0] is None else b.mul(b.mul(t[0], ir.Const(2.0)), b.op(Prim.COS, s.args[0]))


def sin_times_x(x):
    return np.sum(np.sin(x) * x)


def test_a_wrong_tangent_rule_is_caught(monkeypatch):
    x = np.array([0.3, -0.4])
    with monkeypatch.context() as patch:
        # the gradient of sin(x) reads cos(x): its tangent, in the HVP, is cos's JVP rule
        patch.setitem(registry.JVP_RULES, Prim.COS, _wrong_cos)
        assert agc.verify(sin_times_x, x).proved  # first derivatives do not use it
        second = agc.verify(sin_times_x, x, order=2)
        assert second.status.name == "FAILED", str(second)
        assert "counterexample" in str(second)
        patch.setitem(registry.JVP_RULES, Prim.SIN, _wrong_sin)
        forward = agc.verify(sin_times_x, x, mode="forward")
        assert forward.status.name == "FAILED", str(forward)
    assert agc.verify(sin_times_x, x, order=2).proved  # the right rules again
    np.testing.assert_allclose(agc.hessian(sin_times_x)(x),  # not the code compiled above
                               np.diag(2 * np.cos(x) - x * np.sin(x)), rtol=1e-12)


def test_unknown_orders_and_modes_are_refused():
    with pytest.raises(UsageError, match="order=3"):
        agc.verify(sin_times_x, np.array([0.3]), order=3)
    with pytest.raises(UsageError, match="mode='forward'"):
        agc.verify(sin_times_x, np.array([0.3]), order=2, mode="forward")


def _bend(y, k):
    """A helper with a branch and a loop."""
    if np.sum(y) > 0:
        y = y * k
    for _ in range(2):
        y = np.sin(y) * y
    return y


def _inner(y):
    return np.cos(_bend(y, 1.5))


def through_helpers(x):
    """Helpers called twice, one calling the other."""
    return np.sum(_bend(x, 2.0) * _inner(x) + _bend(x * x, 0.5))


def sin_in_a_helper(x):
    return np.sum(_sine(x) * x)


def _sine(y):
    return np.sin(y)


@pytest.mark.parametrize("x", [np.array([0.3, 0.2]), np.array([-0.3, 0.1])],
                         ids=["branch_taken", "not_taken"])
def test_proofs_follow_helper_calls(x):
    second = agc.verify(through_helpers, x, order=2)
    assert second.proved, str(second)
    assert "ok: the emitted through_helpers_hvp gives agc's tangent at the point" in str(second)
    forward = agc.verify(through_helpers, x, mode="forward")
    assert forward.proved, str(forward)


def test_a_wrong_tangent_rule_inside_a_helper_is_caught(monkeypatch):
    x = np.array([0.3, -0.4])
    with monkeypatch.context() as patch:
        patch.setitem(registry.JVP_RULES, Prim.COS, _wrong_cos)  # read by _sine's gradient
        assert agc.verify(sin_in_a_helper, x).proved
        assert agc.verify(sin_in_a_helper, x, order=2).status.name == "FAILED"
        patch.setitem(registry.JVP_RULES, Prim.SIN, _wrong_sin)
        assert agc.verify(sin_in_a_helper, x, mode="forward").status.name == "FAILED"
    assert agc.verify(sin_in_a_helper, x, order=2).proved
