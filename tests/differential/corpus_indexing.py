"""Corpus: indexing (slices, negative and fancy indices, boolean masks) and indexed assignment.

Functions that write into arrays (always into copies of the inputs here) carry
an explicit jax reference `ref=` written with `.at[...]`.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .harness import Corpus, vec

corpus = Corpus()
add = corpus.add
IDX = np.array([2, 0, 3])


@add(vec(6))
def slice_middle(x):
    return np.sum(x[1:4] ** 2)


@add(vec(6))
def slice_step(x):
    return np.sum(x[::2] * x[1::2])


@add(vec(6))
def slice_reverse(x):
    return np.sum(x[::-1] * np.arange(6.0))


@add(vec(6))
def negative_index(x):
    return x[-1] * x[-2] + x[0]


@add(vec(6))
def negative_slice(x):
    return np.sum(x[-3:] ** 2) - np.sum(x[:-3])


@add(vec(6))
def differences(x):
    return np.sum((x[1:] - x[:-1]) ** 2)


@add(vec(3, 4))
def row_and_column(X):
    return np.sum(X[0] * X[2]) + np.sum(X[:, 1] ** 2)


@add(vec(3, 4))
def submatrix(X):
    return np.sum(X[1:, :2] ** 2)


@add(vec(3, 4))
def element_access(X):
    return X[0, 0] * X[2, 3] - X[1, -1]


@add(vec(3, 4))
def chained_index(X):
    return X[1][2] * X[2][1]


@add(vec(2, 3, 4))
def index_3d_mixed(T):
    return np.sum(T[1, :, 1:3] ** 2) + np.sum(T[:, 0, -1])


@add(vec(2, 3, 4))
def ellipsis_index(T):
    return np.sum(T[..., 0] ** 2)


@add(vec(6), wrt="x")
def fancy_list_index(x):
    return np.sum(x[[0, 2, 5]] ** 2)


corpus.ref(lambda x: jnp.sum(x[jnp.array([0, 2, 5])] ** 2))  # jax refuses list indices


@add(vec(6), IDX, wrt="x")
def fancy_array_parameter(x, idx):
    return np.sum(np.sin(x[idx]))


@add(vec(6), wrt="x")
def fancy_repeated_read(x):
    return np.sum(x[[1, 1, 3]] ** 2)


corpus.ref(lambda x: jnp.sum(x[jnp.array([1, 1, 3])] ** 2))


@add(vec(5, 3), np.array([4, 0, 0, 2]), wrt="E")
def embedding_lookup(E, ids):
    return np.sum(E[ids] ** 2)


@add(vec(4, 3), wrt="X")
def fancy_rows_and_cols(X):
    return np.sum(X[[0, 3], [1, 2]] ** 2)


@add(vec(4, 3), np.array([2, 0, 1, 1]), wrt="P")
def pick_per_row(P, labels):
    return np.sum(np.log(np.exp(P[np.arange(4), labels]) + 1))


@add(vec(6))
def mask_positive(x):
    return np.sum(x[x > 0] ** 2)


@add(vec(3, 4))
def mask_matrix(X):
    return np.sum(X[X < 0.2])


@add(vec(6), np.array([True, False, True, True, False, False]), wrt="x")
def mask_parameter(x, keep):
    return np.sum(np.exp(x[keep]))


@add(vec(6))
def mask_by_multiplication(x):
    m = (x > 0) * 1.0
    return np.sum(m * x ** 2)


@add(vec(6))
def item_method(x):
    return x[2] * float(x[3]) + np.sum(x)


@add(vec(6))
def setitem_copy(x):
    y = x.copy()
    y[0] = 2 * x[1]
    return np.sum(y ** 2)


@corpus.ref
def _ref_setitem_copy(x):
    return jnp.sum(x.at[0].set(2 * x[1]) ** 2)




@add(vec(6))
def setitem_slice_add(x):
    y = x.copy()
    y[1:3] += x[3:5] ** 2
    return np.sum(y ** 2)


corpus.ref(lambda x: jnp.sum(x.at[1:3].add(x[3:5] ** 2) ** 2))


@add(vec(6))
def setitem_on_zeros(x):
    y = np.zeros(6)
    y[2] = x[0] * x[1]
    y[4] = np.sin(x[2])
    return np.sum(y * x)


corpus.ref(lambda x: jnp.sum(
    jnp.zeros(6).at[2].set(x[0] * x[1]).at[4].set(jnp.sin(x[2])) * x))


@add(vec(3, 4))
def setitem_row(X):
    Y = X.copy()
    Y[1] = X[0] * X[2]
    return np.sum(Y ** 2)


corpus.ref(lambda X: jnp.sum(X.at[1].set(X[0] * X[2]) ** 2))


@add(vec(3, 4))
def setitem_column_scale(X):
    Y = X.copy()
    Y[:, 0] *= 3.0
    return np.sum(np.tanh(Y))


corpus.ref(lambda X: jnp.sum(jnp.tanh(X.at[:, 0].multiply(3.0))))


@add(vec(6))
def setitem_overwrite_input_entry(x):
    y = x.copy()
    y[2] = 0.0
    return np.sum(y * x)


corpus.ref(lambda x: jnp.sum(x.at[2].set(0.0) * x))


@add(vec(6))
def setitem_negative_index(x):
    y = x * 1.0
    y[-1] = y[0] ** 2
    return np.sum(y ** 2)


corpus.ref(lambda x: jnp.sum(x.at[-1].set(x[0] ** 2) ** 2))


@add(vec(6))
def setitem_fancy(x):
    y = np.zeros(6)
    y[[0, 2, 4]] = x[:3] ** 2
    return np.sum(y * x)


corpus.ref(lambda x: jnp.sum(jnp.zeros(6).at[jnp.array([0, 2, 4])].set(x[:3] ** 2) * x))


@add(vec(6))
def setitem_mask(x):
    y = x.copy()
    y[y < 0] = 0.0
    return np.sum(y ** 2 + x)


corpus.ref(lambda x: jnp.sum(jnp.where(x < 0, 0.0, x) ** 2 + x))


@add(vec(3), vec(6), wrt=("x", "y0"))
def add_duplicate_fancy(x, y0):
    y = y0.copy()
    y[[0, 0, 2]] += x
    return np.sum(y ** 2)


# numpy's buffered y[[0, 0, 2]] += x applies the repeated index once (last write wins)
corpus.ref(lambda x, y0: jnp.sum(y0.at[jnp.array([0, 2])].add(x[1:]) ** 2))


@add(vec(3), vec(6), wrt=("x", "y0"))
def set_duplicate_fancy(x, y0):
    y = y0.copy()
    y[[0, 0, 1]] = x
    return np.sum(y ** 2 * np.arange(1.0, 7.0))


# numpy: the last write to a repeated index wins (y[0] = x[1])
corpus.ref(lambda x, y0: jnp.sum(
    y0.at[0].set(x[1]).at[1].set(x[2]) ** 2 * jnp.arange(1.0, 7.0)))


@add(vec(6))
def read_after_write(x):
    y = x.copy()
    y[1] = y[0] * 3
    y[2] = y[1] + y[2]
    return np.sum(y ** 2)


@corpus.ref
def _ref_read_after_write(x):
    y = x.at[1].set(x[0] * 3)
    return jnp.sum(y.at[2].set(y[1] + y[2]) ** 2)




@add(vec(3, 3))
def setitem_diagonal_loop(A):
    B = A.copy()
    for i in range(3):
        B[i, i] = B[i, i] ** 2 + 1.0
    return np.sum(B @ B)


@corpus.ref
def _ref_setitem_diagonal_loop(A):
    for i in range(3):
        A = A.at[i, i].set(A[i, i] ** 2 + 1.0)
    return jnp.sum(A @ A)




@add(vec(4))
def build_by_index_loop(x):
    y = np.zeros(4)
    for i in range(4):
        y[i] = x[i] * (i + 1)
    return np.sum(y * y)


corpus.ref(lambda x: jnp.sum((x * jnp.arange(1.0, 5.0)) ** 2))


@add(vec(5))
def cumulative_by_index(x):
    c = np.zeros(5)
    c[0] = x[0]
    for i in range(1, 5):
        c[i] = c[i - 1] + x[i]
    return np.sum(c ** 2)


corpus.ref(lambda x: jnp.sum(jnp.cumsum(x) ** 2))


@add(vec(4), wrt="x")
def setitem_then_index_with_int_variable(x):
    k = 2
    y = x * 2
    y[k] = x[k - 1]
    return np.sum(y[k:] ** 2)


corpus.ref(lambda x: jnp.sum((x * 2).at[2].set(x[1])[2:] ** 2))


@add(vec(6))
def slice_assign_from_slice(x):
    y = np.zeros(6)
    y[:3] = x[3:]
    y[3:] = x[:3] * 2
    return np.sum(y * np.arange(6.0))


corpus.ref(lambda x: jnp.sum(jnp.concatenate([x[3:], x[:3] * 2]) * jnp.arange(6.0)))


@add(vec(6))
def index_with_argmax(x):
    i = np.argmax(x)
    return x[i] ** 2 + np.sum(x)


@add(vec(6))
def int_index_from_len(x):
    n = len(x)
    return x[n - 1] * x[n // 2]
