"""Regression tests for issue 12: agc reproduces Python's and numpy's semantics exactly.

Each test is a bug that once gave a silently wrong value or gradient. The
expected numbers come from numpy itself (the value) and from closed forms or
central differences (the gradient), never from agc.
"""

from __future__ import annotations

import agc
import numpy as np
from gradcheck import import_source, numeric_grad

GLOBALS = """
import numpy as np

SCALE = 0.5


def scaled(x):
    return SCALE * x


def f(x):
    return np.sum(scaled(x) ** 2) + SCALE
"""


def test_module_constants_are_read_at_call_time(tmp_path):
    """A rebound module constant changes the gradient as it changes f(x) (was: stale 0.5)."""
    model = import_source(GLOBALS, tmp_path, "globals_model")
    grad = agc.value_and_grad(model.f)
    x = np.array([1.0, 2.0])
    value, g = grad(x)
    assert value == model.f(x) == 1.75
    np.testing.assert_allclose(g, 2 * 0.25 * x)
    model.SCALE = 2.0
    value, g = grad(x)
    assert value == model.f(x) == 22.0
    np.testing.assert_allclose(g, 2 * 4.0 * x)
    np.testing.assert_allclose(agc.grad(model.f)(x), numeric_grad(model.f, (x,), 0), rtol=1e-6)


def test_a_constant_rebound_and_restored_still_matches(tmp_path):
    """Going back to the first value is seen too (no cache entry keeps the middle value)."""
    model = import_source(GLOBALS, tmp_path, "globals_restored")
    diff = agc.differentiate(model.f)
    x = np.array([3.0])
    first = diff.grad(x)
    model.SCALE = 1.0
    np.testing.assert_allclose(diff.grad(x), 2 * x)
    model.SCALE = 0.5
    np.testing.assert_allclose(diff.grad(x), first)
