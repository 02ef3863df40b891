"""Corpus: numpy.linalg: inv, solve, det, slogdet, cholesky, eigh (issue 13).

Matrices are made well conditioned (a random matrix plus a multiple of the
identity). numpy's cholesky and eigh read only the lower triangle of their
input; jax symmetrizes it instead, so their references symmetrize the lower
triangle first (`_lower`), which is exactly what numpy computes with. The
eigenvector entries return sums of squares, which a sign flip of a vector
does not change.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .harness import Corpus, Spec, vec

corpus = Corpus()
add = corpus.add


def well(*shape, shift: float = 3.0) -> Spec:
    """A random square matrix (or stack of them) plus shift times the identity."""
    return Spec(lambda rng: rng.uniform(-1, 1, size=shape) + shift * np.eye(shape[-1]))


def spd(n: int) -> Spec:
    """A symmetric positive-definite matrix with well-separated eigenvalues."""
    def make(rng):
        m = rng.uniform(-1, 1, size=(n, n))
        return m @ m.T + np.diag(np.arange(1.0, n + 1.0) * 2.0)
    return Spec(make)


def _lower(a):
    """The symmetric matrix numpy's cholesky and eigh read from a's lower triangle."""
    return jnp.tril(a) + jnp.swapaxes(jnp.tril(a, -1), -1, -2)


# ---------------------------------------------------------------------- inv
@add(vec(2, 3))
def linalg_inv(X):
    return np.sum(np.linalg.inv(X @ X.T + np.eye(2)))


@add(well(3, 3))
def inv_squared_entries(a):
    return np.sum(np.linalg.inv(a) ** 2)


@add(well(2, 3, 3))
def inv_batched(a):
    return np.sum(np.sin(np.linalg.inv(a)))


# -------------------------------------------------------------------- solve
@add(well(3, 3), vec(3), wrt=("a", "b"))
def solve_vector(a, b):
    return np.sum(np.linalg.solve(a, b) ** 2)


@add(well(3, 3), vec(3, 2), wrt=("a", "b"))
def solve_matrix(a, b):
    return np.sum(np.tanh(np.linalg.solve(a, b)))


@add(well(2, 3, 3), vec(3), wrt=("a", "b"))
def solve_batched_vector(a, b):
    return np.sum(np.linalg.solve(a, b) ** 2)


@add(well(2, 3, 3), vec(3, 2), wrt=("a", "b"))
def solve_batched_shared_b(a, b):
    return np.sum(np.linalg.solve(a, b) ** 2)


@add(well(3, 3), vec(2, 3, 2), wrt=("a", "b"))
def solve_shared_a(a, b):
    return np.sum(np.cos(np.linalg.solve(a, b)))


# ---------------------------------------------------------------------- det
@add(well(3, 3))
def det_plain(a):
    return np.linalg.det(a) ** 2


@add(vec(3, 3), vec(3, 3), wrt=("a", "b"))
def det_of_product(a, b):
    return np.linalg.det(a @ b + 2.0 * np.eye(3))


@add(well(2, 3, 3))
def det_batched(a):
    return np.sum(np.linalg.det(a) ** 2)


# ------------------------------------------------------------------ slogdet
@add(well(3, 3))
def slogdet_unpacked(a):
    _sign, logdet = np.linalg.slogdet(a)
    return logdet * 2.0


@add(vec(3, 3, lo=-2.0, hi=2.0))
def slogdet_sign_times_exp(a):
    s, ld = np.linalg.slogdet(a)
    return s * np.exp(ld)


@add(well(2, 3, 3))
def slogdet_batched(a):
    _, ld = np.linalg.slogdet(a)
    return np.sum(ld ** 2)


@add(well(3, 3))
def slogdet_indexed(a):
    res = np.linalg.slogdet(a)
    return res[1] + res[0]


@add(well(3, 3))  # a named field read on the call (was refused)
def slogdet_attribute(a):
    return np.linalg.slogdet(a).logabsdet


# ----------------------------------------------------------------- cholesky
@add(spd(3))
def cholesky_spd(a):
    return np.sum(np.linalg.cholesky(a) * np.arange(9.0).reshape(3, 3))


@corpus.ref
def _ref_cholesky_spd(a):
    return jnp.sum(jnp.linalg.cholesky(_lower(a)) * jnp.arange(9.0).reshape(3, 3))


@add(well(3, 3, shift=4.0))
def cholesky_reads_lower_triangle(a):
    return np.sum(np.linalg.cholesky(a) ** 3)


@corpus.ref
def _ref_cholesky_lower(a):
    return jnp.sum(jnp.linalg.cholesky(_lower(a)) ** 3)


@add(spd(3))
def cholesky_logdet(a):
    L = np.linalg.cholesky(a)
    return 2.0 * np.sum(np.log(np.diagonal(L)))


@corpus.ref
def _ref_cholesky_logdet(a):
    return 2.0 * jnp.sum(jnp.log(jnp.diagonal(jnp.linalg.cholesky(_lower(a)))))


# --------------------------------------------------------------------- eigh
@add(spd(3))
def eigh_values(a):
    w, _v = np.linalg.eigh(a)
    return np.sum(w * np.array([1.0, 2.0, 3.0]))


@corpus.ref
def _ref_eigh_values(a):
    return jnp.sum(jnp.linalg.eigh(_lower(a))[0] * jnp.array([1.0, 2.0, 3.0]))


@add(spd(3))
def eigh_vectors_squares(a):
    _w, v = np.linalg.eigh(a)
    return np.sum(v ** 2 * np.arange(9.0).reshape(3, 3))


@corpus.ref
def _ref_eigh_vectors(a):
    return jnp.sum(jnp.linalg.eigh(_lower(a))[1] ** 2 * jnp.arange(9.0).reshape(3, 3))


@add(well(3, 3, shift=0.0), tol32=1e-2)
def eigh_both_nonsymmetric_input(a):
    w, v = np.linalg.eigh(a)
    return np.sum(w ** 2) + np.sum((v * v) @ w)


@corpus.ref
def _ref_eigh_both(a):
    w, v = jnp.linalg.eigh(_lower(a))
    return jnp.sum(w ** 2) + jnp.sum((v * v) @ w)


@add(spd(3))
def eigh_upper(a):
    w, v = np.linalg.eigh(a, UPLO="U")
    return np.sum(w ** 3) + np.sum(v[0] ** 2 * w)


@corpus.ref
def _ref_eigh_upper(a):
    w, v = jnp.linalg.eigh(jnp.swapaxes(_lower(jnp.swapaxes(a, 0, 1)), 0, 1))
    return jnp.sum(w ** 3) + jnp.sum(v[0] ** 2 * w)


@add(spd(3))  # a named field read on the call (was refused)
def eigh_attribute(a):
    return np.sum(np.linalg.eigh(a).eigenvalues)


# ------------------------------------------------------------- matrix_power
@add(vec(3, 3))
def matrix_power_cube(a):
    return np.sum(np.linalg.matrix_power(a, 3) ** 2)


@add(vec(3, 3))
def matrix_power_one(a):
    return np.sum(np.sin(np.linalg.matrix_power(a, 1)))


@add(vec(3, 3))
def matrix_power_zero(a):
    return np.sum(np.linalg.matrix_power(a, 0) * a)


@add(well(3, 3))
def matrix_power_negative(a):
    return np.sum(np.linalg.matrix_power(a, -2) ** 2)


@add(vec(2, 3, 3))
def matrix_power_batched(a):
    return np.sum(np.linalg.matrix_power(a, 2) ** 2)


# --------------------------------------------------------------------- pinv
@add(vec(4, 3))
def pinv_tall(a):
    return np.sum(np.linalg.pinv(a) ** 2)


@add(vec(2, 4))
def pinv_wide(a):
    return np.sum(np.tanh(np.linalg.pinv(a)))


@add(well(3, 3))
def pinv_square_is_inv(a):
    return np.sum(np.linalg.pinv(a) * np.arange(9.0).reshape(3, 3))


# ----------------------------------------------------------------------- qr
# Q's columns and R's rows may flip sign together: only their squares are compared.
@add(vec(4, 3))
def qr_tall(a):
    q, r = np.linalg.qr(a)
    return np.sum(q ** 2 * np.arange(12.0).reshape(4, 3)) + np.sum(r ** 2 * np.arange(9.0).reshape(3, 3))


@add(well(3, 3))
def qr_square_r_only(a):
    _, r = np.linalg.qr(a)
    return np.sum(np.diagonal(r) ** 2)


@add(vec(4, 3))
def qr_reconstruct(a):
    q, r = np.linalg.qr(a, mode="reduced")
    return np.sum(np.sin(q @ r))


@add(vec(4, 3), expect="refused")
def qr_complete_mode(a):
    q, r = np.linalg.qr(a, mode="complete")
    return np.sum(q @ r)


# ---------------------------------------------------------------------- svd
@add(vec(4, 3))
def svd_values_only(a):
    return np.sum(np.linalg.svd(a, compute_uv=False) * np.array([3.0, 2.0, 1.0]))


@add(vec(3, 4))
def svdvals_nuclear(a):
    return np.sum(np.linalg.svdvals(a))


@add(vec(4, 3))
def svd_reduced_tall(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return (np.sum(s ** 2 * np.array([1.0, 2.0, 3.0])) + np.sum(u ** 2 * np.arange(12.0).reshape(4, 3))
            + np.sum(vh ** 2 * np.arange(9.0).reshape(3, 3)))


@add(vec(3, 5))
def svd_reduced_wide(a):
    u, _s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(u ** 2 * np.arange(9.0).reshape(3, 3)) + np.sum(vh ** 2 * np.arange(15.0).reshape(3, 5))


@add(vec(3, 3))
def svd_square_default(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum((u * s) @ vh * np.arange(9.0).reshape(3, 3))


@add(vec(4, 3), expect="refused")
def svd_hermitian(a):
    return np.sum(np.linalg.svd(a @ a.T, hermitian=True, compute_uv=False))


# -------------------------------------------------------------------- lstsq
@add(vec(5, 3), vec(5), wrt=("a", "b"))
def lstsq_solution_vector(a, b):
    x, _res, _rank, _sv = np.linalg.lstsq(a, b, rcond=None)
    return np.sum(x ** 2)


@add(vec(5, 3), vec(5, 2), wrt=("a", "b"))
def lstsq_solution_matrix(a, b):
    x, _, _, _ = np.linalg.lstsq(a, b)
    return np.sum(np.sin(x))


@add(vec(5, 3), vec(5), wrt=("a", "b"))
def lstsq_residuals_and_values(a, b):
    x, res, _rank, sv = np.linalg.lstsq(a, b)
    return np.sum(res) + np.sum(sv) + np.sum(x)


@add(vec(3, 5), vec(3), wrt=("a", "b"))
def lstsq_minimum_norm(a, b):
    x, _, _, _ = np.linalg.lstsq(a, b, rcond=None)
    return np.sum(x ** 3)


# --------------------------------------------------- cholesky(upper=True), eigvalsh
@add(well(3, 3, shift=4.0))
def cholesky_upper_reads_upper_triangle(a):
    return np.sum(np.linalg.cholesky(a, upper=True) ** 3)


@corpus.ref
def _ref_cholesky_upper(a):
    return jnp.sum(jnp.linalg.cholesky(_lower(a.T), upper=True) ** 3)


@add(well(3, 3, shift=0.0))
def eigvalsh_weighted(a):
    return np.sum(np.linalg.eigvalsh(a) * np.array([1.0, 2.0, 3.0]))


@corpus.ref
def _ref_eigvalsh(a):
    return jnp.sum(jnp.linalg.eigvalsh(_lower(a)) * jnp.array([1.0, 2.0, 3.0]))


@add(well(2, 3, 3, shift=0.0))
def eigvalsh_upper_batched(a):
    return np.sum(np.linalg.eigvalsh(a, UPLO="U") ** 2)


@corpus.ref
def _ref_eigvalsh_upper(a):
    return jnp.sum(jnp.linalg.eigvalsh(_lower(jnp.swapaxes(a, -1, -2))) ** 2)
