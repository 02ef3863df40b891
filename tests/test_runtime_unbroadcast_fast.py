"""unbroadcast's and add's first tests by exact type (runtime/cotangents.py) give what
their general code gives: g itself for an array or a taped Shape of g's shape, g's sum
for a number, g itself for a 0-d g, the general sums for broadcast shapes; add returns
the other operand of a zero stand-in, and adds views whose last stride is zero."""

from __future__ import annotations

import numpy as np
import pytest
from agc import runtime as rt
from agc.runtime.cotangents import kept_shape, zero_stand_in

RNG = np.random.default_rng(11)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_an_array_or_shape_of_gs_shape_gives_g_itself(dtype):
    g = RNG.normal(size=(4, 3)).astype(dtype)
    assert rt.unbroadcast(g, np.ones((4, 3))) is g
    assert rt.unbroadcast(g, kept_shape(np.ones((4, 3)))) is g


@pytest.mark.parametrize("number", [2.5, 3, True, np.float64(0.5), np.float32(0.5)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_numbers_cotangent_is_gs_sum_to_the_bit(number, dtype):
    g = RNG.normal(size=(7, 5)).astype(dtype)
    got = rt.unbroadcast(g, number)
    assert type(got) is type(g.sum()) and got == g.sum()


def test_a_0d_cotangent_of_a_number_stays_as_it_is():
    g = np.array(1.5)
    assert rt.unbroadcast(g, 2.0) is g


@pytest.mark.parametrize("like", [np.ones((1, 3)), np.ones(3), np.ones((4, 1))])
def test_broadcast_shapes_are_summed_back(like):
    g = RNG.normal(size=(4, 3))
    want = g.sum(axis=0, keepdims=like.shape[0] == 1) if like.shape[-1] == 3 else \
        g.sum(axis=1, keepdims=True)
    for x in (like, kept_shape(like)):
        got = rt.unbroadcast(g, x)
        assert got.shape == like.shape
        np.testing.assert_allclose(got, want.reshape(like.shape), rtol=1e-14)


def test_a_list_operand_is_still_refused():
    with pytest.raises(TypeError, match="list or tuple"):
        rt.unbroadcast(np.ones(3), [1.0, 2.0, 3.0])


def test_add_skips_stand_ins_and_adds_zero_stride_views():
    a = RNG.normal(size=(3, 4))
    zero = zero_stand_in(a)
    assert rt.add(zero, a) is a and rt.add(a, zero) is a
    column = RNG.normal(size=3)
    view = np.broadcast_to(column[:, None], (3, 4))  # last stride zero, not a stand-in
    np.testing.assert_array_equal(rt.add(view, a), view + a)
    np.testing.assert_array_equal(rt.add(a, view), a + view)
    zeros_view = np.broadcast_to(np.zeros((3, 1)), (3, 4))  # zeros, writeable base: a view
    np.testing.assert_array_equal(rt.add(zeros_view, a), a)
