"""On the numba target an index past an array's end raises IndexError, as numpy does.

numba reads past the end silently (whatever memory lies there) unless bounds checking
is on; the emitted functions turn it on (`@numba.njit(boundscheck=True)`), so a model
whose loop runs one step too far fails as the plain call does instead of returning a
plausible gradient."""

from __future__ import annotations

import agc
import numpy as np
import pytest

pytest.importorskip("numba")


def neighbours(x, n):
    s = 0.0
    for i in range(n):
        s = s + x[i] * x[i + 1]
    return s


@pytest.fixture(scope="module")
def on_numba():
    return agc.differentiate(neighbours, target="numba")


def test_an_index_in_range_gives_numpys_gradient(on_numba):
    x = np.array([0.5, -1.0, 2.0, 1.5])
    value, grad = on_numba.value_and_grad(x, 3)
    expected = agc.differentiate(neighbours).value_and_grad(x, 3)
    assert value == pytest.approx(neighbours(x, 3), rel=1e-15)
    np.testing.assert_allclose(grad, expected[1], rtol=1e-15)
    np.testing.assert_allclose(grad, [-1.0, 2.5, 0.5, 2.0], rtol=1e-15)


def test_an_index_past_the_end_raises_index_error_as_numpy_does(on_numba):
    x = np.array([0.5, -1.0, 2.0, 1.5])
    with pytest.raises(IndexError):
        neighbours(x, 4)
    on_numba.grad(x, 3)  # compiled, and the fast path taken
    with pytest.raises(IndexError):
        on_numba.grad(x, 4)
    with pytest.raises(IndexError):
        on_numba.value_and_grad(x, 4)
