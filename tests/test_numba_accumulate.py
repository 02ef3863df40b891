"""The numba target's in-place accumulation (backend/numba_accumulate.py): only where no
other name can see the accumulator's array change."""

from __future__ import annotations

import textwrap

import agc
import libcst as cst
import numpy as np
import pytest
from agc.backend.numba_accumulate import accumulate_in_place

pytest.importorskip("numba")


def _rewritten(source: str) -> str:
    fn = cst.parse_module(textwrap.dedent(source)).body[0]
    return cst.Module(body=[accumulate_in_place(fn)]).code


def test_a_fresh_accumulator_read_after_its_loop_is_added_into():
    out = _rewritten("""
        def f(W, gs, hs):
            W_bar = nb.zeros_like(W)
            for t in range(3):
                W_bar = W_bar + nb.matmul_grad_left(gs[t], W, hs[t])
                U_bar = U_bar + gs[t]
            W_bar = nb.cast_like(W_bar, W)
            return W_bar
    """)
    assert "W_bar = nb.add_matmul_grad_left(W_bar, gs[t], W, hs[t])" in out
    assert "U_bar = U_bar + gs[t]" in out  # never made fresh here: it may be anyone's array


@pytest.mark.parametrize("source", [
    # another name holds the array: it would see the additions
    ("def f(x, g):\n    A = nb.zeros_like(x)\n    B = A\n    for t in range(2):\n"
     "        A = A + g\n    return A, B\n"),
    # read inside the loop (a tape push keeps a reference)
    ("def f(x, g):\n    A = nb.zeros_like(x)\n    for t in range(2):\n"
     "        tape_A.append(A)\n        A = A + g\n    return A\n"),
    # a parameter: the caller's array
    "def f(A, g):\n    A = A + g\n    A = nb.zeros_like(g)\n    A = A + g\n    return A\n",
    # the term reads the accumulator
    "def f(x, g):\n    A = nb.zeros_like(x)\n    A = A + A[::-1]\n    return A\n",
    # bound to something else before an addition
    ("def f(x, g):\n    A = nb.zeros_like(x)\n    A = nb.unbroadcast(g, x)\n    A = A + g\n"
     "    return A\n"),
])
def test_an_accumulator_another_name_may_hold_is_left_alone(source):
    assert "nb.accumulate" not in _rewritten(source)
    assert "add_matmul_grad_left" not in _rewritten(source)


def rnn(W, U, xs):
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U * xs[t])
    return np.sum(h * h)


def batched_rnn(W, H):
    for t in range(3):  # W's cotangent: g @ H.T each step, added in place
        H = np.tanh(W @ H)
    return np.sum(H * H)


def _equal_grads(fn, args, wrt):
    got = agc.grad(fn, wrt, target="numba")(*args)
    want = agc.grad(fn, wrt)(*args)
    for a, b in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_the_rnn_adds_into_its_gradients_and_equals_numpy(tmp_path, monkeypatch):
    monkeypatch.setenv("AGC_CACHE_DIR", str(tmp_path))
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(5, 5)) * 0.3, rng.normal(size=5), np.sin(np.arange(7.0)))
    source = agc.differentiate(rnn, wrt=("W", "U"), target="numba").gradient_source
    assert "W_bar = nb.add_matmul_grad_left(W_bar, " in source
    assert "U_bar = nb.accumulate(U_bar, " in source
    _equal_grads(rnn, args, ("W", "U"))
    _equal_grads(batched_rnn, (args[0], rng.normal(size=(5, 2))), ("W",))


@pytest.mark.parametrize("acc, term", [(np.zeros(3), np.ones(3)), (np.zeros(3), np.ones((2, 3))),
                                       (np.zeros((1, 3)), np.ones((2, 3))), (np.zeros(3), 2.0),
                                       (1.0, np.ones(3)), (np.zeros(3, np.float32), np.ones(3))])
def test_accumulate_is_numpys_sum(acc, term):
    """In place only where the sum has acc's shape and dtype; else numpy's new array."""
    import numba  # noqa: PLC0415 - optional: importorskip above
    from agc.runtime import numba_helpers as nb  # noqa: PLC0415 - needs numba

    want = acc + term  # before: accumulate may add into acc
    got = numba.njit(lambda a, t: nb.accumulate(a, t))(acc, term)
    assert np.shape(got) == np.shape(want) and np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_array_equal(got, want)
