"""An f-string is a str: `len(f"{v:.2f}")` is its length and `+` joins it.

agc took the f-string's value for an array and emitted `len(s)` as `s.shape[0]`: an
AttributeError in the emitted code.
"""

from __future__ import annotations

import agc
import numpy as np
import pytest
from gradcheck import check_gradient

X = np.array([0.23, 0.71, 0.47, 0.91])


def fstring_length(x):
    s = f"{x[0]:.2f}"
    return np.sum(x) * len(s)


def fstring_joined(x):
    s = f"{x[0]:.3f}" + "ab"
    t = f"n={len(x)}"
    return np.sum(x) * len(s) + len(t) * x[1]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("model", [fstring_length, fstring_joined], ids=lambda m: m.__name__)
def test_an_fstrings_length_is_its_text_length(model, dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(model)(x.copy())
    assert value == pytest.approx(model(x.copy()), rel=1e-6)
    assert grad.dtype == dtype
    expected = {"fstring_length": [4.0] * 4, "fstring_joined": [7.0, 10.0, 7.0, 7.0]}
    np.testing.assert_allclose(grad, expected[model.__name__], rtol=1e-6)
    check_gradient(model, (X.copy(),), rtol=1e-7, atol=1e-8)
