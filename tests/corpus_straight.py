"""Corpus, part 1: straight-line functions (no branches, no loops).

Each `Case` is a function, a list of argument sets and the names to
differentiate; tests/test_corpus.py checks every one against central finite
differences. Arguments are drawn from a fixed seed, away from kinks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SCALE = 3.0
OFFSET = -0.25
STEPS = 4


@dataclass
class Case:
    """One corpus function: several argument sets, and the parameters to differentiate."""

    fn: object
    args_list: list
    wrt: tuple = field(default_factory=tuple)  # empty: the first parameter

    @property
    def name(self) -> str:
        return self.fn.__name__


def arr(seed, *shape, lo=-1.0, hi=1.0):
    """A float64 array of uniform values from a fixed seed."""
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def away(seed, *shape, lo=0.3, hi=1.5):
    """Values with |v| in (lo, hi): away from zero, where abs and division kink."""
    rng = np.random.default_rng(seed)
    return rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)


def vec_sets(*shape, count=3, lo=-1.0, hi=1.0):
    """`count` one-argument sets of arrays of `shape`."""
    return [(arr(100 + k, *shape, lo=lo, hi=hi),) for k in range(count)]


CASES: list[Case] = []


def register(args_list, wrt=()):
    """Decorator: add the function to CASES with these argument sets."""

    def add(fn):
        CASES.append(Case(fn, args_list, tuple(wrt)))
        return fn

    return add


# -------------------------------------------------------------------- cases
@register(vec_sets(5))
def chained_arithmetic(x):
    y = x * 2 + 1
    z = np.sin(y) * y - y / 3.0
    return np.sum(z * z)


@register(vec_sets(4))
def overwrite_scale(x):
    x = x * 2
    return np.sum(x)


@register(vec_sets(4))
def overwrite_square(x):
    x = x * x
    x = x * 2
    x = x * x
    return np.sum(x)


@register(vec_sets(3))
def alias_before_overwrite(x):
    a = x
    x = x + 1
    b = a * x
    x = b * a
    return np.sum(a * x + b)


@register([(arr(1, 3), arr(2, 3)), (arr(3, 2, 2), arr(4, 2, 2))], wrt=("x", "y"))
def tuple_unpacking(x, y):
    a, b = x * 2, x + y
    c, (d, e) = a * b, (b - a, np.exp(a))
    return np.sum(c + d * e)


@register([(arr(5, 4), arr(6, 4))], wrt=("x", "y"))
def swap(x, y):
    x, y = y, x * y
    x, y = y, x
    return np.sum(x - y * y)


@register([(arr(7, 4, lo=0.5, hi=1.5), arr(8, 4, lo=0.5, hi=1.5))], wrt=("x", "y"))
def augmented_assignment(x, y):
    s = x * 1.0  # a copy: `s = x; s += y` would change the caller's x in place
    s += y
    s *= x
    s -= 1.0
    s /= y
    s **= 2
    return np.sum(s)


@register([(arr(9, 3),), (arr(10, 2, 3),)])
def defaults_left_out(x, scale=2.0, shift=0.5):
    return np.sum((x * scale + shift) ** 2)


@register([(arr(11, 3), 1.5, -0.25), (arr(12, 3), -0.5, 2.0)], wrt=("x", "scale", "shift"))
def defaults_given(x, scale=2.0, shift=0.5):
    return np.sum((x * scale + shift) ** 2)


@register([(arr(13, 6, 3), arr(14, 3), 0.3, arr(15, 6))], wrt=("w", "b"))
def linear_squared_loss(X, w, b, y):
    pred = X @ w + b
    return np.mean((pred - y) ** 2)


@register([(arr(16, 3), arr(17, 2, 2), arr(18, 3))], wrt=("x", "unused"))
def unused_parameter(x, unused, y):
    return np.sum(x * y)


@register(vec_sets(5))
def module_constants(x):
    return np.sum(np.tanh(SCALE * x + OFFSET)) * STEPS


@register([(0.4, 1.3), (-0.7, 0.6), (1.1, 2.5)], wrt=("a", "b"))
def math_on_floats(a: float, b: float):
    c = math.sin(a) * b
    d = math.exp(c) / (1 + a * a)
    return d + math.sqrt(b) - math.cos(a * b) * math.pi


@register([(arr(19, 5, 3), arr(20, 3, 4), arr(21, 4), arr(22, 4, 1), arr(23, 1))],
          wrt=("W1", "b1", "W2", "b2"))
def mlp(X, W1, b1, W2, b2):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    return np.mean(out ** 2)


@register(vec_sets(5, lo=-2.0, hi=2.0))
def softmax_cross_entropy(x):
    z = x - np.max(x)
    e = np.exp(z)
    p = e / np.sum(e)
    return -np.log(p[2])


@register(vec_sets(3, 4, lo=-2.0, hi=2.0))
def logsumexp_rows(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.sum(m + np.log(np.sum(np.exp(x - m), axis=1, keepdims=True)))


@register(vec_sets(6))
def reuse_many_times(x):
    return np.sum(x * x * x + x / (1 + x * x))


@register(vec_sets(3))
def scalar_indexing(x):
    return x[0] * x[1] - x[2] ** 2 + x[-1] / (2.0 + x[0])


@register([(arr(24, 5), arr(25, 5))], wrt=("x", "w"))
def normalize(x, w):
    mu = np.mean(x)
    var = np.mean((x - mu) ** 2)
    return np.sum((x - mu) / np.sqrt(var + 1e-5) * w)


@register([(arr(26, 3), arr(27, 3))], wrt=("x", "y"))
def outer_symmetric(x, y):
    m = np.outer(x, y)
    return np.sum(m * m.T)


@register([(arr(28, 3), arr(29, 5))], wrt=("x", "y"))
def concat_reshape(x, y):
    z = np.concatenate([x, y * 2])
    m = z.reshape(2, -1)
    return np.sum(m ** 2 * np.arange(4.0))


@register(vec_sets(4, lo=0.5, hi=2.0))
def powers(x):
    y = x ** 2.5
    return np.sum(y / x + np.sqrt(y))


@register(vec_sets(4))
def temp_reuse(x):
    t = np.exp(x)
    u = t * 2
    t = t + u
    return np.sum(t * u)


@register([(arr(30, 4), 0.7), (arr(31, 2, 2), -1.3)], wrt=("x", "s"))
def scalar_and_array(x, s: float):
    return np.sum(s * x + s ** 2) + s


@register([(arr(32, 3, 4), arr(33, 4, 2))], wrt=("x", "w"))
def relu_layer(x, w):
    return np.sum(np.maximum(x @ w, 0.0) ** 2)


@register([(arr(34, 4), arr(35, 4))], wrt=("x", "y"))
def distance(x, y):
    d = x - y
    return np.sqrt(np.sum(d * d))


@register([(arr(36, 3), arr(37, 3, 3))], wrt=("x", "A"))
def quadratic_form(x, A):
    return x @ A @ x


@register(vec_sets(4))
def dead_code(x):
    y = np.exp(x)
    z = y * 2  # noqa: F841 (never used: agc must not need it)
    return np.sum(x)


@register(vec_sets(3))
def affine_of_sum(x):
    """A docstring, and an output that is affine in x."""
    return 2.0 * np.sum(x) + 3.0


@register([(away(38, 4),), (away(39, 2, 3),)])
def reassign_parameter_first(x):
    x = np.abs(x) + 1
    return np.sum(np.log(x))


@register([(arr(40, 4), arr(41, 4))], wrt=("x", "y"))
def vector_output(x, y):
    return x * y + np.sin(x)
