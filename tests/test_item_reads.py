"""`y[i]` of a vector is a number, copied out: a later write to `y` leaves it alone.

agc took every integer index for a view, so `y[0], y[1] = y[1], y[0]` read the new
`y[0]` for `y[1]` (a silently wrong value and gradient). Of a matrix, `m[0]` is a row,
a view that sees the write, as numpy's own row "swap" shows. Where agc cannot know the
rank (`agc compile` without annotations), a read followed by a write is refused.
"""

from __future__ import annotations

import agc
import numpy as np
import pytest
from gradcheck import numeric_grad
from test_cli import agc as run_agc
from test_cli import write

X = np.array([0.2, 0.7, 0.45, 0.9])


def swap_items(x):
    y = x.copy()
    y[0], y[1] = y[1], y[0]
    return y[0] * 2.0 + y[1] * x[2]


def item_kept_across_a_write(x):
    y = x * 1.0
    a = y[2]
    y[2] = 5.0 * x[0]
    return a * y[2] + np.sum(y)


def rows_swapped_numpy_style(x):
    m = np.zeros((2, 2))
    m[0] = x[:2] * x[3]
    m[1] = x[2:]
    m[0], m[1] = m[1], m[0]  # both rows end up as the old row 1: m[0] is a view
    return np.sum(m * np.array([[1.0, 2.0], [3.0, 4.0]]))


@pytest.mark.parametrize("model", [swap_items, item_kept_across_a_write,
                                   rows_swapped_numpy_style], ids=lambda m: m.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_item_reads_keep_numpys_semantics(model, dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(model)(x)
    assert value == pytest.approx(model(x.copy()), rel=1e-6)
    expected = numeric_grad(model, (X.copy(),), 0)
    np.testing.assert_allclose(grad, expected, rtol=1e-5 if dtype == np.float32 else 1e-7,
                               atol=1e-6)


def test_swap_values_exactly():
    assert agc.value_and_grad(swap_items)(X)[0] == swap_items(X.copy())
    np.testing.assert_array_equal(agc.grad(swap_items)(X), [X[2], 2.0, X[0], 0.0])


def test_unknown_rank_item_read_then_write_is_refused(tmp_path):
    model = write(tmp_path / "swap.py", """\
        import numpy as np


        def swap(x):
            y = x.copy()
            y[0], y[1] = y[1], y[0]
            return y[0] * 2.0 + y[1]
        """)
    result = run_agc("compile", model, "--function", "swap", "-o",
                     tmp_path / "swap_grad.py")
    assert result.returncode != 0 and not (tmp_path / "swap_grad.py").exists()
    assert "swap.py:6:5" in result.stderr
    assert "cannot tell whether that read is a number (a copy, if `y` is a vector)" in \
        result.stderr
    assert "y[[0, 1]] = y[[1, 0]]" in result.stderr
