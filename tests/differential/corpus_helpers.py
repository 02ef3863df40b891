"""Corpus: helper functions (same module, nested, early return, in-place) and module constants.

Module-level constants are read when the function runs: an entry with
`phases=[{}, {"SCALE": 3.0}]` is checked, then the constant is changed and the
same differentiated function is checked again (then the old value is restored).
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from .harness import Corpus, num, pos, vec

corpus = Corpus()
add = corpus.add
ref = corpus.ref
SCALE = 2.0
OFFSET = 0.5
N_STEPS = 3
EPS = 1e-3


def _square(v):
    return v * v


def _affine(v, a, b):
    return a * v + b


def _safe_log(v):
    return np.log(np.abs(v) + EPS)


def _relu(v):
    return np.maximum(v, 0.0)


def _first_positive_or_zero(v):
    for i in range(len(v)):
        if v[i] > 0:
            return v[i]
    return 0.0 * v[0]


def _clipped(v):
    if np.max(np.abs(v)) > 1.0:
        return v / np.max(np.abs(v))
    return v


def _sum_sq(v):
    return np.sum(_square(v))


def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def _two_outputs(v):
    return np.sum(v), np.sum(v * v)


def _normalize_in_place(v):
    v -= np.mean(v)
    v /= np.linalg.norm(v)
    return v


@add(vec(4))
def helper_square(x):
    return np.sum(_square(x) + x)


@add(vec(4), num(), num(), wrt=("x", "a", "b"))
def helper_with_three_args(x, a, b):
    return np.sum(_affine(x, a, b) ** 2)


@add(vec(4))
def helper_safe_log(x):
    return np.sum(_safe_log(x))


@add(vec(4))
def helper_relu(x):
    return np.sum(_relu(x) * x)


@add(vec(4))
def helper_early_return_in_loop(x):
    return _first_positive_or_zero(x) * np.sum(x)


@add(vec(4, lo=-2.0, hi=2.0))
def helper_early_return_branch(x):
    return np.sum(_clipped(x) ** 3)


@add(vec(4))
def helper_calls_helper(x):
    return _sum_sq(np.sin(x))


@add(vec(4))
def helper_softmax(x):
    return np.sum(_softmax(x) * np.array([1.0, 2.0, 3.0, 4.0]))


@add(vec(4))
def helper_tuple_return(x):
    s, q = _two_outputs(x)
    return s * q


@add(vec(4))
def helper_called_in_loop(x):
    y = x
    for _ in range(3):
        y = _affine(np.tanh(y), 0.5, 0.1)
    return np.sum(y)


@add(vec(4))
def helper_called_twice(x):
    return np.sum(_square(_square(x)))


@add(vec(4))  # def inside a function: inlined (refused before issue 13)
def nested_def_helper(x):
    def inner(v):
        return np.sin(v) * v

    return np.sum(inner(x) + inner(2 * x))


@add(vec(4))  # a closure over k (refused before issue 13)
def nested_def_closure(x):
    k = 3.0

    def scaled(v):
        return v * k

    return np.sum(scaled(x) ** 2)


@add(vec(4))  # a helper writing its argument in place is inlined (was refused)
def helper_normalizes_its_argument(x):
    y = _normalize_in_place(x.copy())
    return np.sum(y * x)


ref(lambda x: jnp.sum((x - jnp.mean(x)) / jnp.linalg.norm(x - jnp.mean(x)) * x))


@add(vec(4))
def module_constant_scale(x):
    return np.sum(np.tanh(x) * SCALE) + OFFSET


@add(vec(4), phases=[{}, {"SCALE": 3.0}, {"SCALE": -1.5}])
def module_constant_changed(x):
    return np.sum(np.sin(x) * SCALE)


@add(vec(4), phases=[{}, {"N_STEPS": 5}])
def module_constant_loop_count_changed(x):
    y = x
    for _ in range(N_STEPS):
        y = np.tanh(y) + 0.1
    return np.sum(y)


@add(vec(4), phases=[{}, {"OFFSET": -2.0}])
def module_constant_in_branch_changed(x):
    if np.sum(x) > OFFSET:
        return np.sum(x ** 2)
    return np.sum(x)


@add(vec(4), phases=[{}, {"SCALE": 5.0}])
def module_constant_in_helper_changed(x):
    return np.sum(_scaled_by_module(x))


def _scaled_by_module(v):
    return v * v * SCALE


@add(vec(4))
def module_eps_constant(x):
    return np.sum(np.sqrt(x * x + EPS))


@add(num(0.1, 1.0), wrt="t")
def math_module_on_floats(t):
    return math.exp(t) * math.sin(t) + math.sqrt(t + 1.0)


ref(lambda t: jnp.exp(t) * jnp.sin(t) + jnp.sqrt(t + 1.0))


@add(num(0.1, 1.0), wrt="t")
def math_log_tanh(t):
    return math.log(t + 2.0) * math.tanh(t) + math.pow(t, 3)


ref(lambda t: jnp.log(t + 2.0) * jnp.tanh(t) + t ** 3)


@add(vec(4), num(0.1, 1.0), wrt=("x", "t"))
def builtin_max_min_pow(x, t):
    return max(np.sum(x), t) + min(t, 2.0) * pow(t, 2)


@add(pos(4))
def helper_with_default_argument_unused(x):
    return np.sum(_power(x, 2.0))


def _power(v, p):
    return v ** p


@add(vec(4))
def helper_returns_in_both_branches(x):
    return np.sum(_pick(x, np.sum(x) > 0))


def _pick(v, flag):
    if flag:
        return v * 2
    else:
        return v ** 2


@add(vec(3, 4), vec(4), wrt=("X", "w"))
def helper_layer_chain(X, w):
    h = _layer(X, w)
    return np.sum(_layer(h[:, None] * np.ones((1, 4)), w) ** 2)


def _layer(X, w):
    return np.tanh(X @ w)


@add(vec(4))
def helper_accumulates_list(x):
    parts = _powers(x, 3)
    return np.sum(parts[0] + parts[1] * parts[2])


def _powers(v, n):
    out = []
    for k in range(n):
        out.append(v ** (k + 1))
    return out


def _shifted_tail(p):
    v = p.copy()
    z = v[-1, :2]  # a view: v is an array (it is sliced), so += below changes z too
    v += 0.5
    return np.sum(z * v[0, :2])


# a helper's parameter has no known rank; slicing it shows it is an array (was refused)
@add(vec(2, 3))
def helper_sliced_copy_written_in_place(X):
    return _shifted_tail(X * 2.0)


ref(lambda X: jnp.sum((2.0 * X[-1, :2] + 0.5) * (2.0 * X[0, :2] + 0.5)))


def _scale_shift(x, w, b):
    return x * w + b


# a temporary broadcast inside a helper (ranks unknown): x * w is 1x4, its user 3x4
@add(vec(1, 4), vec(4), vec(3, 4), wrt=("x", "w", "b"))
def helper_temporary_broadcast_into_its_user(x, w, b):
    return np.sum(np.tanh(_scale_shift(x, w, b)))


# issue 15: split helper adjoints (h_fwd keeps a record, h_bwd reads it; nothing reruns)
def _damped_steps(v, c, n=3):
    for _ in range(n):  # the helper's own loop and tape, inside the record
        if np.sum(v) > 0.0:
            v = v - c * np.sin(v)
        else:
            v = v * c
    return v


def _stats(v, w):
    return np.sum(v * w), np.tanh(v) * w  # a tuple result


def _outer_step(v, w):
    s, t = _stats(v, w)  # a helper calling a helper
    return t * s + _damped_steps(v, 0.5)  # its default left out


@add(vec(4), vec(4), wrt=("x", "w"))
def split_helpers_in_a_loop_and_a_branch(x, w):
    for i in range(3):
        if i % 2 == 0:
            x = _outer_step(x, w)
        else:
            x = _damped_steps(x, 0.9, 2)
    return np.sum(x * x)


def _bias(X, b):
    return X + b  # b broadcast: only its shape is kept for unbroadcast


@add(vec(3, 4), vec(4), wrt=("X", "b"))
def split_helper_keeps_a_parameter_shape(X, b):
    h = X
    for _ in range(2):
        h = np.tanh(_bias(h, b))
    return np.sum(h ** 2)


@add(vec(4))
def split_helper_value_written_in_place_later(x):
    y = _square(x).copy()
    y[0] = 0.0  # the caller writes in place: its calls keep the rerunning h_vjp
    return np.sum(y * x)


ref(lambda x: jnp.sum((x * x).at[0].set(0.0) * x))


def _scaled_and_norm(v, a):
    y = v * a
    return y, np.sum(y * y)


def _masked(v):
    return np.where(v > 0, v, 0.0)  # its record keeps the mask v > 0, not v


def _block(v, a):
    y, n = _scaled_and_norm(v, a)  # the tuple is read back only for its items' shapes
    return _masked(y) * n, n


@add(vec(3, 4), vec(4), wrt=("x", "a"))
def split_helpers_rebind_x_like_a_network(x, a):
    x, n = _block(x, a)  # x rebound: the restores of the old x are dead, the records deleted
    x, m = _block(x, a)
    return np.sum(x) + n * m


def _jax_block(v, a):
    y = v * a
    n = jnp.sum(y * y)
    return jnp.where(y > 0, y, 0.0) * n, n


def _jax_network(x, a):
    x, n = _jax_block(x, a)
    x, m = _jax_block(x, a)
    return jnp.sum(x) + n * m


ref(_jax_network)


@add(vec(4))
def helper_tuple_by_negative_index_and_slice(x):
    t = _three(x)
    a, b = t[1:]
    return np.sum(t[-1] * a) + np.sum(np.sin(b))


def _three(v):
    return v * 2.0, np.cos(v), v ** 2
