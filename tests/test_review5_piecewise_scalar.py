"""Review 5: np.piecewise of a number x, whose conditions are Python bools (numpy makes
them arrays, np.asarray(condlist, dtype=bool)); agc called `.astype` on a bool and raised
inside agc. Values (numpy's 0-d array) and gradients against jax (float64)."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)


def pieces(x, s):
    return np.piecewise(s * x, [s < 0, s > 1.5], [lambda v: v ** 2, 4.0])


def pieces_jax(x, s):
    return jnp.piecewise(s * x, [s < 0, s > 1.5], [lambda v: v ** 2, 4.0])


@pytest.mark.parametrize("s", [2.0, -1.0, 1.0])
def test_a_number_x_matches_numpy_and_jax(s):
    value, (gx, gs) = agc.differentiate(pieces, wrt=("x", "s")).value_and_grad(0.7, s)
    expected = pieces(0.7, s)
    assert type(value) is type(expected) and value == expected
    ex, es = jax.grad(pieces_jax, argnums=(0, 1))(0.7, s)
    assert gx == pytest.approx(float(ex), rel=1e-12, abs=1e-15)
    assert gs == pytest.approx(float(es), rel=1e-12, abs=1e-15)
