"""Hand-written numba adjoints of rows of benchmarks/numba_loops.py (the bar to meet)."""

import numba
import numpy as np


@numba.njit(cache=True)
def euler(k, c, n):
    """Gradient of numba_models.euler in (k, c): the trajectory in arrays, swept back."""
    xs, vs = np.empty(n), np.empty(n)
    x, v = 1.0, 0.0
    for i in range(n):
        xs[i], vs[i] = x, v
        x, v = x + 0.01 * v, v + 0.01 * (-k * x - c * v)
    gx, gv, gk, gc = 2 * x, 2 * v, 0.0, 0.0
    for i in range(n - 1, -1, -1):
        gk -= 0.01 * gv * xs[i]
        gc -= 0.01 * gv * vs[i]
        gx, gv = gx - 0.01 * k * gv, 0.01 * gx + (1 - 0.01 * c) * gv
    return gk, gc


@numba.njit(cache=True)
def rnn(W, U, xs):
    """Gradient of numba_models.rnn in (W, U): the states kept, then backpropagated."""
    T, H = xs.shape[0], W.shape[0]
    hs = np.zeros((T + 1, H))
    for t in range(T):
        hs[t + 1] = np.tanh(W @ hs[t] + U * xs[t])
    gW, gU, gh = np.zeros_like(W), np.zeros_like(U), 2 * hs[T]
    for t in range(T - 1, -1, -1):
        ga = gh * (1.0 - hs[t + 1] * hs[t + 1])
        gW += np.outer(ga, hs[t])
        gU += ga * xs[t]
        gh = W.T @ ga
    return gW, gU


@numba.njit(cache=True)
def while_if(a):
    """Gradient of numba_models.while_if: count the doublings, then walk them back."""
    b, steps = a * 2, 0
    while abs(b) < 1000:
        b, steps = b * 2, steps + 1
    g = 1.0 if b > 0 else 100.0
    for _ in range(steps):
        g = g * 2
    return g * 2


ADJOINTS = {"euler": euler, "rnn": rnn, "while_if": while_if}
