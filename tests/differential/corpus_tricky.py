"""Corpus: numerically tricky points and float32.

Kinks. Central differences mean nothing at a kink (`fd=False`), so the
convention is stated per entry:
* maximum / minimum ties and max-reduction ties: jax's convention (the
  cotangent split evenly between the tied inputs), which agc follows;
* |x| at 0: 0 (np.sign, PyTorch; jax says 1), given as explicit `grad=`;
* clip at a bound: 1 (the bound counts as inside, PyTorch; jax says 0.5), `grad=`.
Everything else (prod with zero entries, where, clip with differentiated
bounds) has one right answer and is compared with jax.

float32: entries written to keep float32 (no float64 constants) must give
float32 gradients; the f32 mode of every other corpus entry checks the rest.
"""

from __future__ import annotations

import numpy as np

from .harness import Corpus, num, pos, vec

corpus = Corpus()
add = corpus.add
TIE = [(np.array([0.5, -1.0, 2.0, 0.0]), np.array([0.5, 1.0, 2.0, -3.0]))]


@add(at=TIE, wrt=("x", "y"), fd=False)
def maximum_ties(x, y):
    return np.sum(np.maximum(x, y) * np.array([1.0, 2.0, 3.0, 4.0]))


@add(at=TIE, wrt=("x", "y"), fd=False)
def minimum_ties(x, y):
    return np.sum(np.minimum(x, y) ** 3)


@add(at=[(np.array([0.0, 1.0, -1.0, 0.0]),)], fd=False)
def relu_by_maximum_at_zero(x):
    return np.sum(np.maximum(x, 0.0) * np.array([1.0, 2.0, 3.0, 4.0]))


@add(at=[(np.array([2.0, 2.0, 1.0, -3.0]),)], fd=False)
def max_reduction_tie(x):
    return np.max(x) * 3


@add(at=[(np.array([[1.0, 3.0], [3.0, 0.0]]),)], fd=False)
def max_axis_tie(X):
    return np.sum(np.max(X, axis=0) + np.max(X, axis=1))


@add(vec(4), vec(4), wrt=("x", "y"))
def maximum_no_ties(x, y):
    return np.sum(np.maximum(x, y) ** 2 + np.minimum(x, y))


@add(vec(4), num(), wrt=("x", "c"))
def maximum_with_scalar_param(x, c):
    return np.sum(np.maximum(x, c) ** 2)


@add(at=[(np.array([0.0, -2.0, 1.5, 0.0]),)], fd=False,
     grad=lambda x: (np.sign(x) * np.array([1.0, 2.0, 3.0, 4.0]),))
def abs_at_zero(x):
    return np.sum(np.abs(x) * np.array([1.0, 2.0, 3.0, 4.0]))


@add(vec(4))
def builtin_abs_of_array(x):
    return np.sum(abs(x) * x)


@add(vec(4))
def abs_away_from_zero(x):
    return np.sum(np.abs(x) ** 1.5)


@add(at=[(np.array([-1.0, 1.0, 0.3, 2.0]),)], fd=False,
     grad=lambda x: (((x >= -1.0) & (x <= 1.0)) * 1.0,))
def clip_at_bound(x):
    return np.sum(np.clip(x, -1.0, 1.0))


@add(vec(4, lo=-2.0, hi=2.0))
def clip_interior_and_outside(x):
    return np.sum(np.clip(x, -1.0, 1.0) ** 2 + x)


@add(vec(4, lo=-2.0, hi=2.0), num(-1.0, -0.5), wrt=("x", "lo"))
def clip_scalar_bound_differentiated(x, lo):
    return np.sum(np.clip(x, lo, 1.0) ** 2)


@add(vec(4, lo=-2.0, hi=2.0), vec(4, lo=-1.0, hi=-0.3), vec(4, lo=0.3, hi=1.0),
     wrt=("x", "lo", "hi"))
def clip_array_bounds_differentiated(x, lo, hi):
    return np.sum(np.clip(x, lo, hi) ** 2)


@add(vec(4, lo=-2.0, hi=2.0))
def clip_method(x):
    return np.sum(x.clip(-0.5, 0.5) * x)


@add(at=[(np.array([0.0, 2.0, 3.0]),), (np.array([1.5, 0.0, -2.0]),)])
def prod_with_a_zero(x):
    return np.prod(x)


@add(at=[(np.array([0.0, 2.0, 0.0, 3.0]),)])
def prod_with_two_zeros(x):
    return np.prod(x) + np.sum(x)


@add(at=[(np.array([[0.0, 2.0], [1.5, 3.0], [2.0, -1.0]]),)])
def prod_axis_with_a_zero(X):
    return np.sum(np.prod(X, axis=0) ** 2)


@add(at=[(np.array([1.0, -0.5, 2.0]),)])
def prod_of_shifted_zero(x):
    return np.prod(x - np.array([1.0, 0.0, 0.0]))


@add(vec(4))
def where_safe_branches(x):
    return np.sum(np.where(x > 0, np.log1p(x), x - x ** 2 / 2))


@add(vec(4), vec(4), wrt=("x", "y"))
def where_selects_between_params(x, y):
    return np.sum(np.where(x > y, x * y, y ** 2))


@add(vec(4))
def where_scalar_zero_branch(x):
    return np.sum(np.where(np.abs(x) < 0.5, 0.0, x) ** 2)


@add(at=[(np.array([0.0, 1.0, -2.0]),)], fd=False)
def sign_is_flat(x):
    return np.sum(np.sign(x) * x ** 2)


@add(pos(4))
def sqrt_near_zero(x):
    return np.sum(np.sqrt(x * 1e-6))


@add(vec(4))
def norm_with_zero_entry(x):
    return np.linalg.norm(x * np.array([0.0, 1.0, 1.0, 1.0]))


@add(vec(4))
def large_exponents_stable(x):
    z = x * 300.0
    m = np.max(z)
    return m + np.log(np.sum(np.exp(z - m)))


# ------------------------------------------------------------------ float32
@add(vec(5, 3), vec(3, 4), vec(4, 4), wrt=("xs", "Wx", "Wh"))
def f32_rnn_zeros_like_state(xs, Wx, Wh):
    h = np.zeros_like(xs[0] @ Wx)
    for t in range(5):
        h = np.tanh(xs[t] @ Wx + h @ Wh)
    return np.sum(h ** 2)


@add(vec(3))
def f32_loop_state_from_zeros(x):
    h = np.zeros(3)
    for i in range(3):
        h = h + x * (i + 1)
    return np.sum(h * h)


@add(vec(3))  # dtype=x.dtype: made, then cast to x's dtype (was refused)
def f32_zeros_with_dtype(x):
    h = np.zeros(3, dtype=x.dtype)
    for i in range(3):
        h = h * 0.5 + x
    return np.sum(h ** 2)


@add(vec(3))
def f32_zeros_explicit_float32(x):
    h = np.zeros(3, dtype=np.float32)
    h = h + x * x
    return np.sum(h)


@add(vec(4))
def f32_python_float_constants(x):
    return np.sum(np.exp(-0.5 * x * x) * 2.5 + 1.0)


@add(vec(4))
def f32_softmax_python_constants(z):
    e = np.exp(z - np.max(z))
    return np.sum(e / np.sum(e) * z)


@add(vec(4, 3), vec(3, 2), wrt=("X", "W"))
def f32_mlp_no_constants(X, W):
    return np.mean(np.tanh(X @ W) ** 2)


@add(vec(4))
def f32_astype_float64_inside(x):
    return np.sum(x.astype(np.float64) ** 2)


@add(vec(4))
def f32_astype_own_dtype(x):
    w = np.array([1.0, 2.0, 3.0, 4.0]).astype(x.dtype)
    return np.sum(w * x ** 2)


@add(vec(4), num(), wrt=("x", "c"))
def f32_with_python_float_param(x, c):
    return np.sum(np.sin(x * c))


@add(vec(3, 4))
def f32_reductions(X):
    return np.sum(np.max(X, axis=0) * np.mean(X, axis=0)) + np.linalg.norm(X)


@add(vec(4))
def f32_ones_array_constant(x):
    return np.sum(x * np.ones(4))


@add(vec(4))
def f32_ones_like(x):
    return np.sum(x * np.ones_like(x) * 3.0)


# numpy truncates a float written into an integer array: no derivative flows through it
# (agc once gave [4.8, 18.1, 2.0])
@add(at=[(np.array([0.7, 1.3, 0.4]),)],
     grad=lambda x: (np.array([2.0, 9.0, 2.0]),))
def float_written_into_integer_arrays(x):
    y = np.zeros(3, dtype=np.int64)
    y[0] = x[0] * 4
    k = np.arange(3)
    k[1] = x[1] * 7
    return np.sum(y * x) + np.sum(k * x)
