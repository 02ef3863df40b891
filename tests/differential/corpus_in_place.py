"""Corpus: numpy's writes in place once refused: `//=`, `%=`, `&=`, `|=`, `^=`, `<<=`,
`>>=`; `np.copyto`, `np.fill_diagonal`; a ufunc's `out=` into a slice; writes through
`x.ravel()`, `x.reshape(...)` and `np.asarray(x)` (tests/test_cov6a_*.py)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .harness import Corpus, vec

corpus = Corpus()
add = corpus.add
ref = corpus.ref


@add(vec(2, 3))
def augmented_floordiv_mod_bitwise(x):
    y = x * 3.0
    y %= 1.0
    k = np.arange(6).reshape(2, 3) - 3
    k //= 2
    k <<= 1
    k |= 1
    m = x > 0
    m &= x < 0.5
    return np.sum(y * x) + np.sum(k * x) + np.sum(np.where(m, x, 0.0))


@ref
def _augmented_floordiv_mod_bitwise_ref(x):
    k = ((np.arange(6).reshape(2, 3) - 3) // 2 << 1) | 1
    return jnp.sum((x * 3.0) % 1.0 * x) + jnp.sum(k * x) + \
        jnp.sum(jnp.where((x > 0) & (x < 0.5), x, 0.0))


@add(vec(3, 3))
def copyto_with_where(x):
    y = x * 0.5
    np.copyto(y, x * x, where=x > 0)
    np.copyto(y[0], x[1])
    return np.sum(y * x)


@ref
def _copyto_with_where_ref(x):
    y = jnp.where(x > 0, x * x, x * 0.5).at[0].set(x[1])
    return jnp.sum(y * x)


@add(vec(3, 3))
def fill_diagonal_of_a_copy(x):
    y = x * 2.0
    np.fill_diagonal(y, x[0] ** 2)
    return np.sum(y * y)


@ref
def _fill_diagonal_of_a_copy_ref(x):
    y = (x * 2.0).at[jnp.arange(3), jnp.arange(3)].set(x[0] ** 2)
    return jnp.sum(y * y)


@add(vec(3, 3))
def ufunc_out_into_a_slice(x):
    y = x * 1.0
    np.multiply(x[:, 1], x[:, 2], out=y[:, 0])
    np.add(x[0], 1.0, out=y[1])
    return np.sum(y * x)


@ref
def _ufunc_out_into_a_slice_ref(x):
    y = x.at[:, 0].set(x[:, 1] * x[:, 2]).at[1].set(x[0] + 1.0)
    return jnp.sum(y * x)


@add(vec(2, 3))
def ravel_and_asarray_written(x):
    y = x * 2.0
    r = y.ravel()
    r[0] = 5.0 * x[0, 1]
    a = np.asarray(y)
    a[1] *= x[0]
    return np.sum(y * x) + np.sum(r)


@ref
def _ravel_and_asarray_written_ref(x):
    y = (x * 2.0).reshape(-1).at[0].set(5.0 * x[0, 1]).reshape(2, 3)
    y = y.at[1].multiply(x[0])
    return jnp.sum(y * x) + jnp.sum(y)
