"""Corpus: common numpy forms once refused: np.quantile / np.percentile, np.around,
np.trunc, np.rint, np.nan_to_num, np.hstack of a list built by a loop, np.select,
np.polyval, np.piecewise, sorted(key=...), x.tolist()."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .harness import Corpus, pos, vec

corpus = Corpus()
add = corpus.add


@add(vec(7))
def quantile_of_a_vector(x):
    return np.quantile(x, 0.3) * np.percentile(x ** 2, 90.0)


@add(vec(4, 5))
def quantile_axis_keepdims(X):
    return np.sum(X * np.quantile(X, 0.75, axis=1, keepdims=True))


@add(vec(4, 5), ref=lambda X: jnp.sum(jnp.percentile(X, jnp.array([25.0, 50.0]), axis=0)
                                      ** 2))
def percentile_of_a_list_of_q(X):
    return np.sum(np.percentile(X, [25.0, 50.0], axis=0) ** 2)


@add(vec(6, lo=-3.0, hi=3.0))
def rounded_trunc_rint(x):
    return np.sum(np.around(x, 1) * x + np.trunc(x) * x ** 2 + np.rint(x) * np.sin(x))


@add(pos(5))
def nan_to_num_of_a_log(x):
    return np.sum(np.nan_to_num(np.log(x - 1.0), nan=-2.0, neginf=-9.0) * x)


@add(vec(3, 4))
def hstack_of_parts_built_by_a_loop(X):
    parts = []
    for i in range(3):
        parts.append(X[:, i:i + 2] * (i + 1.0))
    return np.sum(np.hstack(parts) ** 2)


@add(vec(3, 4))
def select_piecewise(X):
    return np.sum(np.select([X > 0.5, X < -0.5], [X ** 2, np.sin(X)], default=X * 0.1))


@add(vec(4), vec(5))
def polyval_horner(p, x):
    return np.sum(np.polyval(p, x) ** 2)


def _size(t):
    return abs(t)


@add(vec(4))
def sorted_with_a_key(x):
    l = [x[2], x[0] * 2.0, x[1] * x[3], x[3]]
    s = sorted(l, key=lambda t: -t)
    r = sorted(l, key=_size, reverse=True)
    return s[0] * 3.0 + s[3] * r[0] + r[1]


def _tolist_ref(x):
    s = 0.0
    for v in x:
        s += v * v
    return s


@add(vec(5), ref=_tolist_ref)
def tolist_of_a_vector(x):
    s = 0.0
    for v in x.tolist():
        s += v * v
    return s


@add(vec(6))
def piecewise_of_lambdas(x):
    return np.sum(np.piecewise(x, [x < -0.3, x > 0.3], [lambda t: t ** 2, np.sin, 0.25]) * x)
