"""`l[a:b] = seq` on a list is refused at its line; the hint's rebuilt list is differentiated.

agc emitted the splice as it was written, and its backward sweep read `l_bar[1:3]` of the
list's adjoint (a dict of slots): a TypeError inside the emitted code, with no position.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.31, 0.52, -1.23, 0.87])


def slice_assigned(x):
    values = [0.0, 0.0, 0.0, 0.0]
    values[1:3] = [x[0], x[1]]
    return sum(values) * values[2]


def slice_shrinks_the_list(x):
    values = [x[0], x[1], x[2]]
    values[1:] = [x[3]]
    return sum(values) * len(values)


def rebuilt_as_the_hint_says(x):
    values = [0.0, 0.0, 0.0, 0.0]
    values = values[:1] + [x[0], x[1]] + values[3:]
    return sum(values) * values[2]


def rebuilt_jax(x):
    return (x[0] + x[1]) * x[1]


@pytest.mark.parametrize("model", [slice_assigned, slice_shrinks_the_list])
def test_slice_assignment_of_a_list_is_refused_at_its_line(model):
    with pytest.raises(agc.UnsupportedError) as caught:
        agc.grad(model)(X.copy())
    assert caught.value.loc.line == model.__code__.co_firstlineno + 2
    assert "slice of the list" in str(caught.value) and "l[i] = v" in caught.value.hint


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_rebuilt_list_matches_numpy_and_jax(dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(rebuilt_as_the_hint_says)(x.copy())
    assert value == rebuilt_as_the_hint_says(x.copy())
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, jax.grad(rebuilt_jax)(jnp.asarray(X)),
                               rtol=1e-6 if dtype == np.float32 else 1e-13)
