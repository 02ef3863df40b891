"""Corpus (issue 13): indexing, masks and constructors.

take, take_along_axis, put_along_axis, nonzero and np.where(c), flatnonzero, ix_,
triu_indices / tril_indices, boolean masks of any
rank and on one axis (reads, writes, in-place updates), isclose, logical_*,
searchsorted, digitize; empty, full, full_like, zeros / ones with dtype, eye,
identity, linspace, arange, np.float64 / np.float32, np.array of active values, copy
and fill. (Shapes and views: corpus_shape_more.py.)
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .harness import Corpus, num, vec

corpus = Corpus()
add = corpus.add


# ------------------------------------------------------------------ take, take_along_axis
@add(vec(3, 4))
def take_axis(X):
    return np.take(X, [0, 2, 2], axis=1) ** 3


corpus.ref(lambda X: X[:, jnp.array([0, 2, 2])] ** 3)


@add(vec(3, 4))
def take_flat(X):
    return np.sum(np.take(X, np.array([0, 5, 11, 5])) ** 3)


@add(vec(3, 4))
def take_method_negative(X):
    return np.sum(X.take(np.array([-1, 0]), axis=0) ** 2)


@add(vec(3, 4))
def take_along_axis_argmax(X):
    return np.sum(np.take_along_axis(X, np.argmax(X, axis=1)[:, None], axis=1) ** 3)


@add(vec(3, 4))
def take_along_axis_rows(X):
    idx = np.array([[0, 0, 3], [1, 2, 1], [3, 3, 3]])
    return np.take_along_axis(X, idx, axis=1) ** 2


@add(vec(3, 4))
def put_along_axis_rows(X):
    Y = X * 1.0
    np.put_along_axis(Y, np.argmax(X, axis=1)[:, None], 0.5 * X[:, :1], axis=1)
    return np.sum(Y ** 3)


@corpus.ref
def _put_along_axis_rows_ref(X):
    rows = jnp.arange(3)
    return jnp.sum(X.at[rows, jnp.argmax(X, axis=1)].set(0.5 * X[:, 0]) ** 3)


# ------------------------------------------------------------------ nonzero, masks
@add(vec(3, 4))
def nonzero_tuple(X):
    i = np.nonzero(X > 0)
    return np.sum(X[i] ** 2)


corpus.ref(lambda X: jnp.sum(jnp.where(X > 0, X, 0.0) ** 2))


@add(vec(3, 4))
def nonzero_method_rows(X):
    rows, cols = (X > 0.2).nonzero()
    return np.sum(X[rows, cols] ** 3) + np.sum(X[rows] * 0.5)


@corpus.ref
def _nonzero_method_rows_ref(X):
    hit = X > 0.2
    return jnp.sum(jnp.where(hit, X, 0.0) ** 3) + 0.5 * jnp.sum(jnp.sum(hit, axis=1) @ X)


@add(vec(3, 4))
def where_one_argument(X):
    return np.sum(X[np.where(X < 0)] ** 2)


corpus.ref(lambda X: jnp.sum(jnp.where(X < 0, X, 0.0) ** 2))


@add(vec(2, 3, 4))
def mask_rank2_of_rank3(T):
    m = T[:, :, 0] > 0
    return np.sum(T[m] ** 2)


corpus.ref(lambda T: jnp.sum(jnp.where((T[:, :, 0] > 0)[:, :, None], T, 0.0) ** 2))


@add(vec(2, 3, 4))
def mask_rank3_write(T):
    Y = T * 2.0
    Y[T > 0.5] = 0.0
    return np.sum(Y ** 2)


corpus.ref(lambda T: jnp.sum(jnp.where(T > 0.5, 0.0, 2.0 * T) ** 2))


@add(vec(3, 4))
def mask_iadd_values(X):
    Y = X * 1.0
    Y[X > 0] += 2 * X[X > 0] ** 2
    return np.sum(Y ** 2)


corpus.ref(lambda X: jnp.sum(jnp.where(X > 0, X + 2 * X ** 2, X) ** 2))


@add(vec(3, 4))
def isclose_logical(X):
    near = np.isclose(X, 0.5, atol=0.3)
    keep = np.logical_and(near, np.logical_not(X > 0.6))
    either = np.logical_or(np.logical_xor(X > 0, X > 0.5), keep)
    return np.sum(np.where(either, X ** 2, X))


@add(vec(3, 4))
def searchsorted_digitize(X):
    bins = np.array([-0.5, 0.0, 0.5])
    k = np.searchsorted(bins, X[0, 0])
    j = np.searchsorted(bins, 0.25, side="right")
    return np.sum(X[k] * X[j]) + np.sum(np.digitize(X, bins) * X) \
        + np.sum(np.digitize(X, bins, right=True) * X ** 2)


# ------------------------------------------------------------------ uses
@add(vec(6))
def split_in_a_loop(x):
    total = 0.0
    for p in np.split(x, 3):
        total = total + np.sum(p ** 2) * p[0]
    return total


@add(vec(6))
def nonzero_first_of_tuple(x):
    idx = np.nonzero(x > 0)[0]
    return np.sum(x[idx] ** 3)


corpus.ref(lambda x: jnp.sum(jnp.where(x > 0, x, 0.0) ** 3))


@add(vec(6))
def where_one_argument_first(x):
    return np.sum(x[np.where(x < 0.3)[0]] ** 3)


corpus.ref(lambda x: jnp.sum(jnp.where(x < 0.3, x, 0.0) ** 3))


@add(vec(6))
def mask_set_from_masked_values(x):
    y = np.zeros_like(x)
    m = x > 0
    y[m] = x[m] ** 2
    return np.sum(y * x)


corpus.ref(lambda x: jnp.sum(jnp.where(x > 0, x ** 2, 0.0) * x))


@add(vec(6), fd=False)  # computed in float32: central differences are too coarse
def linspace_and_full_float32_dtype(x):
    return np.sum(np.linspace(x[0], x[1], 2, dtype=np.float32) ** 2) \
        + np.sum(np.full((1, 2), x[2], dtype=np.float32) * x[3])  # short sums: jax's order


@add(vec(3, 4))
def mask_on_one_axis(X):
    m = X[:, 0] > 0
    return np.sum(X[m, :] ** 2) + np.sum(X[:, X[0] > 0] ** 3)


corpus.ref(lambda X: jnp.sum(jnp.where((X[:, 0] > 0)[:, None], X, 0.0) ** 2)
           + jnp.sum(jnp.where((X[0] > 0)[None, :], X, 0.0) ** 3))


@add(vec(3, 4))
def mask_on_one_axis_writes(X):
    Y = X * 1.0
    m = X[:, 0] > 0
    Y[m, 1:] = 0.0
    Y[:, X[0] < 0] *= 3.0
    return np.sum(Y ** 2)


@corpus.ref
def _mask_on_one_axis_writes_ref(X):
    hit = (X[:, 0] > 0)[:, None] & (jnp.arange(4) >= 1)[None, :]
    Y = jnp.where(hit, 0.0, X)
    return jnp.sum(jnp.where((X[0] < 0)[None, :], 3.0 * Y, Y) ** 2)


@add(vec(3, 4))
def mask_literal_list(X):
    return np.sum(X[[True, False, True]] ** 2)


corpus.ref(lambda X: jnp.sum(X[jnp.array([0, 2])] ** 2))


# ------------------------------------------------------------------ constructors
@add(vec(3, 4))
def empty_then_filled(X):
    Y = np.empty((3, 4))
    Y[...] = X ** 2
    Z = np.empty_like(X)
    Z[:] = X * 2
    return np.sum(Y * Z)


corpus.ref(lambda X: jnp.sum(X ** 2 * X * 2))


@add(vec(3, 4), num(), wrt=("X", "c"))
def full_active_value(X, c):
    return np.sum(np.full((3, 4), c) * X) + np.sum(np.full(4, c) ** 2)


@add(vec(3, 4))
def full_from_element(X):
    return np.sum(np.full((2, 2), X[0, 1]) ** 3) + np.sum(np.full_like(X, X[1, 2]) * X)


@add(vec(3, 4))
def full_like_constant_dtype(X):
    return np.sum(np.full_like(X, 2.0) * X) + np.sum(np.full_like(X, 3, dtype=np.float32) * X)


@add(vec(3, 4))
def zeros_ones_dtype(X):
    Z = np.zeros((3, 4), dtype=np.float32) + np.ones_like(X, dtype=np.float32)
    return np.sum(Z * X) + np.sum(np.zeros_like(X, dtype=np.float64) + X ** 2)


@add(vec(3, 4))
def eye_rectangular_offset(X):
    return np.sum(np.eye(3, 4, k=1) * X) + np.sum(np.eye(4, dtype=np.float32) @ X.T)


@add(vec(4, 4))
def identity_matrix(X):
    return np.sum((np.identity(4) - X) ** 2)


@add(vec(2))
def linspace_active_endpoints(x):
    return np.linspace(x[0], x[1], 5) ** 2


@add(vec(2))
def linspace_no_endpoint(x):
    return np.sum(np.linspace(x[0], 2.0, 4, endpoint=False) ** 3) \
        + np.sum(np.linspace(-1.0, x[1], num=3) * np.arange(3.0))


@add(vec(4))
def linspace_array_endpoints(x):
    return np.sum(np.linspace(x[:2], x[2:4], 5) ** 2 * np.arange(5.0)[:, None])


@add(vec(3, 4))
def eye_computed_size(X):
    n = X.shape[0]
    return np.sum(np.eye(n, k=-1) * X[:, :n]) + np.sum(np.identity(3, dtype=np.float32) * X[:, :3])


@add(num(), num(), wrt=("a", "b"))
def linspace_scalar_params(a, b):
    return np.sum(np.sin(np.linspace(a, b, 7)))


@add(vec(3, 4))
def arange_weights(X):
    return np.sum(np.arange(4) * X) + np.sum(np.arange(1, 7, 2) @ X)


@add(vec(3, 4))
def float_casts(X):
    return np.float64(X[0, 0]) ** 2 + np.sum(np.float64(X) ** 2)


@add(vec(3, 4), fd=False)  # the float32 rounding is in the function itself
def float32_cast(X):
    return np.sum(np.float32(X) * X)


@add(vec(3, 4))
def array_of_active_values(X):
    v = np.array([X[0, 0], X[1, 1], X[2, 2]])
    M = np.array([[X[0, 1], X[1, 2]], [X[2, 3], 1.0]])
    return np.sum(v ** 2) + np.sum(M ** 3)


@add(vec(3, 4))
def copies(X):
    Y = np.copy(X)
    Y[0] = 0.0
    Z = X.copy()
    Z[1] *= 2.0
    return np.sum(Y ** 2) + np.sum(Z ** 3) + np.sum(X)


@corpus.ref
def _copies_ref(X):
    return jnp.sum(X.at[0].set(0.0) ** 2) + jnp.sum(X.at[1].multiply(2.0) ** 3) + jnp.sum(X)


@add(vec(3, 4))
def fill_in_place(X):
    Y = X * 2
    Y.fill(X[0, 0])
    W = X + 1.0
    W.fill(0.5)
    return np.sum(Y * X) + np.sum(W * X)


corpus.ref(lambda X: jnp.sum(X[0, 0] * X) + jnp.sum(0.5 * X))


# ------------------------------------------------------------------ index makers
@add(vec(4, 4))
def ix_submatrix(X):
    rows, cols = np.array([0, 2, 3]), np.array([1, 3])
    return X[np.ix_(rows, cols)] ** 2 + np.sum(X[np.ix_([1], [0, 0])])


corpus.ref(lambda X: X[jnp.array([0, 2, 3])][:, jnp.array([1, 3])] ** 2
           + jnp.sum(X[1, jnp.array([0, 0])]))


@add(vec(4, 4))
def triu_tril_indices(X):
    upper = X[np.triu_indices(4, 1)]
    lower = X[np.tril_indices(4)]
    return np.sum(upper ** 2) + np.sum(lower ** 3) + np.sum(X[np.triu_indices(3, k=-1, m=4)])


@add(vec(3, 4))
def flatnonzero_positions(X):
    flat = X.ravel()
    return np.sum(flat[np.flatnonzero(X > 0)] ** 2)


corpus.ref(lambda X: jnp.sum(jnp.where(X > 0, X, 0.0) ** 2))


# ------------------------------------------------------------------ integer results
@add(vec(3, lo=0.1, hi=0.9))
def integer_results_carry_no_derivative(x):
    k = np.arange(3)
    a = np.sum(x.astype(np.int64) * x) + np.sum((x * 5).astype(k.dtype) * x)
    b = np.sum(np.linspace(x[0], x[1] * 5, 4, dtype=np.int64) * x[2])
    c = np.sum(np.full(3, x[0] * 4, dtype=np.int64) * x[1])
    d = np.sum(np.full_like(k, x[0] * 4) * x[1]) + np.sum(np.full_like(x, x[2], dtype=np.int32))
    return a + b + c + d
