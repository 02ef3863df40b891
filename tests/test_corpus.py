"""Every corpus function's gradient against central finite differences.

The corpus lives in corpus_straight.py and corpus_control.py; adding a
`@register(...)` function there adds it here, once per argument set.
"""

from __future__ import annotations

import agc
import numpy as np
import pytest
from corpus_control import CASES as CONTROL
from corpus_control import issue_while_if_vector
from corpus_straight import CASES as STRAIGHT
from gradcheck import check_gradient, check_value

# Known agc bugs, as strict xfails keyed by "<function>-<argument set>". When one is
# fixed its xfail turns into an XPASS failure: delete its entry.
GRAD_XFAIL: dict[str, str] = {}
VALUE_XFAIL: dict[str, str] = {**GRAD_XFAIL}


def _params(xfails: dict):
    for case in STRAIGHT + CONTROL:
        for i, args in enumerate(case.args_list):
            key = f"{case.name}-{i}"
            marks = [pytest.mark.xfail(reason=xfails[key], strict=True)] if key in xfails else []
            yield pytest.param(case, args, id=key, marks=marks)


@pytest.mark.parametrize("case, args", list(_params(GRAD_XFAIL)))
def test_gradient_matches_finite_differences(case, args):
    check_gradient(case.fn, args, case.wrt or None, value=False)


@pytest.mark.parametrize("case, args", list(_params(VALUE_XFAIL)))
def test_value_matches_the_function(case, args):
    """The value next to the gradient is the function's own value."""
    check_value(case.fn, args, case.wrt or None)


def test_xfail_keys_name_real_cases():
    keys = {f"{c.name}-{i}" for c in STRAIGHT + CONTROL for i in range(len(c.args_list))}
    assert set(VALUE_XFAIL) <= keys


def test_corpus_sizes():
    assert len(STRAIGHT) >= 25
    assert len(CONTROL) >= 60
    names = [c.name for c in STRAIGHT + CONTROL]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("a", [np.array([1.0, 2.0, 3.0]), np.array([-0.5, -0.1, -0.2]),
                               np.array([0.7, -0.2, 0.4])], ids=["pos", "neg", "mixed"])
def test_issue_example_vjp_with_ones_is_f_over_a(a):
    """b doubles until its norm reaches 1000, so f(a) = s * a and the vjp with ones is f(a)/a."""
    value, vjp = agc.differentiate(issue_while_if_vector).vjp(a, seed=np.ones_like(a))
    expected = issue_while_if_vector(a) / a
    np.testing.assert_allclose(value, issue_while_if_vector(a))
    np.testing.assert_allclose(vjp, expected, rtol=1e-12)
