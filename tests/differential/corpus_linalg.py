"""Corpus: linear algebra: @, dot, matmul, outer, inner, vdot over various ranks."""

from __future__ import annotations

import numpy as np

from .harness import Corpus, num, vec

corpus = Corpus()
add = corpus.add


@add(vec(3, 4), vec(4), wrt=("A", "x"))
def matvec_at(A, x):
    return np.sum((A @ x) ** 2)


@add(vec(4), vec(4, 3), wrt=("x", "B"))
def vecmat_at(x, B):
    return np.sum(np.tanh(x @ B))


@add(vec(4), vec(4), wrt=("a", "b"))
def vec_at_vec(a, b):
    return (a @ b) ** 2


@add(vec(2, 3), vec(3, 4), wrt=("A", "B"))
def matmat_at(A, B):
    return np.sum((A @ B) ** 2)


@add(vec(2, 3, 4), vec(4, 2), wrt=("T", "W"))
def batched_at_matrix(T, W):
    return np.sum(np.sin(T @ W))


@add(vec(2, 3, 4), vec(2, 4, 3), wrt=("A", "B"))
def batched_at_batched(A, B):
    return np.sum((A @ B) ** 2)


@add(vec(2, 3, 4), vec(4), wrt=("T", "v"))
def batched_at_vector(T, v):
    return np.sum(np.exp(T @ v))


@add(vec(3, 4), vec(4, 2), wrt=("A", "B"))
def matmul_function(A, B):
    return np.sum(np.matmul(A, B) ** 2)


@add(vec(4), vec(4, 3), wrt=("x", "B"))
def matmul_vector_first(x, B):
    return np.sum(np.matmul(x, B) ** 2)


@add(vec(2, 3, 4), vec(2, 4, 2), wrt=("A", "B"))
def matmul_batched(A, B):
    return np.sum(np.cos(np.matmul(A, B)))


@add(vec(4), vec(4), wrt=("a", "b"))
def dot_vectors(a, b):
    return np.dot(a, b) * np.sum(a)


@add(vec(3, 4), vec(4), wrt=("A", "x"))
def dot_matvec(A, x):
    return np.sum(np.dot(A, x) ** 2)


@add(vec(3, 4), vec(4, 2), wrt=("A", "B"))
def dot_matmat(A, B):
    return np.sum(np.dot(A, B) ** 2)


@add(vec(3, 4), vec(4), wrt=("A", "x"))
def dot_method(A, x):
    return np.sum(A.dot(x) ** 2)


@add(vec(4))
def dot_with_scalar(a):
    return np.sum(np.dot(a, 3.0) ** 2)


@add(vec(2, 3, 4), vec(4, 2), wrt=("T", "B"))
def dot_3d_by_2d(T, B):
    return np.sum(np.dot(T, B) ** 2)


@add(vec(2, 3, 4), vec(5, 4, 2), wrt=("T", "B"))
def dot_3d_by_3d(T, B):
    return np.sum(np.dot(T, B) ** 2)


@add(vec(3, 4), vec(2, 4, 3), wrt=("A", "B"))
def dot_2d_by_3d(A, B):
    return np.sum(np.tanh(np.dot(A, B)))


@add(vec(3), vec(4), wrt=("a", "b"))
def outer_vectors(a, b):
    return np.sum(np.outer(a, b) ** 2)


@add(vec(3), vec(4), wrt=("a", "b"))
def outer_weighted(a, b):
    W = np.arange(12.0).reshape(3, 4)
    return np.sum(np.outer(a, b) * W)


@add(vec(2, 2), vec(3), wrt=("A", "b"))
def outer_of_matrix_flattens(A, b):
    return np.sum(np.outer(A, b) * np.arange(12.0).reshape(4, 3))


@add(vec(4), vec(4), wrt=("a", "b"))
def inner_vectors(a, b):
    return np.inner(a, b) ** 2


@add(vec(2, 3), vec(4, 3), wrt=("A", "B"))
def inner_matrices(A, B):
    return np.sum(np.inner(A, B) ** 2)


@add(vec(2, 3), vec(3), wrt=("A", "b"))
def inner_matrix_vector(A, b):
    return np.sum(np.inner(A, b) ** 2)


@add(vec(4), vec(4), wrt=("a", "b"))
def vdot_vectors(a, b):
    return np.vdot(a, b) * 2


@add(vec(2, 3), vec(2, 3), wrt=("A", "B"))
def vdot_matrices_flatten(A, B):
    return np.vdot(A, B) ** 2


@add(vec(3, 3))
def quadratic_form_symmetric(A):
    x = np.array([1.0, -2.0, 0.5])
    return x @ A @ x


@add(vec(3), vec(3, 3), wrt=("x", "A"))
def quadratic_form(x, A):
    return x @ (A @ x) + x @ A.T @ x


@add(vec(3, 4))
def gram_matrix(X):
    G = X @ X.T
    return np.sum(G ** 2)


@add(vec(3, 4))
def gram_transpose_first(X):
    return np.sum(np.tanh(X.T @ X))


@add(vec(3, 3))
def matrix_square_trace(A):
    B = A @ A
    return B[0, 0] + B[1, 1] + B[2, 2]


@add(vec(3, 3))
def matrix_cube(A):
    return np.sum(A @ A @ A)


@add(vec(3, 3))
def eye_plus_matrix(A):
    I = np.eye(3)
    return np.sum((I + A) @ (I - A))


@add(vec(4, 3), vec(3), vec(4), wrt=("X", "w", "y"))
def least_squares(X, w, y):
    r = X @ w - y
    return 0.5 * (r @ r)


@add(vec(4, 3), vec(3), num(), wrt=("X", "w", "b"))
def linear_with_bias(X, w, b):
    return np.mean((X @ w + b) ** 2)


@add(vec(3, 4), vec(4), wrt=("A", "x"))
def transpose_method_matvec(A, x):
    return np.sum((A.transpose() @ (A @ x)) ** 2)


@add(vec(2, 3), vec(3, 2), wrt=("A", "B"))
def dot_chain_mixed(A, B):
    return np.sum(np.dot(A @ B, np.dot(A, B)))


@add(vec(3), vec(3), wrt=("a", "b"))
def cross_by_hand(a, b):
    c = np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])
    return np.sum(c ** 2)


@add(vec(2, 2))
def determinant_2x2(A):
    return A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0]


@add(vec(3, 4), vec(4, 3), wrt=("A", "B"))
def trace_of_product_by_sum(A, B):
    return np.sum(A * B.T)


@add(vec(4), vec(4), wrt=("a", "b"))
def cosine_similarity(a, b):
    return (a @ b) / (np.linalg.norm(a) * np.linalg.norm(b))


@add(vec(2, 3, 4), vec(2, 4), wrt=("Q", "K"))
def batched_at_with_expand(Q, K):
    s = Q @ K[:, :, None]
    return np.sum(s ** 2)
