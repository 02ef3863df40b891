"""Corpus: ordinary numpy code agc refuses today with a positioned UserCodeError.

Refusal is an acceptable answer (never a wrong number), declared here so that
a change is noticed: when agc learns one of these, its entry fails and must
become an ordinary entry (expect="ok") checked against jax.
"""

from __future__ import annotations

import numpy as np

from .harness import Corpus, pos, vec

corpus = Corpus()
add = corpus.add


def _scaled(v, k):
    return v * k


@add(vec(4))  # supported since issue 13
def any_in_condition(x):
    if np.any(x > 0.9):
        return np.sum(x ** 2)
    return np.sum(x)


@add(vec(4))  # supported since issue 13
def all_in_condition(x):
    if np.all(x > -0.99):
        return np.sum(x ** 3)
    return np.sum(x)


@add(vec(4))  # supported since issue 13
def bitand_mask(x):
    return np.sum(np.where((x > 0) & (x < 0.5), x ** 2, x))


@add(vec(4))  # supported since issue 13
def bitor_mask(x):
    return np.sum(np.where((x > 0.5) | (x < -0.5), x ** 2, x))


@add(vec(4))  # supported since issue 13
def invert_mask(x):
    return np.sum(np.where(~(x > 0), x ** 2, x))


@add(vec(4))  # supported since issue 13
def clip_keyword_bound(x):
    return np.sum(x.clip(min=0.0) * x)


@add(vec(4))  # refused before issue 13
def list_comprehension(x):
    return np.sum(np.array([v * 2 for v in x]))


@add(vec(4))  # supported since issue 13 (np.float32(v) is a cast)
def float32_scalar_constructor(x):
    return np.sum(np.float32(2.0) * x ** 2)


@add(vec(4))  # issue 13: keyword arguments in helper calls are supported now
def helper_keyword_argument(x):
    return np.sum(_scaled(x, k=2.0))


@add(vec(4))  # supported since issue 13
def np_mod_function(x):
    return np.sum(np.mod(x, 0.7) ** 2)


@add(vec(4))  # supported since issue 13
def sort_then_weight(x):
    return np.sum(np.sort(x) * np.arange(4.0))


@add(vec(4))  # supported since issue 13
def std_and_var(x):
    return np.std(x) + np.var(x)


@add(vec(4))  # supported since issue 13
def cumsum_call(x):
    return np.sum(np.cumsum(x) ** 2)


@add(pos(4), expect="refused")
def try_except(x):
    try:
        y = np.log(x)
    except ValueError:
        y = x
    return np.sum(y)


@add(vec(4))  # refused before issue 13
def lambda_inside(x):
    f = lambda v: v * 2
    return np.sum(f(x))


@add(vec(4), expect="refused")  # Python splices the items in: the list may change length
def list_slice_assigned_refused(x):
    values = [0.0, 0.0, 0.0, 0.0]
    values[1:3] = [x[0], x[1]]
    return sum(values) * values[2]
