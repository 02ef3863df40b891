"""Many short rows (bundle adjustment's (2000, 3) points, (2000, 11) cameras): the runtime's
column-by-column paths give numpy's own values, bit for bit: unbroadcast's sum over a
short last axis, getitem_grad and add_at through a slice of few columns, and rows picked
by an integer array summed a bincount per column."""

from __future__ import annotations

import numpy as np
import pytest
from agc import runtime as rt
from agc.runtime.scatter import summed_rows

RNG = np.random.default_rng(11)


def _wild(shape, dtype=np.float64):
    """Values of very different sizes (so the order of the additions shows), with rows of
    -0.0, a NaN and infinities of both signs."""
    a = RNG.normal(size=shape) * np.exp(RNG.normal(size=shape) * 6)
    a[:3] = -0.0
    flat = a.reshape(-1)
    flat[flat.size // 2] = np.nan
    flat[-2:] = [np.inf, -np.inf]
    return a.astype(dtype)


def _same_bits(got, want):
    np.testing.assert_array_equal(got, want)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.filterwarnings("ignore:invalid value")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("width", [2, 3, 7, 8])
def test_unbroadcast_over_a_short_last_axis_is_numpys_sum(width, dtype):
    g = _wild((300, width), dtype)
    for view in (g, np.asfortranarray(g), g[::2]):
        _same_bits(rt.unbroadcast(view, np.zeros((len(view), 1))),
                   np.sum(view, axis=-1, keepdims=True))
    g3 = _wild((300, 2, width), dtype)
    _same_bits(rt.unbroadcast(g3, np.zeros((300, 2, 1))), np.sum(g3, axis=-1, keepdims=True))


def _scatters_like_numpy(g, x, index):
    """getitem_grad is numpy's assignment into zeros, add_at numpy's `+=` into acc itself."""
    want = np.zeros_like(x)
    want[index] = g
    _same_bits(rt.getitem_grad(g, x, index), want)
    acc = RNG.normal(size=x.shape)
    want = acc.copy()
    want[index] += g
    got = rt.add_at(acc, g, x, index)
    assert got is acc
    _same_bits(got, want)


@pytest.mark.parametrize("index", [(slice(None), slice(0, 3)), (slice(None), slice(7, 9)),
                                   (slice(None), slice(2, 3)), (slice(10, None), slice(1, 6))])
def test_getitem_grad_and_add_at_through_few_columns_of_many_rows(index):
    x = np.zeros((200, 11))
    _scatters_like_numpy(_wild(x[index].shape), x, index)


def test_a_broadcast_cotangent_through_few_columns():
    x, index = np.zeros((200, 5)), (slice(None), slice(1, 4))
    for g in (RNG.normal(size=(200, 1)), np.float64(2.5), RNG.normal(size=3)):
        _scatters_like_numpy(g, x, index)


@pytest.mark.parametrize("rows, width", [(500, 3), (10, 11), (7, 15), (7, 16)])
def test_rows_picked_by_an_integer_array_sum_like_add_at_column_by_column(rows, width):
    index = RNG.integers(0, rows, 400)
    g = _wild((400, width))
    want = np.zeros((rows, width))
    np.add.at(want, index, g)
    _same_bits(summed_rows((rows, width), index, g), want)
