"""The runtime's short paths give what its general ones give: rows gathered by an integer
array scattered back by bincount (numpy.add.at's sums), plain indices assigned directly,
dot's cotangents without tensordot, cross's without moveaxis, and cached stand-ins; and
unbroadcast of a cotangent with fewer axes than its input."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc import runtime as rt
from agc.runtime.contractions import dot_grad_left, dot_grad_right
from agc.runtime.cotangents import kept_like, zero_stand_in
from agc.runtime.indices import plain
from agc.runtime.linalg_more import _cross
from agc.runtime.scatter import summed_rows

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(7)


def _add_at(shape, index, g):
    out = np.zeros(shape, dtype=np.result_type(g, np.float64))
    np.add.at(out, index, g)
    return out


@pytest.mark.parametrize("shape", [(6,), (6, 3), (5, 2, 2)])
def test_rows_picked_by_an_integer_array_sum_like_add_at(shape):
    index = np.array([4, 0, 4, 1, 4, 0, 2])
    g = RNG.normal(size=(len(index),) + shape[1:])
    want = _add_at(shape, index, g)
    np.testing.assert_array_equal(summed_rows(shape, index, g), want)
    np.testing.assert_array_equal(rt.getitem_grad(g, np.ones(shape), index), want)
    acc = RNG.normal(size=shape)
    np.testing.assert_allclose(rt.add_at(acc.copy(), g, np.ones(shape), index), acc + want,
                               rtol=1e-15)


@pytest.mark.parametrize("index, g", [
    (np.array([-1, 0, 2]), RNG.normal(size=3)),                     # negative: wraps
    (np.array([1, 0, 2]), RNG.normal(size=3).astype(np.float32)),   # not float64
    (np.array([1, 0, 2], dtype=np.uint64), RNG.normal(size=3)),     # bincount refuses it
    (np.array([[1, 0], [2, 2]]), RNG.normal(size=(2, 2))),          # 2-D index
])
def test_other_scatters_keep_add_at(index, g):
    assert summed_rows((4,), index, g) is None
    np.testing.assert_allclose(rt.getitem_grad(g, np.ones(4), index),
                               _add_at((4,), index, g), rtol=1e-6)


def test_an_index_out_of_range_still_raises():
    with pytest.raises(IndexError):
        rt.getitem_grad(np.ones(2), np.ones(3), np.array([0, 3]))


def test_plain_indices():
    assert plain(2) and plain(slice(1, 3)) and plain((0, slice(None), 1))
    assert not plain((0, None)) and not plain(True) and not plain((np.array([0]),))
    x = np.ones((3, 4))
    out = rt.getitem_grad(np.arange(4.0), x, 1)
    np.testing.assert_array_equal(out, np.array([[0, 0, 0, 0], [0, 1, 2, 3], [0, 0, 0, 0.0]]))


def test_an_index_that_only_adds_axes_is_added_into_the_accumulator():
    acc, g = np.arange(3.0), np.ones((3, 1))
    out = rt.add_at(acc, g, np.zeros(3), (slice(None), None))
    assert out is acc
    np.testing.assert_array_equal(out, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("xs, ys", [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,))])
def test_dot_cotangents_of_matrices_and_vectors_match_jax(xs, ys):
    x, y = RNG.normal(size=xs), RNG.normal(size=ys)
    g = RNG.normal(size=np.dot(x, y).shape)
    _, pullback = jax.vjp(jnp.dot, x, y)
    want_x, want_y = pullback(g)
    np.testing.assert_allclose(dot_grad_left(g, x, y), want_x, rtol=1e-12)
    np.testing.assert_allclose(dot_grad_right(g, x, y), want_y, rtol=1e-12)


def test_cross_cotangents_on_the_last_axis_and_another_match_jax():
    a, b = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3))
    g = RNG.normal(size=(5, 3))
    _, pullback = jax.vjp(jnp.cross, a, b)
    want_a, want_b = pullback(g)
    np.testing.assert_allclose(rt.cross_grad(g, a, b, side=0), want_a, rtol=1e-12)
    np.testing.assert_allclose(rt.cross_grad(g, a, b, side=1), want_b, rtol=1e-12)
    _, pullback = jax.vjp(lambda p, q: jnp.cross(p, q, axis=0), a.T, b.T)
    want_a, _ = pullback(g.T)
    np.testing.assert_allclose(rt.cross_grad(g.T, a.T, b.T, axis=0, side=0), want_a,
                               rtol=1e-12)


def test_stand_ins_are_shared_read_only_zeros():
    x = RNG.normal(size=(2, 3))
    first, second = kept_like(x), kept_like(x.copy())
    assert first is second and not first.flags.writeable
    assert first.shape == (2, 3) and first.dtype == x.dtype and not first.any()
    ints = zero_stand_in(np.arange(4))
    assert ints.dtype == np.float64 and ints.shape == (4,) and not ints.flags.writeable
    assert kept_like(x.astype(np.float32)).dtype == np.float32


def test_unbroadcast_aligns_a_cotangent_of_fewer_axes_on_the_right():
    """g broadcasts to x as numpy would: (3, 1) against (1, 3, 4) is rows, not a sum."""
    g = np.array([[1.0], [2.0], [3.0]])
    out = rt.unbroadcast(g, np.zeros((1, 3, 4)))
    np.testing.assert_array_equal(out, np.broadcast_to(g, (1, 3, 4)))
    np.testing.assert_array_equal(rt.unbroadcast(np.arange(4.0), np.zeros((2, 4))),
                                  np.broadcast_to(np.arange(4.0), (2, 4)))


def test_one_item_of_a_tuple_gets_its_cotangent_and_the_others_stand_ins():
    h, c = RNG.normal(size=4), RNG.normal(size=(2, 3))
    g_h, g_c = RNG.normal(size=4), RNG.normal(size=(2, 3))
    first = rt.getitem_grad(g_c, (h, c), -1)
    assert first[1] is g_c and not first[0].any() and first[0].shape == (4,)
    both = rt.add(first, rt.getitem_grad(g_h, (h, c), 0))
    assert type(both) is tuple and both[0] is g_h and both[1] is g_c
    again = rt.add(both, both)
    np.testing.assert_array_equal(again[0], 2 * g_h)
    np.testing.assert_array_equal(again[1], 2 * g_c)


@pytest.mark.filterwarnings("ignore:invalid value")
def test_cross_of_two_arrays_of_one_shape_is_numpys_to_the_bit():
    a, b = RNG.normal(size=(50, 3)), RNG.normal(size=(50, 3))
    a[0], b[1] = [-0.0, np.inf, np.nan], [np.inf, -np.inf, 0.0]
    for p, q in ((a, b), (a.astype(np.float32), b.astype(np.float32)), (a, b[:1]), (a[2], b[2]),
                 (a.astype(np.float32), b), (a[:, None, :], b[None, :3, :])):
        got, want = _cross(np, p, q), np.cross(p, q)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
