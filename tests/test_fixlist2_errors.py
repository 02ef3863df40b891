"""Errors raised as numpy raises them, or refusals that name what the user wrote.

* `k += 0.5 * x[0]` of an integer k raised a plain TypeError: numpy raises its
  UFuncTypeError (`_UFuncOutputCastingError`), naming the ufunc ('add').
* np.polyval of a 0-d p raised IndexError (`p.shape[0]`): numpy's TypeError "iteration
  over a 0-d array".
* np.select([], []) is refused at its position with numpy's message.
* A write into an array inside a list parameter named agc's temporary (`l_row`).
"""

from __future__ import annotations

import agc
import numpy as np
import pytest


def numpy_error(run):
    with pytest.raises(Exception) as caught:
        run()
    return caught.value


def integer_accumulator(x):
    k = np.arange(3)
    k += 0.5 * x[0]
    return np.sum(k * x)


def integer_product(x):
    k = np.arange(3)
    k *= x
    return np.sum(k * x)


@pytest.mark.parametrize("model", [integer_accumulator, integer_product])
def test_in_place_cast_raises_numpys_error(model):
    x = np.ones(3)
    want = numpy_error(lambda: model(x))
    for run in (lambda: agc.grad(model)(x), lambda: agc.value_and_grad(model)(x)):
        got = numpy_error(run)
        assert type(got) is type(want)
        assert isinstance(got, TypeError)
        assert str(got) == str(want)


def ufunc_out(x):
    k = np.zeros(3, dtype=np.int64)
    np.multiply(x, 2.0, out=k)
    return np.sum(k * x)


def test_out_cast_raises_numpys_error():
    x = np.ones(3)
    want = numpy_error(lambda: ufunc_out(x))
    got = numpy_error(lambda: agc.grad(ufunc_out)(x))
    assert type(got) is type(want) and str(got) == str(want)


def polyval_of_a_0d_p(x):
    return np.sum(np.polyval(np.array(2.0), x))


def polyval_of_a_number(x):
    return np.sum(np.polyval(2.0, x))


@pytest.mark.parametrize("model", [polyval_of_a_0d_p, polyval_of_a_number])
def test_polyval_of_a_0d_p_raises_numpys_type_error(model):
    x = np.ones(3)
    want = numpy_error(lambda: model(x))
    got = numpy_error(lambda: agc.grad(model)(x))
    assert type(got) is type(want) is TypeError
    assert str(got) == str(want)


def polyval_values(x):
    return np.sum(np.polyval(np.array([1.0, -2.0, 0.5]), x))


def test_polyval_still_differentiates():
    x = np.array([0.5, 1.5])
    assert agc.grad(polyval_values)(x) == pytest.approx(2 * x - 2.0)


def select_nothing(x):
    return np.sum(np.select([], []) * x)


def test_empty_select_is_refused_at_its_position():
    with pytest.raises(ValueError, match="empty condition list"):
        select_nothing(np.ones(3))
    with pytest.raises(agc.UserCodeError) as caught:
        agc.grad(select_nothing)(np.ones(3))
    assert "select with an empty condition list is not possible" in caught.value.message
    assert caught.value.loc.line == select_nothing.__code__.co_firstlineno + 1


def write_into_a_row(x, rows):
    rows[0][1] = x[0]
    return np.sum(rows[0] * x)


def test_a_write_into_a_list_item_names_the_users_expression():
    with pytest.raises(agc.UserCodeError) as caught:
        agc.grad(write_into_a_row)(np.ones(3), [np.zeros(3)])
    message = str(caught.value)
    assert "`rows[0]`" in message and "rows_row" not in message
    assert "rows[0].copy()" in message
