"""Review 5: `for v in y` (and sorted's key, called on each item) of a numpy vector whose
rank agc does not know (`y = x * s`, s a parameter) binds numpy's number y[k], as Python's
iteration does. agc bound the 0-d array y[k, ...]: `isinstance(v, float)` was False (a
wrong value, silently) and `round(v)` raised inside agc. Compared with jax (float64)."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from against_jax import check_x_and_s

jax.config.update("jax_enable_x64", True)

X = np.array([0.3, -1.2, 2.5, 0.9])


def floats_summed(x, s):
    y = x * s
    t = 0.0
    for v in y:
        if isinstance(v, float):
            t = t + v * v
    return t


def floats_summed_jax(x, s):
    return jnp.sum((x * s) ** 2)


def sorted_by_rounding(x, s):
    ys = sorted(x * s, key=lambda v: round(v))
    return ys[0] + 2.0 * ys[1] + 3.0 * ys[2] + 4.0 * ys[3]


def sorted_by_rounding_jax(x, s):
    y = x * s
    ys = y[jnp.argsort(jnp.round(y), stable=True)]
    return ys[0] + 2.0 * ys[1] + 3.0 * ys[2] + 4.0 * ys[3]


CASES = [(floats_summed, floats_summed_jax), (sorted_by_rounding, sorted_by_rounding_jax)]


@pytest.mark.parametrize(("fn", "ref"), CASES, ids=[c[0].__name__ for c in CASES])
def test_values_and_gradients_match_jax(fn, ref):
    check_x_and_s(fn, ref, X, 2.0)


def test_rows_of_a_matrix_stay_views():
    def rows_written(x, s):
        y = x * s
        for r in y:
            r *= 2.0
        return np.sum(y ** 3)

    m = X.reshape(2, 2)
    value, gx = agc.differentiate(rows_written, wrt="x").value_and_grad(m.copy(), 2.0)
    assert value == pytest.approx(rows_written(m.copy(), 2.0), rel=1e-14)
    np.testing.assert_allclose(gx, jax.grad(lambda z: jnp.sum((4.0 * z) ** 3))(m), rtol=1e-12)
