"""Corpus: reductions (sum, mean, max, min, prod, norm) with axis and keepdims, and methods."""

from __future__ import annotations

import numpy as np

from .harness import Corpus, pos, vec

corpus = Corpus()
add = corpus.add


@add(vec(3, 4))
def sum_axis0_squared(X):
    return np.sum(np.sum(X, axis=0) ** 2)


@add(vec(3, 4))
def sum_axis1_squared(X):
    return np.sum(np.sum(X, axis=1) ** 2)


@add(vec(3, 4))
def sum_negative_axis(X):
    return np.sum(np.sin(np.sum(X, axis=-1)))


@add(vec(3, 4))
def sum_keepdims_center(X):
    return np.sum((X - np.sum(X, axis=1, keepdims=True) / 4) ** 2)


@add(vec(2, 3, 4))
def sum_axis_tuple(T):
    return np.sum(np.sum(T, axis=(0, 2)) ** 2)


@add(vec(2, 3, 4))
def sum_middle_axis_3d(T):
    return np.sum(np.exp(np.sum(T, axis=1)))


@add(vec(3, 4))
def mean_all(X):
    return np.mean(X ** 2)


@add(vec(3, 4))
def mean_axis0(X):
    return np.sum(np.mean(X, axis=0) ** 2)


@add(vec(3, 4))
def mean_keepdims_variance(X):
    mu = np.mean(X, axis=1, keepdims=True)
    return np.sum(np.mean((X - mu) ** 2, axis=1))


@add(vec(2, 3, 4))
def mean_axis_tuple_keepdims(T):
    m = np.mean(T, axis=(1, 2), keepdims=True)
    return np.sum((T - m) ** 3)


@add(vec(3, 4))
def method_sum_mean(X):
    return X.sum() * X.mean() + (X ** 2).sum(axis=0).mean()


@add(vec(3, 4))
def method_sum_keepdims(X):
    return np.sum(X / X.sum(axis=1, keepdims=True).clip(1.0, 10.0) + X)


@add(vec(6))
def max_of_vector(x):
    return np.max(x) * 2 + np.sum(x)


@add(vec(6))
def min_of_vector(x):
    return np.min(x ** 2 + x)


@add(vec(3, 4))
def max_axis0(X):
    return np.sum(np.max(X, axis=0) ** 2)


@add(vec(3, 4))
def max_axis1_keepdims(X):
    return np.sum(np.exp(X - np.max(X, axis=1, keepdims=True)))


@add(vec(3, 4))
def min_axis_neg1(X):
    return np.sum(np.min(X, axis=-1) * np.arange(3))


@add(vec(3, 4))
def amax_amin(X):
    return np.amax(X) - np.amin(X) + np.sum(np.amax(X, axis=1))


@add(vec(3, 4))
def max_method(X):
    return X.max() + X.min(axis=0).sum() + X.max(axis=1, keepdims=True).sum()


@add(vec(2, 3, 4))
def max_axis_tuple(T):
    return np.sum(np.max(T, axis=(0, 2)) ** 2)


@add(pos(5))
def prod_positive(x):
    return np.prod(x)


@add(pos(3, 4))
def prod_axis0(X):
    return np.sum(np.prod(X, axis=0))


@add(pos(3, 4))
def prod_axis1_keepdims(X):
    return np.sum(np.log(np.prod(X, axis=1, keepdims=True)) * X)


@add(vec(4))
def prod_with_negatives(x):
    return np.prod(x + 0.1)


@add(pos(3, 4))
def prod_method(X):
    return X.prod() + X.prod(axis=1).sum()


@add(vec(4))
def norm_vector(x):
    return np.linalg.norm(x)


@add(vec(4))
def norm_squared(x):
    return np.linalg.norm(x) ** 2


@add(vec(4))
def norm_ord1(x):
    return np.linalg.norm(x, 1)


@add(vec(4))
def norm_ord_inf(x):
    return np.linalg.norm(x, np.inf)


@add(vec(4))
def norm_ord3(x):
    return np.linalg.norm(x, 3)


@add(vec(3, 4))
def norm_frobenius(X):
    return np.linalg.norm(X)


@add(vec(3, 4))
def norm_fro_string(X):
    return np.linalg.norm(X, "fro")


@add(vec(3, 4))
def norm_rows(X):
    return np.sum(np.linalg.norm(X, axis=1))


@add(vec(3, 4))
def norm_cols_keepdims(X):
    return np.sum(X / np.linalg.norm(X, axis=0, keepdims=True))


@add(vec(3, 4))
def norm_matrix_spectral(X):
    return np.linalg.norm(X, 2)


@add(vec(3, 4))
def norm_matrix_ord1(X):
    return np.linalg.norm(X, 1)


@add(vec(3, 4))
def norm_matrix_inf(X):
    return np.linalg.norm(X, np.inf)


@add(vec(3, 4))
def norm_matrix_nuclear(X):
    return np.linalg.norm(X, "nuc")


@add(vec(3, 4))
def normalize_rows(X):
    Y = X / np.linalg.norm(X, axis=1, keepdims=True)
    return np.sum(Y * np.arange(4.0))


@add(vec(3, 4))
def sum_then_max(X):
    return np.max(np.sum(X, axis=0))


@add(vec(3, 4))
def argmax_then_index(X):
    i = np.argmax(np.sum(X, axis=0))
    return np.sum(X[:, i] ** 2)


@add(vec(3, 4))
def argmin_of_row(X):
    j = np.argmin(X[0])
    return X[1, j] * 3 + np.sum(X)


@add(vec(3, 4))
def reductions_chain(X):
    a = np.mean(X, axis=0)
    b = np.max(X, axis=1)
    return np.sum(a) * np.sum(b) + np.min(a)


@add(vec(4))
def sum_of_empty_slice_plus(x):
    return np.sum(x[2:2]) + np.sum(x)


@add(vec(5))
def len_and_size(x):
    return np.sum(x) / len(x) + np.sum(x ** 2) / x.size + np.size(x) * x[0]


@add(vec(3, 4))
def shape_dependent_mean(X):
    n, d = X.shape
    return np.sum(X) / (n * d) + X.ndim * np.sum(X ** 2)


@add(vec(3, 4))
def variance_by_hand(X):
    mu = X.mean(axis=0)
    var = ((X - mu) ** 2).mean(axis=0)
    return np.sum(np.sqrt(var + 1e-3))


@add(vec(2, 3))
def mean_of_mean(X):
    return np.mean(np.mean(X, axis=1)) * np.mean(X)
