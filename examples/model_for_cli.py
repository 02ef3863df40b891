"""A model file for `agc compile`: agc reads it as text and never runs it."""

import numpy as np
from agc import differentiate


@differentiate(wrt=("w", "b"))
def loss(x, y, w, b):
    """Mean squared error of a linear layer."""
    pred = np.tanh(x @ w + b)
    err = pred - y
    return np.mean(err * err)


@differentiate(wrt=("k", "c"))
def oscillator(x: float, v: float, k: float, c: float):
    """Position after 200 explicit Euler steps of a damped spring."""
    dt = 0.01
    for _ in range(200):
        x, v = x + dt * v, v + dt * (-k * x - c * v)
    return x
