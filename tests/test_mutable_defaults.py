"""A parameter whose default is a list, dict or array and that the body writes into:
Python makes the default once and keeps each call's writes for the next call, so
agc's compiled function (a fresh list per call) would silently differ. Refused at the
parameter, with the idiomatic fix; rebinding it first, or defaulting to None, is fine."""

from __future__ import annotations

import agc
import numpy as np
import pytest

X = np.array([0.2, 0.7, 0.45])


def model_appends_to_its_default(x, hist=[]):  # noqa: B006 - the case under test
    hist.append(x[0])
    return x[0] * len(hist)


def model_with_nested_default_write(x):
    def scaled(v, w=np.ones(3)):  # noqa: B008 - the case under test
        w *= 2.0
        return v * w
    return np.sum(scaled(x))


def model_defaulting_to_none(x, acc=None):
    if acc is None:
        acc = []
    acc.append(x[0] * 2.0)
    return acc[0] * x[1]


def model_rebinding_its_default(x, w=[1.0, 2.0]):  # noqa: B006 - rebound before any write
    w = [x[1], w[1]]
    w.append(x[0])
    return w[0] * w[2]


@pytest.mark.parametrize("model, name", [(model_appends_to_its_default, "hist"),
                                         (model_with_nested_default_write, "w")])
def test_a_write_into_a_mutable_default_is_refused_at_the_parameter(model, name):
    with pytest.raises(agc.UserCodeError) as caught:
        agc.grad(model)(X)
    err = caught.value
    assert f"writes into its parameter `{name}`" in str(err)
    assert err.loc.line > 0 and f"if {name} is None" in err.hint


def test_none_defaults_and_rebound_defaults_are_differentiated():
    np.testing.assert_allclose(agc.grad(model_defaulting_to_none)(X), [2 * X[1], 2 * X[0], 0])
    np.testing.assert_allclose(agc.grad(model_rebinding_its_default)(X), [X[1], X[0], 0])
