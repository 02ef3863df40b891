"""`M[idx][j] = v` where `M[idx]` is a copy is refused at its line.

With a list, array or mask index numpy's `M[idx]` is a new array: a write into it leaves M
unchanged. agc lowered `M[i][j] = v` as `row = M[i]; row[j] = v; M[i] = row` for every
index, so it wrote the row back into M: a silently wrong value and gradient. A basic
index (`M[1][2] = v`, `M[1:][0] = v`: views) is lowered as before.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

M = np.arange(12.0).reshape(3, 4) / 7.0 - 0.5


def rows_by_list(m):
    y = m.copy()
    y[[0, 2]][:, 0] = 100.0
    return np.sum(y * m)


def entries_by_mask(x):
    y = x.copy()
    y[x > 0][0] = 100.0
    return np.sum(y * x)


def entries_by_named_order(x):
    y = x.copy()
    order = np.argsort(x)
    y[order][0] += 100.0
    return np.sum(y * x)


def rows_by_named_mask(m):
    y = m * 2.0
    keep = (m[:, 0] > 0) | (m[:, 1] < 0)
    y[keep][0] = 0.0
    return np.sum(y)


def entries_by_where(x):
    y = x * 1.0
    y[np.where(x > 0)[0]][0] = 0.0
    return np.sum(y * y)


def entries_by_sliced_order(x):
    y = x * 1.0
    order = np.argsort(x)
    y[order[1:]][0] = 0.0
    return np.sum(y * y)


@pytest.mark.parametrize("model, arg, line", [
    (rows_by_list, M, 24), (entries_by_mask, M[0], 30), (entries_by_named_order, M[1], 37),
    (rows_by_named_mask, M, 44), (entries_by_where, M[0], 50), (entries_by_sliced_order, M[1], 57)],
    ids=["list", "mask", "named_order", "named_mask", "where", "sliced_order"])
def test_write_into_a_copy_is_refused_at_its_line(model, arg, line):
    with pytest.raises(agc.UnsupportedError) as err:
        agc.differentiate(model).grad(arg.copy())
    text = str(err.value)
    assert f"{__file__}:{line}:5" in text
    assert "copy" in text and "M[idx, j] = v" in text


def rows_by_views(m):
    y = m.copy()
    y[1][2] = 5.0 * m[0, 0]
    y[1:][0] *= m[2]
    return np.sum(y * m)


def rows_by_views_jax(m):
    y = m.at[1, 2].set(5.0 * m[0, 0])
    y = y.at[1].multiply(m[2])
    return jnp.sum(y * m)


def test_write_into_a_view_row_still_reaches_the_array():
    value, grad = agc.differentiate(rows_by_views).value_and_grad(M.copy())
    assert value == rows_by_views(M.copy())
    np.testing.assert_allclose(grad, jax.grad(rows_by_views_jax)(M), rtol=1e-12, atol=1e-12)
