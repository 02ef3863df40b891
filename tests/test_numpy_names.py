"""numpy names that are not the operation they resemble (issue 12, bug 5).

np.inner contracts the last axes of both operands, np.vdot and np.outer flatten
theirs, np.dot is not matmul once its second operand has three axes, np.vstack
makes rows of vectors and np.hstack of matrices joins along axis 1. Each is
checked here against numpy (value) and central differences (gradient), in
float64 and float32 (gradients keep float32); the gradient of vstack / hstack
where agc cannot know the ranks is refused with a positioned error.
"""

from __future__ import annotations

import agc
import numpy as np
import pytest
from gradcheck import emitted_source, numeric_grad


def inner_f(a, b):
    return np.sum(np.tanh(np.inner(a, b)))


def vdot_f(a, b):
    return np.vdot(a, b) ** 2


def outer_f(a, b):
    out = np.outer(a, b)
    return np.sum(np.sin(out) * np.arange(out.size).reshape(out.shape))


def dot_f(a, b):
    return np.sum(np.tanh(np.dot(a, b)))


def dot_method_f(a, b):
    return np.sum(a.dot(b) ** 2)


def vstack_f(a, b):
    M = np.vstack([a, b])
    return np.sum(np.sum(M * np.arange(M.size).reshape(M.shape), axis=-1) ** 2)


def hstack_f(a, b):
    M = np.hstack([a, b])
    return np.sum(np.tanh(M) * np.arange(M.size).reshape(M.shape))


def block_f(A, B):
    M = np.vstack([np.hstack([A, B]), np.hstack([B, A])])
    return np.sum(M @ M)


SHAPES = [
    (inner_f, (4,), (4,)), (inner_f, (2, 3), (4, 3)), (inner_f, (2, 3), (3,)),
    (inner_f, (3,), (2, 3)), (inner_f, (2, 2, 3), (4, 3)), (inner_f, (2, 3), (2, 2, 3)),
    (inner_f, (), (2, 3)), (inner_f, (3,), ()),
    (vdot_f, (4,), (4,)), (vdot_f, (2, 3), (2, 3)), (vdot_f, (2, 3), (6,)),
    (vdot_f, (2, 1, 3), (3, 2)),
    (outer_f, (3,), (4,)), (outer_f, (2, 2), (3,)), (outer_f, (2, 3), (2, 2, 1)),
    (dot_f, (2, 3, 4), (5, 4, 2)), (dot_f, (3, 4), (2, 4, 3)), (dot_f, (4,), (2, 4, 3)),
    (dot_f, (2, 3, 4), (4,)), (dot_f, (2, 3, 4), (4, 2)), (dot_f, (3, 4), (4, 2)),
    (dot_f, (), (2, 3)), (dot_f, (2, 3), ()), (dot_method_f, (2, 3), (1, 3, 2)),
    (vstack_f, (3,), (3,)), (vstack_f, (2, 3), (3,)), (vstack_f, (3,), (2, 3)),
    (vstack_f, (2, 3), (1, 3)), (vstack_f, (2, 2, 3), (1, 2, 3)),
    (hstack_f, (2, 3), (2, 2)), (hstack_f, (3,), (2,)), (hstack_f, (2, 1, 3), (2, 2, 3)),
    (block_f, (2, 2), (2, 2)),
]


def _args(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(rng.normal(size=s).astype(dtype) if s else dtype(rng.normal()) for s in shapes)


def _id(case):
    fn, *shapes = case
    return fn.__name__[:-2] + "-" + "-".join("x".join(map(str, s)) or "scalar" for s in shapes)


@pytest.mark.parametrize("case", SHAPES, ids=[_id(c) for c in SHAPES])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_value_and_gradient_match_numpy(case, dtype):
    fn, *shapes = case
    args = _args(shapes, dtype)
    value, grads = agc.value_and_grad(fn, wrt=("a", "b") if "a" in
                                      fn.__code__.co_varnames[:2] else ("A", "B"))(*args)
    tol = {"rtol": 1e-7, "atol": 1e-9} if dtype is np.float64 else {"rtol": 2e-3, "atol": 2e-3}
    np.testing.assert_allclose(value, fn(*args), **tol)
    wide = tuple(np.float64(a) if np.ndim(a) == 0 else a.astype(np.float64) for a in args)
    for i, g in enumerate(grads):
        assert np.shape(g) == np.shape(args[i])
        assert np.asarray(g).dtype == dtype
        np.testing.assert_allclose(g, numeric_grad(fn, wide, i), rtol=1e-5 if dtype is
                                   np.float64 else 2e-3, atol=1e-6 if dtype is np.float64 else 2e-3)


def vstack_rank_unknown(x, flag):
    y = x
    if flag > 0:
        y = x[0]
    return np.sum(np.vstack([y, y]) ** 2)


def hstack_rank_unknown(x, flag):
    y = x
    if flag > 0:
        y = x[0]
    return np.sum(np.hstack([y, x]) ** 2)


@pytest.mark.parametrize("fn", [vstack_rank_unknown, hstack_rank_unknown])
def test_stacking_with_unknown_ranks_is_refused_with_a_position(fn):
    with pytest.raises(agc.UserCodeError) as info:
        agc.grad(fn, wrt="x")(np.ones((2, 3)), 1.0)
    err = info.value
    assert err.loc.line == fn.__code__.co_firstlineno + 4
    assert "np.concatenate" in err.hint
    assert "test_numpy_names.py" in str(err)


def test_emitted_code_says_what_numpy_does():
    fn = agc.differentiate(vstack_f, wrt=("a", "b"))
    fn.grad(np.ones(3), np.ones(3))
    assert "xp.vstack(" in emitted_source(fn)
    fn = agc.differentiate(vdot_f, wrt=("a", "b"))
    fn.grad(np.ones((2, 2)), np.ones(4))
    assert "xp.reshape(a, (-1,))" in emitted_source(fn)
