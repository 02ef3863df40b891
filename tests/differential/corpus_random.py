"""Corpus: random draws in models (issue 19): Generator methods and agc.nn.dropout.

Each point's generator is made from a fixed seed, and the harness copies the
arguments for every evaluation (agc's, numpy's, jax's and each central
difference's), so every evaluation sees the same draws: the gradient is that of
the function with its draws fixed, which is what agc computes in one call.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from agc import nn
from agc.runtime import dropout_mask

from .harness import Corpus, Spec, vec

corpus = Corpus()
add = corpus.add
ref = corpus.ref

# a Generator seeded from the point's own seed: the same draws for every copy of it
gen = Spec(lambda rng: np.random.default_rng(int(rng.integers(2**31))))


@add(vec(3, 2), vec(4, 3), gen, wrt=("w",))
def noisy_regression(w, x, rng):
    noise = rng.normal(0.0, 0.1, size=(4, 2))
    return np.sum((x @ w + noise) ** 2)


@add(vec(3), vec(3), gen, wrt=("mu", "log_sigma"))
def reparameterised_normal(mu, log_sigma, rng):
    z = mu + np.exp(log_sigma) * rng.standard_normal(3)
    return np.sum(np.tanh(z) ** 2)


@add(vec(3), gen)
def draws_each_iteration(x, rng):
    s = 0.0
    for _ in range(3):
        u = rng.random(3)
        rng.random()  # drawn for its effect only: the next draw moves on
        s = s + np.sum(np.sin(x * u))
    return s


@add(vec(2), gen)
def while_loop_draws(x, rng):
    i, s = 0, 0.0
    while i < 3:
        s = s + np.sum(x * rng.uniform(-1.0, 1.0, size=2)) ** 2
        i += 1
    return s


@add(vec(3), gen)
def draws_in_order(x, rng):
    return np.sum(x * (rng.random(3) - 2 * rng.random(3)))


def _noisy(v, rng):
    return v * (1.0 + rng.exponential(1.0, size=np.shape(v)))


@add(vec(3), gen)
def helper_that_draws_inlined(x, rng):
    return np.sum(_noisy(np.sin(x), rng) + _noisy(x, rng))


@add(vec(3, 4), vec(2, 3), gen, wrt=("w",))
def dropout_mlp(w, x, rng):
    h = nn.relu(x @ w)
    return np.mean(nn.dropout(h, 0.5, rng) ** 2)


ref(lambda w, x, rng: jnp.mean(
    (jax.nn.relu(x @ w) * dropout_mask(rng, np.zeros((2, 4)), 0.5, True)) ** 2))


@add(vec(2, 5), gen)
def dropout_eval_mode(x, rng):
    return np.sum(np.tanh(nn.dropout(x, 0.3, rng, False)))


ref(lambda x, rng: jnp.sum(jnp.tanh(x)))


@add(vec(3), wrt=("mu",), expect="refused")
def draw_with_differentiated_loc(mu):
    rng = np.random.default_rng(0)
    return np.sum(rng.normal(mu, 1.0) ** 2)


@add(vec(3), gen, expect="refused")
def draw_with_differentiated_loc_argument(mu, rng):
    return np.sum(rng.normal(mu, 1.0) ** 2)


@add(vec(3), expect="refused")
def numpy_global_draw(x):
    return np.sum(x * np.random.normal(size=3))
