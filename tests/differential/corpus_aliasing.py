"""Corpus: aliasing and views: in-place updates through a second name or a view.

numpy semantics: `y = x` makes y another name for the same array, and basic
slices, `.T` and `.reshape` are views. A function that writes through one
name changes what the other names read (also the caller's argument; the
harness always passes copies). The gradient is with respect to the argument's
value on entry. Each entry has a jax reference that spells out the effect.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .harness import Corpus, vec

corpus = Corpus()
add = corpus.add
ref = corpus.ref


@add(vec(3))
def alias_then_iadd(x):
    y = x
    y += 1
    return np.sum(x * y)


ref(lambda x: jnp.sum((x + 1) ** 2))


@add(vec(4))
def alias_setitem_from_other(x):
    a = x * 1.0
    b = a
    b[0] = 2 * x[0]
    return np.sum(a * x)


ref(lambda x: jnp.sum(x.at[0].set(2 * x[0]) * x))


@add(vec(4))
def view_slice_setitem(x):
    y = x.copy()
    v = y[1:]
    v[0] = 10 * x[0]
    return np.sum(y ** 2)


ref(lambda x: jnp.sum(x.at[1].set(10 * x[0]) ** 2))


@add(vec(2, 3), vec(2), wrt=("M0", "x"))
def row_view_setitem(M0, x):
    M = M0.copy()
    row = M[0]
    row[1] = x[0] ** 2
    return np.sum(M * M0)


ref(lambda M0, x: jnp.sum(M0.at[0, 1].set(x[0] ** 2) * M0))


@add(vec(4))
def alias_zero_first(x):
    out = x * 2
    c = out
    c[0] = 0.0
    return np.sum(out * x)


ref(lambda x: jnp.sum((x * 2).at[0].set(0.0) * x))


@add(vec(4))
def alias_imul_both_read(x):
    y = x
    y *= 2
    return np.sum(y) + np.sum(x ** 2)


ref(lambda x: jnp.sum(2 * x) + jnp.sum((2 * x) ** 2))


@add(vec(4))
def copy_then_iadd_no_alias(x):
    y = x.copy()
    y += 1
    return np.sum(x * y)


ref(lambda x: jnp.sum(x * (x + 1)))


@add(vec(4))
def param_iadd(x):
    x += 1
    return np.sum(x ** 2)


ref(lambda x: jnp.sum((x + 1) ** 2))


@add(vec(4))
def param_setitem(x):
    x[0] = x[1] * 2
    return np.sum(x ** 2)


ref(lambda x: jnp.sum(x.at[0].set(x[1] * 2) ** 2))


@add(vec(6))  # the write is carried back through the reshape, a view (was refused)
def reshape_view_setitem(x):
    y = x.copy()
    M = y.reshape(2, 3)
    M[0, 0] = 5 * x[1]
    return np.sum(y ** 2)


ref(lambda x: jnp.sum(x.at[0].set(5 * x[1]) ** 2))


@add(vec(2, 3))  # the write is carried back through the transpose (was refused)
def transpose_view_setitem(X):
    M = X.copy()
    T = M.T
    T[0, 1] = X[0, 2] ** 2
    return np.sum(M ** 2)


ref(lambda X: jnp.sum(X.at[1, 0].set(X[0, 2] ** 2) ** 2))


ref(lambda X: jnp.sum(X.at[1, 0].set(X[0, 2] ** 2) ** 2))


@add(vec(6))
def strided_view_imul(x):
    y = x.copy()
    v = y[::2]
    v *= 3
    return np.sum(y ** 2)


ref(lambda x: jnp.sum(x.at[::2].multiply(3) ** 2))


@add(vec(4))
def full_slice_is_a_view(x):
    y = x[:]
    y[0] = 0.0
    return np.sum(x ** 2)


ref(lambda x: jnp.sum(x.at[0].set(0.0) ** 2))


@add(vec(4))
def chained_assignment_alias(x):
    z = y = x * 2
    z += 1
    return np.sum(y * x)


ref(lambda x: jnp.sum((x * 2 + 1) * x))


@add(vec(4))
def copy_alias_iadd(x):
    a = x.copy()
    b = a
    b += x
    return np.sum(a * a)


ref(lambda x: jnp.sum((2 * x) ** 2))


@add(vec(4))
def view_slice_assign_all(x):
    y = np.zeros(4)
    v = y[1:3]
    v[:] = x[:2] ** 2
    return np.sum(y * x)


ref(lambda x: jnp.sum(jnp.zeros(4).at[1:3].set(x[:2] ** 2) * x))


@add(vec(4))
def alias_accumulate_in_loop(x):
    acc = x
    for i in range(3):
        acc += x
    return np.sum(acc)


ref(lambda x: jnp.sum(8 * x))


@add(vec(4))
def write_base_read_view(x):
    y = x.copy()
    v = y[1:]
    y[1] = 5.0 * x[0]
    return np.sum(v * x[1:])


ref(lambda x: jnp.sum(x.at[1].set(5.0 * x[0])[1:] * x[1:]))


@add(vec(2, 3))
def write_base_read_row(X):
    M = X * 1.0
    row = M[0]
    M[0, 1] = X[1, 1] ** 3
    return np.sum(row ** 2)


ref(lambda X: jnp.sum(X.at[0, 1].set(X[1, 1] ** 3)[0] ** 2))


@add(vec(5))
def overlapping_shift(x):
    y = x.copy()
    y[1:] = y[:-1]
    return np.sum(y * np.arange(5.0))


ref(lambda x: jnp.sum(jnp.concatenate([x[:1], x[:-1]]) * jnp.arange(5.0)))


@add(vec(5))
def overlapping_reverse(x):
    y = x.copy()
    y[:] = y[::-1]
    return np.sum(y * np.arange(5.0))


ref(lambda x: jnp.sum(x[::-1] * jnp.arange(5.0)))


@add(vec(4))
def center_in_place(x):
    y = x.copy()
    y -= y.mean()
    return np.sum(y ** 3)


ref(lambda x: jnp.sum((x - jnp.mean(x)) ** 3))


@add(vec(4))
def normalize_in_place(x):
    y = x.copy()
    y /= np.linalg.norm(y)
    return np.sum(y * np.array([1.0, 2.0, 3.0, 4.0]))


ref(lambda x: jnp.sum(x / jnp.linalg.norm(x) * jnp.array([1.0, 2.0, 3.0, 4.0])))


def _normalize(v):
    v /= np.linalg.norm(v)


@add(vec(4))  # a helper writing its argument in place is inlined (was refused)
def helper_normalizes_in_place(x):
    y = x.copy()
    _normalize(y)
    return np.sum(y * np.array([1.0, 2.0, 3.0, 4.0]))


ref(lambda x: jnp.sum(x / jnp.linalg.norm(x) * jnp.array([1.0, 2.0, 3.0, 4.0])))


def _normalized(v):
    v /= np.linalg.norm(v)
    return v


@add(vec(4))  # a helper writing its argument in place is inlined (was refused)
def helper_normalizes_and_returns(x):
    y = x.copy()
    z = _normalized(y)
    return np.sum(y * np.array([1.0, 2.0, 3.0, 4.0])) + np.sum(z)


ref(lambda x: jnp.sum(x / jnp.linalg.norm(x) * jnp.array([2.0, 3.0, 4.0, 5.0])))


@add(vec(4))  # a helper writing its argument in place is inlined (was refused)
def helper_normalizes_the_argument(x):
    z = _normalized(x)
    return np.sum(x * z)


ref(lambda x: jnp.sum((x / jnp.linalg.norm(x)) ** 2))


def _scale_first(v, s):
    v[0] = v[0] * s


@add(vec(4))  # a helper writing its argument in place is inlined (was refused)
def helper_writes_entry(x):
    y = x * 1.0
    _scale_first(y, 3.0)
    return np.sum(y ** 2)


ref(lambda x: jnp.sum(x.at[0].multiply(3.0) ** 2))


@add(vec(3, 2))
def loop_variable_row_imul(X):
    Y = X.copy()
    for row in Y:
        row *= 2
    return np.sum(Y * X)


ref(lambda X: jnp.sum(2 * X * X))


@add(vec(4))
def rebinding_is_not_aliasing(x):
    y = x
    y = y + 1
    return np.sum(x * y)


@add(vec(4))
def swap_names(x):
    a = x * 2
    b = x + 1
    a, b = b, a
    return np.sum(a * a - b)


@add(vec(2, 3))
def row_copy_then_write(X):
    row = X[0].copy()
    row[1] = 0.0
    return np.sum(row * X[1]) + np.sum(X)


ref(lambda X: jnp.sum(X[0].at[1].set(0.0) * X[1]) + jnp.sum(X))


@add(vec(4))
def inplace_ops_on_fresh_array(x):
    y = x * 1.0
    y += 1.0
    y *= x
    y -= 0.5
    y /= 2.0
    y **= 2
    return np.sum(y)


@add(vec(4))
def iadd_param_read_again(x):
    s0 = np.sum(x)
    x *= 2
    return s0 * np.sum(x)


ref(lambda x: jnp.sum(x) * jnp.sum(2 * x))


@add(vec(3), vec(3), wrt=("a", "b"))
def alias_two_params(a, b):
    c = a
    c += b
    return np.sum(a * b)


ref(lambda a, b: jnp.sum((a + b) * b))


@add(vec(4))
def alias_after_write_read_both(x):
    y = x.copy()
    z = y
    z[2] = z[0] + z[1]
    return np.sum(y ** 2) + np.sum(z)


@ref
def _ref_alias_after_write_read_both(x):
    y = x.at[2].set(x[0] + x[1])
    return jnp.sum(y ** 2) + jnp.sum(y)


# a slice of an unknown-rank array is an array: `*=` writes through the view (once refused)
@add(vec(2, 2), vec(2, 2))
def slice_of_product_written_in_place(b, c):
    v0 = np.dot(b[[1, 0]], c) * c[-1]
    z2 = v0[-1, :2]
    z2[-1] += 1.5
    z2 *= np.dot(b[:, 1], c[-1])
    return np.sum(v0 * v0)


ref(lambda b, c: _slice_of_product_ref(b, c))


def _slice_of_product_ref(b, c):
    v0 = jnp.dot(b[jnp.array([1, 0])], c) * c[-1]
    z2 = v0[-1, :2].at[-1].add(1.5) * jnp.dot(b[:, 1], c[-1])
    v0 = v0.at[-1, :2].set(z2)
    return jnp.sum(v0 * v0)


# Generated programs that agc refused, accepted since (issue 13): ranks through a fancy
# index of an int list, a literal int-list index is a copy, a view read by nobody after
# a write may go stale, and ranks followed in program order.
@add(vec(2, 3), vec(3, 3), wrt=("a", "c"))
def rank_through_int_list_index(a, c):
    v0 = np.dot(a.T @ c[[1, 0]], np.sin(c))
    z1 = v0[-1]
    z1 *= np.sqrt(v0[-1] ** 2 + 0.5)
    v0 *= z1[-1] + a[1:]
    return np.sum(v0)


@ref
def _rank_through_int_list_index_ref(a, c):
    v0 = jnp.dot(a.T @ c[jnp.array([1, 0])], jnp.sin(c))
    z1 = v0[-1] * jnp.sqrt(v0[-1] ** 2 + 0.5)
    v0 = v0.at[-1].set(z1)
    return jnp.sum(v0 * (z1[-1] + a[1:]))


@add(vec(2), vec(3), wrt=("a", "b"))
def int_list_index_is_a_copy(a, b):
    v0 = np.dot(np.full((2, 3), 1.5) @ np.full((3, 2), 0.3), np.tanh(b[:2]))
    v1 = v0[[1, 0]]
    z2 = v0[:2]
    v0 *= np.minimum(z2[::-1], a)
    return np.sum(v1) + np.sum(v0 * a)


@ref
def _int_list_index_is_a_copy_ref(a, b):
    v0 = jnp.dot(jnp.full((2, 3), 1.5) @ jnp.full((3, 2), 0.3), jnp.tanh(b[:2]))
    v1 = v0[jnp.array([1, 0])]
    v0 = v0 * jnp.minimum(v0[::-1], a)
    return jnp.sum(v1) + jnp.sum(v0 * a)


@add(vec(3, 3))
def outer_of_a_view_then_written(a):
    v0 = a[:, ::-1] - a[0, 1]
    z1 = v0[0]
    v0[0] = np.sum(np.outer(z1, z1), axis=1)
    z1 *= np.dot(a[-1], np.outer(z1, z1))
    return np.sum(v0 ** 2) + np.sum(z1)


@ref
def _outer_of_a_view_then_written_ref(a):
    v0 = a[:, ::-1] - a[0, 1]
    v0 = v0.at[0].set(jnp.sum(jnp.outer(v0[0], v0[0]), axis=1))
    z1 = v0[0] * jnp.dot(a[-1], jnp.outer(v0[0], v0[0]))
    v0 = v0.at[0].set(z1)
    return jnp.sum(v0 ** 2) + jnp.sum(z1)


@add(vec(2, 3))
def name_rebound_with_another_rank(a):
    v0 = np.tanh(np.dot(np.full((3, 3), 0.3), a.T))
    z1 = v0[-1]
    z1 *= 2.0
    v0 = np.sum(v0)
    v0 += 1.0
    return v0 + np.sum(z1)


@ref
def _name_rebound_with_another_rank_ref(a):
    v0 = jnp.tanh(jnp.dot(jnp.full((3, 3), 0.3), a.T))
    v0 = v0.at[-1].multiply(2.0)
    return jnp.sum(v0) + 1.0 + jnp.sum(v0[-1])


@add(vec(3))  # was refused: `out=` of a ufunc, a write into a view seen by its base
def ufunc_out_into_a_view(x):
    y = x * 1.0
    v = y[1:]
    np.multiply(v, x[:2], out=v)
    np.exp(y, out=y)
    return np.sum(y * x)


@ref
def _ufunc_out_into_a_view_ref(x):
    y = x.at[1:].multiply(x[:2])
    return jnp.sum(jnp.exp(y) * x)


@add(vec(3))  # was refused: np.array(y) taken for a possible view of y
def array_copy_then_written(x):
    y = x * 2.0
    z = np.array(y)
    y[0] = 4.0
    return np.sum(z * y)


@ref
def _array_copy_then_written_ref(x):
    y = x * 2.0
    return jnp.sum(y * y.at[0].set(4.0))


@add(vec(4))  # was refused: np.add.at, an expression statement (repeated indices add up)
def add_at_repeated_indices(x):
    a = x[:3] * 1.5
    b = a
    np.add.at(a, np.array([2, 0, 2]), x[:1] * x[1:])
    return np.sum(b * b * x[:3])


@ref
def _add_at_repeated_indices_ref(x):
    a = (x[:3] * 1.5).at[jnp.array([2, 0, 2])].add(x[:1] * x[1:])
    return jnp.sum(a * a * x[:3])
