"""`M[i][j] = v` where `i` is a name (a parameter, a value of unknown kind): numpy writes
into M's row where i is an integer (a view) and into a copy, leaving M unchanged, where i
is an array, a list or a bool. agc lowers the write as `row = M[i]; row[j] = v; M[i] = row`,
so with an array `idx` it silently wrote into M (55.0 by numpy, 154.0 by agc). The index
is now checked at run time (rt.check_view_index): a basic index runs as before, an
advanced one raises at the model line.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.arange(1.0, 7.0)


def row_write(x, i):
    y = x.reshape(2, 3).copy()
    y[i][0] = 100.0 * x[0]
    return np.sum(y * x.reshape(2, 3))


def row_write_jax(x, i):
    y = x.reshape(2, 3).at[i, 0].set(100.0 * x[0])
    return jnp.sum(y * x.reshape(2, 3))


def row_write_at_one(x):
    y = x.reshape(2, 3).copy()
    y[-1][0] = 100.0 * x[0]
    return np.sum(y * x.reshape(2, 3))


def rows_in_a_loop(x):
    y = np.zeros((3, 2))
    for k in range(3):
        y[k][1] = x[k] * x[k + 1]
    return np.sum(y * 2.0)


@pytest.mark.parametrize("i", [0, 1, -1, np.int64(1)], ids=["0", "1", "-1", "int64"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_row_at_an_integer_index_is_written_as_numpy_writes_it(i, dtype):
    x = X.astype(dtype)
    value, grad = agc.differentiate(row_write).value_and_grad(x, i)
    assert value == row_write(x, i)
    assert grad.dtype == dtype
    expected = jax.grad(row_write_jax)(X, int(i))
    np.testing.assert_allclose(grad, expected, rtol=1e-6 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("idx", [np.array([0, 1]), np.array([1]), np.array(True)],
                         ids=["array", "array1", "bool0d"])
def test_a_row_at_an_advanced_index_is_refused_at_the_model_line(idx):
    assert row_write(X, idx) == pytest.approx(np.sum(X * X))  # numpy: y unchanged
    with pytest.raises(ValueError, match="writes into a copy") as caught:
        agc.differentiate(row_write).value_and_grad(X, idx)
    assert "y[i][0] = 100.0 * x[0]" in "".join(caught.value.__notes__)


@pytest.mark.parametrize("idx", [[0], True], ids=["list", "bool"])
def test_a_row_at_a_list_or_bool_index_is_refused_at_compile_time(idx):
    assert row_write(X, idx) == pytest.approx(np.sum(X * X))
    with pytest.raises(agc.AgcError, match="y\\[i\\]\\[0\\] = 100.0"):
        agc.differentiate(row_write).value_and_grad(X, idx)


def test_rows_written_in_a_loop_match_jax():
    x = np.array([0.5, -1.0, 2.0, 3.0])
    value, grad = agc.differentiate(rows_in_a_loop).value_and_grad(x)
    assert value == rows_in_a_loop(x)
    twin = jax.grad(lambda x: jnp.sum(x[:3] * x[1:] * 2.0))(x)
    np.testing.assert_allclose(grad, twin, rtol=1e-12)


def test_the_check_is_emitted_for_a_name_only():
    source = agc.differentiate(row_write).gradient_source_for(X, 1)
    assert "rt.check_view_index(i)" in source
    assert "check_view_index" not in agc.differentiate(row_write_at_one).gradient_source

