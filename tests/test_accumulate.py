"""rt.accumulate, rt.add_sum_grad and rt.add_mean_grad: the same value as the sum they
stand for, written into the accumulator only where that sum would be an array of its
shape and dtype (else a new array, the accumulator untouched)."""

import numpy as np
import pytest
from agc import runtime as rt
from agc.runtime import cotangents

F32, F64 = np.float32, np.float64


def _acc(shape=(2, 3), dtype=F32):
    return np.arange(np.prod(shape), dtype=dtype).reshape(shape) / 7


@pytest.mark.parametrize(("acc", "term", "in_place"), [
    (_acc(), _acc() * 3, True),
    (_acc(), 0.25, True),                              # a Python float keeps float32
    (_acc(), np.float32(2.5), True),
    (_acc(), _acc((3,)), True),                        # broadcast into acc
    (_acc(), _acc(dtype=F64), False),                  # the sum is float64
    (_acc(), np.float64(2.5), False),                  # a float64 scalar promotes too
    (_acc((3,)), _acc((2, 3)), False),                 # the sum is larger than acc
    (_acc((1, 3)), _acc((2, 3)), False),
    (np.broadcast_to(_acc((3,)), (2, 3)), _acc(), False),  # read-only: never written
    (np.array(1.5, F32), _acc(()), False),             # 0-d: numpy's sum is a scalar
    (np.arange(6).reshape(2, 3), np.arange(3), True),
    (np.arange(6).reshape(2, 3), 0.5, False),          # int + float is float
])
def test_accumulate_is_the_sum(monkeypatch, acc, term, in_place):
    monkeypatch.setattr(cotangents, "IN_PLACE_SIZE", 0)  # these small arrays too
    before = np.array(acc, copy=True)
    want = before + term
    got = rt.accumulate(acc, term)
    np.testing.assert_array_equal(got, want)
    assert np.asarray(got).dtype == np.asarray(want).dtype and np.shape(got) == np.shape(want)
    assert (got is acc) == in_place
    if not in_place:
        np.testing.assert_array_equal(acc, before)


def test_a_small_accumulator_gets_a_new_array():
    acc = _acc()
    got = rt.accumulate(acc, 1.0)
    assert got is not acc and acc.size < cotangents.IN_PLACE_SIZE
    np.testing.assert_array_equal(got, _acc() + 1.0)
    np.testing.assert_array_equal(acc, _acc())
    big = np.zeros(cotangents.IN_PLACE_SIZE, F32)
    assert rt.accumulate(big, np.ones(cotangents.IN_PLACE_SIZE, F32)) is big


def test_accumulate_of_numbers_is_their_sum():
    assert rt.accumulate(1.5, 2.0) == 3.5
    assert rt.accumulate(1.5, 2) == 3.5


@pytest.mark.parametrize("helper", ["sum", "mean"])
@pytest.mark.parametrize(("x_shape", "g", "axis", "keepdims"), [
    ((2, 3), 0.5, None, False),
    ((2, 3), np.float32(0.5), None, False),
    ((2, 3), np.array([1.0, 2.0, 3.0], F32), 0, False),
    ((2, 3), np.array([[1.0], [2.0]], F32), 1, True),
    ((2, 3, 4), np.arange(3.0, dtype=F32).reshape(1, 3, 1), (0, 2), True),
    ((2, 3), np.array([1.0, 2.0, 3.0], F64), 0, False),   # float64 g: a float64 sum
])
@pytest.mark.parametrize("x_dtype", [F32, F64])
def test_add_sum_and_mean_grad_are_the_sum(helper, x_shape, g, axis, keepdims, x_dtype):
    x = np.ones(x_shape, x_dtype)
    acc = _acc(x_shape, x_dtype)
    before = acc.copy()
    spread = getattr(rt, f"{helper}_grad")(g, x, axis, keepdims)
    want = before + spread
    got = getattr(rt, f"add_{helper}_grad")(acc, g, x, axis, keepdims)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert (got is acc) == (want.dtype == x_dtype)
    if got is not acc:
        np.testing.assert_array_equal(acc, before)


def test_add_mean_grad_of_a_number():
    assert rt.add_mean_grad(1.0, 2.0, 3.0) == 3.0
    x = np.ones((2, 2), F32)
    np.testing.assert_array_equal(rt.add_mean_grad(1.0, 2.0, x), 1.0 + rt.mean_grad(2.0, x))
