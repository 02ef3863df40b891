"""Corpus (issue 13): shapes and views.

swapaxes, moveaxis, flip / fliplr / flipud, rot90, roll, tile, repeat, pad,
atleast_nd, ravel, squeeze / expand_dims with axes, broadcast_to, sliding_window_view,
column_stack, dstack, append, meshgrid, split / array_split, the method forms and .mT. Writes
through the new views either match numpy or are refused. (Indexing, masks and
constructors: corpus_index_more.py.)
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .harness import Corpus, vec

corpus = Corpus()
add = corpus.add


# ------------------------------------------------------------------ swapaxes, moveaxis
@add(vec(3, 4))
def swapaxes_matrix(X):
    return np.sum(np.swapaxes(X, 0, 1) * np.arange(12.0).reshape(4, 3))


@add(vec(2, 3, 4))
def swapaxes_method_negative(T):
    return np.swapaxes(T, -1, 0).reshape(4, 6) ** 2


@add(vec(2, 3, 4))
def swapaxes_method(T):
    return np.sum(T.swapaxes(1, 2)[0] ** 3)


@add(vec(2, 3, 4))
def moveaxis_last_to_first(T):
    return np.moveaxis(T, -1, 0)[1] ** 2


@add(vec(2, 3, 4))
def moveaxis_tuples(T):
    return np.sum(np.moveaxis(T, (0, 1), (2, 0)) * np.arange(24.0).reshape(3, 4, 2))


@add(vec(3, 4))
def mT_attribute(X):
    return np.sum(X.mT[0] ** 3 + X.T[1])


@add(vec(2, 3, 4))
def mT_batched(T):
    return np.sum((T.mT @ T) ** 2)


# ------------------------------------------------------------------ flip, roll
@add(vec(3, 4))
def flip_all_axes(X):
    return np.sum(np.flip(X) * np.arange(12.0).reshape(3, 4))


@add(vec(3, 4))
def flip_axis_int(X):
    return np.flip(X, axis=1)[0] ** 3


@add(vec(2, 3, 4))
def flip_axis_tuple(T):
    return np.sum(np.flip(T, (0, 2))[0] * np.arange(12.0).reshape(3, 4))


@add(vec(3, 4))
def fliplr_flipud(X):
    return np.sum(np.fliplr(X)[0] ** 3) + np.sum(np.flipud(X)[0] ** 2)


@add(vec(3, 4))
def roll_axis(X):
    return np.roll(X, 1, axis=1)[0] ** 3


@add(vec(3, 4))
def roll_flat(X):
    return np.sum(np.roll(X, -5)[0] ** 3)


@add(vec(3, 4))
def roll_tuples(X):
    return np.sum(np.roll(X, (1, -2), axis=(0, 1)) * np.arange(12.0).reshape(3, 4))


# ------------------------------------------------------------------ rot90, append
@add(vec(3, 4))
def rot90_default_and_k(X):
    return np.sum(np.rot90(X) * np.arange(12.0).reshape(4, 3)) + np.sum(np.rot90(X, 2)[0] ** 3)


@add(vec(2, 3, 4))
def rot90_axes(T):
    return np.rot90(T, k=-1, axes=(1, 2)) ** 2


@add(vec(3, 4), vec(4), wrt=("X", "v"))
def append_flat_and_axis(X, v):
    return np.sum(np.append(X, v) ** 2 * np.arange(16.0)) \
        + np.sum(np.append(X, v[None, :], axis=0) ** 3) + np.sum(np.append(v, 2.0) ** 2)


# ------------------------------------------------------------------ tile, repeat
@add(vec(3, 4))
def tile_rows(X):
    return np.sum(np.tile(X, (2, 1)) ** 3 * np.arange(6.0)[:, None])


@add(vec(4))
def tile_vector_to_matrix(x):
    return np.tile(x, (2, 3)) ** 2


@add(vec(3, 2))
def tile_int(X):
    return np.sum(np.tile(X, 3) * np.arange(18.0).reshape(3, 6))


@add(vec(3, 4))
def repeat_axis0(X):
    return np.sum(np.repeat(X, 2, axis=0) ** 3 * np.arange(6.0)[:, None])


@add(vec(3, 2))
def repeat_flat(X):
    return np.repeat(X, 2) ** 3


@add(vec(3, 2))
def repeat_per_element(X):
    return np.sum(np.repeat(X, [1, 0, 3], axis=0) ** 2 * np.arange(4.0)[:, None])


corpus.ref(lambda X: jnp.sum(jnp.repeat(X, jnp.array([1, 0, 3]), axis=0,
                                        total_repeat_length=4) ** 2 * jnp.arange(4.0)[:, None]))


@add(vec(3, 2))
def repeat_computed_counts(X):
    counts = np.arange(X.shape[0])
    return np.repeat(X, counts, axis=0) ** 3


corpus.ref(lambda X: jnp.repeat(X, jnp.arange(3), axis=0, total_repeat_length=3) ** 3)


@add(vec(4))
def repeat_method(x):
    return np.sum(x.repeat(3) * np.arange(12.0))


# ------------------------------------------------------------------ pad
@add(vec(3, 4))
def pad_int(X):
    return np.sum(np.pad(X, 1) ** 3 * np.arange(30.0).reshape(5, 6))


@add(vec(3, 4))
def pad_constant_values(X):
    return np.sum(np.exp(np.pad(X, ((1, 0), (0, 2)), constant_values=0.5)))


@add(vec(3, 4))
def pad_edge(X):
    return np.sum(np.pad(X, ((1, 0), (0, 2)), mode="edge") ** 3 * np.arange(24.0).reshape(4, 6))


@add(vec(3, 4))
def pad_reflect(X):
    return np.pad(X, (2, 1), mode="reflect") ** 2


@add(vec(5))
def pad_reflect_vector(x):
    return np.sum(np.pad(x, (3,), "reflect") * np.arange(11.0))


@add(vec(3, 4))
def pad_symmetric_wrap(X):
    return np.sum(np.pad(X, 1, mode="symmetric") ** 2) + np.sum(np.pad(X, [(0, 1), (2, 0)],
                                                                       mode="wrap") ** 3)


# ------------------------------------------------------------------ atleast, ravel, squeeze
@add(vec(4))
def atleast_2d_3d(x):
    return np.sum(np.atleast_2d(x) ** 3) + np.sum(np.atleast_3d(x)[0, :, 0] ** 2) \
        + np.sum(np.atleast_1d(x[0]) * 2.0)


@add(vec(3, 4))
def np_ravel(X):
    return np.ravel(X) ** 3


@add(vec(3, 4))
def ravel_flatten_methods(X):
    return np.sum(X.ravel() * np.arange(12.0)) + np.sum(X.flatten() ** 2)


@add(vec(3, 4))
def write_into_flatten_copy(X):
    y = X.flatten()
    y[0] = 5.0  # numpy's flatten copies: X is unchanged
    return np.sum(X ** 2) + np.sum(y ** 3)


corpus.ref(lambda X: jnp.sum(X ** 2) + jnp.sum(X.reshape(-1).at[0].set(5.0) ** 3))


@add(vec(3, 4), ref=lambda X: jnp.sum(X.reshape(-1).at[0].set(5.0).reshape(3, 4) ** 2))
def write_into_ravel_view(X):  # was refused: followed as a view (tests/test_cov6a_views.py)
    Y = X * 1.0
    y = Y.ravel()
    y[0] = 5.0  # a view of Y in numpy (Y is contiguous)
    return np.sum(Y ** 2)


@add(vec(3, 4))
def reshape_two_forms(X):
    return np.sum(X.reshape(2, -1)[0] ** 3) + np.sum(X.reshape((2, -1))[1] ** 3)


@add(vec(1, 3, 1, 4))
def squeeze_axis_tuple(T):
    return np.squeeze(T, axis=(0, 2)) ** 2


@add(vec(3, 1))
def squeeze_method_axis(X):
    return np.sum(X.squeeze(1) * np.arange(3.0)) + np.sum(np.squeeze(X, 1) ** 2)


@add(vec(3, 4))
def expand_dims_tuple(X):
    return np.sum(np.expand_dims(X, (0, 2)) * np.arange(4.0))


@add(vec(4))
def broadcast_to_rows(x):
    return np.sum(np.broadcast_to(x, (3, 4)) ** 2 * np.arange(12.0).reshape(3, 4))


# ------------------------------------------------------------------ sliding windows
@add(vec(6))
def sliding_window_1d(x):
    return np.sum(sliding_window_view(x, 3) ** 2 * np.arange(12.0).reshape(4, 3))


corpus.ref(lambda x: jnp.sum(jnp.stack([x[i:i + 3] for i in range(4)]) ** 2
                             * jnp.arange(12.0).reshape(4, 3)))


@add(vec(3, 4))
def sliding_window_2d(X):
    return np.lib.stride_tricks.sliding_window_view(X, (2, 2)) ** 3


corpus.ref(lambda X: jnp.stack([jnp.stack([X[i:i + 2, j:j + 2] for j in range(3)])
                                for i in range(2)]) ** 3)


@add(vec(4, 3))
def sliding_window_axis(X):
    return np.sum(sliding_window_view(X, 2, axis=0).mean(axis=-1) ** 2)


corpus.ref(lambda X: jnp.sum(((X[:-1] + X[1:]) / 2) ** 2))


# ------------------------------------------------------------------ column_stack, dstack, split
@add(vec(4), vec(4, 2), wrt=("a", "B"))
def column_stack_mixed(a, B):
    return np.column_stack([a, B, a ** 2]) ** 2


@add(vec(3, 4), vec(4), wrt=("X", "v"))
def dstack_mixed(X, v):
    return np.sum(np.dstack((X, X * v)) ** 2) + np.sum(np.dstack([v, v]) ** 3)


@add(vec(3, 4))
def split_unpacked(X):
    a, b = np.split(X, 2, axis=1)
    return np.sum(a * b ** 2)


@add(vec(6))
def split_indexed(x):
    parts = np.split(x, 3)
    return np.sum(parts[0] * parts[2]) + np.sum(np.exp(parts[1]))


@add(vec(3, 5))
def array_split_indices(X):
    parts = np.array_split(X, [1, 3], axis=1)
    return np.sum(parts[0]) + np.sum(parts[2] ** 2)


@add(vec(7))
def array_split_uneven(x):
    a, b, c = np.array_split(x, 3)
    return np.sum(a ** 2) + np.sum(b ** 3) * np.sum(c)


# ------------------------------------------------------------------ edge forms
@add(vec(3, 4))
def edge_take_scalar_index(X):
    return np.take(X, 5) ** 2 + np.sum(np.take(X, 1, axis=1) ** 3)


corpus.ref(lambda X: X.reshape(-1)[5] ** 2 + jnp.sum(X[:, 1] ** 3))


@add(vec(2, 3, 4))
def edge_take_along_axis_0(T):
    idx = np.array([[[1, 0, 1, 1]], [[0, 0, 1, 0]]])
    return np.take_along_axis(T, idx, axis=0) ** 3


@add(vec(2, 3))
def edge_repeat_flat_counts(X):
    return np.repeat(X, [2, 0, 1, 1, 3, 1]) ** 2


corpus.ref(lambda X: jnp.repeat(X.reshape(-1), jnp.array([2, 0, 1, 1, 3, 1]),
                                total_repeat_length=8) ** 2)


@add(vec(3, 4))
def edge_pad_one_pair_per_axis_list(X):
    return np.sum(np.pad(X, [(1, 2)], mode="edge") ** 3) \
        + np.sum(np.pad(X, ((2,), (1,)), mode="symmetric") * np.arange(6.0))


corpus.ref(lambda X: jnp.sum(jnp.pad(X, [(1, 2)], mode="edge") ** 3)
           + jnp.sum(jnp.pad(X, ((2, 2), (1, 1)), mode="symmetric") * jnp.arange(6.0)))


@add(vec(3, 4))
def edge_roll_flat_negative(X):
    return np.roll(X, -13) ** 2


@add(vec(3, 4), vec(3, 2), wrt=("A", "B"))
def edge_column_stack_matrices(A, B):
    return np.column_stack((A, B)) ** 2


@add(vec(2, 3, 2), vec(2, 3), wrt=("T", "M"))
def edge_dstack_3d_and_2d(T, M):
    return np.dstack([T, M, T * M[:, :, None]]) ** 2


@add(vec(7))
def edge_split_negative_index(x):
    parts = np.split(x, [-2])
    return np.sum(parts[0] ** 2) * np.sum(parts[1] ** 3)


corpus.ref(lambda x: jnp.sum(x[:5] ** 2) * jnp.sum(x[5:] ** 3))  # jnp.split: no negative indices


@add(vec(2))
def edge_array_split_empty_parts(x):
    parts = np.array_split(x, 4)
    return np.sum(parts[0] ** 2) + np.sum(parts[1] * 3.0) + np.sum(parts[3])


@add(vec(2, 3))
def edge_atleast_3d_matrix(X):
    return np.atleast_3d(X) ** 2 + np.atleast_2d(X)[:, :, None]


@add(vec(5, 2))
def edge_sliding_window_multi(X):
    return sliding_window_view(X, (3, 2), axis=(0, 1))[..., 0, 1] ** 2


corpus.ref(lambda X: X[0:3, 1:2] ** 2)


# ------------------------------------------------------------------ writes through views
@add(vec(3, 4))
def write_after_flip_view_dead(X):
    Y = X * 2
    Z = np.flip(Y)
    Z[0] = 0.0
    return np.sum(Z ** 2)


corpus.ref(lambda X: jnp.sum(jnp.flip(2 * X).at[0].set(0.0) ** 2))


@add(vec(3, 4))
def write_through_swapaxes_copy(X):
    Y = np.swapaxes(X, 0, 1).copy()
    Y[0] = 1.0
    return np.sum(Y * X.T) + np.sum(X)


corpus.ref(lambda X: jnp.sum(X.T.at[0].set(1.0) * X.T) + jnp.sum(X))


# writes carried between a base and its axis-permuting views (refused before)
@add(vec(3, 4))
def write_through_swapaxes_view(X):
    Y = X * 1.0
    Z = np.swapaxes(Y, 0, 1)
    Z[0] = 1.0
    return np.sum(Y ** 2)


corpus.ref(lambda X: jnp.sum(X.at[:, 0].set(1.0) ** 2))


@add(vec(3, 4))
def write_base_under_moveaxis_view(X):
    Y = X * 1.0
    Z = np.moveaxis(Y, 0, 1)
    Y[0] = 0.0
    return np.sum(Z ** 2 * np.arange(12.0).reshape(4, 3))


corpus.ref(lambda X: jnp.sum(jnp.moveaxis(X.at[0].set(0.0), 0, 1) ** 2 * jnp.arange(12.0).reshape(4, 3)))


@add(vec(3, 4))
def write_base_under_mT_view(X):
    Y = X * 1.0
    Z = Y.mT
    Y[:, 0] += X[:, 1] ** 2
    return np.sum(Z ** 2 * np.arange(12.0).reshape(4, 3))


corpus.ref(lambda X: jnp.sum(X.at[:, 0].add(X[:, 1] ** 2).T ** 2 * jnp.arange(12.0).reshape(4, 3)))


@add(vec(4), expect="refused")
def write_into_split_part(x):
    y = x * 2
    a, _b = np.split(y, 2)
    a[0] = 5.0  # a is a view of y in numpy
    return np.sum(y ** 2)


@add(vec(4), expect="refused")
def write_into_float64_cast(x):
    y = x * 2
    z = np.float64(y)  # numpy returns y itself
    z[0] = 0.0
    return np.sum(y ** 2)


# ------------------------------------------------------------------ refused options
@add(vec(3, 4), expect="refused")
def pad_linear_ramp_refused(X):
    return np.sum(np.pad(X, 1, mode="linear_ramp") ** 2)


@add(vec(3, 4), expect="refused")
def put_along_axis_axis_none_refused(X):
    Y = X.ravel() * 1.0
    np.put_along_axis(Y, np.array([0, 1]), 0.0, axis=None)
    return np.sum(Y ** 2)


@add(vec(2, 3))  # of the flattened arrays, as numpy (was silently axis=0 before issue 13)
def concatenate_axis_none_flattens(X):
    return np.concatenate([X, X * 2.0], axis=None) ** 2


@add(vec(2, 3), expect="refused")
def take_along_axis_none_refused(X):
    return np.take_along_axis(X, np.array([0, 5]), axis=None) ** 2


@add(vec(6), expect="refused")
def sliding_window_repeated_axis_refused(x):
    return np.sum(sliding_window_view(x, (2, 2), axis=(0, 0)) ** 2)


# ------------------------------------------------------------------ meshgrid
@add(vec(3), vec(4), wrt=("x", "y"))
def meshgrid_xy(x, y):
    X, Y = np.meshgrid(x, y)
    return np.sum(X ** 2 * Y) + np.sum(np.sin(X) * np.arange(12.0).reshape(4, 3))


@add(vec(3), vec(2), wrt=("x", "y"))
def meshgrid_ij_sparse_indexed(x, y):
    grids = np.meshgrid(x, y, indexing="ij")
    A, B = np.meshgrid(x, y, sparse=True, indexing="ij")
    return np.sum(grids[0] * grids[1] ** 2) + np.sum(A * B)


@add(vec(2), vec(3), vec(2), wrt=("x", "z"))
def meshgrid_three_unused(x, y, z):
    X, _Y, Z = np.meshgrid(x, y, z)
    return np.sum(X * Z ** 2)
