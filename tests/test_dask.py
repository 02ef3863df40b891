"""The emitted gradient on dask arrays: lazy, and equal to numpy's.

Small parameters are numpy arrays and the data are dask arrays chunked by rows,
as in training; the gradient comes back as a dask array that nothing has
computed yet (a dask callback counts computations), and after `.compute()` it
equals the gradient on the same data as numpy arrays. A `while` whose
condition reads a dask value computes that scalar at each test of the
condition. softmax cross-entropy's `logp[np.arange(n), labels]` runs chunk by
chunk (agc.runtime.dask_style). The straight-line corpus (tests/corpus_straight.py)
runs lazily too.
"""

from __future__ import annotations

import agc
import numpy as np
import pytest
from agc import runtime as rt
from agc.runtime import dask_style
from corpus_straight import CASES as STRAIGHT
from gradcheck import pick_seed, tree_leaves

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dask_callbacks = pytest.importorskip("dask.callbacks")

ROWS, CHUNK, FEATURES, CLASSES = 40, 15, 3, 4  # chunks of 15, 15, 10 rows
dask_style.dask_style(da)  # what agc's first gradient call on dask arrays sets up


@agc.differentiate(wrt=("w", "b"))
def mse(x, y, w, b):
    return np.mean((x @ w + b - y) ** 2)


@agc.differentiate(wrt=("w", "b"))
def logistic(x, y, w, b):
    z = x @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


@agc.differentiate(wrt=("w1", "w2"))
def mlp(x, y, w1, w2):
    h = np.tanh(x @ w1)
    return np.sum((h @ w2 - y) ** 2) / 2


@agc.differentiate(wrt=("w", "b"))
def softmax_ce(x, labels, w, b):
    z = x @ w + b
    z = z - np.max(z, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(x.shape[0]), labels])


@agc.differentiate(wrt=("w",))
def shrink_until_small(x, y, w):
    loss = np.mean((x @ w - y) ** 2)
    while loss > 0.1:  # the condition reads a dask value: computed at each test
        loss = loss / 2
    return loss


def _data(dtype):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(ROWS, FEATURES)).astype(dtype)
    return {
        "mse": (mse, x, rng.normal(size=ROWS).astype(dtype),
                rng.normal(size=FEATURES).astype(dtype), dtype(0.5)),
        "logistic": (logistic, x, (rng.random(ROWS) < 0.5).astype(dtype),
                     rng.normal(size=FEATURES).astype(dtype), dtype(0.1)),
        "mlp": (mlp, x, rng.normal(size=(ROWS, 2)).astype(dtype),
                rng.normal(size=(FEATURES, 5)).astype(dtype), rng.normal(size=(5, 2)).astype(dtype)),
        "softmax_ce": (softmax_ce, x, rng.integers(0, CLASSES, ROWS),
                       rng.normal(size=(FEATURES, CLASSES)).astype(dtype),
                       rng.normal(size=CLASSES).astype(dtype)),
        "while": (shrink_until_small, x, rng.normal(size=ROWS).astype(dtype),
                  rng.normal(size=FEATURES).astype(dtype)),
    }


class _Computations(dask_callbacks.Callback):
    """Counts the dask computations started while it is active."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def _start(self, dsk):
        self.count += 1


def _chunked(value):
    return da.from_array(value, chunks=(CHUNK,) + (-1,) * (value.ndim - 1))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["mse", "logistic", "mlp", "softmax_ce", "while"])
def test_dask_gradient_is_lazy_and_equals_numpy(name, dtype):
    loss, x, y, *params = _data(dtype)[name]
    expected = loss.grad(x, y, *params)
    with _Computations() as computed:
        grads = loss.grad(_chunked(x), _chunked(y), *params)
    # Only the while loop's condition is computed while the gradient is built.
    assert (computed.count > 0) == (name == "while")
    grads = grads if isinstance(grads, tuple) else (grads,)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert all(dask_style.is_dask(g) for g in grads)
    tolerance = 1e-12 if dtype is np.float64 else 2e-5
    for got, want, param in zip(grads, expected, params):
        got = got.compute()
        assert np.shape(got) == np.shape(param)
        assert np.asarray(got).dtype == np.asarray(want).dtype == np.asarray(param).dtype
        np.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance)


def test_array_module_of_dask_and_numpy_is_the_dask_adapter():
    xp = rt.array_module(np.ones(3), _chunked(np.ones(4)))
    assert isinstance(xp, dask_style.DaskStyle)
    assert dask_style.is_dask(xp.arange(3)) and xp.linalg.norm is da.linalg.norm


def test_row_pick_and_its_adjoint_match_numpy_with_repeats():
    """x[rows, cols] chunk by chunk; the scatter adds repeated positions, as np.add.at."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(ROWS, CLASSES, 2))
    rows = np.arange(ROWS)
    cols = rng.integers(-CLASSES, CLASSES, ROWS)
    picked = _chunked(x)[rows, _chunked(cols)]
    np.testing.assert_array_equal(picked.compute(), x[rows, cols])
    g = rng.normal(size=(ROWS, 2))
    want = np.zeros_like(x)
    np.add.at(want, (rows, cols), g)
    got = rt.getitem_grad(_chunked(g), _chunked(x), (rows, _chunked(cols)))
    np.testing.assert_array_equal(got.compute(), want)
    # a number as the cotangent (it broadcasts over the picked entries)
    got = rt.getitem_grad(2.0, _chunked(x), (rows, _chunked(cols)))
    np.testing.assert_array_equal(got.compute(), rt.getitem_grad(2.0, x, (rows, cols)))


def test_row_pick_outside_its_chunk_is_an_index_error():
    x = _chunked(np.arange(ROWS * 2.0).reshape(ROWS, 2))
    rows = np.arange(ROWS)[::-1].copy()  # row 39 for position 0: not in chunk 0
    # which chunk fails first depends on the scheduler
    with pytest.raises(IndexError, match=r"position \d+ of the first index picks row \d+, "
                                         r"outside the chunk of rows \d+:\d+ it lies in"):
        x[rows, np.zeros(ROWS, int)].compute()


def test_other_nd_fancy_indexing_keeps_dasks_refusal():
    x = _chunked(np.ones((ROWS, 2)))
    with pytest.raises(NotImplementedError, match="nd fancy indexing"):
        _ = x[np.arange(3), np.zeros(3, int)]  # 3 positions, 40 rows: not a row pick


def _dask_tree(value):
    """numpy arrays (inside trees too) as dask arrays of two chunks of rows."""
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        return da.from_array(value, chunks=(max(1, value.shape[0] // 2),) + (-1,) * (value.ndim - 1))
    if isinstance(value, dict):
        return {key: _dask_tree(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_dask_tree(item) for item in value)
    return value


@pytest.mark.parametrize("case", STRAIGHT, ids=lambda case: case.name)
def test_straight_line_corpus_is_lazy_on_dask(case):
    """Every straight-line corpus function: nothing computed until asked, numpy's gradient."""
    args = case.args_list[0]
    diff = agc.differentiate(case.fn, wrt=case.wrt or None)
    seed = pick_seed(case.fn, args)
    if seed is None:
        want = diff.grad(*args)
        with _Computations() as computed:
            lazy = diff.grad(*_dask_tree(args))
    else:  # a non-scalar output: the vjp with a seed (a dask array too) shaped like it
        want = diff.vjp(*args, seed=seed)[1]
        with _Computations() as computed:
            lazy = diff.vjp(*_dask_tree(args), seed=_dask_tree(seed))[1]
    assert computed.count == 0
    got = dask.compute(lazy)[0]
    for got_leaf, want_leaf in zip(tree_leaves(got), tree_leaves(want)):
        np.testing.assert_allclose(np.asarray(got_leaf), np.asarray(want_leaf), rtol=1e-10,
                                   atol=1e-12)
