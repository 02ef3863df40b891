"""Corpus: more loops: fixed-point iterations, nested loops, loop-carried state,
branches inside loops and data-dependent trip counts (see corpus_control.py)."""

from __future__ import annotations

import numpy as np

from .harness import Corpus, pos, vec

corpus = Corpus()
add = corpus.add


@add(vec(4))
def newton_sqrt_fixed_steps(x):
    a = x * x + 1.0
    r = a
    for _ in range(5):
        r = 0.5 * (r + a / r)
    return np.sum(r)


@add(pos(4))
def newton_sqrt_until_converged(x):
    r = x
    delta = 1.0
    while delta > 1e-12:
        r_new = 0.5 * (r + x / r)
        delta = np.max(np.abs(r_new - r))
        r = r_new
    return np.sum(r)


@add(vec(4))
def nested_loops(x):
    s = 0.0
    for i in range(4):
        for j in range(i):
            s = s + x[i] * x[j]
    return s


@add(vec(4))
def loop_with_branch_on_index(x):
    s = 0.0
    for i in range(4):
        if i % 2 == 0:
            s = s + x[i] ** 2
        else:
            s = s - np.sin(x[i])
    return s


@add(vec(4))
def gradient_descent_inner_loop(x):
    w = x
    for _ in range(5):
        g = 2 * (w - 0.3)
        w = w - 0.1 * g
    return np.sum(w ** 2)


@add(vec(4))
def loop_carried_scalar_and_array(x):
    s = 1.0
    y = x
    for i in range(3):
        s = s * np.sum(y ** 2) + 1.0
        y = y / s
    return s + np.sum(y)


@add(vec(4))
def sign_dependent_loop_count(x):
    n = 2 if x[0] > 0 else 4
    y = x
    for _ in range(n):
        y = np.tanh(y * 1.5)
    return np.sum(y)


@add(vec(4))
def elif_chain_in_loop(x):
    s = 0.0
    for i in range(4):
        if x[i] > 0.5:
            s = s + x[i]
        elif x[i] > 0.0:
            s = s + x[i] ** 2
        elif x[i] > -0.5:
            s = s + x[i] ** 3
        else:
            s = s - x[i]
    return s


@add(vec(4))
def piecewise_huber(x):
    s = 0.0
    for i in range(4):
        a = abs(x[i])
        if a < 0.5:
            s = s + 0.5 * x[i] ** 2
        else:
            s = s + 0.5 * (a - 0.25)
    return s


@add(vec(4))
def while_count_steps_scale(x):
    y = x * 5
    steps = 0
    while np.sum(y * y) > 1.0:
        y = y * 0.5
        steps += 1
    return np.sum(y) * (steps + 1)


@add(vec(4))
def for_else_is_fine_without_else(x):
    found = 0.0
    for i in range(4):
        if x[i] > 0.9:
            found = x[i]
            break
    return found * 2 + np.sum(x)


@add(vec(6))
def max_by_loop(x):
    best = x[0]
    for i in range(1, 6):
        if x[i] > best:  # noqa: PLR1730  (written the way users write it)
            best = x[i]
    return best ** 2


@add(vec(6, lo=-2.0, hi=2.0))
def while_index_loop_with_or(x):
    i = 0
    s = 0.0
    while i < 6:
        if x[i] > 1.0 or x[i] < -1.0:
            s = s + x[i] ** 2
        i += 1
    return s


@add(vec(4))
def or_outside_loop(x):
    a = np.sum(x)
    if a > 1.0 or a < -1.0:
        return a ** 2
    return np.sum(x ** 2)


@add(vec(4))
def and_outside_loop_with_return(x):
    if x[0] > -0.5 and np.sum(x) < 1.0:
        return np.sum(np.exp(x))
    return np.sum(x)


# issue 15: a value read only for its shape is taped as its shape (rt.kept_shape); here
# u broadcasts (x is 1x4, w is 3x1), so its cotangent must still be summed back to u's shape
@add(vec(1, 4), vec(3, 1), wrt=("x", "w"))
def loop_value_kept_for_its_shape(x, w):
    s = 0.0
    for i in range(3):
        u = x * w * (i + 1.0)
        s = s + u
    return np.sum(np.sin(s))


# issue 15: in a loop a temporary broadcasts into its user (a * b is 1x4, its user 3x4):
# its shape, not the array, is kept for the unbroadcast of its cotangent
@add(vec(1, 4), vec(1, 4), vec(3, 4), wrt=("a", "b", "c"))
def loop_temporary_broadcast_into_its_user(a, b, c):
    s = c
    for _ in range(3):
        s = np.sin(a * b + s) - b / a * 0.5
    return np.sum(s * s)


def _rhs(x, p):
    return -p * np.sin(x) + 0.1 * x


# issue 15: RK4 through a helper (benchmarks/loops.py at a small size)
@add(vec(4), vec(4), wrt=("x", "p"))
def rk4_through_helper(x, p):
    h = 0.1
    for _ in range(3):
        k1 = _rhs(x, p)
        k2 = _rhs(x + 0.5 * h * k1, p)
        k3 = _rhs(x + 0.5 * h * k2, p)
        k4 = _rhs(x + h * k3, p)
        x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return np.sum(x * x)
