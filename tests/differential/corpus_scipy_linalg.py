"""Corpus: scipy.linalg's solve_triangular, cho_factor and cho_solve (issue 13).

scipy reads only one triangle of its matrix arguments; the references use
jax.scipy.linalg on that triangle (jax's cho_factor symmetrizes its input,
so it gets the symmetric matrix scipy reads).
"""

from __future__ import annotations

import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np
import scipy.linalg
from scipy.linalg import cho_factor, cho_solve, solve_triangular

from .harness import Corpus, Spec, vec

corpus = Corpus()
add = corpus.add


def well(n: int, shift: float = 3.0) -> Spec:
    """A random n x n matrix plus shift times the identity (either triangle is well conditioned)."""
    return Spec(lambda rng: rng.uniform(-1, 1, size=(n, n)) + shift * np.eye(n))


def _sym_from(a, lower):
    """The symmetric matrix scipy reads from a's lower (or upper) triangle."""
    if lower:
        return jnp.tril(a) + jnp.tril(a, -1).T
    return jnp.triu(a) + jnp.triu(a, 1).T


# --------------------------------------------------------- solve_triangular
@add(well(3), vec(3), wrt=("a", "b"))
def solve_triangular_lower(a, b):
    return np.sum(solve_triangular(a, b, lower=True) ** 2)


@corpus.ref
def _ref_st_lower(a, b):
    return jnp.sum(jsl.solve_triangular(jnp.tril(a), b, lower=True) ** 2)


@add(well(3), vec(3, 2), wrt=("a", "b"))
def solve_triangular_upper_matrix(a, b):
    return np.sum(np.sin(scipy.linalg.solve_triangular(a, b)))


@corpus.ref
def _ref_st_upper(a, b):
    return jnp.sum(jnp.sin(jsl.solve_triangular(jnp.triu(a), b)))


@add(well(3), vec(3, 2), wrt=("a", "b"))
def solve_triangular_transposed(a, b):
    return np.sum(solve_triangular(a, b, trans="T", lower=True) ** 2)


@corpus.ref
def _ref_st_trans(a, b):
    return jnp.sum(jsl.solve_triangular(jnp.tril(a), b, trans="T", lower=True) ** 2)


@add(well(3), vec(3), wrt=("a", "b"))
def solve_triangular_unit_diagonal(a, b):
    return np.sum(solve_triangular(a, b, trans=1, unit_diagonal=True) ** 2)


@corpus.ref
def _ref_st_unit(a, b):
    t = jnp.triu(a, 1) + jnp.eye(3)
    return jnp.sum(jsl.solve_triangular(t, b, trans=1) ** 2)


@add(well(3), vec(3), expect="refused")
def solve_triangular_check_finite(a, b):
    return np.sum(solve_triangular(a, b, check_finite=False))


# ------------------------------------------------------ cho_factor, cho_solve
@add(well(3, shift=4.0), vec(3), wrt=("a", "b"))
def cho_solve_lower(a, b):
    c = cho_factor(a, lower=True)
    return np.sum(cho_solve(c, b) ** 2)


@corpus.ref
def _ref_cho_lower(a, b):
    return jnp.sum(jsl.cho_solve(jsl.cho_factor(_sym_from(a, True), lower=True), b) ** 2)


@add(well(3, shift=4.0), vec(3, 2), wrt=("a", "b"))
def cho_solve_upper_default(a, b):
    c, low = cho_factor(a)
    return np.sum(np.tanh(cho_solve((c, low), b)))


@corpus.ref
def _ref_cho_upper(a, b):
    return jnp.sum(jnp.tanh(jsl.cho_solve(jsl.cho_factor(_sym_from(a, False)), b)))


@add(well(3, shift=4.0))
def cho_factor_logdet(a):
    c, _low = cho_factor(a, lower=True)
    return 2.0 * np.sum(np.log(np.diagonal(c)))


@corpus.ref
def _ref_cho_logdet(a):
    return 2.0 * jnp.sum(jnp.log(jnp.diagonal(jsl.cho_factor(_sym_from(a, True), lower=True)[0])))


@add(well(3, shift=4.0), vec(3), wrt=("a", "b"))
def cho_solve_twice(a, b):
    f = cho_factor(a, lower=True)
    x = cho_solve(f, b)
    return np.sum(cho_solve(f, x) * b)


@corpus.ref
def _ref_cho_twice(a, b):
    f = jsl.cho_factor(_sym_from(a, True), lower=True)
    return jnp.sum(jsl.cho_solve(f, jsl.cho_solve(f, b)) * b)


@add(well(3, shift=4.0))
def cho_factor_upper_whole(a):
    """The whole of c: the upper factor and the lower triangle that keeps a's entries
    (forward mode: both parts of the factor's tangent)."""
    c, _low = cho_factor(a)
    return np.sum(np.sin(c) * np.arange(9.0).reshape(3, 3))


@corpus.ref
def _ref_cho_upper_whole(a):
    upper = jnp.linalg.cholesky(_sym_from(a, False)).T
    return jnp.sum(jnp.sin(upper + jnp.tril(a, -1)) * jnp.arange(9.0).reshape(3, 3))


# ----------------------------------------------------------------- cholesky
@add(well(3, shift=4.0))
def scipy_cholesky_upper_default(a):
    return np.sum(scipy.linalg.cholesky(a) ** 3)


@corpus.ref
def _ref_scipy_cholesky_upper(a):
    return jnp.sum(jsl.cholesky(_sym_from(a, False)) ** 3)


@add(well(3, shift=4.0))
def scipy_cholesky_lower(a):
    return np.sum(np.sin(scipy.linalg.cholesky(a, lower=True)))


@corpus.ref
def _ref_scipy_cholesky_lower(a):
    return jnp.sum(jnp.sin(jsl.cholesky(_sym_from(a, True), lower=True)))
