"""Corpus: einsum, tensordot, kron, cross, trace, diag, diagonal, tril, triu (issue 13)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .harness import Corpus, vec

corpus = Corpus()
add = corpus.add


# ------------------------------------------------------------------ einsum
@add(vec(4))
def einsum_dot(x):
    return np.einsum("i,i->", x, x)


@add(vec(2, 3), vec(3, 4), wrt=("a", "b"))
def einsum_matmul(a, b):
    return np.sum(np.einsum("ij,jk->ik", a, b) ** 2)


@add(vec(2, 3), vec(3, 4), wrt=("a", "b"))
def einsum_implicit_output(a, b):
    return np.sum(np.sin(np.einsum("ij,jk", a, b)))


@add(vec(2, 3), vec(3, 4), wrt=("a", "b"))
def einsum_implicit_upper_first(a, b):
    return np.sum(np.einsum("bA,AC", a, b) * np.arange(8.0).reshape(4, 2))


@add(vec(3, 3))
def einsum_trace_implicit(a):
    return np.einsum("ii", a) ** 2


@add(vec(3, 3))
def einsum_diagonal_out(a):
    return np.sum(np.einsum("ii->i", a) ** 3)


@add(vec(3, 3, 2))
def einsum_diagonal_keep_axis(a):
    return np.sum(np.einsum("iij->ij", a) ** 2)


@add(vec(3, 4))
def einsum_sum_axis(a):
    return np.sum(np.einsum("ij->i", a) ** 2)


@add(vec(3, 4))
def einsum_transpose(a):
    return np.sum(np.einsum("ij->ji", a) * np.arange(12.0).reshape(4, 3))


@add(vec(3), vec(4), wrt=("u", "v"))
def einsum_outer(u, v):
    return np.sum(np.tanh(np.einsum("i,j->ij", u, v)))


@add(vec(2, 3, 4), vec(2, 4, 5), wrt=("a", "b"))
def einsum_batched(a, b):
    return np.sum(np.einsum("bij,bjk->bik", a, b) ** 2)


@add(vec(2, 3, 4), vec(4, 5), wrt=("a", "b"))
def einsum_ellipsis_broadcast(a, b):
    return np.sum(np.einsum("...ij,jk->...ik", a, b) ** 2)


@add(vec(2, 3, 4), vec(1, 4, 2), wrt=("a", "b"))
def einsum_ellipsis_both(a, b):
    return np.sum(np.cos(np.einsum("...ij,...jk->...ik", a, b)))


@add(vec(2, 3), vec(2, 3), wrt=("a", "b"))
def einsum_ellipsis_implicit(a, b):
    return np.sum(np.einsum("...i,...i", a, b) ** 2)


@add(vec(2, 3), vec(3, 4), vec(4, 2), wrt=("a", "b", "c"))
def einsum_three_operands(a, b, c):
    return np.sum(np.einsum("ij,jk,kl->il", a, b, c, optimize=True) ** 2)


@add(vec(3), vec(3, 4), vec(4), wrt=("u", "m", "v"))
def einsum_bilinear(u, m, v):
    return np.einsum("i,ij,j->", u, m, v) ** 2


@add(vec(2, 3))
def einsum_same_operand_twice(a):
    return np.einsum("ij,ij->", a, a)


@add(vec(3, 4), vec(5), wrt=("a", "w"))
def einsum_label_only_in_one(a, w):
    return np.sum(np.einsum("ij,k->ik", a, w) ** 2)


@add(vec(3, 3), vec(3), wrt=("a", "v"))
def einsum_diagonal_with_other(a, v):
    return np.sum(np.einsum("ii,i->i", a, v) ** 2)


@add(vec(2, 3), vec(3), wrt=("a", "v"))
def einsum_spaces_in_subscripts(a, v):
    return np.sum(np.einsum("ij, j -> i", a, v) ** 2)


@add(vec(2, 3), vec(3, 4), expect="refused")
def einsum_sublist_form(a, b):
    return np.sum(np.einsum(a, [0, 1], b, [1, 2]))


@add(vec(2, 3), vec(3, 4), expect="refused")
def einsum_out_keyword(a, b):
    return np.sum(np.einsum("ij,jk->ik", a, b, dtype=np.float64))


# ---------------------------------------------------------------- tensordot
@add(vec(2, 3))
def tensordot_call(X):
    return np.sum(np.tensordot(X, X.T, axes=1))


@add(vec(2, 3, 4), vec(3, 4, 5), wrt=("a", "b"))
def tensordot_default_axes(a, b):
    return np.sum(np.tensordot(a, b) ** 2)


@add(vec(2, 3), vec(3, 4), wrt=("a", "b"))
def tensordot_pair_axes(a, b):
    return np.sum(np.sin(np.tensordot(a, b, axes=([1], [0]))))


@add(vec(4, 3, 2), vec(2, 5, 4), wrt=("a", "b"))
def tensordot_crossed_axes(a, b):
    return np.sum(np.tensordot(a, b, axes=([0, 2], [2, 0])) ** 2)


@add(vec(3), vec(2, 2), wrt=("a", "b"))
def tensordot_outer(a, b):
    return np.sum(np.tanh(np.tensordot(a, b, 0)))


@add(vec(3, 4), vec(4, 3), wrt=("a", "b"))
def tensordot_negative_axes(a, b):
    return np.sum(np.tensordot(a, b, axes=(-1, 0)) ** 2)


# --------------------------------------------------------------------- kron
@add(vec(2, 2), vec(3, 2), wrt=("a", "b"))
def kron_matrices(a, b):
    return np.sum(np.kron(a, b) ** 2 * np.arange(24.0).reshape(6, 4))


@add(vec(3), vec(2, 2), wrt=("a", "b"))
def kron_vector_matrix(a, b):
    return np.sum(np.sin(np.kron(a, b)))


# -------------------------------------------------------------------- cross
@add(vec(3), vec(3), wrt=("a", "b"))
def cross_vectors(a, b):
    return np.sum(np.cross(a, b) * np.array([1.0, 2.0, 3.0]))


@add(vec(4, 3), vec(3), wrt=("a", "b"))
def cross_batched_broadcast(a, b):
    return np.sum(np.cross(a, b) ** 2)


@add(vec(3, 4), vec(3, 4), wrt=("a", "b"))
def cross_axis0(a, b):
    return np.sum(np.tanh(np.cross(a, b, axis=0)))


@add(vec(3, 2), vec(2, 3), wrt=("a", "b"))
def cross_axisa_axisc(a, b):
    return np.sum(np.cross(a, b, axisa=0, axisc=0) * np.arange(6.0).reshape(3, 2))


# ------------------------------------------------- trace, diag, diagonal
@add(vec(3, 3))
def trace_plain(a):
    return np.trace(a) ** 2


@add(vec(3, 4))
def trace_offset(a):
    return np.trace(a, offset=1) * np.trace(a, -1)


@add(vec(2, 3, 3))
def trace_axes(a):
    return np.sum(np.trace(a, axis1=1, axis2=2) ** 2)


@add(vec(3, 3), vec(3, 3), wrt=("a", "b"))
def trace_method_of_product(a, b):
    return (a @ b).trace() ** 2


@add(vec(3))
def diag_build(v):
    return np.sum(np.diag(v) * np.arange(9.0).reshape(3, 3))


@add(vec(3))
def diag_build_offset(v):
    return np.sum(np.diag(v, k=1) * np.arange(16.0).reshape(4, 4))


@add(vec(3, 4))
def diag_extract(a):
    return np.sum(np.diag(a) ** 2)


@add(vec(3, 4))
def diag_extract_below(a):
    return np.sum(np.diag(a, -1) ** 2)


@add(vec(3, 4))
def diagonal_plain(a):
    return np.sum(np.diagonal(a) ** 3)


@add(vec(2, 3, 4))
def diagonal_axes_offset(a):
    return np.sum(np.diagonal(a, offset=1, axis1=1, axis2=2) ** 2)


@add(vec(3, 2, 3))
def diagonal_method_outer_axes(a):
    return np.sum(np.sin(a.diagonal(0, 0, 2)))


@add(vec(3, 3))
def diagonal_method_default(a):
    return np.sum(a.diagonal() ** 2)


# -------------------------------------------------------------- tril, triu
@add(vec(3, 3))
def tril_plain(a):
    return np.sum(np.tril(a) ** 2 * np.arange(9.0).reshape(3, 3))


@add(vec(3, 4))
def tril_below(a):
    return np.sum(np.exp(np.tril(a, k=-1)))


@add(vec(4, 3))
def triu_above(a):
    return np.sum(np.triu(a, 1) ** 2 * np.arange(12.0).reshape(4, 3))


@add(vec(2, 3, 3))
def triu_batched(a):
    return np.sum(np.triu(a) ** 2)


@add(vec(3))
def tril_of_vector(v):
    return np.sum(np.tril(v) * np.arange(9.0).reshape(3, 3))


@corpus.ref
def _ref_tril_of_vector(v):  # jax's tril wants a matrix; numpy broadcasts the vector to one
    return jnp.sum(jnp.tril(jnp.broadcast_to(v, (3, 3))) * jnp.arange(9.0).reshape(3, 3))


@add(vec(3, 3), expect="refused")
def diagonal_view_then_base_written(x):
    y = x * 2.0
    d = np.diagonal(y)  # a view of y: the write below shows through it
    y[0, 0] = 0.0
    return np.sum(d * x[0])
