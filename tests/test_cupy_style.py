"""agc.runtime.cupy_style: numpy's behaviour on top of cupy, checked here over numpy itself.

`CupyStyle(module)` wraps whichever module it is given. Over numpy (which accepts
everything) its conversions and keyword fixes must give exactly numpy's results;
on a GPU, tests/test_gpu.py and tests/differential/test_gpu_corpus.py run the whole
corpus through it over cupy.
"""

from __future__ import annotations

import numpy as np
import pytest
from agc.runtime.cupy_style import CupyStyle

xp = CupyStyle(np)


def same(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_literals_become_arrays_as_numpy_makes_them():
    a = np.float32(0.5) * np.ones((), np.float32)
    same(xp.stack([1.0, 2.0, 3.0]), np.stack([1.0, 2.0, 3.0]))
    same(xp.stack([[a, 1.0], [a, a]]), np.stack([[a, 1.0], [a, a]]))  # float64, as numpy
    same(xp.asarray([[a, a], [a, a]]), np.asarray([[a, a], [a, a]]))  # float32
    same(xp.asarray([a, 2.0], dtype=np.float32), np.asarray([a, 2.0], dtype=np.float32))
    same(xp.concatenate([np.ones(2), [3.0]]), np.concatenate([np.ones(2), [3.0]]))
    same(xp.reshape(2.0, (-1,)), np.reshape(2.0, (-1,)))
    same(xp.sum([1.0, 2.0]), np.sum([1.0, 2.0]))
    same(xp.concat([np.ones(2), np.zeros(3)]), np.concat([np.ones(2), np.zeros(3)]))
    same(xp.triu_indices(4, k=1)[0], np.triu_indices(4, k=1)[0])  # ints stay ints


def test_to_array_converts_only_what_numpy_would():
    x = np.arange(3.0)
    assert xp.to_array(x) is x
    assert xp.to_array(2.0, numbers=False) == 2.0 and type(xp.to_array(2.0, numbers=False)) is float
    same(xp.to_array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]]))
    assert xp.to_array("ij") == "ij" and type(xp.to_array(3, ints=False)) is int
    same(xp.to_array(3), np.asarray(3))
    same(xp.stack([0, 5, 11]), np.stack([0, 5, 11]))


def test_two_operand_functions_take_numbers():
    a = np.linspace(0.0, 1.0, 4, dtype=np.float32)
    same(xp.dot(a, 3.0), np.dot(a, 3.0))  # float64: numpy makes 3.0 an array first
    same(xp.outer(a, [1.0, 2.0]), np.outer(a, [1.0, 2.0]))
    same(xp.searchsorted([0.0, 0.5, 1.0], 0.7), np.searchsorted([0.0, 0.5, 1.0], 0.7))
    same(xp.take(a, [0, 3, 3]), np.take(a, [0, 3, 3]))


def test_where_keeps_python_numbers_weak():
    t = np.ones(3, np.float32)
    same(xp.where(True, 0.0, t), np.where(True, 0.0, t))  # float32, not float64
    same(xp.where(t > 0), np.where(t > 0))


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_count_nonzero_keepdims(axis):
    x = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0]])
    same(xp.count_nonzero(x, axis=axis, keepdims=True),
         np.count_nonzero(x, axis=axis, keepdims=True))
    same(xp.count_nonzero(x, axis=axis), np.count_nonzero(x, axis=axis))


def test_sort_and_argsort_take_numpys_keywords():
    x = np.array([3.0, 1.0, 2.0, 1.0])
    same(xp.sort(x, kind="stable"), np.sort(x, kind="stable"))
    same(xp.sort(x, stable=True), np.sort(x, stable=True))
    same(xp.argsort(x, kind="stable"), np.argsort(x, kind="stable"))


@pytest.mark.parametrize("width", [2, (2,), ((2,), (1,)), ((1, 2),), ((1, 2), (0, 1))])
def test_pad_widths_in_numpys_forms(width):
    x = np.arange(12.0).reshape(3, 4)
    same(xp.pad(x, width, mode="symmetric"), np.pad(x, width, mode="symmetric"))


@pytest.mark.parametrize("a_shape, b_shape", [((3, 3), (3,)), ((3, 3), (2, 3, 4)),
                                              ((2, 3, 3), (3,)), ((2, 3, 3), (3, 1)),
                                              ((2, 1, 3, 3), (4, 3, 2))])
def test_solve_broadcasts_like_numpy(a_shape, b_shape):
    rng = np.random.default_rng(0)
    a = rng.normal(size=a_shape) + 4 * np.eye(a_shape[-1])
    b = rng.normal(size=b_shape)
    np.testing.assert_allclose(xp.linalg.solve(a, b), np.linalg.solve(a, b), rtol=1e-12)
    np.testing.assert_allclose(xp.linalg.norm([3.0, 4.0]), 5.0)


def test_other_names_are_the_modules_own():
    assert xp.float32 is np.float32 and xp.pi == np.pi and xp.newaxis is None
    assert xp.__name__ == "cupy"  # runtime helpers pick cupyx by this name
    same(xp.maximum(np.ones(2, np.float32), 0.5), np.maximum(np.ones(2, np.float32), 0.5))
