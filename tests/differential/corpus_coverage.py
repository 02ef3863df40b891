"""Corpus: common numpy forms once refused: np.quantile / np.percentile, np.around,
np.trunc, np.rint, np.nan_to_num, np.hstack of a list built by a loop, np.select,
np.polyval, np.piecewise, sorted(key=...), x.tolist(); map and zip consumed at once, dict(...),
d.get / d.update, bool(x), l.index / count / remove / reverse, dtype= keywords."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

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


# --------------------------------------- builtins and containers users write (cov-six-b)
def _bump(a, b):
    return a * np.sin(b)


@add(vec(6))
def map_and_zip_consumed(x):
    squares = list(map(lambda t: t * t, x))  # noqa: C417 - the form under test
    total = sum(map(_bump, x[:3], x[3:]))
    columns = list(zip(*[x[:3], x[3:]]))
    for v in map(np.tanh, x[:2]):
        total = total + v
    return sum(squares) + total + columns[1][0] * columns[1][1]


@add(vec(4))
def dict_builders_get_update(x):
    d = dict(a=x[0], b=x[1])  # noqa: C408 - the form under test
    e = dict(zip(["u", "v"], [x[2], x[3] * 3.0]))
    e.update(w=d["a"] * 2.0)
    return d.get("a", 0.0) * e["w"] + e.get("z", 1.5) * e["u"] + d["b"] * e["v"]


def _truth_ref(x):
    return (1.0 + 2.0 * (x[0] > 0)) * jnp.sum(x * x)


@add(at=[(np.array([0.4, -0.3, 0.2]),), (np.array([-0.4, 0.3, 0.2]),)], ref=_truth_ref)
def bool_of_a_number_or_one_item(x):
    scale = 1.0
    if bool(x[0:1] > 0):
        scale = scale + 2.0 * float(bool(x[0]))
    return scale * np.sum(x * x)


def _list_search_ref(x):
    return x[2] * 2.0 + x[1] + x[3] * 1.0


@add(vec(4), ref=_list_search_ref)
def list_index_count_remove_reverse(x):
    items = [x[0], x[1], x[2], 7.0]
    items.reverse()
    items.remove(7.0)
    at = items.index(x[1])
    return items[0] * 2.0 + items[at] + x[3] * items.count(x[0])


def _dtype_ref(x):
    z = jnp.zeros(len(x), dtype=x.dtype).at[0].set(x[1])
    whole = jnp.sum(jnp.trunc(lax.stop_gradient(x)))  # an integer cast: no derivative
    return (jnp.sum(x * x) + jnp.mean(jnp.cumsum(x)) + jnp.sum(z * x)
            + jnp.sum(jnp.array([x[2], 2.0]) ** 2) * 3.0 + whole)


@add(vec(5), ref=_dtype_ref)
def dtype_keywords(x):
    z = np.zeros(len(x), dtype=x.dtype)
    z[0] = x[1]
    whole = np.sum(x, dtype=np.int64)  # each item cast to an integer first
    made = np.array([x[2], 2.0], dtype=np.float64)
    return (np.sum(x * x, dtype=np.float64) + np.mean(np.cumsum(x, dtype=np.float64))
            + np.sum(z * x) + np.sum(made ** 2) * np.int64(3) + whole)


@add(vec(3), expect="refused")
def map_kept_refused(x):
    m = map(np.sin, x)
    return sum(m)
