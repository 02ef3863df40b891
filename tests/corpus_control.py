"""Corpus, part 2: functions with control flow (branches, loops, early exits).

Same registry as corpus_straight.py. Branch conditions are data-dependent;
each argument set keeps its inputs well inside one branch (far from the
boundary), and argument sets together visit the different paths.
"""

from __future__ import annotations

import math

import numpy as np
from corpus_straight import Case, arr, away

CASES: list[Case] = []
DT = 0.05
LIMIT = 3.0


def register(args_list, wrt=()):
    """Decorator: add the function to CASES with these argument sets."""

    def add(fn):
        CASES.append(Case(fn, args_list, tuple(wrt)))
        return fn

    return add


POS = arr(1, 4, lo=0.2, hi=1.0)  # sum and every element clearly positive
NEG = arr(2, 4, lo=-1.0, hi=-0.2)
MIXED = np.array([0.9, -0.3, 0.5, -0.7])  # sum 0.4, max 0.9


# ---------------------------------------------------------------- branches
@register([(POS,), (NEG,)])
def if_else_on_sum(x):
    if np.sum(x) > 0:
        y = x * 2
    else:
        y = x * x
    return np.sum(y)


@register([(POS * 3,), (POS * 0.2,), (NEG,)])
def if_elif_else(x):
    m = np.mean(x)
    if m > 1.0:
        y = np.exp(x)
    elif m > 0:
        y = np.sin(x) * 3
    else:
        y = x ** 3
    return np.sum(y)


@register([(POS, 0.5), (POS, -0.5), (NEG, 0.5), (NEG, -0.5)], wrt=("x", "s"))
def nested_branches(x, s: float):
    if np.sum(x) > 0:
        if s > 0:
            y = x * s
        else:
            y = x - s
    else:
        if s > 0:
            y = np.tanh(x) * s * s
        else:
            y = x * x + s
    return np.sum(y)


@register([(POS,), (NEG,)])
def branches_assign_different_vars(x):
    if np.sum(x) > 0:
        u = x * 2
        v = x
    else:
        v = x * 3
        u = np.exp(x)
    return np.sum(u * v)


@register([(POS,), (NEG,)])
def var_first_defined_in_branch(x):
    if np.sum(x) > 0:
        y = x * x
    else:
        y = -x
    z = y + 1
    return np.sum(z * x)


@register([(POS,), (NEG,)])
def if_without_else(x):
    y = x * 2
    if np.sum(x) < 0:
        y = y * y
    return np.sum(y)


@register([(POS,), (NEG,)])
def conditional_expression(x):
    y = x * 2 if np.sum(x) > 0 else -x * x
    return np.sum(y)


@register([(POS,), (NEG,)])
def conditional_expression_in_return(x):
    return np.sum(x ** 2) if np.mean(x) > 0 else np.sum(np.exp(x))


@register([(POS,), (POS * 3,), (NEG,)])
def and_condition(x):
    if np.sum(x) > 0 and np.max(x) < 1.5:
        y = x * 3
    else:
        y = x * x
    return np.sum(y)


@register([(POS,), (NEG,), (MIXED,)])
def or_condition(x):
    if np.min(x) > 0 or np.sum(x) < -1:
        y = np.sin(x)
    else:
        y = np.cos(x)
    return np.sum(y * x)


@register([(POS,), (NEG,)])
def not_condition(x):
    if not np.sum(x) > 0:
        return np.sum(x ** 3)
    return np.sum(x ** 2)


@register([(2.0,), (0.5,), (-1.5,)])
def early_return_float(x: float):
    if x > 1:
        return x * x
    if x > 0:
        return math.sin(x)
    return -x * 3


@register([(POS,), (NEG,)])
def pass_in_branch(x):
    y = x * 1.5
    if np.sum(x) > 0:
        pass
    else:
        y = y * x
    return np.sum(y)


@register([(POS, NEG), (NEG, POS)], wrt=("x", "y"))
def compare_two_args(x, y):
    if np.sum(x) > np.sum(y):
        z = x * y
    else:
        z = x + y * y
    return np.sum(z)


@register([(0.7, 1.4), (1.4, 0.7)], wrt=("a", "b"))
def and_compare_floats(a: float, b: float):
    if 0 < a and a < b:  # noqa: PLR1716 (agc rejects chained comparisons)
        return a * b * b
    return a + b


@register([(POS,), (NEG,)])
def branch_on_element(x):
    if x[0] > 0:
        x = x * x[1]
    else:
        x = x / (x[1] - 2)
    return np.sum(x)


# ------------------------------------------------------------ while loops
@register([(arr(3, 3, lo=0.5, hi=1.5),), (arr(4, 3, lo=-1.5, hi=-0.5),),
           (np.array([0.3, -0.2, 0.4]),)])
def issue_while_if(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if np.sum(b) > 0:
        c = b
    else:
        c = 100 * b
    return np.sum(c)


@register([(arr(5, 3, lo=0.5, hi=1.5),), (arr(6, 3, lo=-1.5, hi=-0.5),)])
def issue_while_if_vector(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if np.sum(b) > 0:
        c = b
    else:
        c = 100 * b
    return c


@register([(arr(7, 3), 4), (arr(8, 3), 0)], wrt=("x",))
def while_counter(x, n):
    i = 0
    while i < n:
        x = x * 1.1 + np.sin(x)
        i += 1
    return np.sum(x)


@register([(0.3,), (1.7,), (4.1,)])
def while_float(x: float):
    y = 1.0
    while y < 10:
        y = y * 1.5 + x
    return y * x


@register([(0.3,), (0.9,)])
def while_with_break(x: float):
    y = x
    n = 0
    while n < 100:
        y = y * 1.3 + 0.1
        n += 1
        if n > 5:
            break
    return y


@register([(POS,), (NEG,)])
def while_with_inner_if(x):
    k = 0
    while k < 4:
        if np.sum(x) > 0:
            x = x * 1.2
        else:
            x = x - 0.1 * x * x
        k = k + 1
    return np.sum(x * x)


@register([(arr(9, 3, lo=0.1, hi=0.3),)])
def while_two_carried(x):
    s = x
    p = x * 0
    while np.sum(s) < 20:
        p = p + s
        s = s * 1.7
    return np.sum(p * s)


@register([(0.4,), (1.2,)])
def while_continue(x: float):
    i = 0
    acc = 0.0
    while i < 6:
        i += 1
        if i % 2 == 0:
            continue
        acc = acc + x ** i
    return acc


@register([(arr(10, 3, lo=0.5, hi=1.0),)])
def while_early_return(x):
    while True:
        x = x * 2
        if np.sum(x) > 50:
            return np.sum(np.sqrt(x))


@register([(arr(13, 3, lo=0.5, hi=1.0),)])
def while_true_then_unreachable_return(x):
    while True:
        x = x * 2
        if np.sum(x) > 50:
            return np.sum(np.sqrt(x))
    return np.sum(x)  # never reached: only the return leaves the loop (numba refused it)


# -------------------------------------------------------------- for loops
@register([(arr(11, 5),)])
def for_range_len(x):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] * i
    return s


@register([(arr(12, 7),)])
def for_range_computed(x):
    s = x[0]
    n = x.shape[0]
    for i in range(n - 1, 0, -2):
        s = s * x[i] + x[i - 1]
    return s


@register([(arr(13, 9), 2), (arr(14, 9), 3)], wrt=("x",))
def for_range_start_step(x, k):
    s = 0.0
    for i in range(k // 2, k * 2, k - 1):
        s = s + np.sin(x[i]) * x[i + 1]
    return s


@register([(arr(15, 6),)])
def for_range_start_stop(x):
    s = x[0]
    for i in range(1, x.shape[0]):
        s = s * 0.5 + x[i] * s
    return s


@register([(arr(16, 4, 3), arr(17, 3))], wrt=("X", "w"))
def for_row_in_matrix(X, w):
    acc = 0.0
    for row in X:
        acc = acc + np.tanh(row @ w)
    return acc


@register([(arr(18, 4, 3),)])
def for_enumerate(X):
    acc = np.zeros(3)
    for i, x in enumerate(X):
        acc = acc + i * x * x
    return np.sum(acc)


@register([(arr(19, 4, 2), arr(20, 4, 2))], wrt=("A", "B"))
def for_zip(A, B):
    s = 0.0
    for a, b in zip(A, B):
        s = s + np.sum(a * b) * np.sum(a)
    return s


@register([(arr(21, 3, 4), arr(22, 4))], wrt=("X", "w"))
def nested_for(X, w):
    s = 0.0
    for i in range(3):
        for j in range(4):
            s = s + X[i, j] * w[j] * (i + 1)
    return s


@register([(arr(23, 3, 3),)])
def nested_for_triangular(X):
    s = 0.0
    for i in range(3):
        for j in range(i + 1):
            s = s + X[i, j] * X[j, i]
    return s


@register([(POS,), (NEG,)])
def loop_inside_branch(x):
    if np.sum(x) > 0:
        for _ in range(3):
            x = np.sin(x) + x
    else:
        for _ in range(2):
            x = x * x
    return np.sum(x)


@register([(MIXED,), (POS,)])
def branch_inside_loop(x):
    s = 0.0
    for i in range(4):
        if x[i] > 0:
            s = s + x[i] * x[i]
        else:
            s = s - x[i] * 3
    return s


@register([(MIXED,), (NEG,)])
def branch_inside_loop_elementwise_update(x):
    y = x * 1.0
    for k in range(3):
        if np.sum(y) > 0:
            y = y * 1.5
        else:
            y = y + 0.2 * y * y
    return np.sum(y)


@register([(np.array([0.5, 0.7, -0.4, 0.9, 0.3]),), (np.array([0.5, 0.7, 0.4, 0.9, 0.3]),)])
def for_break(x):
    s = 0.0
    for i in range(5):
        if x[i] < 0:
            break
        s = s + x[i] ** 2
    return s


@register([(np.array([0.5, -0.7, 0.4, -0.9, 0.3]),)])
def for_continue(x):
    s = 0.0
    for i in range(5):
        if x[i] < 0:
            continue
        s = s + np.exp(x[i])
    return s


@register([(np.array([0.5, 0.7, 2.4, 0.9]),), (np.array([0.5, 0.7, 0.4, 0.9]),)])
def early_return_in_loop(x):
    s = 0.0
    for i in range(4):
        s = s + x[i] * x[i]
        if s > 3:
            return s * 10
    return s


@register([(arr(24, 3, 2),)])
def early_return_in_row_loop(X):
    acc = 0.0
    for row in X:
        acc = acc + np.sum(row * row)
        if acc > 100:
            return acc
    return acc * 2


@register([(POS,)])
def pass_in_loop(x):
    for _ in range(3):
        pass
    for i in range(2):
        if i == 0:
            pass
        x = x * x + 0.1
    return np.sum(x)


@register([(0.3, 0.5), (-0.4, 0.2)], wrt=("x", "y"))
def several_carried(x: float, y: float):
    a = x
    b = y
    c = 0.0
    for _ in range(5):
        a, b, c = b, a + b * 0.5, c + a * b
    return a + b + c


@register([(arr(25, 3),)])
def var_first_defined_in_loop(X):
    for i in range(3):
        last = X[i] * (i + 1)
    return last * last


@register([(arr(26, 4, 2),)])
def var_defined_in_row_loop(X):
    total = 0.0
    for row in X:
        sq = row * row
        total = total + np.sum(sq)
    return total + np.sum(sq)


@register([(1.0, 0.0, -0.5), (0.3, 0.4, 2.0)], wrt=("x", "v", "a"))
def tuple_assign_in_loop(x: float, v: float, a: float):
    dt = 0.1
    for _ in range(10):
        x, v = x + dt * v, v + dt * a
    return x * x + v


@register([(1.0, 0.0, 2.0, 0.3), (0.5, -0.2, 1.0, 0.1)], wrt=("x", "v", "k", "c"))
def euler_spring(x: float, v: float, k: float, c: float):
    dt = 0.01
    for _ in range(100):
        x, v = x + dt * v, v + dt * (-k * x - c * v)
    return x


@register([(arr(27, 2), arr(28, 2), arr(29, 2, 2))], wrt=("x", "v", "M"))
def euler_vector(x, v, M):
    for _ in range(20):
        a = -(M @ x) - 0.1 * v
        x = x + DT * v
        v = v + DT * a
    return np.sum(x * x) + np.sum(v)


@register([(arr(30, 3), arr(31, 3, 3), arr(32, 4, 3))], wrt=("h", "W", "X"))
def rnn(h, W, X):
    for x_t in X:
        h = np.tanh(W @ h + x_t)
    return np.sum(h)


@register([(arr(33, 3, lo=0.5, hi=1.0), arr(34, 3, 3, lo=0.1, hi=0.5))], wrt=("v", "M"))
def power_iteration(v, M):
    for _ in range(4):
        v = M @ v
        v = v / np.linalg.norm(v)
    return v @ M @ v


@register([(0.8,), (1.9,)])
def loop_max_builtin(x: float):
    best = -10.0
    for i in range(4):
        best = max(best, math.sin(x * i) + x)
    return best


@register([(arr(35, 4, lo=0.5, hi=1.0),)])
def loop_power_series(x):
    s = np.zeros(4)
    for i in range(5):
        s = s + x ** i / (i + 1)
    return np.sum(s)


@register([(arr(36, 3, lo=0.2, hi=0.5),)])
def while_in_for(x):
    total = 0.0
    for k in range(3):
        y = x * (k + 1)
        while np.sum(y) < 5:
            y = y * 1.5
        total = total + np.sum(y * x)
    return total


@register([(arr(37, 3),)])
def for_in_while(x):
    n = 0
    while n < 2:
        for i in range(3):
            x = x + 0.1 * np.sin(x[i])
        n = n + 1
    return np.sum(x * x)


@register([(POS,), (NEG,)])
def branch_then_loop(x):
    if np.sum(x) > 0:
        scale = 2.0
    else:
        scale = -1.0
    for _ in range(3):
        x = x * scale + np.tanh(x)
    return np.sum(x)


@register([(arr(38, 5),)])
def augmented_in_loop(x):
    s = x * 0
    for i in range(3):
        s += x * i
        s *= 0.5
    return np.sum(s * x)


@register([(arr(39, 4, 3), arr(40, 3), arr(41, 4))], wrt=("X", "w"))
def sgd_steps(X, w, y):
    for _ in range(3):
        err = X @ w - y
        w = w - 0.1 * (X.T @ err) / 4
    return np.mean((X @ w - y) ** 2)


@register([(arr(42, 6),)])
def loop_over_slices(x):
    s = 0.0
    for i in range(0, 6, 2):
        pair = x[i:i + 2]
        s = s + pair[0] * pair[1]
    return s


@register([(arr(43, 3, 3),)])
def loop_reads_overwritten_matrix(A):
    B = A
    for _ in range(3):
        B = B @ A * 0.5
    return np.sum(B)


@register([(np.array([0.5, 1.5, -0.8]),), (np.array([-1.2, 0.1, 0.6]),)])
def elif_chain_in_loop(x):
    s = 0.0
    for i in range(3):
        if x[i] > 1:
            s = s + x[i] ** 3
        elif x[i] > 0:
            s = s + x[i] * 2
        elif x[i] > -1:
            s = s - x[i] * x[i]
        else:
            s = s + np.exp(x[i])
    return s


@register([(arr(44, 4),)])
def reversed_loop_index(x):
    s = 0.0
    for i in range(3, -1, -1):
        s = s * x[i] + 1.0
    return s


@register([(0.2,), (0.9,)])
def while_float_with_counter(x: float):
    t = 0.0
    n = 0
    while t < 1.0:
        t = t + x * 0.3 + 0.05
        n = n + 1
    return t * x + n


@register([(arr(45, 3), 3), (arr(46, 3), 1)], wrt=("x",))
def nested_loop_param_bound(x, n):
    s = 0.0
    for i in range(n):
        for j in range(i, 3):
            s = s + x[j] * (i + 1)
    return s


@register([(POS,), (NEG,)])
def early_return_before_loop(x):
    if np.sum(x) < 0:
        return np.sum(x * x)
    for _ in range(3):
        x = x * 1.1
    return np.sum(x)


@register([(np.array([0.3, 0.6, 0.2, 0.8]),)])
def break_in_nested_loop(x):
    s = 0.0
    for i in range(4):
        for j in range(4):
            if j > i:
                break
            s = s + x[i] * x[j]
    return s


@register([(arr(47, 5),)])
def continue_in_nested_loop(x):
    s = 0.0
    for i in range(5):
        for j in range(5):
            if i == j:
                continue
            s = s + x[i] * np.sin(x[j])
    return s


@register([(POS,), (NEG,)])
def conditional_expression_in_loop(x):
    s = 0.0
    for i in range(4):
        s = s + (x[i] * 2 if x[i] > 0 else x[i] ** 2)
    return s


@register([(1.0, 0.4), (2.0, -0.3)], wrt=("x0", "r"))
def logistic_map(x0: float, r: float):
    x = x0 * 0.25
    for _ in range(6):
        x = r * x * (1 - x) + 0.1
    return x


@register([(0.55, 0.3), (1.5, 0.2)], wrt=("x", "y"))
def float_loop_with_branch(x: float, y: float):
    acc = 0.0
    for i in range(5):
        if x * i > 1.0:
            acc = acc + math.sqrt(x * i) * y
        else:
            acc = acc + x * y * i
    return acc


@register([(arr(48, 3),), (arr(49, 3) * 5,)])
def loop_trip_from_data(x):
    n = int(np.sum(np.abs(x)) * 2) + 1
    s = 0.0
    for i in range(n):
        s = s + np.sum(x) * 0.5 ** i
    return s


@register([(arr(50, 4, 2),)])
def enumerate_with_branch(X):
    acc = 0.0
    for i, row in enumerate(X):
        if i % 2 == 0:
            acc = acc + np.sum(row) * i
        else:
            acc = acc - np.sum(row * row)
    return acc


@register([(arr(51, 3, lo=0.5, hi=1.0), arr(52, 3, lo=0.5, hi=1.0))], wrt=("x", "y"))
def zip_with_early_exit(x, y):
    total = 0.0
    for a, b in zip(x, y):
        total = total + a * b
        if total > 100:
            break
    return total * total


@register([(np.array([1.5, 0.2, -1.0]),)])
def clamp_loop(x):
    for _ in range(3):
        x = np.where(x > LIMIT - 2, x * 0.5, x * 1.1)
    return np.sum(x)


@register([(away(53, 4),)])
def abs_in_loop(x):
    s = 0.0
    for i in range(4):
        s = s + abs(x[i]) * i
    return s
