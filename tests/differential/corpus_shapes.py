"""Corpus: shape operations: reshape, transpose, concatenate, stack, vstack, hstack, expand_dims, squeeze."""

from __future__ import annotations

import numpy as np

from .harness import Corpus, vec

corpus = Corpus()
add = corpus.add
W12 = np.linspace(-1.0, 1.0, 12)  # a module-level array: a constant read at call time


@add(vec(12))
def reshape_to_matrix(x):
    X = x.reshape(3, 4)
    return np.sum(np.sum(X, axis=0) ** 2)


@add(vec(3, 4))
def reshape_minus_one(X):
    return np.sum(X.reshape(-1) * np.linspace(0.0, 1.0, 12))


@add(vec(3, 4))
def np_reshape_function(X):
    Y = np.reshape(X, (4, 3))
    return np.sum(Y[0] * Y[3])


@add(vec(3, 4))
def reshape_tuple_method(X):
    return np.sum(X.reshape((2, 6)).sum(axis=1) ** 2)


@add(vec(2, 3, 4))
def reshape_3d_to_2d(T):
    M = T.reshape(6, 4)
    return np.sum(M @ M.T)


@add(vec(3, 4))
def transpose_attr(X):
    return np.sum(X.T * np.arange(12.0).reshape(4, 3))


@add(vec(3, 4))
def np_transpose_function(X):
    return np.sum(np.transpose(X)[1] ** 2)


@add(vec(2, 3, 4))
def transpose_axes(T):
    U = np.transpose(T, (2, 0, 1))
    return np.sum(U[0] ** 2 + U[3])


@add(vec(2, 3, 4))
def transpose_method_axes(T):
    return np.sum(T.transpose(1, 0, 2).reshape(3, 8)[0] ** 3)


@add(vec(3, 4))  # issue 13: module-level arrays are constants now
def flatten_ravel(X):
    return np.sum(X.flatten() * W12) + np.sum(X.ravel() ** 2)


@add(vec(3), vec(4), wrt=("a", "b"))
def concatenate_vectors(a, b):
    c = np.concatenate([a, b])
    return np.sum(c * np.arange(7.0))


@add(vec(3), vec(3), wrt=("a", "b"))
def concatenate_tuple(a, b):
    c = np.concatenate((a, 2 * b, a * b))
    return np.sum(c ** 2)


@add(vec(2, 3), vec(4, 3), wrt=("A", "B"))
def concatenate_axis0(A, B):
    C = np.concatenate([A, B], axis=0)
    return np.sum(np.sum(C, axis=0) ** 2)


@add(vec(3, 2), vec(3, 4), wrt=("A", "B"))
def concatenate_axis1(A, B):
    C = np.concatenate([A, B], axis=1)
    return np.sum((C @ np.ones(6)) ** 2)


@add(vec(2, 3), vec(2, 3), wrt=("A", "B"))
def concatenate_axis_neg1(A, B):
    return np.sum(np.concatenate([A, B], axis=-1)[:, 2:4] ** 2)


@add(vec(3), vec(3), wrt=("a", "b"))
def stack_vectors(a, b):
    S = np.stack([a, b])
    return np.sum(S[0] * S[1]) + np.sum(S ** 2)


@add(vec(3), vec(3), wrt=("a", "b"))
def stack_axis1(a, b):
    S = np.stack([a, b, a * b], axis=1)
    return np.sum(S @ np.array([1.0, 2.0, 3.0]))


@add(vec(2, 3), vec(2, 3), wrt=("A", "B"))
def stack_matrices_axis0(A, B):
    return np.sum(np.tanh(np.stack((A, B))))


@add(vec(2, 3), vec(2, 3), wrt=("A", "B"))
def stack_matrices_axis2(A, B):
    return np.sum(np.stack([A, B], axis=2)[:, :, 0] * np.stack([A, B], axis=2)[:, :, 1])


@add(vec(3), vec(3), wrt=("a", "b"))
def vstack_vectors(a, b):
    M = np.vstack([a, b])
    return np.sum(np.sum(M, axis=1) ** 2)


@add(vec(2, 3), vec(1, 3), wrt=("A", "r"))
def vstack_matrix_and_row(A, r):
    M = np.vstack((A, r))
    return np.sum((M @ np.array([1.0, -1.0, 2.0])) ** 2)


@add(vec(3), vec(2), wrt=("a", "b"))
def hstack_vectors(a, b):
    return np.sum(np.hstack([a, b]) * np.arange(5.0))


@add(vec(2, 3), vec(2, 2), wrt=("A", "B"))
def hstack_matrices(A, B):
    M = np.hstack([A, B])
    return np.sum(np.sum(M, axis=0) ** 2)


@add(vec(4))
def expand_dims_axis0(x):
    return np.sum(np.expand_dims(x, 0) * np.ones((3, 1)) * np.arange(3.0).reshape(3, 1))


@add(vec(4))
def expand_dims_axis1(x):
    c = np.expand_dims(x, axis=1)
    return np.sum((c - x) ** 2)


@add(vec(1, 4, 1))
def squeeze_all(T):
    return np.sum(np.squeeze(T) ** 2 * np.arange(4.0))


@add(vec(3, 1))
def squeeze_axis_method(C):
    return np.sum(C.squeeze(axis=1) * np.array([1.0, 2.0, 3.0]))


@add(vec(4))
def newaxis_indexing(x):
    return np.sum((x[:, np.newaxis] - x[np.newaxis, :]) ** 2)


@add(vec(4))
def none_indexing_outer(x):
    return np.sum(np.tanh(x[None, :] * x[:, None]))


@add(vec(3))
def broadcast_to_call(x):
    return np.sum(np.broadcast_to(x, (2, 3)) * np.arange(6.0).reshape(2, 3))


@add(vec(2, 3))
def concatenate_then_reshape(A):
    return np.sum(np.concatenate([A, A ** 2]).reshape(3, 4)[1] ** 2)


@add(vec(3), vec(3), wrt=("a", "b"))
def array_from_vectors(a, b):
    M = np.array([a, b])
    return np.sum(M.T @ M)


@add(vec(3))
def array_from_scalars(x):
    v = np.array([x[0] * x[1], x[2], x[0] ** 2])
    return np.sum(v ** 2)


@add(vec(3))
def asarray_passthrough(x):
    return np.sum(np.asarray(x) ** 3)


@add(vec(6))
def reshape_then_transpose_then_sum(x):
    return np.sum(x.reshape(2, 3).T.reshape(6) * np.arange(6.0))


@add(vec(2, 3))
def shape_tuple_unpack(X):
    m, n = X.shape
    return np.sum(X.reshape(m * n) ** 2) / m


@add(vec(4))
def ndim_branch(x):
    if x.ndim == 1:
        return np.sum(x ** 2)
    return np.sum(x)


@add(vec(2, 2), vec(2, 2), wrt=("A", "B"))
def block_matrix(A, B):
    top = np.hstack([A, B])
    bottom = np.hstack([B, A])
    M = np.vstack([top, bottom])
    return np.sum(M @ M)


@add(vec(4))
def linspace_weights(x):
    w = np.linspace(0.0, 1.0, 4)
    return np.sum(w * x ** 2)


@add(vec(3), vec(3), wrt=("a", "b"))
def stack_then_max(a, b):
    return np.sum(np.max(np.stack([a, b]), axis=0))
