"""Issue 12, bugs 6 and 9: prod with zeros, clip bounds, norm ords, repeated fancy
indices, maximum / minimum ties and `%`: values against numpy, gradients against
central differences or closed forms, float32 kept, and each proved by agc.verify
where it has a symbolic meaning."""

from __future__ import annotations

import agc
import numpy as np
import pytest
from gradcheck import numeric_grad


def prod_plus_sum(x):
    return np.prod(x) + np.sum(x)


def prod_axis_squared(X):
    return np.sum(np.prod(X, axis=0) ** 2)


def clip_array_bounds(x, lo, hi):
    return np.sum(np.clip(x, lo, hi) ** 2)


def clip_scalar_bound(x, lo):
    return np.sum(np.clip(x, lo, 1.0) ** 2)


def norm_1(x):
    return np.linalg.norm(x, 1)


def norm_inf(x):
    return np.linalg.norm(x, np.inf)


def norm_minus_inf(x):
    return np.linalg.norm(x, -np.inf)


def norm_3(x):
    return np.linalg.norm(x, 3)


def norm_rows_3(X):
    return np.sum(np.linalg.norm(X, 3, axis=1))


def norm_fro(X):
    return np.linalg.norm(X, "fro")


def norm_spectral(X):
    return np.linalg.norm(X, 2)


def norm_nuclear(X):
    return np.linalg.norm(X, "nuc")


def norm_matrix_1(X):
    return np.linalg.norm(X, 1)


def norm_matrix_inf(X):
    return np.linalg.norm(X, np.inf)


def add_repeated(x, y0):
    y = y0.copy()
    y[[0, 0, 2]] += x
    return np.sum(y ** 2)


def set_repeated(x, y0):
    y = y0.copy()
    y[[0, 0, 1]] = x
    return np.sum(y ** 2 * np.arange(1.0, 7.0))


def maximum_weighted(x, y):
    return np.sum(np.maximum(x, y) * np.array([1.0, 2.0, 3.0, 4.0]))


def minimum_cubed(x, y):
    return np.sum(np.minimum(x, y) ** 3)


def mod_both(x, c):
    return np.sum((x % c) ** 2 + (x % 0.3) * x)


def relu(x):
    return np.sum(agc.nn.relu(x) * np.array([1.0, 2.0, 3.0, 4.0]))


def _grads(fn, args, wrt):
    got = agc.grad(fn, wrt=wrt)(*args)
    return got if isinstance(got, tuple) else (got,)


def _check(fn, args, wrt, *, prove=True, rtol=1e-5, atol=1e-6):
    names = fn.__code__.co_varnames[:fn.__code__.co_argcount]
    value, _ = agc.differentiate(fn, wrt=wrt).value_and_grad(*args)
    np.testing.assert_allclose(value, fn(*args), rtol=1e-12)
    for name, got in zip(wrt, _grads(fn, args, wrt)):
        want = numeric_grad(fn, args, names.index(name))
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=name)
    if prove:
        result = agc.verify(fn, *args, wrt=wrt)
        assert result.proved, str(result)


rng = np.random.default_rng(12)
VECTOR, MATRIX = rng.normal(size=4), rng.normal(size=(3, 4))

CASES = [
    (prod_plus_sum, (np.array([0.0, 2.0, 1.5, 3.0]),), ("x",)),
    (prod_plus_sum, (np.array([0.0, 2.0, 0.0, 3.0]),), ("x",)),
    (prod_axis_squared, (np.array([[0.0, 2.0], [1.5, 3.0], [2.0, -1.0]]),), ("X",)),
    (clip_array_bounds, (np.array([-1.5, 0.2, 1.5, 0.0]), np.array([-1.0, -0.5, -0.5, -0.3]),
                         np.array([1.0, 0.5, 0.9, 0.3])), ("x", "lo", "hi")),
    (clip_scalar_bound, (np.array([-1.5, 0.2, 1.5, -0.7]), -0.5), ("x", "lo")),
    (norm_1, (VECTOR,), ("x",)),
    (norm_inf, (VECTOR,), ("x",)),
    (norm_minus_inf, (VECTOR,), ("x",)),
    (norm_3, (VECTOR,), ("x",)),
    (norm_rows_3, (MATRIX,), ("X",)),
    (norm_fro, (MATRIX,), ("X",)),
    (add_repeated, (VECTOR[:3], rng.normal(size=6)), ("x", "y0")),
    (set_repeated, (VECTOR[:3], rng.normal(size=6)), ("x", "y0")),
    (mod_both, (np.array([0.35, 1.1, -0.5, 2.2]), 0.7), ("x", "c")),
]


@pytest.mark.parametrize("fn, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_against_central_differences_and_proved(fn, args, wrt):
    _check(fn, args, wrt)


@pytest.mark.parametrize("fn", [norm_spectral, norm_nuclear, norm_matrix_1, norm_matrix_inf])
def test_matrix_norms(fn):
    _check(fn, (MATRIX,), ("X",), prove=False)  # SVD and max-sums: no symbolic meaning


def test_spectral_norm_gradient_is_the_top_singular_pair():
    u, _, vt = np.linalg.svd(MATRIX)
    np.testing.assert_allclose(agc.grad(norm_spectral)(MATRIX), np.outer(u[:, 0], vt[0]),
                               rtol=1e-10)


def prod_only(x):
    return np.prod(x)


def test_prod_with_one_zero_is_the_product_of_the_others():
    x = np.array([1.5, 0.0, -2.0])
    np.testing.assert_array_equal(agc.grad(prod_only)(x), [0.0, -3.0, 0.0])


def test_ties_are_split_evenly():
    x, y = np.array([0.5, -1.0, 2.0, 0.0]), np.array([0.5, 1.0, 2.0, -3.0])
    gx, gy = agc.grad(maximum_weighted, wrt=("x", "y"))(x, y)
    np.testing.assert_array_equal(gx, [0.5, 0.0, 1.5, 4.0])
    np.testing.assert_array_equal(gy, [0.5, 2.0, 1.5, 0.0])
    gx, gy = agc.grad(minimum_cubed, wrt=("x", "y"))(x, y)
    np.testing.assert_allclose(gx, [0.375, 3.0, 6.0, 0.0])
    np.testing.assert_allclose(gy, [0.375, 0.0, 6.0, 27.0])
    for fn in (maximum_weighted, minimum_cubed):
        assert agc.verify(fn, x, y, wrt=("x", "y")).proved


def test_relu_keeps_zero_at_zero():
    np.testing.assert_array_equal(agc.grad(relu)(np.array([0.0, 1.0, -1.0, 0.0])),
                                  [0.0, 2.0, 0.0, 0.0])


def clip_times_3(x, lo):
    return np.sum(np.clip(x, lo, 1.0) * 3.0)


def test_clip_at_a_bound_goes_to_x():
    x, lo = np.array([-0.5, 0.0, 1.0]), -0.5
    gx, glo = agc.grad(clip_times_3, wrt=("x", "lo"))(x, lo)
    np.testing.assert_array_equal(gx, [3.0, 3.0, 3.0])
    assert glo == 0.0


def test_repeated_index_last_write_wins():
    x, y0 = np.array([1.0, 2.0, 3.0]), np.zeros(6)
    np.testing.assert_allclose(set_repeated(x, y0), 2.0 ** 2 * 1 + 3.0 ** 2 * 2)
    gx, _ = agc.grad(set_repeated, wrt=("x", "y0"))(x, y0)
    np.testing.assert_array_equal(gx, [0.0, 4.0, 12.0])


@pytest.mark.parametrize("fn, args, wrt", [
    (prod_plus_sum, (np.array([0.0, 2.0, 0.0, 3.0]),), ("x",)),
    (clip_array_bounds, CASES[3][1], ("x", "lo", "hi")),
    (maximum_weighted, (VECTOR, VECTOR[::-1].copy()), ("x", "y")),
    (norm_3, (VECTOR,), ("x",)),
    (norm_inf, (VECTOR,), ("x",)),
    (norm_spectral, (MATRIX,), ("X",)),
    (norm_nuclear, (MATRIX,), ("X",)),
    (norm_matrix_1, (MATRIX,), ("X",)),
    (set_repeated, (VECTOR[:3], np.arange(6.0)), ("x", "y0")),
    (mod_both, (np.array([0.35, 1.1, -0.5, 2.2]), 0.7), ("x", "c")),
], ids=lambda v: getattr(v, "__name__", ""))
def test_float32_kept(fn, args, wrt):
    args32 = tuple(np.float32(a) if isinstance(a, float) else a.astype(np.float32) for a in args)
    grads = _grads(fn, args32, wrt)
    for got, want in zip(grads, _grads(fn, args, wrt)):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)
