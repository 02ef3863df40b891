"""Corpus: control flow: if on array values, while with data-dependent trip counts, for,
break, continue, early return, and `and` / `or` conditions inside loops.

Points keep conditions away from their boundaries (central differences must
not cross a branch); the three seeds usually take different paths.
"""

from __future__ import annotations

import numpy as np

from .harness import Corpus, num, pos, vec

corpus = Corpus()
add = corpus.add


@add(vec(4))
def if_on_sum(x):
    if np.sum(x) > 0:
        return np.sum(x ** 2)
    return np.sum(np.sin(x))


@add(vec(4))
def if_else_assign(x):
    if np.max(x) > 0.5:
        y = x * 3
    else:
        y = np.exp(x)
    return np.sum(y * x)


@add(vec(4))
def if_elif_else_mean(x):
    m = np.mean(x)
    if m > 0.2:
        y = x ** 2
    elif m > -0.2:
        y = np.tanh(x)
    else:
        y = -x
    return np.sum(y)


@add(num(-1.4, 1.4), vec(3))
def long_elif_chain(t, x):
    """Ten branches: emitted as one flat chain of `elif (c := ...):` (issue 15)."""
    if t > 1.2:
        y = np.sin(x) * t
    elif t > 0.9:
        y = x ** 2 * t
    elif t > 0.6:
        y = np.tanh(x) + t
    elif t > 0.3:
        y = np.exp(x) * t
    elif t > 0.0:
        y = x * t * t
    elif t > -0.3:
        y = np.cos(x) - t
    elif t > -0.6:
        y = x / (2.0 - t)
    elif t > -0.9:
        y = np.sinh(x) * t
    elif t > -1.2:
        y = x ** 3 + t
    else:
        y = -x * t
    return np.sum(y * x)


@add(vec(4))
def if_on_element(x):
    if x[0] > 0:
        return x[0] * np.sum(x)
    else:
        return np.sum(x ** 3)


@add(vec(4))
def if_without_else(x):
    y = x * 2
    if np.sum(x) < 0:
        y = y * y
    return np.sum(y)


@add(vec(4), num(), wrt=("x", "t"))
def if_on_scalar_param(x, t):
    if t > 0:
        return np.sum(x * t)
    return np.sum(x) - t ** 2


@add(vec(4))
def nested_if(x):
    if x[0] > 0:
        if x[1] > 0:
            return np.sum(x ** 2)
        return np.sum(x) * 2
    return np.sum(np.cos(x))


@add(vec(4))
def if_and_condition(x):
    if x[0] > 0 and x[1] > 0:
        return np.sum(x ** 2)
    return np.sum(x)


@add(vec(4))
def if_or_condition(x):
    if x[0] > 0.5 or x[1] < -0.5:
        return np.sum(np.exp(x))
    return np.sum(x ** 3)


@add(vec(4))
def if_not_condition(x):
    if not np.sum(x) > 0:
        return np.sum(x * x)
    return np.sum(x)


@add(vec(4))
def conditional_expression(x):
    s = np.sum(x)
    y = x * 2 if s > 0 else x * -3
    return np.sum(y ** 2)


@add(vec(4))
def for_range_accumulate(x):
    total = 0.0
    for i in range(4):
        total = total + x[i] * (i + 1)
    return total ** 2


@add(vec(4))
def for_range_update_array(x):
    y = x
    for i in range(3):
        y = np.sin(y) + x
    return np.sum(y)


@add(vec(4))
def for_range_start_stop_step(x):
    s = 0.0
    for i in range(1, 4, 2):
        s = s + x[i] ** 2
    return s


@add(vec(3, 4))
def for_over_rows(X):
    s = 0.0
    for row in X:
        s = s + np.sum(row) ** 2
    return s


@add(vec(4))
def for_over_vector_elements(x):
    s = 0.0
    for v in x:
        s = s + v * v * v
    return s


@add(vec(4), 3, wrt="x")
def for_range_param(x, n):
    y = x
    for _ in range(n):
        y = y * 0.5 + np.tanh(y)
    return np.sum(y)


@add(vec(4))
def while_halving(x):
    y = x * 8
    while np.max(np.abs(y)) > 1.0:
        y = y / 2
    return np.sum(y ** 2)


@add(vec(4))
def while_counter(x):
    k = 0
    y = x
    while k < 3:
        y = y * y + 0.1
        k += 1
    return np.sum(y)


@add(pos(4))
def while_doubling_norm(x):
    y = x
    while np.linalg.norm(y) < 20.0:
        y = y * 2
    return np.sum(y)


@add(vec(4))
def while_true_break_or(x):
    y = x * 3
    k = 0
    while True:
        y = np.tanh(y) * 0.9
        k += 1
        if np.max(np.abs(y)) < 0.5 or k >= 8:
            break
    return np.sum(y ** 2)


@add(vec(4))
def while_true_break_or_counter_decides(x):
    y = x * 3
    k = 0
    while True:
        y = y * 1.1
        k += 1
        if np.max(np.abs(y)) < 0.05 or k >= 8:
            break
    return np.sum(y ** 2)


@add(vec(6))
def while_and_counter_decides(x):
    y = x * 4
    k = 0
    while np.max(y) > -10.0 and k < 5:
        y = y * 0.7 + 0.1 * np.sin(y)
        k += 1
    return np.sum(y)


@add(vec(6, lo=-2.0, hi=2.0))
def for_if_or_clip_like(x):
    s = 0.0
    for i in range(6):
        if x[i] > 1.0 or x[i] < -1.0:
            s = s + x[i] ** 2
        else:
            s = s + x[i]
    return s


@add(vec(6))
def for_if_and(x):
    s = 0.0
    for i in range(6):
        if x[i] > -0.5 and x[i] < 0.5:
            s = s + np.sin(x[i])
        else:
            s = s + x[i] * 2
    return s


@add(vec(6))
def while_and_condition(x):
    y = x * 4
    k = 0
    while np.max(y) > 0.3 and k < 10:
        y = y * 0.7
        k += 1
    return np.sum(y)


@add(vec(6))
def for_not_and(x):
    s = 0.0
    for i in range(6):
        if not (x[i] > 0 and i % 2 == 0):
            s = s + x[i] ** 2
    return s


@add(vec(6))
def for_break(x):
    s = 0.0
    for i in range(6):
        s = s + x[i] ** 2
        if s > 1.0:
            break
    return s


@add(vec(6))
def for_continue(x):
    s = 0.0
    for i in range(6):
        if x[i] < 0:
            continue
        s = s + np.exp(x[i])
    return s


@add(vec(6))
def for_early_return(x):
    s = 0.0
    for i in range(6):
        s = s + x[i]
        if s < -0.8:
            return s * x[0]
    return s ** 2


@add(vec(4))
def early_return_before_loop(x):
    if np.sum(x) < -1.5:
        return np.sum(x)
    y = x
    for i in range(2):
        y = y * np.cos(y)
    return np.sum(y)


@add(vec(4))
def while_with_break(x):
    y = x
    i = 0
    while i < 10:
        y = y * 1.3
        if np.sum(np.abs(y)) > 4.0:
            break
        i += 1
    return np.sum(y * x)


# y is bound only in the branch that falls through (agc once raised InternalError here)
@add(at=[(np.array([1.0, 2.0, -0.5]),), (np.array([-1.0, -2.0, 0.5]),)])
def if_binds_else_returns(x):
    if np.sum(x) > 0:
        y = x * 2.0
    else:
        return np.sum(x * 4.0)
    return np.sum(y * y)
